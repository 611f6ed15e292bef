package smtp

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// testClient drives a server over net.Pipe, one raw line at a time.
type testClient struct {
	t    *testing.T
	conn net.Conn
	r    *bufio.Reader
	done chan error
}

// dial starts srv.ServeConn on one end of a pipe and reads the greeting.
func dial(t *testing.T, srv *Server) *testClient {
	t.Helper()
	cc, sc := net.Pipe()
	c := &testClient{t: t, conn: cc, r: bufio.NewReader(cc), done: make(chan error, 1)}
	go func() { c.done <- srv.ServeConn(sc) }()
	t.Cleanup(func() { cc.Close() })
	cc.SetDeadline(time.Now().Add(10 * time.Second))
	c.expect("220 ")
	return c
}

// write sends raw bytes without waiting for the server to read them all,
// so that a test can pipeline more than the server reads at once.
func (c *testClient) write(s string) {
	go c.conn.Write([]byte(s))
}

// reply reads one complete reply, lines joined by "\n".
func (c *testClient) reply() string {
	c.t.Helper()
	var lines []string
	for {
		line, err := c.r.ReadString('\n')
		if err != nil {
			c.t.Fatalf("reading reply: %v (so far %q)", err, lines)
		}
		if !strings.HasSuffix(line, "\r\n") {
			c.t.Fatalf("reply line without CRLF: %q", line)
		}
		line = strings.TrimSuffix(line, "\r\n")
		lines = append(lines, line)
		if len(line) < 4 || line[3] != '-' {
			return strings.Join(lines, "\n")
		}
	}
}

// expect reads a reply and checks its start.
func (c *testClient) expect(prefix string) string {
	c.t.Helper()
	r := c.reply()
	if !strings.HasPrefix(r, prefix) {
		c.t.Fatalf("reply %q, want prefix %q", r, prefix)
	}
	return r
}

// cmd sends a command line and checks the reply's start.
func (c *testClient) cmd(line, prefix string) string {
	c.t.Helper()
	if _, err := c.conn.Write([]byte(line + "\r\n")); err != nil {
		c.t.Fatalf("write %q: %v", line, err)
	}
	return c.expect(prefix)
}

// expectEOF checks that the server closed the connection.
func (c *testClient) expectEOF() {
	c.t.Helper()
	if line, err := c.r.ReadString('\n'); err == nil {
		c.t.Fatalf("got %q, want the connection closed", line)
	}
}

func (c *testClient) envelope() {
	c.t.Helper()
	c.cmd("EHLO bar.com", "250")
	c.cmd("MAIL FROM:<a@bar.com>", "250")
	c.cmd("RCPT TO:<b@foo.com>", "250")
}

func TestMailAndRcptOptionsReachBackend(t *testing.T) {
	b := &testBackend{}
	srv := newTestServer(b)
	srv.EnableSMTPUTF8, srv.EnableDSN, srv.EnableDELIVERBY, srv.EnableMTPRIORITY, srv.EnableRRVS = true, true, true, true, true
	srv.AllowInsecureAuth = true
	c := dial(t, srv)
	c.cmd("EHLO bar.com", "250")
	c.cmd("MAIL FROM:<a@bar.com> SIZE=100 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ+2B1 AUTH=alice+40bar.com BY=120;RT MT-PRIORITY=-3", "250")
	c.cmd("RCPT TO:<b@foo.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+40foo.com RRVS=2014-04-03T23:01:00Z;C", "250")
	c.cmd("DATA", "354")
	c.cmd("x\r\n.", "250")
	msgs := b.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	auth := "alice@bar.com"
	mt := -3
	wantMail := &MailOptions{Body: Body8BitMIME, Size: 100, UTF8: true, Return: DSNReturnHeaders, EnvelopeID: "QQ+1",
		Auth: &auth, DeliverBy: &DeliverByOptions{Time: 120 * time.Second, Mode: DeliverByReturn, Trace: true}, MTPriority: &mt}
	if d := cmp.Diff(wantMail, msgs[0].Opts, cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Params" }, cmp.Ignore())); d != "" {
		t.Errorf("MailOptions (-want +got):\n%s", d)
	}
	if len(msgs[0].Opts.Params) != 8 {
		t.Errorf("Params = %v", msgs[0].Opts.Params)
	}
	wantRcpt := &RcptOptions{Notify: []DSNNotify{DSNNotifySuccess, DSNNotifyFailure}, OriginalRecipientType: "rfc822",
		OriginalRecipient: "b@foo.com", RRVS: &RRVSOptions{Time: time.Date(2014, 4, 3, 23, 1, 0, 0, time.UTC), Action: 'C'}}
	if d := cmp.Diff(wantRcpt, msgs[0].RcptOpts[0], cmp.FilterPath(func(p cmp.Path) bool { return p.Last().String() == ".Params" }, cmp.Ignore())); d != "" {
		t.Errorf("RcptOptions (-want +got):\n%s", d)
	}
}

