//go:build interop

package imapserver_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/imap/imapserver"
	"github.com/mailwire/mailwire/internal/peers"
)

// startServer serves alice's store (18 messages) on 127.0.0.1, with
// STARTTLS on a self-signed certificate.
func startServer(t *testing.T) (addr string, be *imapmem.Backend, cert *peers.TLS) {
	t.Helper()
	be = newBackend(t, 18)
	cert = peers.NewTLS(t)
	srv := newServer(be)
	srv.TLSConfig = cert.ServerConfig()
	if os.Getenv("IMAP_DEBUG") != "" {
		srv.DebugWriter = os.Stderr
	}
	return serveTCP(t, srv), be, cert
}

// storedMessage returns the bytes of INBOX message uid as the store has it.
func storedMessage(t *testing.T, be *imapmem.Backend, mailbox string, uid uint32) []byte {
	t.Helper()
	u, err := be.Login(context.Background(), "alice", "secret")
	if err != nil {
		t.Fatal(err)
	}
	mb, err := u.Open(context.Background(), mailbox, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	var out []byte
	mb.Fetch(context.Background(), []uint32{uid}, func(m imapserver.Message) error {
		r, _ := m.Body()
		out = make([]byte, m.Size())
		r.ReadAt(out, 0)
		return nil
	})
	if out == nil {
		t.Fatalf("no message %d in %s", uid, mailbox)
	}
	return out
}

const pythonClient = `
import imaplib, json, sys
host, port = sys.argv[1], int(sys.argv[2])
out = {}
M = imaplib.IMAP4(host, port)
out["login"] = M.login("alice", "secret")[0]
typ, lst = M.list()
out["list"] = [x.decode() for x in lst]
typ, data = M.select("INBOX")
out["exists"] = int(data[0])
typ, data = M.search(None, "SUBJECT", '"message 3"')
out["search"] = data[0].decode()
typ, data = M.fetch("3", "(RFC822)")
out["fetch3"] = data[0][1].decode("latin-1")
typ, data = M.uid("FETCH", "12", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
out["header12"] = data[0][1].decode("latin-1")
out["store"] = [x.decode() for x in M.store("2", "+FLAGS", "(\\Deleted \\Flagged)")[1]]
out["copy"] = M.copy("1:2", "Trash")[0]
out["expunge"] = [x.decode() for x in M.expunge()[1] if x]
msg = b"From: python@example.org\r\nSubject: from imaplib\r\n\r\nappended\r\n"
out["append"] = M.append("INBOX", "(\\Seen)", None, msg)[0]
typ, data = M.search(None, "ALL")
out["all"] = data[0].decode()
typ, data = M.status("Trash", "(MESSAGES)")
out["status"] = data[0].decode()
if hasattr(M, "idle"):
    with M.idle(duration=0.2) as idler:
        for resp in idler:
            pass
    out["idle"] = "OK"
M.close()
out["logout"] = M.logout()[0]
print(json.dumps(out))
`

func TestInteropPythonImaplib(t *testing.T) {
	py := peers.Python(t, "imaplib")
	addr, be, _ := startServer(t)
	host, port, _ := net.SplitHostPort(addr)
	outb, err := peers.Command(t, 30*time.Second, py, "-c", pythonClient, host, port)
	if err != nil {
		t.Fatalf("python: %v\n%s", err, outb)
	}
	var out map[string]any
	if err := json.Unmarshal(outb[bytes.LastIndexByte(bytes.TrimSpace(outb), '\n')+1:], &out); err != nil {
		t.Fatalf("python output: %v\n%s", err, outb)
	}
	want := map[string]any{
		"login": "OK", "exists": float64(18), "search": "3", "copy": "OK",
		"append": "OK", "logout": "BYE", "status": "Trash (MESSAGES 2)",
	}
	for k, v := range want {
		if out[k] != v {
			t.Errorf("%s = %v, want %v", k, out[k], v)
		}
	}
	if got, want := out["fetch3"], string(storedMessage(t, be, "INBOX", 3)); got != want {
		t.Errorf("FETCH RFC822 differs:\n%q\n%q", got, want)
	}
	if got := out["header12"]; got != "Subject: IMAP4rev2 WG mtg summary and minutes\r\n\r\n" {
		t.Errorf("header fields: %q", got)
	}
	if fmt.Sprint(out["expunge"]) != "[2]" {
		t.Errorf("expunge: %v", out["expunge"])
	}
	if all := strings.Fields(out["all"].(string)); len(all) != 18 {
		t.Errorf("SEARCH ALL after expunge and append: %v", all)
	}
	if len(out["list"].([]any)) != 3 {
		t.Errorf("list: %v", out["list"])
	}
}

func TestInteropCurl(t *testing.T) {
	curl := peers.Need(t, "curl", "curl")
	addr, be, cert := startServer(t)
	base := "imap://" + addr
	run := func(args ...string) string {
		t.Helper()
		args = append([]string{"-sS", "--user", "alice:secret", "--max-time", "20"}, args...)
		out, err := peers.Command(t, 30*time.Second, curl, args...)
		if err != nil {
			t.Fatalf("curl %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	list := run(base + "/")
	for _, mb := range []string{"INBOX", "Sent", "Trash"} {
		if !strings.Contains(list, `"/" `+mb) {
			t.Errorf("LIST lacks %s:\n%s", mb, list)
		}
	}
	if got, want := run(base+"/INBOX;UID=12"), string(storedMessage(t, be, "INBOX", 12)); got != want {
		t.Errorf("fetch differs: got %d bytes, want %d", len(got), len(want))
	}
	if got := run(base + "/INBOX?SUBJECT%20%22message%205%22"); strings.TrimSpace(got) != "* SEARCH 5" {
		t.Errorf("search: %q", got)
	}
	// STARTTLS, required.
	if got, want := run("--ssl-reqd", "--cacert", cert.CAFile, base+"/INBOX;UID=13"), string(storedMessage(t, be, "INBOX", 13)); got != want {
		t.Errorf("fetch over STARTTLS differs")
	}
}

func maildirFiles(t *testing.T, dir string) map[string][]byte {
	out := map[string][]byte{}
	for _, sub := range []string{"new", "cur"} {
		ents, _ := os.ReadDir(filepath.Join(dir, sub))
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(dir, sub, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			out[e.Name()] = b
		}
	}
	return out
}

var tuidRE = regexp.MustCompile(`(?m)^X-TUID: .*\n`)

func TestInteropMbsyncBothWaysTwice(t *testing.T) {
	mbsync := peers.Need(t, "mbsync", "isync")
	addr, be, cert := startServer(t)
	host, port, _ := net.SplitHostPort(addr)
	dir := t.TempDir()
	rc := filepath.Join(dir, "mbsyncrc")
	os.WriteFile(rc, []byte(fmt.Sprintf(`IMAPAccount alice
Host %s
Port %s
User alice
Pass secret
SSLType STARTTLS
CertificateFile %s

IMAPStore far
Account alice

MaildirStore near
Path %s/mail/
Inbox %s/mail/INBOX
SubFolders Verbatim

Channel alice
Far :far:
Near :near:
Patterns INBOX
Create Both
Sync All
SyncState *
`, host, port, cert.CertFile, dir, dir)), 0o600)
	os.MkdirAll(filepath.Join(dir, "mail"), 0o700)
	sync := func() string {
		out, err := peers.Command(t, 60*time.Second, mbsync, "-c", rc, "-V", "alice")
		if err != nil {
			t.Fatalf("mbsync: %v\n%s", err, out)
		}
		return string(out)
	}
	sync()
	inbox := filepath.Join(dir, "mail", "INBOX")
	files := maildirFiles(t, inbox)
	if len(files) != 18 {
		t.Fatalf("pulled %d messages, want 18", len(files))
	}
	// Byte for byte what the server holds.
	stored := map[string]bool{}
	for uid := uint32(1); uid <= 18; uid++ {
		stored[string(storedMessage(t, be, "INBOX", uid))] = true
	}
	for name, b := range files {
		// mbsync stores LF line ends and adds its X-TUID field: undo both.
		b = tuidRE.ReplaceAll(b, nil)
		b = bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
		if !stored[string(b)] {
			t.Errorf("%s differs from every stored message: %q", name, b[:min(len(b), 300)])
		}
	}
	// A local message goes up.
	local := "From: near@example.org\r\nSubject: from mbsync\r\nMessage-ID: <near@example.org>\r\n\r\nlocal\r\n"
	os.WriteFile(filepath.Join(inbox, "new", "1700000000.local.host"), []byte(local), 0o600)
	sync()
	st, _ := be.User("alice").Status(context.Background(), "INBOX")
	if st.Messages != 19 {
		t.Fatalf("server has %d messages after push, want 19", st.Messages)
	}
	if got := storedMessage(t, be, "INBOX", 19); !bytes.Contains(got, []byte("Subject: from mbsync")) {
		t.Errorf("pushed message: %q", got)
	}
	// Second sync both ways: nothing changes on either side.
	before := maildirFiles(t, inbox)
	sync()
	after := maildirFiles(t, inbox)
	st2, _ := be.User("alice").Status(context.Background(), "INBOX")
	if st2.Messages != 19 || st2.UIDNext != st.UIDNext || len(after) != len(before) {
		t.Errorf("second sync changed something: server %d msgs (uidnext %d→%d), near %d→%d files",
			st2.Messages, st.UIDNext, st2.UIDNext, len(before), len(after))
	}
	names := func(m map[string][]byte) []string {
		var s []string
		for k := range m {
			s = append(s, k)
		}
		sort.Strings(s)
		return s
	}
	if fmt.Sprint(names(before)) != fmt.Sprint(names(after)) {
		t.Errorf("maildir names changed:\n%v\n%v", names(before), names(after))
	}
}
