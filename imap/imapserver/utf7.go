package imapserver

import "github.com/mailwire/mailwire/internal/imapwire"

// Modified UTF-7 mailbox names (RFC 3501 §5.1.3), used unless the client
// enabled UTF8=ACCEPT; the codec is the one the client shares.

func decodeMUTF7(s string) (string, error) { return imapwire.DecodeMUTF7(s) }

func encodeMUTF7(s string) string { return imapwire.EncodeMUTF7(s) }
