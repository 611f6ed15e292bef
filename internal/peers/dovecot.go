package peers

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// mailUID and mailGID own the test maildirs: nobody, so that no daemon
// touches mail as root.
const mailUID, mailGID = 65534, 65534

// Dovecot is a private Dovecot instance serving IMAP and POP3 on
// loopback, with the accounts in Users (password Password), maildirs, and
// SASL PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-1 and SCRAM-SHA-256. Plaintext
// logins are allowed without TLS; STARTTLS and STLS are offered. IMAP
// also offers QUOTA (a 1 GiB storage quota per user, root "User quota"),
// ACL (vfile, each user owns its mailboxes), METADATA (a file dictionary
// in the user's home) and COMPRESS=DEFLATE: DovecotIMAPExtensions.
type Dovecot struct {
	IMAP, IMAPS string // addresses on 127.0.0.1
	POP3, POP3S string
	TLS         *TLS
	Dir         string // configuration, state and logs
	MailRoot    string // MailRoot/<user>/Maildir
	AuthSocket  string // for Postfix's smtpd_sasl_path
}

var instance atomic.Int64

// DovecotIMAPExtensions are the capabilities that StartDovecot's
// configuration enables beyond Dovecot's defaults; a test may fail when
// one is missing after login.
var DovecotIMAPExtensions = []string{"QUOTA", "ACL", "METADATA", "COMPRESS=DEFLATE"}

// DovecotQuotaRoot is the quota root of every user, with a STORAGE limit
// of DovecotQuotaStorageKiB.
const (
	DovecotQuotaRoot       = "User quota"
	DovecotQuotaStorageKiB = 1 << 20
)

