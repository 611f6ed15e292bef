package smtp

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Each limit of DESIGN.md's table that applies to SMTP, crossed at its
// default value (server_limits_test.go crosses them at small values).

func TestDefaultLineLimitIs4KiB(t *testing.T) {
	srv := newTestServer(&testBackend{})
	c := dial(t, srv)
	// DefaultMaxLineLength counts the line without its CRLF.
	c.cmd("NOOP "+strings.Repeat("x", DefaultMaxLineLength-5), "250")
	c.cmd("NOOP "+strings.Repeat("x", DefaultMaxLineLength-4), "500 5.5.2 Error: line too long")
	c.cmd("NOOP", "250")
}

func TestDefaultMessageSizeIs32MiB(t *testing.T) {
	var read int64
	var readErr error
	b := &testBackend{dataHook: func(r io.Reader) error {
		n, err := io.Copy(io.Discard, r)
		read, readErr = n, err
		return err
	}}
	srv := newTestServer(b)
	c := dial(t, srv)
	if ehlo := c.cmd("EHLO bar.com", "250"); !strings.Contains(ehlo, "\n250-SIZE 33554432\n") {
		t.Errorf("EHLO does not announce SIZE 33554432:\n%s", ehlo)
	}
	c.cmd("MAIL FROM:<a@bar.com> SIZE=33554433", "552 5.3.4")
	c.cmd("MAIL FROM:<a@bar.com> SIZE=33554432", "250")
	c.cmd("RCPT TO:<b@foo.com>", "250")
	c.cmd("DATA", "354")
	// One 1000-byte line past the limit.
	go func() {
		w := bufio.NewWriterSize(c.conn, 64<<10)
		line := strings.Repeat("z", 998) + "\r\n"
		for i := 0; i <= DefaultMaxMessageBytes/len(line); i++ {
			w.WriteString(line)
		}
		w.WriteString(".\r\n")
		w.Flush()
	}()
	c.expect("552 5.3.4")
	if read != DefaultMaxMessageBytes || readErr == nil {
		t.Errorf("backend read %d bytes then %v, want %d then ErrMessageTooLarge", read, readErr, DefaultMaxMessageBytes)
	}
	c.cmd("NOOP", "250")
	if len(b.messages()) != 0 {
		t.Error("message delivered")
	}
}

func TestDefaultRecipientLimitIs1000(t *testing.T) {
	b := &testBackend{}
	srv := newTestServer(b)
	c := dial(t, srv)
	c.cmd("EHLO bar.com", "250")
	c.cmd("MAIL FROM:<a@bar.com>", "250")
	var cmds strings.Builder
	for i := 0; i <= DefaultMaxRecipients; i++ {
		fmt.Fprintf(&cmds, "RCPT TO:<r%d@foo.com>\r\n", i)
	}
	c.write(cmds.String()) // pipelined (RFC 2920)
	for i := 0; i < DefaultMaxRecipients; i++ {
		c.expect("250 2.1.5")
	}
	c.expect("452 4.5.3 Error: too many recipients")
	c.cmd("DATA", "354")
	c.cmd("x\r\n.", "250")
	if msgs := b.messages(); len(msgs) != 1 || len(msgs[0].To) != DefaultMaxRecipients {
		t.Errorf("delivered to %d recipients, want %d", len(msgs[0].To), DefaultMaxRecipients)
	}
}

func TestDefaultBadCommandLimitIs20(t *testing.T) {
	b := &testBackend{}
	srv := newTestServer(b)
	c := dial(t, srv)
	for i := 1; i < DefaultMaxBadCommands; i++ {
		c.cmd("FROB", "500 5.5.1")
	}
	c.cmd("FROB", "421 4.7.0")
	c.expectEOF()
	<-c.done
}

