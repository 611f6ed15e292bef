//go:build interop

package smtp

import (
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/peers"
)

// startInteropServer serves b on 127.0.0.1 with STARTTLS on a self-signed
// certificate, until the test ends.
func startInteropServer(t *testing.T, b Backend, tlsToo bool) (*Server, string) {
	t.Helper()
	srv := newTestServer(b)
	srv.Domain = "localhost"
	if tlsToo {
		srv.TLSConfig = peers.NewTLS(t).ServerConfig()
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return srv, l.Addr().String()
}

const interopBody = "From: Alice <alice@example.com>\r\nTo: Bob <bob@example.org>\r\nSubject: interop\r\n\r\nLine one.\r\n.A line that starts with a dot.\r\n..and one with two.\r\n\r\nLast line.\r\n"

func checkOneMessage(t *testing.T, b *testBackend, from, to, data string) {
	t.Helper()
	msgs := b.messages()
	if len(msgs) != 1 {
		t.Fatalf("backend has %d messages, want 1", len(msgs))
	}
	m := msgs[0]
	if m.From != from || len(m.To) != 1 || m.To[0] != to {
		t.Errorf("envelope %q -> %q, want %q -> %q", m.From, m.To, from, to)
	}
	if m.Data != data {
		t.Errorf("data\n%q\nwant\n%q", m.Data, data)
	}
}

func TestServerInteropSwaks(t *testing.T) {
	swaks := peers.Need(t, "swaks", "swaks")
	cases := []struct {
		name string
		args []string
	}{
		{"plain", nil},
		{"pipelining", []string{"--pipeline"}},
		{"starttls", []string{"--tls"}},
		{"starttls-auth-plain", []string{"--tls", "--auth", "PLAIN", "--auth-user", "alice", "--auth-password", "secret"}},
		{"starttls-auth-login-pipelining", []string{"--tls", "--pipeline", "--auth", "LOGIN", "--auth-user", "alice", "--auth-password", "secret"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := &testBackend{}
			_, addr := startInteropServer(t, b, true)
			host, port, _ := net.SplitHostPort(addr)
			args := append([]string{"--server", host, "--port", port, "--from", "alice@example.com",
				"--to", "bob@example.org", "--helo", "client.example", "--data", "-"}, tc.args...)
			out, err := peers.CommandInput(t, 30*time.Second, []byte(interopBody), swaks, args...)
			if err != nil {
				t.Fatalf("swaks: %v\n%s", err, out)
			}
			// swaks ends the data with CRLF "." CRLF after the data's own
			// last CRLF, so the message gains an empty last line.
			checkOneMessage(t, b, "alice@example.com", "bob@example.org", interopBody+"\r\n")
		})
	}
}

func TestServerInteropSwaksAuthFailure(t *testing.T) {
	swaks := peers.Need(t, "swaks", "swaks")
	b := &testBackend{}
	_, addr := startInteropServer(t, b, true)
	host, port, _ := net.SplitHostPort(addr)
	out, err := peers.CommandInput(t, 30*time.Second, nil, swaks, "--server", host, "--port", port,
		"--from", "alice@example.com", "--to", "bob@example.org", "--tls", "--auth", "PLAIN",
		"--auth-user", "alice", "--auth-password", "wrong")
	if err == nil || !strings.Contains(string(out), "535 5.7.8") {
		t.Fatalf("swaks with a wrong password: %v\n%s", err, out)
	}
	if len(b.messages()) != 0 {
		t.Error("message delivered")
	}
}

func TestServerInteropCurl(t *testing.T) {
	curl := peers.Need(t, "curl", "curl")
	for _, tlsToo := range []bool{false, true} {
		t.Run("tls="+strconv.FormatBool(tlsToo), func(t *testing.T) {
			b := &testBackend{}
			srv, addr := startInteropServer(t, b, tlsToo)
			srv.AllowInsecureAuth = false
			args := []string{"-sS", "smtp://" + addr + "/client.example", "--mail-from", "alice@example.com",
				"--mail-rcpt", "bob@example.org", "-T", "-"}
			if tlsToo {
				args = append(args, "--ssl-reqd", "-k", "--user", "alice:secret")
			}
			out, err := peers.CommandInput(t, 30*time.Second, []byte(interopBody), curl, args...)
			if err != nil {
				t.Fatalf("curl: %v\n%s", err, out)
			}
			checkOneMessage(t, b, "alice@example.com", "bob@example.org", interopBody)
		})
	}
}

func TestServerInteropPythonSmtplib(t *testing.T) {
	py := peers.Python(t)
	b := &testBackend{}
	_, addr := startInteropServer(t, b, true)
	host, port, _ := net.SplitHostPort(addr)
	script := fmt.Sprintf(`
import smtplib, ssl, sys
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
s = smtplib.SMTP(%q, %s, local_hostname="client.example")
s.ehlo()
assert s.has_extn("starttls"), s.esmtp_features
assert not s.has_extn("auth"), "AUTH offered before TLS"
s.starttls(context=ctx)
s.ehlo()
s.login("alice", "secret")
refused = s.sendmail("alice@example.com", ["bob@example.org", "Green@foo.com"], sys.stdin.buffer.read())
assert list(refused) == ["Green@foo.com"], refused
try:
    s.mail("a@b")
    s.rcpt("c@d")
    code, _ = s.data(b"x" * 100)
    assert code == 250, code
except Exception as e:
    raise
s.quit()
`, host, port)
	out, err := peers.CommandInput(t, 30*time.Second, []byte(interopBody), py, "-c", script)
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	msgs := b.messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages", len(msgs))
	}
	if msgs[0].Data != interopBody || msgs[0].From != "alice@example.com" || len(msgs[0].To) != 1 {
		t.Errorf("message %+v", msgs[0])
	}
	if msgs[1].Data != strings.Repeat("x", 100)+"\r\n" {
		t.Errorf("second message %q", msgs[1].Data)
	}
}

