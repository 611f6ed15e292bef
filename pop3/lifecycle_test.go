package pop3

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// session is the client side of a scripted session: each step is a
// command line; the whole is fed to the server cut at every byte.
var dropSession = []string{
	"USER alice", "PASS secret", "STAT", "LIST", "UIDL", "RETR 1", "DELE 1",
	"TOP 3 1", "DELE 2", "RSET", "DELE 3", "NOOP", "QUIT",
}

// cutReader gives the first n bytes of a script, then ends.
type cutConn struct {
	r        io.Reader
	w        io.Writer
	failAt   int // writes fail once this many bytes went out; <0: never
	written  int
	closed   bool
	closedMu sync.Mutex
}

func (c *cutConn) Read(p []byte) (int, error) { return c.r.Read(p) }

func (c *cutConn) Write(p []byte) (int, error) {
	if c.failAt >= 0 && c.written+len(p) > c.failAt {
		n := c.failAt - c.written
		c.written = c.failAt
		return n, errors.New("connection dropped")
	}
	c.written += len(p)
	return c.w.Write(p)
}

func (c *cutConn) Close() error {
	c.closedMu.Lock()
	c.closed = true
	c.closedMu.Unlock()
	return nil
}

// lineReader gives one line per Read, as a client that waits for each
// answer would send them.
type lineReader struct{ s string }

func (r *lineReader) Read(p []byte) (int, error) {
	if r.s == "" {
		return 0, io.EOF
	}
	n := strings.IndexByte(r.s, '\n') + 1
	if n == 0 {
		n = len(r.s)
	}
	n = copy(p, r.s[:n])
	r.s = r.s[n:]
	return n, nil
}

// TestDropAtEveryPointDeletesNothing cuts the client's bytes after every
// byte of a session, and the server's output after every byte, and checks
// that the backend removed nothing unless QUIT completed, and that the
// maildrop is unlocked afterwards.
func TestDropAtEveryPointDeletesNothing(t *testing.T) {
	script := strings.Join(dropSession, "\r\n") + "\r\n"
	b := newBackend(t)
	s := newServer(b)
	s.AllowInsecureAuth = true
	// The full output, to know how far writes can be cut.
	var full bytes.Buffer
	s.ServeConn(&cutConn{r: &lineReader{s: script}, w: &full, failAt: -1})
	if got := len(b.Messages("alice")); got != 2 {
		t.Fatalf("the whole session left %d messages; want 2 (DELE 3 after RSET)", got)
	}
	check := func(what string, k int, quitDone bool) {
		t.Helper()
		want := 3
		if quitDone {
			want = 2
		}
		if got := len(b.Messages("alice")); got != want {
			t.Fatalf("%s cut at %d: backend has %d messages; want %d", what, k, got, want)
		}
		md, err := b.OpenMaildrop(context.Background(), "alice")
		if err != nil {
			t.Fatalf("%s cut at %d: maildrop still locked: %v", what, k, err)
		}
		md.Close()
	}
	reset := func() {
		b = newBackend(t)
		s = newServer(b)
		s.AllowInsecureAuth = true
	}
	for k := 0; k < len(script); k++ {
		reset()
		s.ServeConn(&cutConn{r: strings.NewReader(script[:k]), w: io.Discard, failAt: -1})
		check("input", k, false)
	}
	// The server's output cut anywhere: its last write fails. QUIT's
	// commit happens before its +OK is written, so only a cut inside
	// that last line may leave the deletions done.
	quitLine := bytes.LastIndex(full.Bytes(), []byte("+OK test.example POP3 server signing off"))
	for k := 0; k < full.Len(); k++ {
		reset()
		s.ServeConn(&cutConn{r: &lineReader{s: script}, w: io.Discard, failAt: k})
		check("output", k, k >= quitLine)
	}
}

