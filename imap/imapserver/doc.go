// Package imapserver is an IMAP server: IMAP4rev2 (RFC 9051) and IMAP4rev1
// (RFC 3501) over any io.ReadWriter, with the mail kept by a [Backend] the
// application implements (package imapmem has one in memory).
//
// A [Server] is a struct of options, served like net/http's:
//
//	srv := &imapserver.Server{Backend: be, TLSConfig: cfg}
//	err := srv.Serve(ln) // or srv.ServeConn(conn) for one connection
//
// Each connection runs its commands in one goroutine, in order, and keeps
// its own view of the selected mailbox: message sequence numbers change
// only when the session is told of a change. Changes made by other
// sessions reach it as unilateral EXISTS, EXPUNGE and FETCH responses,
// and never where RFC 9051 §7.5.1 forbids them (no EXPUNGE while answering
// FETCH, STORE, SEARCH or COPY); a session in IDLE is woken by the backend
// and written to at once, and so is a session that asked for NOTIFY while
// it waits for its next command. While idling a connection gives back its
// buffers and continues in a fresh goroutine, so that it costs about 5 KB.
//
// Commands and extensions: CAPABILITY, NOOP, LOGOUT, STARTTLS, LOGIN,
// AUTHENTICATE with SASL-IR (RFC 4959; PLAIN and LOGIN always, SCRAM,
// CRAM-MD5 and others as the backend allows), ENABLE (RFC 5161), SELECT,
// EXAMINE, CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST with
// LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819) and SPECIAL-USE /
// CREATE-SPECIAL-USE (RFC 6154), LSUB, NAMESPACE (RFC 2342), STATUS with
// STATUS=SIZE (RFC 8438), APPEND with atomic MULTIAPPEND (RFC 3502), LITERAL+
// (RFC 7888) and APPENDLIMIT (RFC 7889), IDLE (RFC 2177), CHECK, CLOSE,
// UNSELECT (RFC 3691), EXPUNGE and UID EXPUNGE with UIDPLUS (RFC 4315),
// SEARCH with ESEARCH (RFC 4731), SEARCHRES (RFC 5182) and WITHIN (RFC
// 5032), FETCH of every RFC 9051 item with BINARY (RFC 3516), STORE, COPY,
// MOVE (RFC 6851), CONDSTORE and QRESYNC (RFC 7162: MODSEQ, CHANGEDSINCE,
// UNCHANGEDSINCE, VANISHED, SELECT with QRESYNC), SORT and THREAD (RFC 5256: ORDEREDSUBJECT, REFERENCES),
// ESORT (RFC 5267 §3), COMPRESS=DEFLATE (RFC 4978, opt-in: see
// Server.EnableCompress), QUOTA (RFC 9208),
// METADATA and METADATA-SERVER (RFC 5464), ACL (RFC 4314), CATENATE (RFC
// 4469, with URLs into the user's own mailboxes), PREVIEW (RFC 8970),
// SAVEDATE (RFC 8514), OBJECTID EMAILID and THREADID (RFC 8474),
// UTF8=ACCEPT (RFC 6855), ID (RFC 2971), UNAUTHENTICATE (RFC 8437) and
// NOTIFY (RFC 5465).
//
// Optional backend interfaces add features: [StructuredMessage] caches
// the parsed structure, [ObjectIDMessage] and [SaveDateMessage] give
// identifiers and save dates, [QuotaUser] quotas, [MetadataUser]
// annotations, [ACLUser] access control lists, [NamespaceUser] other
// users' mailboxes, [VanishedMailbox] the expunge history QRESYNC needs,
// [MultiAppendUser] all-or-nothing MULTIAPPEND, [NotifyUser] the events of
// NOTIFY; [ScramBackend], [SecretBackend] and [SASLBackend] add SASL
// mechanisms.
//
// Limits (see [Limits]) bound command lines, literals (refused before they
// are read), bad commands, idle time, connections per address and per
// user, and slow down repeated failed logins. LOGIN and AUTHENTICATE are
// refused before TLS unless AllowInsecureAuth is set; LOGINDISABLED is then
// advertised.
package imapserver
