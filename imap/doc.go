// Package imap holds the IMAP types that the client (imap/imapclient) and
// the server (imap/imapserver) share: connection states and capabilities,
// flags, sequence and UID sets, search criteria, fetch items and body
// section specifiers, envelopes, body structures, STATUS and LIST data,
// response codes and the [Error] a tagged NO or BAD becomes.
//
// Each type can be written to and read from the wire (the Read* and Write*
// functions take the module's internal codec and are meant for the client
// and server packages).
//
// Protocols: IMAP4rev2 (RFC 9051) and IMAP4rev1 (RFC 3501), with
// LITERAL+/- (RFC 7888), BINARY (RFC 3516), UIDPLUS (RFC 4315), ESEARCH
// (RFC 4731), SEARCHRES (RFC 5182), WITHIN (RFC 5032), CONDSTORE/QRESYNC
// (RFC 7162), SORT/THREAD (RFC 5256), ESORT/CONTEXT (RFC 5267), LIST-EXTENDED
// (RFC 5258), LIST-STATUS (RFC 5819), SPECIAL-USE (RFC 6154), STATUS=SIZE
// (RFC 9051), QUOTA (RFC 9208), ACL (RFC 4314), METADATA (RFC 5464),
// OBJECTID (RFC 8474), SAVEDATE (RFC 8514), PREVIEW (RFC 8970), ID
// (RFC 2971), and Gmail's X-GM-EXT-1 items.
package imap
