package imapserver_test

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/imap/imapserver"
)

// rw is an in-memory connection: reads from the script, discards writes.
type rw struct {
	io.Reader
	out bytes.Buffer
}

func (c *rw) Write(p []byte) (int, error) {
	if c.out.Len() < 1<<20 {
		c.out.Write(p)
	}
	return len(p), nil
}

// FuzzSession feeds arbitrary bytes to a session that has logged in and
// selected INBOX: it must end (at EOF) without panicking, and every line it
// writes must end in CRLF.
func FuzzSession(f *testing.F) {
	for _, s := range []string{
		"a FETCH 1:* (FLAGS BODY.PEEK[1.HEADER.FIELDS (From)]<0.10> BINARY[1] BODYSTRUCTURE)\r\n",
		"a UID FETCH 1:* (RFC822.SIZE ENVELOPE) (CHANGEDSINCE 1)\r\n",
		"a STORE 1:3 +FLAGS.SILENT (\\Deleted)\r\nb EXPUNGE\r\n",
		"a SEARCH RETURN (MIN MAX COUNT SAVE) OR FROM x NOT (SUBJECT y LARGER 10)\r\nb FETCH $ UID\r\n",
		"a APPEND INBOX (\\Seen) \" 1-Jan-2024 00:00:00 +0000\" {5+}\r\nhello\r\n",
		"a APPEND INBOX {5}\r\nhello\r\n",
		"a LIST \"\" *\r\nb LIST (SUBSCRIBED) \"\" (% INBOX) RETURN (STATUS (MESSAGES SIZE))\r\n",
		"a IDLE\r\nDONE\r\nb NOOP\r\n",
		"a CREATE x/y (USE (\\Junk))\r\nb RENAME x z\r\nc DELETE z\r\n",
		"a MOVE 1 Trash\r\nb COPY 2:* Sent\r\n",
		"a ENABLE UTF8=ACCEPT CONDSTORE IMAP4rev2\r\nb SELECT \"&AMk-t&AOk-\"\r\n",
		"a FETCH 1 BODY[HEADER.FIELDS {4}\r\nFrom)]\r\n",
		"a {99999999999+}\r\n",
		"* BAD\r\n\r\n\x00\xff",
		"a SORT RETURN (ALL) (REVERSE SUBJECT) UTF-8 ALL\r\nb THREAD REFERENCES UTF-8 ALL\r\n",
		"a APPEND Sent (\\Seen) {3+}\r\nx\r\n {3+}\r\ny\r\n\r\nb APPEND Sent {3+}\r\nx\r\n {99}\r\n",
		"a AUTHENTICATE SCRAM-SHA-256 biwsbj1hbGljZSxyPWFiYw==\r\n*\r\nb AUTHENTICATE CRAM-MD5\r\neA==\r\n",
		"a NOTIFY SET STATUS (selected (MessageNew (UID BODY.PEEK[HEADER]) MessageExpunge FlagChange)) (subtree (INBOX \"x y\") (MessageNew MessageExpunge)) (personal (MailboxName SubscriptionChange ServerMetadataChange))\r\nb CREATE q\r\nc NOTIFY NONE\r\n",
		"a ENABLE QRESYNC\r\nb SELECT INBOX (QRESYNC (1 1 1:* (1:2 1:2)))\r\nc UID FETCH 1:* FLAGS (CHANGEDSINCE 1 VANISHED)\r\n",
		"a SETMETADATA INBOX (/private/x \"1\")\r\nb GETMETADATA (DEPTH infinity) INBOX /private\r\n",
		"a SETACL INBOX bob +lr\r\nb GETACL INBOX\r\nc GETQUOTAROOT INBOX\r\n",
		"a FETCH 1:* (PREVIEW EMAILID SAVEDATE BINARY.SIZE[1])\r\n",
		"a COMPRESS DEFLATE\r\n\x01\x02",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		be := newBackend(t, 13)
		srv := newServer(be)
		srv.Limits.MaxLine = 4096
		srv.Limits.MaxLiteral = 1 << 16
		conn := &rw{Reader: io.MultiReader(strings.NewReader("L LOGIN alice secret\r\nS SELECT INBOX\r\n"), bytes.NewReader(data))}
		srv.ServeConn(conn)
		out := conn.out.Bytes()
		// Literals aside, every line ends in CRLF: a bare LF would mean a
		// response was cut or glued.
		if len(out) > 0 && out[len(out)-1] != '\n' && conn.out.Len() < 1<<20 {
			t.Fatalf("output does not end with a line end: %q", out[max(0, len(out)-80):])
		}
	})
}

// FuzzParseStructure parses arbitrary messages and resolves their
// sections: no panic, and every part's byte range lies inside the message.
func FuzzParseStructure(f *testing.F) {
	f.Add([]byte(rfcSample()))
	f.Add([]byte(simpleMessage(1)))
	f.Add([]byte("Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: message/rfc822\r\n\r\nSubject: in\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n--c\r\n\r\nx\r\n--c--\r\n--b--\r\n"))
	f.Add([]byte("From: \"a\" <a@b>, undisclosed-recipients:;\r\nTo: g: x@y, z@w;\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := imapserver.ParseStructure(bytes.NewReader(data))
		if err != nil {
			return
		}
		if err := imapserver.CheckStructure(st, int64(len(data))); err != nil {
			t.Fatal(err)
		}
	})
}