func TestBadCommandsDisconnect(t *testing.T) {
	b := &testBackend{}
	srv := newTestServer(b)
	srv.Limits.MaxBadCommands = 3
	c := dial(t, srv)
	c.cmd("FROB", "500 5.5.1")
	c.cmd("MAIL FROM:<a@b.c>", "503 5.5.1")
	c.cmd("XYZZY", "421 4.7.0")
	c.expectEOF()
	if err := <-c.done; err != nil {
		t.Errorf("ServeConn = %v", err)
	}
	if b.logouts != 1 {
		t.Errorf("Logout called %d times", b.logouts)
	}
}

func TestLongAndBareLinesCountAsBadCommands(t *testing.T) {
	srv := newTestServer(&testBackend{})
	srv.Limits.MaxBadCommands = 2
	srv.Limits.MaxLineLength = 100
	c := dial(t, srv)
	c.write(strings.Repeat("x", 5000) + "\r\nNOOP\n")
	c.expect("500 5.5.2 Error: line too long")
	c.expect("421 4.7.0")
	c.expectEOF()
}

func TestAuthFailureDelayGrowsThenDisconnects(t *testing.T) {
	b := &testBackend{}
	srv := newTestServer(b)
	srv.AllowInsecureAuth = true
	srv.Limits.AuthFailureDelay = 2 * time.Second
	srv.Limits.MaxAuthFailures = 3
	var mu sync.Mutex
	var slept []time.Duration
	srv.sleep = func(d time.Duration, _ <-chan struct{}) {
		mu.Lock()
		slept = append(slept, d)
		mu.Unlock()
	}
	c := dial(t, srv)
	c.cmd("EHLO bar.com", "250")
	bad := "AUTH PLAIN AGFsaWNlAHdyb25n" // alice / wrong
	c.cmd(bad, "535 5.7.8")
	c.cmd(bad, "535 5.7.8")
	c.cmd(bad, "421 4.7.0")
	c.expectEOF()
	mu.Lock()
	defer mu.Unlock()
	if d := cmp.Diff([]time.Duration{2 * time.Second, 4 * time.Second, 6 * time.Second}, slept); d != "" {
		t.Errorf("delays (-want +got):\n%s", d)
	}
}

func TestAuthDelayEndsWhenServerCloses(t *testing.T) {
	srv := newTestServer(&testBackend{})
	srv.AllowInsecureAuth = true
	srv.Limits.AuthFailureDelay = time.Hour
	c := dial(t, srv)
	c.cmd("EHLO bar.com", "250")
	c.conn.Write([]byte("AUTH PLAIN AGFsaWNlAHdyb25n\r\n"))
	srv.Close()
	c.expectEOF()
	<-c.done
}