func TestDefaultAuthFailureDelaysThenDisconnect(t *testing.T) {
	srv := newTestServer(&testBackend{})
	srv.AllowInsecureAuth = true
	srv.Limits.AuthFailureDelay = 0 // the default, newTestServer has none
	var mu sync.Mutex
	var slept []time.Duration
	srv.sleep = func(d time.Duration, _ <-chan struct{}) {
		mu.Lock()
		slept = append(slept, d)
		mu.Unlock()
	}
	c := dial(t, srv)
	c.cmd("EHLO bar.com", "250")
	for i := 1; i < DefaultMaxAuthFailures; i++ {
		c.cmd("AUTH PLAIN AGFsaWNlAHdyb25n", "535 5.7.8")
	}
	c.cmd("AUTH PLAIN AGFsaWNlAHdyb25n", "421 4.7.0")
	c.expectEOF()
	<-c.done
	mu.Lock()
	defer mu.Unlock()
	want := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second}
	if d := cmp.Diff(want, slept); d != "" {
		t.Errorf("delays (-want +got):\n%s", d)
	}
}

// deadlineRecorder is the server's end of a pipe that records the
// deadlines the server sets.
type deadlineRecorder struct {
	net.Conn
	mu            sync.Mutex
	read, written []time.Time
}

func (d *deadlineRecorder) SetReadDeadline(t time.Time) error {
	d.mu.Lock()
	d.read = append(d.read, t)
	d.mu.Unlock()
	return d.Conn.SetReadDeadline(t)
}

func (d *deadlineRecorder) SetWriteDeadline(t time.Time) error {
	d.mu.Lock()
	d.written = append(d.written, t)
	d.mu.Unlock()
	return d.Conn.SetWriteDeadline(t)
}

// TestDefaultTimeouts checks the deadlines a server with default limits
// sets: 5 minutes (RFC 5321 §4.5.3.2.7) for each command, idle before AUTH
// and after it, for the lines of an AUTH exchange and for message data;
// one minute for writes. Crossing them is TestIdleTimeoutCloses and
// TestDataTimeoutDeliversNothing, with short values.
func TestDefaultTimeouts(t *testing.T) {
	srv := newTestServer(&testBackend{})
	srv.AllowInsecureAuth = true
	cc, sc := net.Pipe()
	rec := &deadlineRecorder{Conn: sc}
	c := &testClient{t: t, conn: cc, r: bufio.NewReader(cc), done: make(chan error, 1)}
	start := time.Now()
	go func() { c.done <- srv.ServeConn(rec) }()
	defer cc.Close()
	cc.SetDeadline(time.Now().Add(10 * time.Second))
	c.expect("220")
	c.cmd("EHLO bar.com", "250")
	c.cmd("AUTH PLAIN", "334")
	c.cmd("AGFsaWNlAHNlY3JldA==", "235")
	c.cmd("NOOP", "250")
	c.cmd("MAIL FROM:<a@bar.com>", "250")
	c.cmd("RCPT TO:<b@foo.com>", "250")
	c.cmd("DATA", "354")
	c.cmd("x\r\n.", "250")
	c.cmd("QUIT", "221")
	<-c.done
	end := time.Now()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	check := func(what string, got []time.Time, d time.Duration) {
		if len(got) == 0 {
			t.Errorf("no %s deadline set", what)
		}
		for _, dl := range got {
			// The server moves a deadline only when it moves by a
			// second or more.
			if dl.Before(start.Add(d-time.Second)) || dl.After(end.Add(d)) {
				t.Errorf("%s deadline %v from the start, want %v", what, dl.Sub(start), d)
			}
		}
	}
	check("read", rec.read, 5*time.Minute)
	check("write", rec.written, time.Minute)
}

func TestWriteTimeoutEndsConnection(t *testing.T) {
	b := &testBackend{}
	srv := newTestServer(b)
	srv.Limits.WriteTimeout = time.Millisecond
	cc, sc := net.Pipe()
	defer cc.Close()
	done := make(chan error, 1)
	// The client never reads: the greeting cannot be written.
	go func() { done <- srv.ServeConn(sc) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("server still blocked writing to a client that does not read")
	}
	if b.logouts != 1 {
		t.Errorf("Logout called %d times", b.logouts)
	}
}
