package imapserver_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/imap/imapserver"
)

// tconn is a minimal scripted client for tests that need several sessions
// at once.
type tconn struct {
	t   testing.TB
	c   net.Conn
	br  *bufio.Reader
	tag int
}

func dial(t testing.TB, srv *imapserver.Server) *tconn {
	t.Helper()
	cc, sc := net.Pipe()
	done := make(chan struct{})
	go func() { srv.ServeConn(sc); close(done) }()
	tc := &tconn{t: t, c: cc, br: bufio.NewReader(cc)}
	t.Cleanup(func() { cc.Close(); <-done })
	if l := tc.line(); !strings.HasPrefix(l, "* OK ") {
		t.Fatalf("greeting %q", l)
	}
	return tc
}

func (tc *tconn) line() string {
	tc.t.Helper()
	l, err := tc.br.ReadString('\n')
	if err != nil {
		tc.t.Fatalf("read: %v", err)
	}
	l = strings.TrimSuffix(l, "\r\n")
	// fold literals into the line
	if m := literalRE.FindStringSubmatch(l); m != nil {
		n, _ := strconv.Atoi(m[1])
		buf := make([]byte, n)
		if _, err := io.ReadFull(tc.br, buf); err != nil {
			tc.t.Fatalf("read literal: %v", err)
		}
		return l + string(buf) + tc.line()
	}
	return l
}

var literalRE = regexp.MustCompile(`\{([0-9]+)\}$`)

func (tc *tconn) send(s string) {
	tc.t.Helper()
	if _, err := io.WriteString(tc.c, s); err != nil {
		tc.t.Fatalf("write: %v", err)
	}
}

// sendAsync writes without waiting for the server to read it all (net.Pipe
// is unbuffered).
func (tc *tconn) sendAsync(s string) {
	go io.WriteString(tc.c, s)
}

// do runs a command and returns its untagged lines and the tagged status
// line (without tag).
func (tc *tconn) do(cmd string) (untagged []string, status string) {
	tc.t.Helper()
	tc.tag++
	tag := fmt.Sprintf("T%d", tc.tag)
	tc.send(tag + " " + cmd + "\r\n")
	for {
		l := tc.line()
		if strings.HasPrefix(l, tag+" ") {
			return untagged, l[len(tag)+1:]
		}
		untagged = append(untagged, l)
	}
}

// ok runs a command that must succeed.
func (tc *tconn) ok(cmd string) []string {
	tc.t.Helper()
	u, st := tc.do(cmd)
	if !strings.HasPrefix(st, "OK") {
		tc.t.Fatalf("%s: %s (untagged %q)", cmd, st, u)
	}
	return u
}

func login(t testing.TB, srv *imapserver.Server, user, pass string) *tconn {
	tc := dial(t, srv)
	tc.ok("LOGIN " + user + " " + pass)
	return tc
}

func selectInbox(t testing.TB, srv *imapserver.Server) *tconn {
	tc := login(t, srv, "alice", "secret")
	tc.ok("SELECT INBOX")
	return tc
}

func wantLines(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
}

func TestFlagsChangedInOneSessionSeenByOther(t *testing.T) {
	srv := newServer(newBackend(t, 3))
	a, b := selectInbox(t, srv), selectInbox(t, srv)
	wantLines(t, a.ok(`STORE 2 +FLAGS (\Flagged)`), `* 2 FETCH (FLAGS (\Flagged))`)
	wantLines(t, b.ok("NOOP"), `* 2 FETCH (UID 2 FLAGS (\Flagged))`)
	// Told once only.
	wantLines(t, b.ok("NOOP"))
}

func TestExpungeInOneSessionWhileOtherFetches(t *testing.T) {
	srv := newServer(newBackend(t, 5))
	a, b := selectInbox(t, srv), selectInbox(t, srv)
	a.ok(`STORE 2,4 +FLAGS.SILENT (\Deleted)`)
	wantLines(t, a.ok("EXPUNGE"), "* 2 EXPUNGE", "* 3 EXPUNGE")
	// RFC 9051 §7.5.1: no EXPUNGE during FETCH; b still sees 5 messages,
	// the flag changes come, the expunged ones are simply not returned.
	got := b.ok("FETCH 1:5 (UID)")
	wantLines(t, got,
		"* 1 FETCH (UID 1)",
		"* 3 FETCH (UID 3)",
		"* 5 FETCH (UID 5)",
		`* 2 FETCH (UID 2 FLAGS (\Deleted))`,
		`* 4 FETCH (UID 4 FLAGS (\Deleted))`,
	)
	// Neither during SEARCH; the numbers stay those the client knows.
	wantLines(t, b.ok("SEARCH ALL"), "* SEARCH 1 3 5")
	// NOOP may: the numbers shift one expunge at a time.
	wantLines(t, b.ok("NOOP"), "* 2 EXPUNGE", "* 3 EXPUNGE")
	wantLines(t, b.ok("UID SEARCH ALL"), "* SEARCH 1 3 5")
	wantLines(t, b.ok("FETCH 3 (UID)"), "* 3 FETCH (UID 5)")
}