func TestTimeoutDeletesNothing(t *testing.T) {
	b := newBackend(t)
	s := newServer(b)
	s.AllowInsecureAuth = true
	s.Timeout = 300 * time.Millisecond // generous: a loaded CI machine must not time out the writes too
	cc, sc := net.Pipe()
	defer cc.Close()
	go s.ServeConn(sc)
	go cc.Write([]byte("USER alice\r\nPASS secret\r\nDELE 1\r\n"))
	var out bytes.Buffer
	io.Copy(&out, cc) // until the server hangs up
	if !strings.HasSuffix(out.String(), "-ERR autologout, idle for too long\r\n") {
		t.Errorf("server said %q", out.String())
	}
	if got := len(b.Messages("alice")); got != 3 {
		t.Errorf("backend has %d messages after autologout; want 3", got)
	}
}

// pipeListener hands out net.Pipe connections.
type pipeListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 110} }

func (l *pipeListener) dial(t *testing.T) net.Conn {
	cc, sc := net.Pipe()
	select {
	case l.conns <- sc:
	case <-l.closed:
		t.Fatal("listener closed")
	}
	return cc
}

func TestShutdownEndsIdleSessionsWithoutDeleting(t *testing.T) {
	b := newBackend(t)
	s := newServer(b)
	s.AllowInsecureAuth = true
	l := newPipeListener()
	served := make(chan error, 1)
	go func() { served <- s.Serve(l) }()
	conn := l.dial(t)
	defer conn.Close()
	c, err := NewClient(conn)
	if err != nil {
		t.Fatal(err)
	}
	c.AllowInsecureAuth = true
	ctx := context.Background()
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	if err := c.Dele(ctx, 1); err != nil {
		t.Fatal(err)
	}
	shut := make(chan error, 1)
	go func() { shut <- s.Shutdown(ctx) }()
	line, _ := bufio.NewReader(conn).ReadString('\n')
	if line != "-ERR [SYS/TEMP] server shutting down\r\n" {
		t.Errorf("idle session was told %q", line)
	}
	if err := <-shut; err != nil {
		t.Errorf("Shutdown = %v", err)
	}
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve = %v; want ErrServerClosed", err)
	}
	if got := len(b.Messages("alice")); got != 3 {
		t.Errorf("backend has %d messages after shutdown; want 3", got)
	}
	if err := s.Serve(newPipeListener()); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve after Shutdown = %v", err)
	}
}

