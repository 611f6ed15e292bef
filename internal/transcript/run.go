package transcript

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// DefaultTimeout bounds each wait for the side under test. It only turns a
// hang into a failure; no step waits for it to pass.
const DefaultTimeout = 10 * time.Second

// chunk is a read from the side under test.
type chunk struct {
	data []byte
	err  error
}

// runner plays one script over one end of a pipe.
type runner struct {
	t       testing.TB
	s       *Script
	conn    net.Conn
	in      chan chunk
	buf     []byte
	eof     error // the read error once the peer has closed
	timeout time.Duration
	checked Kind // the side whose steps are checked
}

func newRunner(t testing.TB, s *Script, conn net.Conn, checked Kind) *runner {
	r := &runner{t: t, s: s, conn: conn, in: make(chan chunk, 1024), timeout: s.Timeout, checked: checked}
	if r.timeout <= 0 {
		r.timeout = DefaultTimeout
	}
	// Read everything the side under test sends, at once, so that it
	// never blocks on a write while the runner is writing to it.
	go func() {
		for {
			b := make([]byte, 4096)
			n, err := conn.Read(b)
			if n > 0 {
				r.in <- chunk{data: b[:n]}
			}
			if err != nil {
				r.in <- chunk{err: err}
				close(r.in)
				return
			}
		}
	}()
	return r
}

func (r *runner) side(k Kind) string {
	if k == Client {
		return "client"
	}
	return "server"
}

func (r *runner) failf(st Step, format string, args ...any) {
	r.t.Helper()
	r.t.Fatalf("%s:%d: "+format, append([]any{r.s.Name, st.Line}, args...)...)
}

// more waits for more input from the side under test; false at EOF.
func (r *runner) more(st Step) bool {
	r.t.Helper()
	if r.eof != nil {
		return false
	}
	select {
	case c, ok := <-r.in:
		if !ok {
			return false
		}
		if c.err != nil {
			r.eof = c.err
			return false
		}
		r.buf = append(r.buf, c.data...)
		return true
	case <-time.After(r.timeout):
		if st.Kind == EOF {
			r.failf(st, "want the %s to close the connection; still open after %v, having sent %q", r.side(r.checked), r.timeout, r.buf)
		}
		r.failf(st, "timed out after %v waiting for the %s; received so far: %q", r.timeout, r.side(r.checked), r.buf)
		return false
	}
}

// expect checks one step of the side under test.
func (r *runner) expect(st Step) {
	r.t.Helper()
	who := r.side(r.checked)
	switch {
	case st.Kind == EOF:
		for r.more(st) {
		}
		if len(r.buf) > 0 {
			r.failf(st, "want the %s to close the connection, it sent %q", who, r.buf)
		}
		return
	case st.Match == Exact:
		for len(r.buf) < len(st.Text) && r.more(st) {
		}
		n := min(len(r.buf), len(st.Text))
		got := string(r.buf[:n])
		r.buf = r.buf[n:]
		if got != st.Text {
			r.failf(st, "%s sent other bytes (-want +got):\n%s", who, cmp.Diff(st.Text, got))
		}
		return
	}
	var line []byte
	for {
		var ok bool
		line, r.buf, ok = splitLine(r.buf)
		if ok {
			break
		}
		if !r.more(st) {
			r.failf(st, "the %s closed the connection (%v); want %q; unterminated data %q", who, r.eof, st.Text, r.buf)
			return
		}
	}
	if !bytes.HasSuffix(line, []byte("\r\n")) {
		r.failf(st, "%s line %q does not end in CRLF", who, line)
		return
	}
	got := string(line[:len(line)-2])
	if !st.matches(got) {
		if st.Match == Regexp {
			r.failf(st, "%s line %q does not match /%s/", who, got, st.Text)
		} else {
			r.failf(st, "%s line differs (-want +got):\n%s", who, cmp.Diff(st.Text, got))
		}
	}
}

// play writes one step of the side the runner plays.
func (r *runner) play(st Step) {
	r.t.Helper()
	r.conn.SetWriteDeadline(time.Now().Add(r.timeout))
	if _, err := r.conn.Write(st.wire()); err != nil {
		r.failf(st, "writing %s as the %s: %v", strconv.Quote(string(st.wire())), r.side(1-r.checked), err)
	}
}

// run plays every step and reports output nobody asked for.
func (r *runner) run() {
	r.t.Helper()
	for _, st := range r.s.Steps {
		switch {
		case st.Kind == EOF:
			r.expect(st)
		case st.Kind == r.checked:
			r.expect(st)
		default:
			r.play(st)
		}
	}
	// What has already arrived beyond the script is a failure too.
	for {
		select {
		case c, ok := <-r.in:
			if ok && c.err == nil {
				r.buf = append(r.buf, c.data...)
				continue
			}
		default:
		}
		break
	}
	if len(r.buf) > 0 {
		r.t.Fatalf("%s: the %s sent more than the script expects: %q", r.s.Name, r.side(r.checked), r.buf)
	}
}

// RunServer plays the script's client steps against serve, which is
// given the server end of an in-memory connection, and checks every
// server step. When the script ends the connection is closed, and serve
// must return.
func (s *Script) RunServer(t testing.TB, serve func(conn net.Conn)) {
	t.Helper()
	cli, srv := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		serve(srv)
	}()
	defer waitDone(t, s, done, cli, "server")
	newRunner(t, s, cli, Server).run()
}

// RunClient plays the script's server steps to client, which is given
// the client end of an in-memory connection, checks every client step,
// and returns what client returned. When the script ends the connection
// is closed, and client must return.
func (s *Script) RunClient(t testing.TB, client func(conn net.Conn) error) error {
	t.Helper()
	cli, srv := net.Pipe()
	done := make(chan struct{})
	var err error
	go func() {
		defer close(done)
		err = client(cli)
	}()
	r := newRunner(t, s, srv, Client)
	func() {
		defer waitDone(t, s, done, srv, "client")
		r.run()
	}()
	return err
}

// waitDone closes the runner's end and waits for the side under test.
func waitDone(t testing.TB, s *Script, done chan struct{}, c io.Closer, who string) {
	c.Close()
	select {
	case <-done:
	case <-time.After(DefaultTimeout):
		t.Errorf("%s: the %s did not return after the connection closed", s.Name, who)
	}
}

// Load parses a script file, failing the test if it does not parse.
func Load(t testing.TB, path string) *Script {
	t.Helper()
	s, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// String gives the script back in its file form.
func (s *Script) String() string {
	var b bytes.Buffer
	for _, st := range s.Steps {
		if st.Kind == EOF {
			b.WriteString("!eof\n")
			continue
		}
		who := "C"
		if st.Kind == Server {
			who = "S"
		}
		switch st.Match {
		case Line:
			fmt.Fprintf(&b, "%s: %s\n", who, st.Text)
		case Regexp:
			fmt.Fprintf(&b, "%s~ %s\n", who, st.Text)
		case Exact:
			fmt.Fprintf(&b, "%s= %s\n", who, strconv.Quote(st.Text))
		}
	}
	return b.String()
}