func TestAuthNotOfferedWithoutTLS(t *testing.T) {
	srv := newTestServer(&testBackend{})
	srv.TLSConfig = testTLSConfig(t)
	cc, sc := net.Pipe()
	defer cc.Close()
	go srv.ServeConn(sc)
	c := &testClient{t: t, conn: cc, r: bufio.NewReader(cc)}
	c.expect("220")
	ehlo := c.cmd("EHLO bar.com", "250")
	if strings.Contains(ehlo, "AUTH") || !strings.Contains(ehlo, "STARTTLS") {
		t.Errorf("EHLO reply without TLS:\n%s", ehlo)
	}
	c.cmd("AUTH PLAIN AGFsaWNlAHNlY3JldA==", "530 5.7.0")
}

func TestMessageTooBigIsRefusedWithoutBuffering(t *testing.T) {
	const limit = 1 << 20
	var read int64
	var readErr error
	b := &testBackend{dataHook: func(r io.Reader) error {
		buf := make([]byte, 4096)
		for {
			n, err := r.Read(buf)
			read += int64(n)
			if err != nil {
				readErr = err
				if err == io.EOF {
					return nil
				}
				return err
			}
		}
	}}
	srv := newTestServer(b)
	srv.Limits.MaxMessageBytes = limit
	c := dial(t, srv)
	c.envelope()
	c.cmd("DATA", "354")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	line := strings.Repeat("y", 998) + "\r\n"
	go func() {
		w := bufio.NewWriter(c.conn)
		for i := 0; i < 16*limit/len(line); i++ {
			w.WriteString(line)
		}
		w.WriteString(".\r\n")
		w.Flush()
	}()
	c.expect("552 5.3.4")
	runtime.ReadMemStats(&after)
	if !errors.Is(readErr, ErrMessageTooLarge) {
		t.Errorf("backend read error %v, want ErrMessageTooLarge", readErr)
	}
	if read != limit {
		t.Errorf("backend read %d bytes, want exactly the limit %d", read, limit)
	}
	// 16 MiB went through; the server must not have kept it.
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("server allocated %d bytes for a refused 16 MiB message", alloc)
	}
	// The connection goes on.
	c.cmd("NOOP", "250")
	if len(b.messages()) != 0 {
		t.Error("message delivered")
	}
}

func TestBDATTooBigIsRefused(t *testing.T) {
	b := &testBackend{}
	srv := newTestServer(b)
	srv.Limits.MaxMessageBytes = 10
	c := dial(t, srv)
	c.envelope()
	c.write("BDAT 6\r\n123456BDAT 6 LAST\r\n123456NOOP\r\n")
	c.expect("250 2.0.0 6 octets")
	c.expect("552 5.3.4")
	c.expect("250 2.0.0 OK")
	if len(b.messages()) != 0 || len(b.dataErrs) != 1 || !errors.Is(b.dataErrs[0], ErrMessageTooLarge) {
		t.Errorf("messages %v, data errors %v", b.messages(), b.dataErrs)
	}
}

func TestDataLimitsBackendIgnoringError(t *testing.T) {
	// A backend that swallows the reader's error still cannot have the
	// message acknowledged.
	b := &testBackend{dataHook: func(r io.Reader) error {
		io.Copy(io.Discard, r)
		return nil
	}}
	srv := newTestServer(b)
	srv.Limits.MaxMessageBytes = 10
	c := dial(t, srv)
	c.envelope()
	c.cmd("DATA", "354")
	c.cmd("0123456789abc\r\n.", "552 5.3.4")
	c.cmd("MAIL FROM:<a@bar.com>", "250")
	c.cmd("RCPT TO:<b@foo.com>", "250")
	c.cmd("DATA", "354")
	c.cmd("a\rb\r\n.", "550 5.6.0")
}

func TestConnectionLostMidDataDeliversNothing(t *testing.T) {
	for _, cmd := range []string{"DATA", "BDAT"} {
		t.Run(cmd, func(t *testing.T) {
			b := &testBackend{}
			srv := newTestServer(b)
			c := dial(t, srv)
			c.envelope()
			if cmd == "DATA" {
				c.cmd("DATA", "354")
				c.conn.Write([]byte("Subject: half\r\n\r\nthe first half\r\n"))
			} else {
				c.write("BDAT 5\r\nfirst")
				c.expect("250")
				c.conn.Write([]byte("BDAT 100 LAST\r\nsecond"))
			}
			c.conn.Close()
			if err := <-c.done; err != nil {
				t.Errorf("ServeConn = %v", err)
			}
			if len(b.messages()) != 0 {
				t.Errorf("delivered %v", b.messages())
			}
			if len(b.dataErrs) != 1 {
				t.Errorf("Data read errors %v, want one", b.dataErrs)
			}
			if b.logouts != 1 {
				t.Errorf("Logout called %d times", b.logouts)
			}
		})
	}
}

