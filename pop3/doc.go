// Package pop3 is a POP3 client and server.
//
// It implements:
//
//   - RFC 1939, the Post Office Protocol version 3: USER/PASS, APOP, STAT,
//     LIST, RETR, DELE, NOOP, RSET, QUIT, TOP and UIDL, with the three
//     session states (AUTHORIZATION, TRANSACTION, UPDATE) and dot-stuffed
//     multi-line responses (§3);
//   - RFC 2449, the extension mechanism: CAPA, response codes ([IN-USE],
//     [LOGIN-DELAY]), PIPELINING, EXPIRE, LOGIN-DELAY, IMPLEMENTATION;
//   - RFC 3206, the SYS and AUTH response codes ([SYS/TEMP], [SYS/PERM],
//     [AUTH]) and the AUTH-RESP-CODE capability;
//   - RFC 2595 §4, STLS;
//   - RFC 5034, SASL authentication (AUTH), with every mechanism of package
//     [github.com/mailwire/mailwire/sasl] and initial responses;
//   - RFC 6856, UTF8 and LANG.
//
// A [Client] speaks to a server over any io.ReadWriter; [Dial] and
// [DialTLS] connect over TCP. Messages are read as streams ([Client.Retr],
// [Client.Top]).
//
// A [Server] serves a [Backend], which authenticates users and opens their
// [Maildrop]. Deletions reach the backend only when the client's QUIT moves
// the session into the UPDATE state: a dropped connection, a timeout or a
// server shutdown deletes nothing. [MemBackend] is a simple in-memory
// backend for tests, examples and demonstrations.
//
// Failures the peer reports are [*Error] values, carrying the RFC 2449
// response code; test them with errors.Is against [ErrInUse],
// [ErrLoginDelay], [ErrSysTemp], [ErrSysPerm], [ErrAuth] and [ErrUTF8].
package pop3