func TestUIDFetchMayReportExpunge(t *testing.T) {
	srv := newServer(newBackend(t, 3))
	a, b := selectInbox(t, srv), selectInbox(t, srv)
	a.ok(`STORE 1 +FLAGS.SILENT (\Deleted)`)
	a.ok("EXPUNGE")
	got := b.ok("UID FETCH 1:* (FLAGS)")
	wantLines(t, got,
		"* 2 FETCH (UID 2 FLAGS ())",
		"* 3 FETCH (UID 3 FLAGS ())",
		`* 1 FETCH (UID 1 FLAGS (\Deleted))`,
		"* 1 EXPUNGE",
	)
}

func TestAppendShowsUpInOtherSession(t *testing.T) {
	srv := newServer(newBackend(t, 2))
	a, b := selectInbox(t, srv), selectInbox(t, srv)
	msg := "Subject: new\r\n\r\nhi\r\n"
	u, st := a.do(fmt.Sprintf("APPEND INBOX {%d+}\r\n%s", len(msg), msg))
	if !strings.HasPrefix(st, "OK [APPENDUID ") || !strings.Contains(st, " 3]") {
		t.Fatalf("APPEND: %s", st)
	}
	wantLines(t, u, "* 3 EXISTS")
	wantLines(t, b.ok("NOOP"), "* 3 EXISTS")
	wantLines(t, b.ok("FETCH 3 (UID RFC822.SIZE)"), fmt.Sprintf("* 3 FETCH (UID 3 RFC822.SIZE %d)", len(msg)))
}

func TestMoveExpungesInBothSessions(t *testing.T) {
	srv := newServer(newBackend(t, 4))
	a, b := selectInbox(t, srv), selectInbox(t, srv)
	got := a.ok("MOVE 2:3 Trash")
	if len(got) != 3 || !strings.HasPrefix(got[0], "* OK [COPYUID ") || !strings.HasSuffix(strings.Fields(got[0])[5], "1:2]") {
		t.Fatalf("MOVE: %q", got)
	}
	wantLines(t, got[1:], "* 2 EXPUNGE", "* 2 EXPUNGE")
	wantLines(t, b.ok("NOOP"), "* 2 EXPUNGE", "* 2 EXPUNGE")
	u := b.ok("STATUS Trash (MESSAGES UIDNEXT)")
	wantLines(t, u, "* STATUS Trash (MESSAGES 2 UIDNEXT 3)")
}

func TestIdleWakesOnAppendFromOtherSession(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	a, b := selectInbox(t, srv), login(t, srv, "alice", "secret")
	a.send("I1 IDLE\r\n")
	if l := a.line(); l != "+ idling" {
		t.Fatalf("IDLE: %q", l)
	}
	msg := "Subject: x\r\n\r\n."
	b.ok(fmt.Sprintf("APPEND INBOX {%d+}\r\n%s", len(msg), msg))
	// The EXISTS arrives without the client doing anything.
	if l := a.line(); l != "* 2 EXISTS" {
		t.Fatalf("in IDLE: %q", l)
	}
	a.send("DONE\r\n")
	if l := a.line(); l != "I1 OK IDLE completed" {
		t.Fatalf("after DONE: %q", l)
	}
}

func TestIdleWakesOnExpungeAndFlags(t *testing.T) {
	srv := newServer(newBackend(t, 3))
	a, b := selectInbox(t, srv), selectInbox(t, srv)
	a.send("I1 IDLE\r\n")
	a.line()
	b.ok(`STORE 1 +FLAGS.SILENT (\Deleted)`)
	if l := a.line(); l != `* 1 FETCH (UID 1 FLAGS (\Deleted))` {
		t.Fatalf("flags in IDLE: %q", l)
	}
	b.ok("EXPUNGE")
	if l := a.line(); l != "* 1 EXPUNGE" {
		t.Fatalf("expunge in IDLE: %q", l)
	}
	// DONE and the next command in one write.
	a.sendAsync("DONE\r\nT9 FETCH 1 (UID)\r\n")
	if l := a.line(); l != "I1 OK IDLE completed" {
		t.Fatalf("after DONE: %q", l)
	}
	if l := a.line(); l != "* 1 FETCH (UID 2)" {
		t.Fatalf("pipelined: %q", l)
	}
}

func TestPipelinedCommandsAnsweredInOrder(t *testing.T) {
	srv := newServer(newBackend(t, 3))
	a := selectInbox(t, srv)
	a.send("P1 FETCH 1 (UID)\r\nP2 NOOP\r\nP3 FETCH 2 (UID)\r\n")
	var got []string
	for i := 0; i < 5; i++ {
		got = append(got, a.line())
	}
	wantLines(t, got, "* 1 FETCH (UID 1)", "P1 OK FETCH completed", "P2 OK NOOP completed", "* 2 FETCH (UID 2)", "P3 OK FETCH completed")
}

func TestSearchBodyDecodesTransferEncodingAndCharset(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	tc := selectInbox(t, srv)
	msg := "Subject: qp\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncaf=E9 au=\r\n lait\r\n"
	tc.ok(fmt.Sprintf("APPEND INBOX {%d+}\r\n%s", len(msg), msg))
	wantLines(t, tc.ok("SEARCH CHARSET UTF-8 BODY {13+}\r\ncafé au lait"), "* SEARCH 2")
	wantLines(t, tc.ok(`SEARCH BODY "caf=E9"`), "* SEARCH")
}