func TestBackendErrorsBecomeReplies(t *testing.T) {
	custom := &Error{Code: 554, EnhancedCode: EnhancedCode{5, 7, 1}, Message: "line one\nline two"}
	var next error
	b := &testBackend{dataHook: func(r io.Reader) error {
		io.Copy(io.Discard, r)
		return next
	}}
	srv := newTestServer(b)
	c := dial(t, srv)
	c.envelope()
	next = custom
	c.cmd("DATA", "354")
	if got := c.cmd(".", "554"); got != "554-5.7.1 line one\n554 5.7.1 line two" {
		t.Errorf("reply %q", got)
	}
	c.cmd("MAIL FROM:<a@bar.com>", "250")
	c.cmd("RCPT TO:<b@foo.com>", "250")
	next = errors.New("disk full")
	c.cmd("DATA", "354")
	c.cmd(".", "451 4.3.0")
	c.cmd("MAIL FROM:<a@bar.com>", "250")
	c.cmd("RCPT TO:<b@foo.com>", "250")
	next = &Error{Code: 452, Message: "no enhanced code given\r"}
	c.cmd("DATA", "354")
	if got := c.cmd(".", "452"); got != "452 4.0.0 no enhanced code given" {
		t.Errorf("reply %q", got)
	}
}

func TestNewSessionErrorRefusesConnection(t *testing.T) {
	srv := newTestServer(BackendFunc(func(*Conn) (Session, error) {
		return nil, &Error{Code: 554, EnhancedCode: EnhancedCode{5, 7, 1}, Message: "go away"}
	}))
	cc, sc := net.Pipe()
	go srv.ServeConn(sc)
	r := bufio.NewReader(cc)
	line, _ := r.ReadString('\n')
	if line != "554 5.7.1 go away\r\n" {
		t.Errorf("greeting %q", line)
	}
	if _, err := r.ReadString('\n'); err == nil {
		t.Error("connection still open")
	}
}

type panicBackend struct{ testBackend }

type panicSession struct{ *testSession }

func (s panicSession) Mail(string, *MailOptions) error { panic("boom") }

func (b *panicBackend) NewSession(c *Conn) (Session, error) {
	s, _ := b.testBackend.NewSession(c)
	return panicSession{s.(*testSession)}, nil
}

func TestPanicInSessionIsRecovered(t *testing.T) {
	b := &panicBackend{}
	srv := newTestServer(b)
	c := dial(t, srv)
	c.cmd("HELO bar.com", "250")
	c.conn.Write([]byte("MAIL FROM:<a@bar.com>\r\n"))
	c.expectEOF()
	<-c.done
	// The server lives on.
	c2 := dial(t, newTestServer(&testBackend{}))
	c2.cmd("NOOP", "250")
}

func TestIdleTimeoutCloses(t *testing.T) {
	srv := newTestServer(&testBackend{})
	srv.Limits.CommandTimeout = time.Millisecond
	c := dial(t, srv)
	c.expect("421 4.4.2")
	c.expectEOF()
}

func TestShutdownSaysGoodbyeToIdleConnections(t *testing.T) {
	b := &testBackend{}
	srv := newTestServer(b)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(l) }()
	nc, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	c := &testClient{t: t, conn: nc, r: bufio.NewReader(nc)}
	c.expect("220")
	c.cmd("HELO bar.com", "250")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Errorf("Shutdown = %v", err)
	}
	c.expect("421 4.3.2")
	c.expectEOF()
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve = %v", err)
	}
	if err := srv.Serve(l); !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve after Shutdown = %v", err)
	}
	if err := srv.ServeConn(nc); !errors.Is(err, ErrServerClosed) {
		t.Errorf("ServeConn after Shutdown = %v", err)
	}
}