// StartDovecot starts Dovecot and stops it when the test ends.
func StartDovecot(t testing.TB) *Dovecot {
	t.Helper()
	bin := Need(t, "dovecot", "dovecot-imapd dovecot-pop3d")
	NeedRoot(t)
	dir := tempDir(t, "dovecot")
	d := &Dovecot{
		IMAP: addr(FreePort(t)), IMAPS: addr(FreePort(t)),
		POP3: addr(FreePort(t)), POP3S: addr(FreePort(t)),
		TLS: NewTLS(t), Dir: dir, MailRoot: filepath.Join(dir, "mail"),
	}
	d.AuthSocket = filepath.Join(dir, "run", "auth-postfix")
	var users bytes.Buffer
	for _, u := range Users {
		for _, sub := range []string{"cur", "new", "tmp"} {
			if err := os.MkdirAll(filepath.Join(d.MailRoot, u, "Maildir", sub), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		fmt.Fprintf(&users, "%s:{PLAIN}%s:%d:%d::%s\n", u, Password, mailUID, mailGID, filepath.Join(d.MailRoot, u))
	}
	chownTree(t, d.MailRoot)
	for _, sub := range []string{"run", "state", "log"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	usersFile := filepath.Join(dir, "users")
	if err := os.WriteFile(usersFile, users.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	port := func(a string) string { _, p, _ := cut(a); return p }
	authOwner := ""
	if hasUser("postfix") {
		authOwner = "user = postfix\n    group = postfix"
	}
	conf := fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
instance_name = mailwire-dovecot-%[2]d-%[3]d
log_path = %[1]s/log/dovecot.log
info_log_path = %[1]s/log/dovecot.log
protocols = imap pop3
listen = 127.0.0.1
ssl = yes
ssl_cert = <%[4]s
ssl_key = <%[5]s
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5 scram-sha-1 scram-sha-256
auth_verbose = yes
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%n %[6]s
}
userdb {
  driver = passwd-file
  args = username_format=%%n %[6]s
}
first_valid_uid = %[7]d
last_valid_uid = %[7]d
mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \Sent
    auto = subscribe
  }
  mailbox Trash {
    special_use = \Trash
    auto = subscribe
  }
  mailbox Junk {
    special_use = \Junk
  }
}
pop3_uidl_format = %%08Xu%%08Xv
mail_plugins = $mail_plugins acl quota
protocol imap {
  mail_plugins = $mail_plugins imap_acl imap_quota imap_zlib
}
plugin {
  quota = count:User quota
  quota_rule = *:storage=1G
  quota_vsizes = yes
  acl = vfile
}
imap_metadata = yes
mail_attribute_dict = file:%%h/dovecot-attributes
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[8]s
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %[9]s
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = %[10]s
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = %[11]s
    ssl = yes
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0660
    %[12]s
  }
}
`, dir, os.Getpid(), instance.Add(1), d.TLS.CertFile, d.TLS.KeyFile, usersFile, mailUID,
		port(d.IMAP), port(d.IMAPS), port(d.POP3), port(d.POP3S), authOwner)
	confFile := filepath.Join(dir, "dovecot.conf")
	if err := os.WriteFile(confFile, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	// -F keeps the master in the foreground, so that the test owns it.
	cmd := exec.Command(bin, "-F", "-c", confFile)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
	})
	for _, a := range []string{d.IMAP, d.POP3} {
		waitDovecot(t, d, a, exited, &out)
	}
	return d
}

// waitDovecot waits until Dovecot listens on addr, and fails at once,
// with its log, when it exits first (a port taken since FreePort, a
// configuration error), rather than after the whole timeout.
func waitDovecot(t testing.TB, d *Dovecot, addr string, exited chan error, out *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for backoff := 5 * time.Millisecond; ; backoff = min(2*backoff, 200*time.Millisecond) {
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("dovecot exited: %v\n%s\n%s", err, out.String(), d.Log())
		default:
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on %s after 15s: %v\n%s", addr, err, d.Log())
		}
		// Dovecot gives no other sign that it is ready.
		time.Sleep(backoff)
	}
}

// Log returns Dovecot's log, for failure messages.
func (d *Dovecot) Log() string {
	b, _ := os.ReadFile(filepath.Join(d.Dir, "log", "dovecot.log"))
	return string(b)
}

// Maildir returns the user's maildir.
func (d *Dovecot) Maildir(user string) string { return filepath.Join(d.MailRoot, user, "Maildir") }

var delivered atomic.Int64

// Deliver puts msg in the user's INBOX as a new message.
func (d *Dovecot) Deliver(t testing.TB, user string, msg []byte) {
	t.Helper()
	name := fmt.Sprintf("%d.M%dP%d.mailwire", time.Now().Unix(), delivered.Add(1), os.Getpid())
	tmp := filepath.Join(d.Maildir(user), "tmp", name)
	if err := os.WriteFile(tmp, msg, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(tmp, mailUID, mailGID); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(d.Maildir(user), "new", name)); err != nil {
		t.Fatal(err)
	}
}

// Messages returns the messages in a maildir's new and cur directories,
// in name order (delivery order for Postfix and Deliver).
func Messages(t testing.TB, maildir string) [][]byte {
	t.Helper()
	var names []string
	for _, sub := range []string{"new", "cur"} {
		entries, err := os.ReadDir(filepath.Join(maildir, sub))
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		for _, e := range entries {
			names = append(names, filepath.Join(sub, e.Name()))
		}
	}
	sort.Slice(names, func(i, j int) bool { return filepath.Base(names[i]) < filepath.Base(names[j]) })
	var msgs [][]byte
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(maildir, n))
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, b)
	}
	return msgs
}

func chownTree(t testing.TB, root string) {
	t.Helper()
	err := filepath.Walk(root, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		return os.Chown(p, mailUID, mailGID)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func hasUser(name string) bool {
	_, err := user.Lookup(name)
	return err == nil
}

// cut splits host:port.
func cut(hostport string) (host, port string, ok bool) {
	i := bytes.LastIndexByte([]byte(hostport), ':')
	if i < 0 {
		return hostport, "", false
	}
	return hostport[:i], hostport[i+1:], true
}

// Port returns the port number of a 127.0.0.1:port address.
func Port(address string) int {
	_, p, _ := cut(address)
	n, _ := strconv.Atoi(p)
	return n
}