// TestInteropSMTPSource has Postfix's smtp-source send many messages over
// many connections, and compares the rate with smtp-sink's (logged, not
// asserted: timings are not tests).
func TestServerInteropSMTPSource(t *testing.T) {
	source := peers.Need(t, "smtp-source", "postfix")
	const sessions, msgs, size = 20, 10000, 4096
	b := &testBackend{}
	// Keep only sizes and a sample: 10,000 messages of 4 KiB is 40 MB.
	var sample string
	var sizes = map[int]int{}
	b.dataHook = func(r io.Reader) error {
		data, err := io.ReadAll(r)
		if err != nil {
			return err
		}
		b.mu.Lock()
		sizes[len(data)]++
		if sample == "" {
			sample = string(data)
		}
		b.mu.Unlock()
		return nil
	}
	_, addr := startInteropServer(t, b, false)
	start := time.Now()
	out, err := peers.Command(t, 120*time.Second, source, "-s", strconv.Itoa(sessions), "-d", "-m", strconv.Itoa(msgs),
		"-l", strconv.Itoa(size), "-f", "from@example.test", "-t", "x@example.org", addr)
	if err != nil {
		t.Fatalf("smtp-source: %v\n%s", err, out)
	}
	ours := time.Since(start)
	total := 0
	for sz, n := range sizes {
		total += n
		// The header varies a little (message numbers); the body is -l.
		if sz < size || sz > size+400 {
			t.Errorf("%d messages of %d bytes", n, sz)
		}
	}
	if total != msgs {
		t.Fatalf("received %d messages, want %d", total, msgs)
	}
	if !strings.Contains(sample, "From: <from@example.test>") || !strings.HasSuffix(sample, "\r\n") || strings.Count(sample, "\n") != strings.Count(sample, "\r\n") {
		t.Errorf("sample message malformed: %q", sample[:min(len(sample), 300)])
	}
	sink := peers.StartSMTPSink(t)
	start = time.Now()
	if out, err := peers.Command(t, 120*time.Second, source, "-s", strconv.Itoa(sessions), "-d", "-m", strconv.Itoa(msgs),
		"-l", strconv.Itoa(size), "-f", "from@example.test", "-t", "x@example.org", sink); err != nil {
		t.Fatalf("smtp-source against smtp-sink: %v\n%s", err, out)
	}
	theirs := time.Since(start)
	t.Logf("smtp-source -s %d -d -m %d -l %d: ours %.0f msg/s, smtp-sink %.0f msg/s",
		sessions, msgs, size, msgs/ours.Seconds(), msgs/theirs.Seconds())
}

func TestServerInteropLMTP(t *testing.T) {
	py := peers.Python(t)
	swaks := peers.Need(t, "swaks", "swaks")
	b := &lmtpBackend{}
	srv, addr := startInteropServer(t, b, false)
	srv.LMTP = true
	host, port, _ := net.SplitHostPort(addr)
	// Python's smtplib.LMTP reads one reply after DATA, so it is given one
	// recipient; swaks shows every reply.
	script := fmt.Sprintf(`
import smtplib, sys
s = smtplib.LMTP(%q, %s, local_hostname="client.example")
refused = s.sendmail("alice@example.com", ["ok1@example.org"], sys.stdin.buffer.read())
assert refused == {}, refused
code, _ = s.noop()
assert code == 250, code
s.quit()
`, host, port)
	if out, err := peers.CommandInput(t, 30*time.Second, []byte(interopBody), py, "-c", script); err != nil {
		t.Fatalf("python LMTP: %v\n%s", err, out)
	}
	out, err := peers.CommandInput(t, 30*time.Second, []byte(interopBody), swaks, "--server", host, "--port", port,
		"--protocol", "LMTP", "--from", "alice@example.com", "--to", "ok1@example.org,full@example.org,ok2@example.org", "--data", "-")
	if !strings.Contains(string(out), "452 4.2.2 mailbox full") || strings.Count(string(out), "250 2.0.0 OK: queued") != 2 {
		t.Fatalf("swaks LMTP, one recipient refused after DATA: %v\n%s", err, out)
	}
}

func TestServerInteropPythonSMTPUTF8(t *testing.T) {
	py := peers.Python(t)
	b := &testBackend{}
	srv, addr := startInteropServer(t, b, false)
	srv.EnableSMTPUTF8 = true
	host, port, _ := net.SplitHostPort(addr)
	script := fmt.Sprintf(`
import smtplib, sys
s = smtplib.SMTP(%q, %s, local_hostname="client.example")
s.ehlo()
assert s.has_extn("smtputf8"), s.esmtp_features
s.sendmail("δοκιμή@example.com", ["χρήστης@παράδειγμα.example"], sys.stdin.buffer.read(), mail_options=["SMTPUTF8", "BODY=8BITMIME"])
s.quit()
`, host, port)
	body := "Subject: ünïcödé\r\n\r\nκείμενο\r\n"
	if out, err := peers.CommandInput(t, 30*time.Second, []byte(body), py, "-c", script); err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	msgs := b.messages()
	if len(msgs) != 1 || msgs[0].From != "δοκιμή@example.com" || msgs[0].To[0] != "χρήστης@παράδειγμα.example" ||
		msgs[0].Data != body || !msgs[0].Opts.UTF8 || msgs[0].Opts.Body != Body8BitMIME {
		t.Errorf("messages %+v", msgs)
	}
}
