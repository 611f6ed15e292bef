package imapserver_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap/imapserver"
)

func TestLineTooLongIsRefusedAndSessionGoesOn(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	srv.Limits.MaxLine = 100
	tc := login(t, srv, "alice", "secret")
	_, st := tc.do("SELECT " + strings.Repeat("x", 200))
	if st != "BAD [TOOBIG] command line too long" {
		t.Fatalf("got %q", st)
	}
	tc.ok("NOOP")
}

func TestLiteralTooLargeRefusedBeforeItIsSent(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	srv.Limits.MaxLiteral = 10
	tc := login(t, srv, "alice", "secret")
	// A synchronising literal: the server answers at once, without "+".
	_, st := tc.do("STATUS {11}")
	if !strings.HasPrefix(st, "NO [TOOBIG]") {
		t.Fatalf("got %q", st)
	}
	_, st = tc.do("APPEND INBOX {11}")
	if st != "NO [TOOBIG] message larger than APPENDLIMIT 10" {
		t.Fatalf("got %q", st)
	}
	tc.ok("NOOP")
	// A non-synchronising one cannot be skipped safely: BYE.
	tc.send("X APPEND INBOX {11+}\r\n")
	if l := tc.line(); !strings.HasPrefix(l, "X NO [TOOBIG]") {
		t.Fatalf("got %q", l)
	}
	if l := tc.line(); !strings.HasPrefix(l, "* BYE [TOOBIG]") {
		t.Fatalf("got %q", l)
	}
}

func TestTooManyBadCommandsEndsConnection(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	srv.Limits.MaxBadCommands = 3
	tc := dial(t, srv)
	tc.do("a FROB")
	tc.do("b FROB")
	tc.send("c FROB\r\n")
	if l := tc.line(); !strings.HasPrefix(l, "c BAD") {
		t.Fatalf("got %q", l)
	}
	if l := tc.line(); l != "* BYE too many bad commands" {
		t.Fatalf("got %q", l)
	}
}

func TestConnectionsPerUserLimited(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	srv.Limits.MaxConnsPerUser = 1
	a := login(t, srv, "alice", "secret")
	b := dial(t, srv)
	if _, st := b.do("LOGIN alice secret"); st != "NO [LIMIT] too many sessions for this user" {
		t.Fatalf("got %q", st)
	}
	a.ok("LOGOUT")
	// The slot is given back on LOGOUT. LOGOUT ends a's serving goroutine
	// after its reply; wait for the release through a new login attempt.
	b.ok("LOGIN alice secret")
}

// tcpConn gives a net.Pipe end a TCP remote address.
type tcpConn struct {
	net.Conn
	ip string
}

func (c tcpConn) RemoteAddr() net.Addr { return &net.TCPAddr{IP: net.ParseIP(c.ip), Port: 1} }

func TestConnectionsPerAddressLimited(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	srv.Limits.MaxConnsPerIP = 1
	c1, s1 := net.Pipe()
	defer c1.Close()
	go srv.ServeConn(tcpConn{s1, "192.0.2.1"})
	buf := make([]byte, 512)
	n, _ := c1.Read(buf)
	if !strings.HasPrefix(string(buf[:n]), "* OK") {
		t.Fatalf("first: %q", buf[:n])
	}
	c2, s2 := net.Pipe()
	defer c2.Close()
	go srv.ServeConn(tcpConn{s2, "192.0.2.1"})
	n, _ = c2.Read(buf)
	if !strings.HasPrefix(string(buf[:n]), "* BYE [UNAVAILABLE]") {
		t.Fatalf("second: %q", buf[:n])
	}
}

func TestAuthTimeoutSaysBye(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	srv.Limits.AuthTimeout = time.Millisecond
	tc := dial(t, srv)
	if l := tc.line(); l != "* BYE autologout; idle for too long" {
		t.Fatalf("got %q", l)
	}
}

func TestIDLETimeoutSaysBye(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	srv.Limits.IDLETimeout = time.Millisecond
	tc := selectInbox(t, srv)
	tc.send("I IDLE\r\n")
	if l := tc.line(); l != "+ idling" {
		t.Fatalf("got %q", l)
	}
	if l := tc.line(); l != "* BYE IDLE timed out" {
		t.Fatalf("got %q", l)
	}
}

func TestShutdownSaysByeToIdleConnections(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	tc := selectInbox(t, srv)
	tc.send("I IDLE\r\n")
	tc.line()
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(context.Background()) }()
	if l := tc.line(); l != "* BYE server shutting down" {
		t.Fatalf("got %q", l)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	// New connections are refused.
	c, sc := net.Pipe()
	defer c.Close()
	served := make(chan error, 1)
	go func() { served <- srv.ServeConn(sc) }()
	buf := make([]byte, 64)
	n, _ := c.Read(buf)
	if string(buf[:n]) != "* BYE server shutting down\r\n" {
		t.Fatalf("after Shutdown: %q", buf[:n])
	}
	if err := <-served; err != imapserver.ErrServerClosed {
		t.Fatalf("ServeConn after Shutdown = %v, want ErrServerClosed", err)
	}
	if err := srv.Serve(nil); err != imapserver.ErrServerClosed {
		t.Fatalf("Serve after Shutdown: %v", err)
	}
}

func TestCloseEndsConnections(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	tc := login(t, srv, "alice", "secret")
	srv.Close()
	if _, err := tc.br.ReadString('\n'); err == nil {
		t.Fatal("connection still open")
	}
}

// A literal within MaxLiteral that the rest of the command line cannot
// hold is refused before the continuation request: a client never sends
// data the server will not take, which would then be read as commands.
func TestLiteralOverLineLimitRefusedBeforeContinuation(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	srv.Limits.MaxLine = 100
	tc := login(t, srv, "alice", "secret")
	tc.send("A1 STATUS {200}\r\n")
	if l := tc.line(); !strings.HasPrefix(l, "A1 NO [TOOBIG]") {
		t.Fatalf("got %q, want a tagged NO [TOOBIG] and no continuation request", l)
	}
	tc.ok("NOOP")
	// A command split over literals counts them all.
	tc.send("A2 RENAME {60}\r\n")
	if l := tc.line(); !strings.HasPrefix(l, "+") {
		t.Fatalf("got %q, want the continuation request", l)
	}
	tc.send(strings.Repeat("u", 60) + " {60}\r\n")
	if l := tc.line(); !strings.HasPrefix(l, "A2 NO [TOOBIG]") {
		t.Fatalf("got %q, want a tagged NO [TOOBIG]", l)
	}
	tc.ok("NOOP")
}

// "~" is an ASTRING-CHAR (RFC 9051 §9): a mailbox name may start with it.
func TestTildeStartsAnAtom(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	tc := login(t, srv, "alice", "secret")
	tc.ok("CREATE ~archive")
	tc.ok("SELECT ~archive")
	tc.ok(`RENAME ~archive "~old"`)
	tc.ok("EXAMINE ~old")
}
