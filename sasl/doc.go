// Package sasl implements the SASL mechanisms (RFC 4422) that SMTP AUTH,
// POP3 AUTH and IMAP AUTHENTICATE use to log in, client and server side. It
// does no I/O: a protocol carries the challenges and responses, base64
// encoded on its wire ([DecodeWire], [EncodeWire]), and this package turns
// them into the next message.
//
// Mechanisms and the texts they follow:
//
//   - PLAIN, RFC 4616, with an authorisation identity.
//   - LOGIN, draft-murchison-sasl-login-00.
//   - CRAM-MD5, RFC 2195.
//   - SCRAM-SHA-1 and SCRAM-SHA-256, RFC 5802 and RFC 7677, with the
//     -PLUS variants bound to TLS by tls-exporter (RFC 9266),
//     tls-unique (RFC 5929 §3, TLS 1.2 with extended master secret) or
//     tls-server-end-point (RFC 5929 §4). Names and passwords are prepared
//     with the PRECIS OpaqueString profile (RFC 8265), the successor of
//     SASLprep (RFC 4013). The server stores no password, only
//     [ScramCredentials].
//   - OAUTHBEARER, RFC 7628, with the server's JSON error and the client's
//     dummy response; XOAUTH2, the earlier Google/Microsoft format.
//   - EXTERNAL, RFC 4422 appendix A, and ANONYMOUS, RFC 4505.
//
// A [Client] starts an exchange and answers challenges; a [Server] takes
// responses and returns challenges until it is done, after which
// [Identity] tells who logged in. [Choose] picks the strongest mechanism a
// server offers for the credentials at hand.
//
// Limits, each with a default and a way to change it: one challenge or
// response is at most [DefaultMaxMessageSize] bytes ([LimitServer],
// [LimitClient]); a SCRAM client accepts iteration counts from
// [DefaultScramMinIterations] to [DefaultScramMaxIterations]
// ([ScramClient] fields). Secrets are compared in constant time
// ([SecretEqual] for verify functions) and never quoted in errors.
//
// Failures are errors, never panics: [ErrAuthFailed] for wrong credentials,
// [ErrMalformed] for input that does not parse or is larger than
// [DefaultMaxMessageSize], [ErrUnexpected] for a message out of turn,
// [ErrChannelBinding] and [ErrMutualAuth] for SCRAM's channel and server
// checks, usually inside an [*Error] with the mechanism and a reason.
package sasl