func TestShutdownLetsDataFinish(t *testing.T) {
	b := &testBackend{}
	srv := newTestServer(b)
	c := dial(t, srv)
	c.envelope()
	c.cmd("DATA", "354")
	c.conn.Write([]byte("Subject: x\r\n\r\n"))
	shut := make(chan error, 1)
	go func() { shut <- srv.Shutdown(context.Background()) }()
	c.conn.Write([]byte("body\r\n.\r\n"))
	c.expect("250 2.0.0")
	c.expect("421 4.3.2")
	c.expectEOF()
	if err := <-shut; err != nil {
		t.Error(err)
	}
	if len(b.messages()) != 1 {
		t.Errorf("messages: %v", b.messages())
	}
}

func TestCloseEndsConnections(t *testing.T) {
	srv := newTestServer(&testBackend{})
	c := dial(t, srv)
	c.cmd("HELO bar.com", "250")
	srv.Close()
	c.expectEOF()
	<-c.done
}

func TestPanicInBDATDataIsRecovered(t *testing.T) {
	b := &testBackend{dataHook: func(r io.Reader) error { panic("boom in Data") }}
	srv := newTestServer(b)
	c := dial(t, srv)
	c.envelope()
	c.write("BDAT 2 LAST\r\nhi")
	c.expect("451 4.3.0")
	c.cmd("NOOP", "250")
}

func TestDataReaderUnusableAfterData(t *testing.T) {
	var kept io.Reader
	b := &testBackend{dataHook: func(r io.Reader) error {
		if kept == nil {
			kept = r
		}
		_, err := io.Copy(io.Discard, r)
		return err
	}}
	srv := newTestServer(b)
	c := dial(t, srv)
	c.envelope()
	c.cmd("DATA", "354")
	c.cmd("one\r\n.", "250")
	if _, err := kept.Read(make([]byte, 10)); !errors.Is(err, errDataDone) {
		t.Errorf("read after Data returned: %v", err)
	}
}

func TestDataTimeoutDeliversNothing(t *testing.T) {
	b := &testBackend{}
	srv := newTestServer(b)
	srv.Limits.DataTimeout = time.Millisecond
	c := dial(t, srv)
	c.envelope()
	c.cmd("DATA", "354")
	c.conn.Write([]byte("Subject: slow\r\n"))
	c.expect("421 4.4.2")
	c.expectEOF()
	<-c.done
	if len(b.messages()) != 0 || len(b.dataErrs) != 1 {
		t.Errorf("messages %+v, data errors %v", b.messages(), b.dataErrs)
	}
}

// flakyListener fails its first Accept with an error that is not a
// closed listener.
type flakyListener struct {
	net.Listener
	failed bool
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if !l.failed {
		l.failed = true
		return nil, errors.New("accept: too many open files")
	}
	return l.Listener.Accept()
}

