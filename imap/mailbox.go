package imap

import (
	"strings"

	"github.com/mailwire/mailwire/internal/imapwire"
)

// Inbox is the name of the special mailbox INBOX, matched in any case.
const Inbox = "INBOX"

// EncodeMailboxName encodes a UTF-8 mailbox name in modified UTF-7
// (RFC 3501 §5.1.3), as sent when UTF8=ACCEPT is not enabled.
func EncodeMailboxName(name string) string { return imapwire.EncodeMUTF7(name) }

// DecodeMailboxName decodes a modified UTF-7 mailbox name.
func DecodeMailboxName(name string) (string, error) { return imapwire.DecodeMUTF7(name) }

// CanonicalMailboxName returns INBOX for any case of "inbox", else name.
func CanonicalMailboxName(name string) string {
	if strings.EqualFold(name, Inbox) {
		return Inbox
	}
	return name
}

// ReadMailbox reads a mailbox name (an astring) and decodes it: modified
// UTF-7 unless utf8 (UTF8=ACCEPT enabled). A name that is not valid
// modified UTF-7 is kept as sent.
func ReadMailbox(dec *imapwire.Decoder, name *string, utf8 bool) bool {
	b, ok := dec.AStringBytes()
	if !ok {
		return dec.ExpectAString(new(string))
	}
	if len(b) == 5 && equalFoldBytes(b, "inbox") {
		*name = Inbox
		return true
	}
	s := string(b)
	if !utf8 {
		if d, err := imapwire.DecodeMUTF7(s); err == nil {
			s = d
		}
	}
	*name = s
	return true
}

// WriteMailbox writes a mailbox name (the encoder's UTF8 setting chooses
// between modified UTF-7 and raw UTF-8).
func WriteMailbox(enc *imapwire.Encoder, name string) { enc.Mailbox(name) }
