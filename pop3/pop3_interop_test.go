//go:build interop

package pop3

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/peers"
	"github.com/mailwire/mailwire/sasl"
)

// interopMessages have lines that start with a dot, an empty last line
// and a long line, to exercise stuffing in every peer.
var interopMessages = []string{
	"From: a@example.org\r\nSubject: one\r\n\r\nHello.\r\n",
	"From: b@example.org\r\nSubject: dots\r\n\r\n.\r\n..two dots\r\n.one dot\r\n\r\nend\r\n",
	"From: c@example.org\r\nSubject: long\r\n\r\n" + strings.Repeat("0123456789", 99) + "\r\n" + strings.Repeat("line\r\n", 2000),
}

// startServer serves a MemBackend with alice's interopMessages on a
// loopback port, with STLS.
func startServer(t *testing.T, insecure bool) (*MemBackend, *peers.TLS, string) {
	t.Helper()
	b := NewMemBackend()
	b.AddUser("alice", "secret")
	for _, m := range interopMessages {
		if _, err := b.Deliver("alice", []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	cert := peers.NewTLS(t)
	s := &Server{
		Backend:           b,
		Hostname:          "127.0.0.1",
		TLSConfig:         cert.ServerConfig(),
		AllowInsecureAuth: insecure,
		EnableUTF8:        true,
		AuthFailureDelay:  -1,
		Logger:            discardLogger,
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(ln)
	t.Cleanup(func() { s.Close() })
	return b, cert, ln.Addr().String()
}

func TestInteropCurl(t *testing.T) {
	curl := peers.Need(t, "curl", "curl")
	for _, tc := range []struct {
		name  string
		flags func(*peers.TLS) []string
	}{
		{"plain", func(*peers.TLS) []string { return nil }},
		{"stls", func(c *peers.TLS) []string { return []string{"--ssl-reqd", "--cacert", c.CAFile} }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, cert, addr := startServer(t, tc.name == "plain")
			run := func(args ...string) []byte {
				t.Helper()
				args = append([]string{"-sS", "--fail", "-u", "alice:secret"}, append(tc.flags(cert), args...)...)
				out, err := peers.Command(t, 30*time.Second, curl, args...)
				if err != nil {
					t.Fatalf("curl %q: %v\n%s", args, err, out)
				}
				return out
			}
			var want strings.Builder
			for i, m := range interopMessages {
				want.WriteString(strconv.Itoa(i+1) + " " + strconv.Itoa(len(m)) + "\r\n")
			}
			if got := run("pop3://" + addr + "/"); string(got) != want.String() {
				t.Errorf("list: got %q, want %q", got, want.String())
			}
			for i, m := range interopMessages {
				if got := run("pop3://" + addr + "/" + strconv.Itoa(i+1)); string(got) != m {
					t.Errorf("message %d: got %q, want %q", i+1, got, m)
				}
			}
			run("-X", "DELE", "-I", "pop3://"+addr+"/2")
			msgs := b.Messages("alice")
			if len(msgs) != 2 || string(msgs[0]) != interopMessages[0] || string(msgs[1]) != interopMessages[2] {
				t.Errorf("after DELE 2 the backend holds %d messages", len(msgs))
			}
		})
	}
}

func TestInteropPythonPoplib(t *testing.T) {
	py := peers.Python(t, "poplib", "ssl")
	b, cert, addr := startServer(t, false)
	host, port, _ := net.SplitHostPort(addr)
	dir := t.TempDir()
	for i, m := range interopMessages {
		if err := os.WriteFile(filepath.Join(dir, strconv.Itoa(i+1)), []byte(m), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	script := `
import poplib, ssl, sys, os
host, port, cafile, dir = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
p = poplib.POP3(host, port, timeout=20)
caps = p.capa()
assert "STLS" in caps and "UTF8" in caps and "USER" not in caps, caps
p.stls(context=ssl.create_default_context(cafile=cafile))
caps = p.capa()
assert "USER" in caps and "STLS" not in caps and "PIPELINING" in caps, caps
p.utf8()
p.user("alice")
p.pass_("secret")
n, size = p.stat()
assert n == 3, n
for i in range(1, n + 1):
    want = open(os.path.join(dir, str(i)), "rb").read()
    resp, lines, octets = p.retr(i)
    got = b"".join(l + b"\r\n" for l in lines)
    assert got == want, (i, got[:200], want[:200])
    top = b"".join(l + b"\r\n" for l in p.top(i, 1)[1])
    head, body = want.split(b"\r\n\r\n", 1)
    assert top == head + b"\r\n\r\n" + body.split(b"\r\n")[0] + b"\r\n", (i, top)
uids = p.uidl()[1]
assert len(uids) == 3, uids
p.dele(1)
p.quit()
print("ok")
`
	out, err := peers.Command(t, 60*time.Second, py, "-c", script, host, port, cert.CAFile, dir)
	if err != nil || !bytes.Contains(out, []byte("ok")) {
		t.Fatalf("poplib: %v\n%s", err, out)
	}
	if msgs := b.Messages("alice"); len(msgs) != 2 {
		t.Errorf("after DELE 1 and QUIT the backend holds %d messages; want 2", len(msgs))
	}
}

func TestInteropFetchmail(t *testing.T) {
	fetchmail := peers.Need(t, "fetchmail", "fetchmail")
	for _, keep := range []bool{true, false} {
		t.Run("keep="+strconv.FormatBool(keep), func(t *testing.T) {
			b, cert, addr := startServer(t, false)
			host, port, _ := net.SplitHostPort(addr)
			dir := t.TempDir()
			out := filepath.Join(dir, "out")
			os.Mkdir(out, 0o755)
			keepOpt := "nokeep"
			if keep {
				keepOpt = "keep"
			}
			rc := "set no syslog\nset no bouncemail\n" +
				"poll " + host + " port " + port + " protocol POP3 auth password\n" +
				"  user \"alice\" there with password \"secret\" is root here\n" +
				"  " + keepOpt + " fetchall sslproto \"tls1.2+\" sslcertck sslcertfile \"" + cert.CAFile + "\"\n" +
				"  mda \"/bin/sh -c 'cat > $(mktemp " + out + "/msg.XXXXXX)'\"\n"
			rcFile := filepath.Join(dir, "fetchmailrc")
			if err := os.WriteFile(rcFile, []byte(rc), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("FETCHMAILHOME", dir)
			res, err := peers.Command(t, 60*time.Second, fetchmail, "-f", rcFile, "-v", "--pidfile", filepath.Join(dir, "pid"))
			if err != nil {
				t.Fatalf("fetchmail: %v\n%s", err, res)
			}
			files, _ := filepath.Glob(filepath.Join(out, "msg.*"))
			if len(files) != len(interopMessages) {
				t.Fatalf("fetchmail delivered %d messages; want %d\n%s", len(files), len(interopMessages), res)
			}
			found := map[int]bool{}
			for _, f := range files {
				got, _ := os.ReadFile(f)
				for i, m := range interopMessages {
					lf := strings.ReplaceAll(m, "\r\n", "\n")
					// fetchmail adds its own Received: header in front
					// and hands the MDA LF line ends; the rest must be
					// the message, byte for byte.
					if strings.HasSuffix(string(got), lf) && onlyAddedHeaders(string(got[:len(got)-len(lf)])) {
						found[i] = true
					}
				}
			}
			if len(found) != len(interopMessages) {
				t.Errorf("fetchmail's copies match messages %v only", found)
			}
			want := 0
			if keep {
				want = len(interopMessages)
			}
			if n := len(b.Messages("alice")); n != want {
				t.Errorf("backend holds %d messages after fetchmail; want %d", n, want)
			}
		})
	}
}

// onlyAddedHeaders reports whether s is a block of header fields (what a
// client may put in front of a message).
func onlyAddedHeaders(s string) bool {
	for _, l := range strings.SplitAfter(s, "\n") {
		if l == "" {
			continue
		}
		if !strings.HasSuffix(l, "\n") || !(l[0] == ' ' || l[0] == '\t' || strings.Contains(l, ":")) {
			return false
		}
	}
	return true
}

// TestInteropClientDovecot runs our client against Dovecot's POP3 server:
// STLS, every SASL mechanism Dovecot offers that we can use, reading and
// deleting messages put in place through its maildir.
func TestInteropClientDovecot(t *testing.T) {
	d := peers.StartDovecot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	logins := []struct {
		name  string
		login func(*Client) error
	}{
		{"USER-PASS", func(c *Client) error { return c.Login(ctx, "alice", peers.Password) }},
		{sasl.Plain, func(c *Client) error { return c.Authenticate(ctx, sasl.NewPlainClient("", "alice", peers.Password)) }},
		{sasl.CRAMMD5, func(c *Client) error { return c.Authenticate(ctx, sasl.NewCRAMMD5Client("alice", peers.Password)) }},
		{sasl.ScramSHA1, func(c *Client) error {
			return c.Authenticate(ctx, sasl.NewScramClient(sasl.ScramSHA1, "", "alice", peers.Password, nil))
		}},
		{sasl.ScramSHA256, func(c *Client) error {
			return c.Authenticate(ctx, sasl.NewScramClient(sasl.ScramSHA256, "", "alice", peers.Password, nil))
		}},
		{"auto", func(c *Client) error {
			return c.AuthenticateAuto(ctx, sasl.Credentials{Username: "alice", Password: peers.Password})
		}},
	}
	for _, l := range logins {
		t.Run(l.name, func(t *testing.T) {
			for _, m := range interopMessages {
				d.Deliver(t, "alice", []byte(m))
			}
			c, err := Dial(ctx, d.POP3)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			caps, err := c.Capabilities(ctx)
			if err != nil || !caps.Has("STLS") {
				t.Fatalf("CAPA = %v, %v; want STLS", caps, err)
			}
			if err := c.StartTLS(ctx, d.TLS.ClientConfig()); err != nil {
				t.Fatalf("STLS: %v\n%s", err, d.Log())
			}
			caps, _ = c.Capabilities(ctx)
			if strings.HasPrefix(l.name, "SCRAM") || l.name == sasl.CRAMMD5 {
				if !strings.Contains(" "+strings.Join(caps.SASL(), " ")+" ", " "+l.name+" ") {
					t.Skipf("Dovecot does not offer %s: %v", l.name, caps.SASL())
				}
			}
			if err := l.login(c); err != nil {
				t.Fatalf("login: %v\n%s", err, d.Log())
			}
			checkDovecotMailbox(t, ctx, c)
			if err := c.Quit(ctx); err != nil {
				t.Fatal(err)
			}
			if left := peers.Messages(t, d.Maildir("alice")); len(left) != 0 {
				t.Errorf("%d messages left in the maildir after DELE and QUIT", len(left))
			}
		})
	}
	t.Run("POP3S", func(t *testing.T) {
		d.Deliver(t, "alice", []byte(interopMessages[0]))
		c, err := DialTLS(ctx, d.POP3S, d.TLS.ClientConfig())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Authenticate(ctx, sasl.NewPlainClient("", "alice", peers.Password)); err != nil {
			t.Fatal(err)
		}
		got, err := c.RetrBytes(ctx, 1)
		if err != nil || string(got) != interopMessages[0] {
			t.Errorf("RETR = %q, %v", got, err)
		}
		// QUIT without DELE keeps the message.
		if err := c.Quit(ctx); err != nil {
			t.Fatal(err)
		}
		if left := peers.Messages(t, d.Maildir("alice")); len(left) != 1 {
			t.Errorf("%d messages in the maildir; want 1", len(left))
		}
	})
	t.Run("WrongPassword", func(t *testing.T) {
		c, err := Dial(ctx, d.POP3)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.AllowInsecureAuth = true
		if err := c.Login(ctx, "alice", "wrong"); err == nil {
			t.Fatal("login with a wrong password succeeded")
		}
	})
}

func checkDovecotMailbox(t *testing.T, ctx context.Context, c *Client) {
	t.Helper()
	n, _, err := c.Stat(ctx)
	if err != nil || n != len(interopMessages) {
		t.Fatalf("STAT = %d, %v; want %d", n, err, len(interopMessages))
	}
	list, err := c.List(ctx)
	if err != nil || len(list) != n {
		t.Fatalf("LIST = %v, %v", list, err)
	}
	uids, err := c.UIDL(ctx)
	if err != nil || len(uids) != n {
		t.Fatalf("UIDL = %v, %v", uids, err)
	}
	nums := make([]int, n)
	for i, m := range interopMessages {
		got, err := c.RetrBytes(ctx, i+1)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != m {
			t.Errorf("message %d: got %q, want %q", i+1, got, m)
		}
		if list[i].Size != int64(len(m)) {
			t.Errorf("LIST size of %d = %d; want %d", i+1, list[i].Size, len(m))
		}
		nums[i] = i + 1
	}
	r, err := c.Top(ctx, 2, 2)
	if err != nil {
		t.Fatal(err)
	}
	var top bytes.Buffer
	top.ReadFrom(r)
	if want := "From: b@example.org\r\nSubject: dots\r\n\r\n.\r\n..two dots\r\n"; top.String() != want {
		t.Errorf("TOP 2 2 = %q; want %q", top.String(), want)
	}
	if err := c.Dele(ctx, nums...); err != nil {
		t.Fatal(err)
	}
}
