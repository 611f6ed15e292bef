// Package textwire is the line layer that SMTP and POP3 share (and IMAP,
// for its command lines): a [Reader] whose lines have a hard maximum length
// and a chosen policy for bare CR and LF, and the dot-stuffing codec of
// RFC 5321 §4.5.2 and RFC 1939 §3 ([DotReader], [DotWriter]).
//
// The dot reader ends its data only on CRLF "." CRLF, the one terminator the
// RFCs define; every other spelling (LF.LF, CR.CR, LF.CRLF, CRLF.LF, CR.LF)
// is data, or, under [RejectBare], an error. That is what keeps an SMTP
// server from being tricked into seeing two messages where a relay that
// forwarded the data saw one ("SMTP smuggling").
package textwire