func TestCloseDropsSessions(t *testing.T) {
	b := newBackend(t)
	s := newServer(b)
	s.AllowInsecureAuth = true
	c := pipeClient(t, s)
	c.AllowInsecureAuth = true
	ctx := context.Background()
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	if err := c.Dele(ctx, 1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if err := c.Quit(ctx); err == nil {
		t.Error("QUIT succeeded after Close")
	}
	if got := len(b.Messages("alice")); got != 3 {
		t.Errorf("backend has %d messages after Close; want 3", got)
	}
}

// panicBackend panics when a maildrop is listed.
type panicBackend struct{ *MemBackend }

func (b panicBackend) OpenMaildrop(ctx context.Context, user string) (Maildrop, error) {
	if user == "bob" {
		panic("backend bug")
	}
	return b.MemBackend.OpenMaildrop(ctx, user)
}

func TestPanicInSessionIsRecovered(t *testing.T) {
	s := newServer(panicBackend{newBackend(t)})
	s.AllowInsecureAuth = true
	ctx := context.Background()
	bad := pipeClient(t, s)
	bad.AllowInsecureAuth = true
	if err := bad.Login(ctx, "bob", "secret"); err == nil {
		t.Fatal("login into a panicking backend succeeded")
	}
	good := pipeClient(t, s)
	good.AllowInsecureAuth = true
	if err := good.Login(ctx, "alice", "secret"); err != nil {
		t.Fatalf("another session after a panic: %v", err)
	}
}

func TestFailureDelayGrows(t *testing.T) {
	s := &Server{}
	want := []time.Duration{0, time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 16 * time.Second, 16 * time.Second}
	for n, w := range want {
		if got := s.failureDelay(n); got != w {
			t.Errorf("failureDelay(%d) = %v; want %v", n, got, w)
		}
	}
	s.AuthFailureDelay = -1
	if got := s.failureDelay(3); got != 0 {
		t.Errorf("with a negative delay: %v", got)
	}
}

func TestAuthResponseLimit(t *testing.T) {
	s := newServer(newBackend(t))
	s.AllowInsecureAuth = true
	s.MaxAuthLine = 100
	cc, sc := net.Pipe()
	defer cc.Close()
	go s.ServeConn(sc)
	br := bufio.NewReader(cc)
	br.ReadString('\n')
	cc.Write([]byte("AUTH PLAIN\r\n"))
	br.ReadString('\n')
	cc.Write([]byte(strings.Repeat("A", 200) + "\r\nNOOP\r\n"))
	if l, _ := br.ReadString('\n'); l != "-ERR response too long\r\n" {
		t.Errorf("long response answered %q", l)
	}
	if l, _ := br.ReadString('\n'); l != "-ERR NOOP not valid in the AUTHORIZATION state\r\n" {
		t.Errorf("next command answered %q", l)
	}
}

func TestClientListingLimit(t *testing.T) {
	var listing strings.Builder
	listing.WriteString("+OK ready\r\n+OK\r\n")
	for i := 1; i <= 20; i++ {
		listing.WriteString("1 100\r\n")
	}
	listing.WriteString(".\r\n")
	c, err := NewClient(newRecorder(listing.String()))
	if err != nil {
		t.Fatal(err)
	}
	c.MaxListing = 10
	if _, err := c.List(context.Background()); !errors.Is(err, ErrTooManyMessages) {
		t.Errorf("List = %v; want ErrTooManyMessages", err)
	}
}

func TestClientResponseLineLimit(t *testing.T) {
	c, err := NewClient(newRecorder("+OK ready\r\n+OK " + strings.Repeat("x", DefaultClientMaxLine) + "\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Noop(context.Background()); !errors.Is(err, ErrLineTooLong) {
		t.Errorf("Noop = %v; want ErrLineTooLong", err)
	}
	c, err = NewClient(newRecorder("+OK ready\r\n+OK " + strings.Repeat("x", 100) + "\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	c.MaxLine = 50
	if err := c.Noop(context.Background()); !errors.Is(err, ErrLineTooLong) {
		t.Errorf("Noop with MaxLine 50 = %v; want ErrLineTooLong", err)
	}
}

func TestClientRetrBytesLimit(t *testing.T) {
	c, err := NewClient(newRecorder("+OK ready\r\n+OK\r\n" + strings.Repeat("line\r\n", 100) + ".\r\n+OK\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	c.MaxRetrBytes = 100
	ctx := context.Background()
	if _, err := c.RetrBytes(ctx, 1); !errors.Is(err, ErrMessageTooLarge) {
		t.Errorf("RetrBytes = %v; want ErrMessageTooLarge", err)
	}
	// The rest of the message was skipped: the next command works.
	if err := c.Noop(ctx); err != nil {
		t.Errorf("Noop after a message too large: %v", err)
	}
}

func TestClientGreetingErr(t *testing.T) {
	_, err := NewClient(newRecorder("-ERR [SYS/PERM] go away\r\n"))
	if !errors.Is(err, ErrSysPerm) {
		t.Errorf("NewClient = %v; want ErrSysPerm", err)
	}
}

func TestShutdownRefusesNewSessions(t *testing.T) {
	s := newServer(newBackend(t))
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := s.ServeConn(&cutConn{r: strings.NewReader(""), w: &out, failAt: -1}); !errors.Is(err, ErrServerClosed) {
		t.Errorf("ServeConn after Shutdown = %v, want ErrServerClosed", err)
	}
	if out.String() != "-ERR [SYS/TEMP] server shutting down\r\n" {
		t.Errorf("new session after Shutdown: %q", out.String())
	}
}

func TestLogsHoldNoSecrets(t *testing.T) {
	var logs, trace bytes.Buffer
	s := newServer(newBackend(t))
	s.AllowInsecureAuth = true
	s.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s.DebugWriter = &trace
	var out bytes.Buffer
	in := "USER alice\r\nPASS secret\r\nQUIT\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\nAPOP alice 0123456789abcdef0123456789abcdef\r\n"
	s.ServeConn(&cutConn{r: &lineReader{s: in}, w: &out, failAt: -1})
	in2 := "AUTH PLAIN AGFsaWNlAHNlY3JldA==\r\nQUIT\r\n"
	s.ServeConn(&cutConn{r: &lineReader{s: in2}, w: &out, failAt: -1})
	for _, secret := range []string{"secret", "AGFsaWNlAHNlY3JldA=="} {
		if strings.Contains(logs.String(), secret) {
			t.Errorf("log holds %q:\n%s", secret, logs.String())
		}
	}
	if !strings.Contains(logs.String(), "user=alice") || !strings.Contains(logs.String(), "cmd=STAT") && !strings.Contains(logs.String(), "cmd=USER") {
		t.Errorf("log lacks the session:\n%s", logs.String())
	}
	if !strings.Contains(trace.String(), "PASS secret\r\n") || !strings.Contains(trace.String(), "+OK POP3 server ready") {
		t.Errorf("DebugWriter did not get both directions: %q", trace.String())
	}
}

// faultyBackend gives messages whose reader fails halfway, and unique
// ids that RFC 1939 does not allow.
type faultyBackend struct{ *MemBackend }

func (b faultyBackend) OpenMaildrop(ctx context.Context, user string) (Maildrop, error) {
	md, err := b.MemBackend.OpenMaildrop(ctx, user)
	return faultyMaildrop{md}, err
}

type faultyMaildrop struct{ Maildrop }

func (m faultyMaildrop) Messages(ctx context.Context) ([]MessageInfo, error) {
	infos, err := m.Maildrop.Messages(ctx)
	for i := range infos {
		infos[i].UID = "has space"
	}
	return infos, err
}

type failingReader struct{ n int }

func (r *failingReader) Read(p []byte) (int, error) {
	if r.n == 0 {
		return 0, errors.New("disk on fire")
	}
	r.n--
	return copy(p, "Subject: x\r\n"), nil
}

func (m faultyMaildrop) Open(ctx context.Context, i int) (io.ReadCloser, error) {
	return io.NopCloser(&failingReader{n: 2}), nil
}

func TestServerHandlesFaultyBackend(t *testing.T) {
	s := newServer(faultyBackend{newBackend(t)})
	s.AllowInsecureAuth = true
	var out bytes.Buffer
	in := "USER alice\r\nPASS secret\r\nCAPA\r\nUIDL\r\nRETR 1\r\nNOOP\r\n"
	s.ServeConn(&cutConn{r: &lineReader{s: in}, w: &out, failAt: -1})
	got := out.String()
	if strings.Contains(got, "\r\nUIDL\r\n") {
		t.Errorf("CAPA offers UIDL with invalid ids: %q", got)
	}
	if !strings.Contains(got, "-ERR unknown command\r\n") {
		t.Errorf("UIDL was not refused: %q", got)
	}
	// The +OK is out; the session must end without the terminating line,
	// so that the client sees a truncated message, not a short one.
	if !strings.HasSuffix(got, "+OK 23 octets\r\nSubject: x\r\nSubject: x\r\n") {
		t.Errorf("after a failed read the server sent %q", got)
	}
	if strings.Contains(got, "\r\n.\r\n+OK") {
		t.Errorf("the failed message was terminated and the session went on: %q", got)
	}
}
