// Package imapwire is the IMAP wire codec shared by the client and the
// server: a [Decoder] reading atoms, numbers, quoted strings, literals
// ("{n}", non-synchronising "{n+}" of RFC 7888, binary "~{n}" of RFC 3516),
// NIL and parenthesised lists from a bufio.Reader without per-byte
// interface calls, and an [Encoder] writing them. Mailbox names use
// modified UTF-7 (RFC 3501 §5.1.3) unless UTF8=ACCEPT (RFC 6855) is on.
//
// Every read is bounded: a line outside literals by MaxLine
// ([ErrLineTooLong]), a literal by MaxLiteral ([LiteralTooLargeError],
// returned before the literal's data is read). Literal data is exposed as a
// stream.
package imapwire