func TestServeSurvivesAcceptErrors(t *testing.T) {
	srv := newTestServer(&testBackend{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(&flakyListener{Listener: l}) }()
	nc, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c := &testClient{t: t, conn: nc, r: bufio.NewReader(nc)}
	c.expect("220")
	c.cmd("QUIT", "221")
	srv.Close()
	if err := <-served; !errors.Is(err, ErrServerClosed) {
		t.Errorf("Serve = %v", err)
	}
}

func TestBackendCanAskForNoEnhancedCode(t *testing.T) {
	b := &testBackend{dataHook: func(r io.Reader) error {
		io.Copy(io.Discard, r)
		return &Error{Code: 554, EnhancedCode: NoEnhancedCode, Message: "plain"}
	}}
	c := dial(t, newTestServer(b))
	c.envelope()
	c.cmd("DATA", "354")
	if got := c.cmd(".", "554"); got != "554 plain" {
		t.Errorf("reply %q", got)
	}
}

func TestAuthLinesMayBeLongerThanCommands(t *testing.T) {
	b := &testBackend{}
	srv := newTestServer(b)
	srv.AllowInsecureAuth = true
	srv.Limits.MaxLineLength = 512
	srv.Limits.MaxAuthFailures = 10
	c := dial(t, srv)
	c.cmd("EHLO bar.com", "250")
	// RFC 4954 §4: an 8 KB response is fine in AUTH...
	long := strings.Repeat("QUFB", 2000)
	// (It reaches PLAIN, which finds no NUL separators in it.)
	c.cmd("AUTH PLAIN "+long, "501 5.5.2 Error: malformed authentication")
	c.cmd("AUTH PLAIN", "334")
	c.cmd(long, "501 5.5.2 Error: malformed authentication")
	// ...not in another command, nor beyond the AUTH limit.
	c.cmd("NOOP "+long, "500 5.5.2")
	c.cmd("AUTH PLAIN "+strings.Repeat("QUFB", 4000), "500 5.5.2")
	c.cmd("AUTH PLAIN", "334")
	c.cmd(strings.Repeat("QUFB", 4000), "500 5.5.6")
	c.cmd("NOOP", "250")
}

func TestBDATAbortedByRSETOrQUITDeliversNothing(t *testing.T) {
	for _, cmd := range []string{"RSET", "QUIT", "EHLO bar.com"} {
		t.Run(cmd, func(t *testing.T) {
			b := &testBackend{}
			c := dial(t, newTestServer(b))
			c.envelope()
			c.write("BDAT 5\r\nfirst")
			c.expect("250 2.0.0 5 octets")
			c.cmd(cmd, "2")
			if cmd != "QUIT" {
				c.write("BDAT 4 LAST\r\nlast")
				c.expect("503")
				c.cmd("NOOP", "250")
			} else {
				<-c.done // the transfer is aborted as the connection ends
			}
			b.mu.Lock()
			defer b.mu.Unlock()
			if len(b.msgs) != 0 || len(b.dataErrs) != 1 || !errors.Is(b.dataErrs[0], errAborted) {
				t.Errorf("messages %+v, data errors %v", b.msgs, b.dataErrs)
			}
		})
	}
}

func TestBDATBackendReturningEarlyKeepsTheStreamInStep(t *testing.T) {
	b := &testBackend{dataHook: func(r io.Reader) error {
		r.Read(make([]byte, 3))
		return &Error{Code: 554, EnhancedCode: EnhancedCode{5, 6, 0}, Message: "content refused"}
	}}
	c := dial(t, newTestServer(b))
	c.envelope()
	c.write("BDAT 10\r\n0123456789BDAT 5 LAST\r\nabcdeNOOP\r\n")
	c.expect("554 5.6.0 content refused")
	// RFC 3030 §2: the chunk after a failed one is read and discarded.
	c.expect("503 5.5.1")
	c.expect("250 2.0.0 OK")
}

func TestReceivedHeaderPrepended(t *testing.T) {
	b := &testBackend{}
	srv := newTestServer(b)
	srv.AddReceivedHeader = true
	srv.AllowInsecureAuth = true
	c := dial(t, srv)
	c.cmd("EHLO bar.com", "250")
	c.cmd("AUTH PLAIN AGFsaWNlAHNlY3JldA==", "235")
	c.cmd("MAIL FROM:<a@bar.com>", "250")
	c.cmd("RCPT TO:<b@foo.com>", "250")
	c.cmd("DATA", "354")
	c.cmd("Subject: x\r\n\r\nbody\r\n.", "250")
	c.cmd("MAIL FROM:<a@bar.com>", "250")
	c.cmd("RCPT TO:<b@foo.com>", "250")
	c.cmd("RCPT TO:<c@foo.com>", "250")
	c.write("BDAT 3 LAST\r\nabc")
	c.expect("250")
	msgs := b.messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages", len(msgs))
	}
	re := regexp.MustCompile(`^Received: from bar\.com\r\n\tby foo\.com with ESMTPA\r\n\tfor <b@foo\.com>; [A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} [-+]\d{4}\r\nSubject: x\r\n\r\nbody\r\n$`)
	if !re.MatchString(msgs[0].Data) {
		t.Errorf("DATA message %q", msgs[0].Data)
	}
	if !strings.HasPrefix(msgs[1].Data, "Received: from bar.com\r\n\tby foo.com with ESMTPA; ") || !strings.HasSuffix(msgs[1].Data, "\r\nabc") {
		t.Errorf("BDAT message %q", msgs[1].Data)
	}
	// Net.Pipe has no IP address; over TCP the field names it.
	cc := &conn{srv: srv, helo: "x", ehlo: true, nc: fakeAddrConn{}}
	if got := cc.receivedField(time.Unix(0, 0).UTC()); got != "Received: from x ([IPv6:2001:db8::1])\r\n\tby foo.com with ESMTP; Thu, 01 Jan 1970 00:00:00 +0000\r\n" {
		t.Errorf("field %q", got)
	}
}

