//go:build interop

package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/peers"
)

const pyIMAPFetch = `
import imaplib, sys
host, port, user, pw, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
m = imaplib.IMAP4(host, port)
m.login(user, pw)
typ, data = m.select("INBOX")
assert typ == "OK", data
typ, data = m.uid("SEARCH", None, "ALL")
uids = data[0].split()
with open(out, "wb") as f:
    for uid in uids:
        typ, data = m.uid("FETCH", uid, "(BODY.PEEK[])")
        assert typ == "OK", data
        f.write(data[0][1])
        f.write(b"\0")
m.logout()
print(len(uids))
`

const pyPOP3RetrDele = `
import poplib, sys
host, port, user, pw, out, dele = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
p = poplib.POP3(host, port)
p.stls()  # maild always offers STLS; poplib does not check the certificate here
p.user(user)
p.pass_(pw)
count, _ = p.stat()
with open(out, "wb") as f:
    for i in range(1, count + 1):
        resp, lines, octets = p.retr(i)
        f.write(b"\r\n".join(lines) + b"\r\n")
        f.write(b"\0")
        if dele == "yes":
            p.dele(i)
p.quit()
print(count)
`

func split(t *testing.T, file string) []string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(string(b), "\x00")
	return parts[:len(parts)-1]
}

func hostPort(a string) (string, string) {
	h, p, _ := net.SplitHostPort(a)
	return h, p
}

// TestInteropMaildEndToEnd sends with curl and swaks, reads with Python's
// imaplib and poplib and with curl, deletes with POP3 and sees the message
// gone in IMAP, comparing every byte.
func TestInteropMaildEndToEnd(t *testing.T) {
	curl := peers.Need(t, "curl", "curl")
	swaks := peers.Need(t, "swaks", "swaks")
	py := peers.Python(t, "imaplib", "poplib")
	a, _, _, _ := startMaild(t, &config{Users: map[string]string{"alice": "pw", "bob": "pw2"}})
	dir := t.TempDir()

	msg1 := "From: bob@example.test\r\nTo: alice@example.test\r\nSubject: via curl\r\n\r\n..a stuffed dot line\r\nplain line\r\n"
	file := filepath.Join(dir, "msg1.eml")
	os.WriteFile(file, []byte(msg1), 0o644)
	if out, err := peers.Command(t, 30*time.Second, curl, "-sS", "smtp://"+a.SMTP,
		"--mail-from", "bob@example.test", "--mail-rcpt", "alice@example.test", "--upload-file", file); err != nil {
		t.Fatalf("curl smtp: %v\n%s", err, out)
	}

	// swaks with STARTTLS and AUTH PLAIN, as a submission client.
	msg2 := "From: bob@example.test\r\nTo: alice@example.test\r\nSubject: via swaks\r\n\r\nsecond message\r\n"
	file2 := filepath.Join(dir, "msg2.eml")
	// swaks ends the data with CRLF "." CRLF after the file's last byte,
	// so the file leaves out the final CRLF that the message has.
	os.WriteFile(file2, []byte(strings.TrimSuffix(msg2, "\r\n")), 0o644)
	host, port := hostPort(a.SMTP)
	if out, err := peers.Command(t, 30*time.Second, swaks, "--server", host, "--port", port,
		"--from", "bob@example.test", "--to", "alice@example.test", "--tls",
		"--auth", "PLAIN", "--auth-user", "bob", "--auth-password", "pw2",
		"--data", "@"+file2, "--suppress-data"); err != nil {
		t.Fatalf("swaks: %v\n%s", err, out)
	}
	want := []string{msg1, msg2}

	// Python imaplib sees both, byte for byte.
	out := filepath.Join(dir, "imap.out")
	ih, ip := hostPort(a.IMAP)
	if o, err := peers.Command(t, 30*time.Second, py, "-c", pyIMAPFetch, ih, ip, "alice", "pw", out); err != nil {
		t.Fatalf("imaplib: %v\n%s", err, o)
	}
	if got := split(t, out); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("imaplib fetched %q, want %q", got, want)
	}

	// curl reads the first message over IMAP and over POP3.
	for _, url := range []string{"imap://" + a.IMAP + "/INBOX;UID=1", "pop3://" + a.POP3 + "/1"} {
		o, err := peers.Command(t, 30*time.Second, curl, "-sS", "-u", "alice:pw", url)
		if err != nil || string(o) != msg1 {
			t.Fatalf("curl %s: %v\n%q", url, err, o)
		}
	}

	// poplib retrieves both over STLS and deletes them.
	out = filepath.Join(dir, "pop.out")
	ph, pp := hostPort(a.POP3)
	if o, err := peers.Command(t, 30*time.Second, py, "-c", pyPOP3RetrDele, ph, pp, "alice", "pw", out, "yes"); err != nil {
		t.Fatalf("poplib: %v\n%s", err, o)
	}
	if got := split(t, out); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("poplib retrieved %q, want %q", got, want)
	}

	// Deleted by POP3, gone from IMAP.
	out = filepath.Join(dir, "imap2.out")
	o, err := peers.Command(t, 30*time.Second, py, "-c", pyIMAPFetch, ih, ip, "alice", "pw", out)
	if err != nil || !bytes.Equal(bytes.TrimSpace(o), []byte("0")) {
		t.Fatalf("after POP3 DELE, imaplib: %v %q", err, o)
	}
}
