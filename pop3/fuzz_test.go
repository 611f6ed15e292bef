package pop3

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/textwire"
)

// addTranscriptSeeds adds the client lines of every server transcript.
func addTranscriptSeeds(f *testing.F, each func(line string)) {
	files, _ := filepath.Glob("testdata/server-*.txt")
	files = append(files, "testdata/rfc1939-example.txt")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, l := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(l, "C: ") {
				each(l[3:])
			}
		}
	}
}

// FuzzServerCommand runs one command line in the TRANSACTION state and
// checks that the answer is a status line and nothing was removed.
func FuzzServerCommand(f *testing.F) {
	addTranscriptSeeds(f, func(l string) { f.Add(l) })
	f.Add("TOP 3 99999999")
	f.Add("RETR 1\r\nDELE 1")
	f.Fuzz(func(t *testing.T, line string) {
		b := newBackend(t)
		s := newServer(b)
		s.AllowInsecureAuth = true
		s.EnableUTF8 = true
		var out bytes.Buffer
		c := newConn(s, &cutConn{r: strings.NewReader(""), w: &out, failAt: -1})
		if err := c.login("alice"); err != nil || c.state != stateTransaction {
			t.Fatalf("login: %v", err)
		}
		c.bw.Flush()
		out.Reset()
		err := c.dispatch([]byte(line))
		c.bw.Flush()
		if err != nil && err != errClose {
			t.Fatalf("dispatch(%q) = %v", line, err)
		}
		got := out.String()
		if !strings.HasPrefix(got, "+OK") && !strings.HasPrefix(got, "-ERR ") {
			t.Fatalf("answer to %q: %q", line, got)
		}
		if !strings.HasSuffix(got, "\r\n") {
			t.Fatalf("answer to %q does not end in CRLF: %q", line, got)
		}
		c.close()
		if n := len(b.Messages("alice")); n != 3 && !strings.HasPrefix(strings.ToUpper(line), "QUIT") {
			t.Fatalf("%q removed messages", line)
		}
	})
}

// FuzzServerSession feeds arbitrary bytes to a session and checks that it
// ends, answers only status lines and multi-line blocks, and removes
// nothing unless the client said QUIT after logging in.
func FuzzServerSession(f *testing.F) {
	f.Add([]byte("USER alice\r\nPASS secret\r\nDELE 1\r\nQUIT\r\n"))
	f.Add([]byte("USER alice\r\nPASS secret\r\nDELE 1\r\n"))
	f.Add([]byte("AUTH PLAIN\r\nAGFsaWNlAHNlY3JldA==\r\nRETR 3\r\nTOP 3 1\r\n"))
	f.Add([]byte("CAPA\r\nUTF8\r\nLANG\r\nAPOP alice 0123456789abcdef0123456789abcdef\r\n"))
	f.Add([]byte("USER alice\nPASS secret\rLIST\r\n\x00\xff" + strings.Repeat("x", 5000) + "\r\nQUIT"))
	f.Fuzz(func(t *testing.T, in []byte) {
		b := newBackend(t)
		s := newServer(b)
		s.AllowInsecureAuth = true
		s.EnableUTF8 = true
		s.MaxAuthFailures = 1000
		var out bytes.Buffer
		s.ServeConn(&cutConn{r: bytes.NewReader(in), w: &out, failAt: -1})
		if n := len(b.Messages("alice")); n != 3 && !bytes.Contains(bytes.ToUpper(in), []byte("QUIT")) {
			t.Fatalf("session without QUIT removed messages: %q", in)
		}
		if !bytes.HasPrefix(out.Bytes(), []byte("+OK POP3 server ready\r\n")) {
			t.Fatalf("no greeting: %q", out.Bytes())
		}
		if md, err := b.OpenMaildrop(context.Background(), "alice"); err != nil {
			t.Fatalf("maildrop left locked: %v", err)
		} else {
			md.Close()
		}
	})
}

// FuzzClientResponse parses status lines, capability and listing lines.
func FuzzClientResponse(f *testing.F) {
	for _, s := range []string{
		"+OK", "+OK 2 320", "-ERR", "-ERR [IN-USE] locked", "-ERR [SYS/TEMP]", "-ERR [", "-ERR []",
		"-ERR [a/]", "+OKAY", "-ERRx", "+ ", "+ AAAA", "1 120", "2 QhdPYR:00WBw1Ph7x7",
		"SASL PLAIN LOGIN", "IMPLEMENTATION  x y ", "", "-ERR [X" + strings.Repeat("/Y", 60) + "] z",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		text, err := ParseResponse(line)
		var e *Error
		switch {
		case err == nil:
			if !bytes.HasPrefix(line, []byte("+OK")) || len(text) > len(line) {
				t.Fatalf("%q parsed as +OK %q", line, text)
			}
		case errors.As(err, &e):
			if !bytes.HasPrefix(line, []byte("-ERR")) || strings.ContainsAny(e.Code, " []") {
				t.Fatalf("%q parsed as %#v", line, e)
			}
			if e.Code != "" && !errors.Is(e, &Error{Code: e.Code}) {
				t.Fatalf("%#v does not match its own code", e)
			}
		case !errors.Is(err, ErrProtocol):
			t.Fatalf("%q: %v", line, err)
		}
		if tag, args := ParseCapability(string(line)); tag == "" && len(args) > 0 {
			t.Fatalf("capability %q: no tag but %q", line, args)
		}
		if le, err := parseListEntry(string(line)); err == nil && (le.Number < 1 || le.Size < 0) {
			t.Fatalf("LIST entry %q: %+v", line, le)
		}
		if ue, err := parseUIDEntry(string(line)); err == nil && (ue.Number < 1 || ue.UID == "" || strings.Contains(ue.UID, " ")) {
			t.Fatalf("UIDL entry %q: %+v", line, ue)
		}
		parseChallenge(line)
	})
}

// FuzzClientMultiline checks the client's message reader two ways: data
// dot-stuffed by the server's writer comes back as it went in (with CRLF
// line ends), and arbitrary bytes after +OK never panic or hang.
func FuzzClientMultiline(f *testing.F) {
	f.Add([]byte("Subject: x\r\n\r\n.dot\r\n..\r\n.\r\nend"))
	f.Add([]byte("bare\nlf\rcr\r\n.\n.\r.\r\n"))
	f.Add([]byte(""))
	f.Add([]byte(".\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var wire bytes.Buffer
		wire.WriteString("+OK ready\r\n+OK\r\n")
		bw := bufio.NewWriter(&wire)
		dw := textwire.NewDotWriter(bw)
		dw.Write(data)
		dw.Close()
		wire.WriteString("+OK after\r\n")
		c, err := NewClient(newRecorder(wire.String()))
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.RetrBytes(context.Background(), 1)
		if err != nil {
			t.Fatalf("RetrBytes: %v", err)
		}
		want := crlf(data)
		if len(want) > 0 && !bytes.HasSuffix(want, []byte("\r\n")) {
			want = append(want, '\r', '\n')
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("round trip of %q: got %q, want %q", data, got, want)
		}
		if err := c.Noop(context.Background()); err != nil {
			t.Fatalf("command after the message: %v", err)
		}

		// The same bytes raw, as a broken server might send them.
		c, err = NewClient(newRecorder("+OK ready\r\n+OK\r\n" + string(data)))
		if err != nil {
			t.Fatal(err)
		}
		if r, err := c.Retr(context.Background(), 1); err == nil {
			io.Copy(io.Discard, r)
			r.Close()
		}
		c.List(context.Background())
	})
}