type fakeAddrConn struct{ net.Conn }

func (fakeAddrConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 25}
}

func TestRepliesFlushedBeforeWaitingForChunkData(t *testing.T) {
	// A client pipelines the envelope and the BDAT command, then waits for
	// the envelope's replies before it sends the chunk (RFC 2920 §3.2 (7):
	// replies go out whenever the input buffer is empty).
	b := &testBackend{}
	c := dial(t, newTestServer(b))
	c.cmd("EHLO bar.com", "250")
	c.conn.Write([]byte("MAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\nBDAT 5 LAST\r\n"))
	c.expect("250 2.1.0")
	c.expect("250 2.1.5")
	c.conn.Write([]byte("hello"))
	c.expect("250 2.0.0 OK: queued")
	if msgs := b.messages(); len(msgs) != 1 || msgs[0].Data != "hello" {
		t.Errorf("messages %+v", msgs)
	}
}

func TestSingleBDATChunkBackendReturningEarlyKeepsTheStreamInStep(t *testing.T) {
	// One BDAT LAST chunk is read by the backend on the connection's
	// goroutine; what it leaves unread is skipped.
	b := &testBackend{dataHook: func(r io.Reader) error {
		r.Read(make([]byte, 3))
		return &Error{Code: 554, EnhancedCode: EnhancedCode{5, 6, 0}, Message: "content refused"}
	}}
	c := dial(t, newTestServer(b))
	c.envelope()
	c.write("BDAT 10 LAST\r\n0123456789NOOP\r\n")
	c.expect("554 5.6.0 content refused")
	c.expect("250 2.0.0 OK")
}

func TestSingleBDATChunkPanicAfterPartialReadKeepsTheStreamInStep(t *testing.T) {
	b := &testBackend{dataHook: func(r io.Reader) error {
		r.Read(make([]byte, 4))
		panic("boom in Data")
	}}
	c := dial(t, newTestServer(b))
	c.envelope()
	c.write("BDAT 12 LAST\r\nhello, world")
	c.expect("451 4.3.0")
	c.cmd("NOOP", "250")
}

func TestSingleBDATChunkCutShortEndsTheConnection(t *testing.T) {
	var got []byte
	var readErr error
	b := &testBackend{dataHook: func(r io.Reader) error {
		got, readErr = io.ReadAll(r)
		return readErr
	}}
	srv := newTestServer(b)
	c := dial(t, srv)
	c.envelope()
	if _, err := c.conn.Write([]byte("BDAT 100 LAST\r\nonly this")); err != nil {
		t.Fatal(err)
	}
	c.conn.Close()
	<-c.done
	if !errors.Is(readErr, io.ErrUnexpectedEOF) || string(got) != "only this" {
		t.Errorf("backend read %q, %v; want the partial chunk and io.ErrUnexpectedEOF", got, readErr)
	}
	if msgs := b.messages(); len(msgs) != 0 {
		t.Errorf("delivered %d messages from a cut chunk", len(msgs))
	}
}
