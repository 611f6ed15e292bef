// Package mailwire is the root of a module that gives Go programs Internet
// mail: SMTP to send, POP3 and IMAP to read, MIME to carry any content as
// 7-bit text, and SASL to log in, with a client and a server for every
// protocol. Every state machine runs over an [io.ReadWriter], so it can be
// tested without a network and embedded in any program.
//
// This package holds no code; it is the map of the module. The packages
// below are filled in as they land; see README.md for what works today.
package mailwire
