package imapserver_test

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/imap/imapserver"
)

func statusMessages(t *testing.T, srv *imapserver.Server, mailbox string) string {
	t.Helper()
	tc := login(t, srv, "alice", "secret")
	u := tc.ok("STATUS " + mailbox + " (MESSAGES UIDNEXT)")
	return u[0]
}

func lit(s string) string { return fmt.Sprintf("{%d+}\r\n%s", len(s), s) }

// RFC 3502 §3: the messages of a MULTIAPPEND are added together, or none
// is. Each way a later message can fail leaves the mailbox as it was.
func TestMultiAppendIsAtomic(t *testing.T) {
	m1, m2 := "Subject: one\r\n\r\n1\r\n", "Subject: two\r\n\r\n2\r\n"
	srv := newServer(newBackend(t, 0))
	srv.Limits.MaxLiteral = 1000
	before := statusMessages(t, srv, "Sent")

	// The second message is larger than APPENDLIMIT, refused before it is
	// sent (a synchronising literal).
	tc := login(t, srv, "alice", "secret")
	tc.send("A1 APPEND Sent " + lit(m1) + " {5000}\r\n")
	if l := tc.line(); !strings.HasPrefix(l, "A1 NO [TOOBIG]") {
		t.Fatalf("second literal too big: %q", l)
	}
	// A syntax error after the first message.
	tc.send("A2 APPEND Sent " + lit(m1) + " (\\Seen\r\n")
	if l := tc.line(); !strings.HasPrefix(l, "A2 BAD") {
		t.Fatalf("syntax error: %q", l)
	}
	// The connection lost in the middle of the second message; wait
	// until the server is done with it.
	cc, sc := net.Pipe()
	served := make(chan error, 1)
	go func() { served <- srv.ServeConn(sc) }()
	tc2 := &tconn{t: t, c: cc, br: bufio.NewReader(cc)}
	tc2.line()
	tc2.ok("LOGIN alice secret")
	tc2.send("A3 APPEND Sent " + lit(m1) + " {100+}\r\nSubject: cut")
	cc.Close()
	<-served
	// A mailbox that does not exist.
	tc.send("A4 APPEND Nowhere " + lit(m1) + " " + lit(m2) + "\r\n")
	if l := tc.line(); l != "A4 NO [TRYCREATE] no such mailbox" {
		t.Fatalf("no such mailbox: %q", l)
	}
	// The mailbox is unchanged throughout.
	if got := statusMessages(t, srv, "Sent"); got != before {
		t.Fatalf("after failed MULTIAPPENDs: %q, want %q", got, before)
	}

	// Over quota as a whole, though each message alone would fit.
	be := newBackend(t, 0)
	be.User("alice").SetQuota(0, 1)
	srv = newServer(be)
	tc = login(t, srv, "alice", "secret")
	tc.send("A5 APPEND Sent " + lit(m1) + " " + lit(m2) + "\r\n")
	if l := tc.line(); !strings.HasPrefix(l, "A5 NO [OVERQUOTA]") {
		t.Fatalf("over quota: %q", l)
	}
	if got := statusMessages(t, srv, "Sent"); !strings.Contains(got, "MESSAGES 0") {
		t.Fatalf("after the quota refusal: %q", got)
	}
}

func TestMultiAppendAddsTogether(t *testing.T) {
	srv := newServer(newBackend(t, 0))
	tc := login(t, srv, "alice", "secret")
	caps := tc.ok("CAPABILITY")
	if !strings.Contains(caps[0], " MULTIAPPEND ") {
		t.Fatalf("MULTIAPPEND not advertised: %q", caps[0])
	}
	_, st := tc.do("APPEND Sent (\\Seen) " + lit("Subject: a\r\n\r\na\r\n") + " " + lit("Subject: b\r\n\r\nb\r\n") + " " + lit("Subject: c\r\n\r\nc\r\n"))
	if !strings.HasPrefix(st, "OK [APPENDUID ") || !strings.Contains(st, " 1:3]") {
		t.Fatalf("MULTIAPPEND: %q", st)
	}
	wantLines(t, tc.ok("SELECT Sent")[:1], "* 3 EXISTS")
	wantLines(t, tc.ok("FETCH 1:3 (FLAGS)"), `* 1 FETCH (FLAGS (\Seen))`, `* 2 FETCH (FLAGS ())`, `* 3 FETCH (FLAGS ())`)
}

// A store without transactions: MULTIAPPEND is not advertised, and a
// second message in one APPEND, which a client should not send then, is
// refused. The first was stored as it streamed in and stays: only a
// MultiAppendUser can take it back.
type noTxUser struct{ imapserver.User }

type noTxBackend struct{ imapserver.Backend }

func (b noTxBackend) Login(ctx context.Context, user, pass string) (imapserver.User, error) {
	u, err := b.Backend.Login(ctx, user, pass)
	if err != nil {
		return nil, err
	}
	return noTxUser{u}, nil
}

func TestMultiAppendRefusedWithoutTransactions(t *testing.T) {
	srv := newServer(noTxBackend{newBackend(t, 0)})
	tc := login(t, srv, "alice", "secret")
	if caps := tc.ok("CAPABILITY"); strings.Contains(caps[0], "MULTIAPPEND") {
		t.Fatalf("MULTIAPPEND advertised: %q", caps[0])
	}
	_, st := tc.do("APPEND Sent " + lit("Subject: a\r\n\r\na\r\n") + " " + lit("Subject: b\r\n\r\nb\r\n"))
	if !strings.HasPrefix(st, "BAD ") {
		t.Fatalf("second message: %q", st)
	}
	if u := tc.ok("STATUS Sent (MESSAGES)"); u[0] != "* STATUS Sent (MESSAGES 1)" {
		t.Fatalf("after the refused second message: %q", u)
	}
	_, st = tc.do("APPEND Sent " + lit("Subject: a\r\n\r\na\r\n"))
	if !strings.HasPrefix(st, "OK [APPENDUID ") {
		t.Fatalf("single APPEND: %q", st)
	}
}
