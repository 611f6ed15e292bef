// Package mailwire is the root of a module that gives Go programs Internet
// mail: SMTP to send, POP3 and IMAP to read, MIME to carry any content as
// 7-bit text, and SASL to log in, with a client and a server for every
// protocol. Every state machine runs over an [io.ReadWriter], so it can be
// tested without a network and embedded in any program. The only
// dependency outside the standard library is golang.org/x/text.
//
// This package holds no code; it is the map of the module.
//
// Package sasl holds the SASL mechanisms (RFC 4422) that the three
// protocols log in with, client and server side, with no I/O of their own:
// PLAIN (RFC 4616), LOGIN, CRAM-MD5 (RFC 2195), SCRAM-SHA-1 and
// SCRAM-SHA-256 with their -PLUS channel-binding forms (RFC 5802, 7677,
// 9266, 5929), XOAUTH2 and OAUTHBEARER (RFC 7628), EXTERNAL and ANONYMOUS
// (RFC 4505), and a helper that picks the strongest mechanism both sides
// have.
//
// Package mime reads and writes messages (RFC 5322, 6532) and their MIME
// structure (RFC 2045, 2046, 2047, 2049, 2183, 2231): a streaming entity
// reader that records every departure from the RFCs as a defect instead of
// failing, the data IMAP's ENVELOPE and BODYSTRUCTURE need, and a writer
// that makes 7-bit clean messages.
//
// Package smtp is an ESMTP client and server (RFC 5321) with LMTP, and the
// extensions PIPELINING, SIZE, 8BITMIME, SMTPUTF8, CHUNKING, BINARYMIME,
// DSN, ENHANCEDSTATUSCODES, STARTTLS, AUTH and REQUIRETLS.
//
// Package pop3 is a POP3 client and server (RFC 1939) with CAPA and
// response codes (RFC 2449, 3206), STLS (RFC 2595), SASL (RFC 5034) and
// UTF8 (RFC 6856).
//
// Package imap holds the IMAP types both sides share (RFC 9051 and
// RFC 3501); imap/imapclient is the client, imap/imapserver the server,
// and imap/imapmem a complete in-memory store for the server.
//
// The packages under internal are shared by the ones above and are not
// for users: bounded line I/O and dot-stuffing (textwire), the IMAP wire
// codec (imapwire), the SASL mechanism table of the POP3 and IMAP servers
// (saslserve), the server lifecycle (lifecycle), the transcript runner for
// protocol tests, the harness that starts real peers for the interop
// tests, and the demo server maild.
package mailwire
