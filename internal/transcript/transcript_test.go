package transcript

import (
	"bufio"
	"fmt"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// toyServer greets, echoes each line as "250 <line>", and closes on QUIT.
func toyServer(conn net.Conn) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	fmt.Fprintf(conn, "220 toy ready at your service\r\n")
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "QUIT" {
			fmt.Fprintf(conn, "221 bye\r\n")
			return
		}
		fmt.Fprintf(conn, "250 %s\r\n", line)
	}
}

func TestRunServerPasses(t *testing.T) {
	Load(t, "testdata/echo.txt").RunServer(t, toyServer)
}

// fakeTB records failures; Fatalf ends the goroutine like testing does.
type fakeTB struct {
	testing.TB
	mu   sync.Mutex
	msgs []string
}

func (f *fakeTB) Helper() {}
func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	f.msgs = append(f.msgs, fmt.Sprintf(format, args...))
	f.mu.Unlock()
}
func (f *fakeTB) Fatalf(format string, args ...any) {
	f.Errorf(format, args...)
	runtime.Goexit()
}
func (f *fakeTB) Fatal(args ...any) { f.Fatalf("%s", fmt.Sprint(args...)) }

// failures runs fn as a test body and returns what it reported.
func failures(fn func(tb testing.TB)) []string {
	f := &fakeTB{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
	}()
	<-done
	return f.msgs
}

func TestRunServerReportsMismatch(t *testing.T) {
	tests := []struct {
		name, script, want string
	}{
		{"wrong line", "S: 220 ...\nC: HELO a\nS: 250 HELO b\n", "bad.txt:3: server line differs"},
		{"regexp", "S: 220 ...\nC: X\nS~ ^251\n", `does not match /^251/`},
		{"server closes", "S: 220 ...\nC: QUIT\nS: 221 bye\nS: 250 more\n", "closed the connection"},
		{"not closed", "S: 220 ...\nC: NOOP\n!eof\n", "want the server to close"},
		{"extra output", "S: 220 ...\nC= \"A\\r\\nB\\r\\n\"\nS: 250 A\n", "more than the script expects"},
		{"exact bytes", "S: 220 ...\nC: A\nS= \"250 B\\r\\n\"\n", "other bytes"},
	}
	for _, tt := range tests {
		s, err := Parse("bad.txt", []byte(tt.script))
		if err != nil {
			t.Fatal(err)
		}
		s.Timeout = 100 * time.Millisecond // only the "not closed" case waits for it
		msgs := failures(func(tb testing.TB) { s.RunServer(tb, toyServer) })
		if tt.name == "extra output" && len(msgs) == 0 {
			// The runner reports extra output only once it has
			// arrived; the toy server may not have written it yet.
			continue
		}
		if len(msgs) == 0 || !strings.Contains(msgs[0], tt.want) {
			t.Errorf("%s: failures %q, want one containing %q", tt.name, msgs, tt.want)
		}
	}
}

func TestRunServerRejectsBareLF(t *testing.T) {
	s, _ := Parse("lf.txt", []byte("S: hello\n"))
	msgs := failures(func(tb testing.TB) {
		s.RunServer(tb, func(c net.Conn) { c.Write([]byte("hello\n")); c.Close() })
	})
	if len(msgs) == 0 || !strings.Contains(msgs[0], "does not end in CRLF") {
		t.Fatalf("failures %q", msgs)
	}
}

// toyClient reads the greeting, sends HELO, then QUIT, and checks replies.
func toyClient(conn net.Conn) error {
	defer conn.Close()
	br := bufio.NewReader(conn)
	if _, err := br.ReadString('\n'); err != nil {
		return err
	}
	fmt.Fprintf(conn, "HELO me\r\n")
	reply, err := br.ReadString('\n')
	if err != nil {
		return err
	}
	if !strings.HasPrefix(reply, "250") {
		return fmt.Errorf("HELO refused: %q", reply)
	}
	fmt.Fprintf(conn, "QUIT\r\n")
	_, err = br.ReadString('\n')
	return err
}

func TestRunClient(t *testing.T) {
	s, _ := Parse("client.txt", []byte("S: 220 hi\nC: HELO me\nS: 250 ok\nC: QUIT\nS: 221 bye\n!eof\n"))
	if err := s.RunClient(t, toyClient); err != nil {
		t.Fatal(err)
	}
	s, _ = Parse("client-refused.txt", []byte("S: 220 hi\nC: HELO me\nS: 550 no\n!eof\n"))
	err := s.RunClient(t, toyClient)
	if err == nil || !strings.Contains(err.Error(), "HELO refused") {
		t.Fatalf("client error %v", err)
	}
	s, _ = Parse("client-wrong.txt", []byte("S: 220 hi\nC: EHLO me\n"))
	msgs := failures(func(tb testing.TB) { s.RunClient(tb, toyClient) })
	if len(msgs) == 0 || !strings.Contains(msgs[0], "client line differs") {
		t.Fatalf("failures %q", msgs)
	}
}

func TestParseErrors(t *testing.T) {
	for _, bad := range []string{"X: hi", "C? hi", "S~ (", "C= unquoted", "S"} {
		if _, err := Parse("p.txt", []byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestParseStringRoundTrip(t *testing.T) {
	s := Load(t, "testdata/echo.txt")
	again, err := Parse("again", []byte(s.String()))
	if err != nil {
		t.Fatal(err)
	}
	if again.String() != s.String() || len(again.Steps) != len(s.Steps) {
		t.Fatalf("String does not read back:\n%s\n%s", s, again)
	}
}

func TestGlobMatch(t *testing.T) {
	tests := []struct {
		pat, s string
		want   bool
	}{
		{"220 ...", "220 mail ready", true},
		{"220 ...", "221 x", false},
		{"...", "", true},
		{"a...b...c", "axxbyyc", true},
		{"a...b...c", "axxcyyb", false},
		{"ab...ba", "aba", false},
		{"plain", "plain", true},
		{"plain", "plainer", false},
	}
	for _, tt := range tests {
		if got := globMatch(tt.pat, tt.s); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v", tt.pat, tt.s, got)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("S: 220 ...\nC: HELO\nS~ ^250\nC= \"x\\r\\n\"\n!eof\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse("fuzz", data)
		if err != nil {
			return
		}
		again, err := Parse("again", []byte(s.String()))
		if err != nil {
			t.Fatalf("String output does not parse: %v\n%s", err, s)
		}
		if again.String() != s.String() {
			t.Fatalf("String does not round-trip:\n%s\n%s", s, again)
		}
	})
}
