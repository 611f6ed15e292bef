// Package imapclient is an IMAP client: IMAP4rev2 (RFC 9051) and its
// IMAP4rev1 forms (RFC 3501), over any io.ReadWriter.
//
// Commands are methods of [Client] that send at once and return a command
// value; Wait gives its result, and a tagged NO or BAD becomes an
// *imap.Error. To bound a wait with a context, call the embedded
// [Command.WaitContext] first, then Wait for the data. On a net.Conn every
// wait is also bounded by [Options].Timeout of silence from the server. Commands from several goroutines are pipelined,
// each reply routed to the command that caused it; data the server sends
// on its own reaches [Options].UnilateralDataHandler, also during IDLE.
// FETCH results stream: each message's items are parsed as they are read,
// body sections are exposed as readers over the connection.
//
//	c, err := imapclient.Dial(ctx, "mail.example:143", nil)
//	if err := c.StartTLS(nil); err != nil { ... }
//	if err := c.Login("alice", "secret").Wait(); err != nil { ... }
//	if _, err := c.Select("INBOX", nil).Wait(); err != nil { ... }
//	f := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{Envelope: true})
//	for m := f.Next(); m != nil; m = f.Next() { ... }
//	err = f.Close()
//
// Extensions: STARTTLS, SASL-IR (RFC 4959) with every mailwire/sasl
// mechanism, LITERAL+/LITERAL- (RFC 7888), ENABLE (RFC 5161), IDLE
// (RFC 2177), NAMESPACE (RFC 2342), UNSELECT (RFC 3691), UIDPLUS (RFC 4315),
// MOVE (RFC 6851), ESEARCH (RFC 4731), SEARCHRES (RFC 5182), WITHIN
// (RFC 5032), LIST-EXTENDED (RFC 5258), LIST-STATUS (RFC 5819), SPECIAL-USE
// and CREATE-SPECIAL-USE (RFC 6154), STATUS=SIZE, MULTIAPPEND (RFC 3502),
// CATENATE (RFC 4469), BINARY (RFC 3516), CONDSTORE and QRESYNC
// (RFC 7162), SORT and THREAD (RFC 5256), ESORT (RFC 5267), QUOTA
// (RFC 9208), ACL (RFC 4314), METADATA (RFC 5464), NOTIFY (RFC 5465), ID
// (RFC 2971), COMPRESS=DEFLATE (RFC 4978), UNAUTHENTICATE (RFC 8437),
// UTF8=ACCEPT (RFC 6855), OBJECTID (RFC 8474), SAVEDATE (RFC 8514), PREVIEW
// (RFC 8970) and Gmail's X-GM-EXT-1. [Client.Raw] sends commands it does
// not know; unknown responses and FETCH items are kept as generic values.
package imapclient
