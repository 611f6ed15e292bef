// Package smtp implements the Simple Mail Transfer Protocol (RFC 5321) and
// LMTP (RFC 2033), with a [Client] and a [Server] that run over any
// io.ReadWriter.
//
// # Client
//
// [NewClient], [Dial] and [DialTLS] (or the same methods of [ClientOptions])
// open a session and read the greeting. The [Client] sends EHLO when first
// needed, falls back to HELO, and uses whatever the server offers:
// PIPELINING (RFC 2920) to send MAIL, the RCPTs and DATA or the first BDAT
// chunk as one group; SIZE (RFC 1870, declared and checked before sending);
// 8BITMIME (RFC 6152); SMTPUTF8 (RFC 6531); CHUNKING and BINARYMIME
// (RFC 3030); DSN (RFC 3461); ENHANCEDSTATUSCODES (RFC 2034, RFC 3463),
// parsed into [*Error]; REQUIRETLS (RFC 8689); DELIVERBY (RFC 2852);
// MT-PRIORITY (RFC 6710); RRVS (RFC 7293); LIMITS (RFC 9422); and Postfix's
// XCLIENT. [Client.StartTLS] (RFC 3207) refuses a server that sends anything
// between its 220 and the handshake. [Client.Auth] and [Client.Login]
// (RFC 4954, the strongest mechanism chosen by [sasl.Choose]) never send
// PLAIN, LOGIN or a bearer token without TLS unless
// ClientOptions.AllowInsecureAuth is set. With ClientOptions.LMTP the client
// speaks LMTP (RFC 2033). Every method takes a context, and the timeouts of
// RFC 5321 §4.5.3.2 apply by default. [SendMail] and [Client.SendMail] send
// a message in one call and report refused recipients in a
// [*RecipientsError] without failing the others. Addresses and parameters
// holding CR, LF or other forbidden bytes are refused before anything is
// written.
//
// # Server
//
// A [Server] is a struct of options, like net/http's: set its [Backend]
// and call [Server.Serve] with a listener, or [Server.ServeConn] for one
// connection (tests use it over net.Pipe). [Server.Shutdown] lets messages
// in transfer finish and says "421" to idle clients; [Server.Close] ends
// everything at once. The backend opens a [Session] per connection and
// receives MAIL, RCPT and the message as a stream; optional interfaces add
// AUTH ([AuthSession]), per-recipient LMTP results ([LMTPSession]) and
// XCLIENT ([XCLIENTSession]). An [*Error] returned by the backend is the
// reply the client gets.
//
// The server is written to be hard to abuse:
//
//   - DATA ends only on CRLF "." CRLF; a bare CR or LF in the data is
//     refused with 550 5.6.0 (or normalised, if [Server.BareLineEndings]
//     asks), so none of the end-of-data spellings that "SMTP smuggling"
//     relies on (LF.LF, CR.CR, LF.CRLF, CRLF.LF, CR.LF) can start a second
//     message.
//   - A message is acknowledged only after the backend has read all of it
//     and returned nil; a connection lost or a limit crossed in the middle
//     delivers nothing, whatever the backend returned.
//   - Anything pipelined in plaintext behind STARTTLS is discarded.
//   - AUTH is offered only over TLS unless [Server.AllowInsecureAuth];
//     failed attempts are answered after a growing delay, then the
//     connection is closed.
//   - Every limit has a default ([Limits]): command line length (500
//     5.5.2, connection kept), message size (552 5.3.4, counted while
//     streaming, the body never buffered), recipients (452 4.5.3), bad
//     commands, failed AUTH, and timeouts per RFC 5321 §4.5.3.2.
//   - Replies are written in order and flushed whenever the input buffer is
//     empty (PIPELINING, RFC 2920 §3.2).
//
// With [Server.AddReceivedHeader] the server prepends the Received trace
// field of RFC 5321 §4.4 to each message, naming the protocol as RFC 3848
// does.
//
// # Standards
//
//   - RFC 5321, SMTP; RFC 2033, LMTP; RFC 3848, protocol names in
//     Received.
//   - RFC 1870, SIZE; RFC 6152, 8BITMIME; RFC 2920, PIPELINING.
//   - RFC 2034 and RFC 3463, enhanced status codes.
//   - RFC 3030, CHUNKING (BDAT) and BINARYMIME.
//   - RFC 3207, STARTTLS; RFC 4954, AUTH, with the mechanisms of package
//     sasl.
//   - RFC 3461, delivery status notification parameters (RET, ENVID,
//     NOTIFY, ORCPT) and xtext; RFC 6533, ORCPT with the utf-8 address
//     type.
//   - RFC 6531, SMTPUTF8; RFC 8689, REQUIRETLS.
//   - RFC 2852, DELIVERBY; RFC 6710, MT-PRIORITY; RFC 7293, RRVS; RFC
//     9422, LIMITS.
//   - Postfix's XCLIENT, for proxies.
package smtp
