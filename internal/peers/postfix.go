package peers

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Postfix is a private Postfix instance on loopback. SMTP is an MX-style
// smtpd (no AUTH, STARTTLS offered) accepting mail for the accounts in
// Users at Domain, which it delivers into maildirs under MailRoot;
// anything@sink.<Domain> is queued and discarded; every other destination
// is refused or bounced, so nothing leaves the machine. Submission, when
// a Dovecot was given for its SASL, requires STARTTLS and then AUTH.
type Postfix struct {
	SMTP       string // 127.0.0.1:port
	Submission string // "" without Dovecot
	TLS        *TLS
	Dir        string
	MailRoot   string // MailRoot/<user>/Maildir
}

// StartPostfix starts Postfix and stops it when the test ends. With a
// Dovecot, Submission authenticates through it and delivers into its
// maildirs, so that Dovecot serves what Postfix received.
func StartPostfix(t testing.TB, auth ...*Dovecot) *Postfix {
	t.Helper()
	var d *Dovecot
	if len(auth) > 0 {
		d = auth[0]
	}
	return startPostfix(t, d, "")
}

// LMTPDomain is the domain that StartPostfixLMTP relays over LMTP.
const LMTPDomain = "lmtp." + Domain

// StartPostfixLMTP starts Postfix as StartPostfix does, and has it relay
// mail for anyone@LMTPDomain through its lmtp client to the LMTP server
// at lmtpAddr ("127.0.0.1:port").
func StartPostfixLMTP(t testing.TB, lmtpAddr string) *Postfix {
	t.Helper()
	return startPostfix(t, nil, lmtpAddr)
}

func startPostfix(t testing.TB, dovecot *Dovecot, lmtpAddr string) *Postfix {
	t.Helper()
	bin := Need(t, "postfix", "postfix")
	NeedRoot(t)
	if !hasUser("postfix") {
		missing(t, "the postfix user is missing: apt-get install postfix")
	}
	dir := tempDir(t, "postfix")
	p := &Postfix{SMTP: addr(FreePort(t)), TLS: NewTLS(t), Dir: dir, MailRoot: filepath.Join(dir, "mail")}
	if dovecot != nil {
		p.MailRoot = dovecot.MailRoot
		p.Submission = addr(FreePort(t))
	}
	etc, queue, data := filepath.Join(dir, "etc"), filepath.Join(dir, "queue"), filepath.Join(dir, "data")
	for _, d := range []string{etc, queue, data, filepath.Join(dir, "log")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if out, err := exec.Command("chown", "postfix:postfix", data).CombinedOutput(); err != nil {
		t.Fatalf("chown: %v %s", err, out)
	}
	var vmailbox strings.Builder
	for _, u := range Users {
		for _, sub := range []string{"cur", "new", "tmp"} {
			if err := os.MkdirAll(filepath.Join(p.MailRoot, u, "Maildir", sub), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		fmt.Fprintf(&vmailbox, "%s@%s %s/Maildir/\n", u, Domain, u)
	}
	chownTree(t, p.MailRoot)
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(etc, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("vmailbox", vmailbox.String())
	transport, relayDomains := "sink."+Domain+" discard:\n", "sink."+Domain
	if lmtpAddr != "" {
		transport += LMTPDomain + " lmtp:inet:" + lmtpAddr + "\n"
		relayDomains += ", " + LMTPDomain
	}
	write("transport", transport)
	saslPath := "/nonexistent"
	if dovecot != nil {
		saslPath = dovecot.AuthSocket
	}
	write("main.cf", fmt.Sprintf(`compatibility_level = 3.6
queue_directory = %[1]s
data_directory = %[2]s
maillog_file = %[3]s/log/maillog
maillog_file_prefixes = %[3]s/log
mail_owner = postfix
setgid_group = postdrop
myhostname = mx.%[4]s
mydomain = %[4]s
myorigin = $mydomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
biff = no
alias_maps =
alias_database =
local_recipient_maps =
append_dot_mydomain = no
relayhost =
default_transport = error:mail leaves no loopback harness
relay_transport = error:mail leaves no loopback harness
transport_maps = texthash:%[5]s/transport
relay_domains = %[11]s
virtual_mailbox_domains = %[4]s
virtual_mailbox_base = %[6]s
virtual_mailbox_maps = texthash:%[5]s/vmailbox
virtual_uid_maps = static:%[7]d
virtual_gid_maps = static:%[7]d
virtual_minimum_uid = 1
smtpd_relay_restrictions = permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = reject_unlisted_recipient
message_size_limit = 52428800
virtual_mailbox_limit = 0
smtpd_client_connection_count_limit = 0
smtpd_client_connection_rate_limit = 0
default_process_limit = 200
smtpd_tls_cert_file = %[8]s
smtpd_tls_key_file = %[9]s
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = %[10]s
smtpd_sasl_auth_enable = no
`, queue, data, dir, Domain, etc, p.MailRoot, mailUID, p.TLS.CertFile, p.TLS.KeyFile, saslPath, relayDomains))
	master := fmt.Sprintf("%s inet n - n - - smtpd\n", p.SMTP)
	if p.Submission != "" {
		master += fmt.Sprintf("%s inet n - n - - smtpd\n  -o syslog_name=postfix/submission\n  -o smtpd_tls_security_level=encrypt\n  -o smtpd_sasl_auth_enable=yes\n  -o smtpd_tls_auth_only=yes\n  -o smtpd_client_restrictions=permit_sasl_authenticated,reject\n", p.Submission)
	}
	master += `pickup unix n - n 60 1 pickup
cleanup unix n - n - 0 cleanup
qmgr unix n - n 300 1 qmgr
tlsmgr unix - - n 1000? 1 tlsmgr
rewrite unix - - n - - trivial-rewrite
bounce unix - - n - 0 bounce
defer unix - - n - 0 bounce
trace unix - - n - 0 bounce
verify unix - - n - 1 verify
flush unix n - n 1000? 0 flush
proxymap unix - - n - - proxymap
proxywrite unix - - n - 1 proxymap
smtp unix - - n - - smtp
relay unix - - n - - smtp
lmtp unix - - n - - lmtp
showq unix n - n - - showq
error unix - - n - - error
retry unix - - n - - error
discard unix - - n - - discard
virtual unix - n n - - virtual
anvil unix - - n - 1 anvil
scache unix - - n - 1 scache
postlog unix-dgram n - n - 1 postlogd
`
	write("master.cf", master)
	run := func(args ...string) {
		out, err := exec.Command(bin, append([]string{"-c", etc}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("postfix %v: %v\n%s\n%s", args, err, out, p.Log())
		}
	}
	run("check")
	run("start")
	pidFile := filepath.Join(queue, "pid", "master.pid")
	t.Cleanup(func() {
		exec.Command(bin, "-c", etc, "stop").Run()
		pid := readPid(pidFile)
		deadline := time.Now().Add(10 * time.Second)
		for pid > 0 && syscall.Kill(pid, 0) == nil && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond) // the master exits asynchronously
		}
		if pid > 0 && syscall.Kill(pid, 0) == nil {
			syscall.Kill(pid, syscall.SIGKILL)
		}
	})
	WaitListening(t, p.SMTP, 15*time.Second)
	if p.Submission != "" {
		WaitListening(t, p.Submission, 15*time.Second)
	}
	return p
}

func readPid(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(string(bytes.TrimSpace(b)))
	return n
}

// Log returns Postfix's log, for failure messages.
func (p *Postfix) Log() string {
	b, _ := os.ReadFile(filepath.Join(p.Dir, "log", "maillog"))
	return string(b)
}

// Maildir returns the maildir Postfix delivers the user's mail into.
func (p *Postfix) Maildir(user string) string { return filepath.Join(p.MailRoot, user, "Maildir") }

// WaitMessages waits until the user's maildir holds at least n messages
// and returns them all.
func (p *Postfix) WaitMessages(t testing.TB, user string, n int) [][]byte {
	t.Helper()
	var msgs [][]byte
	Eventually(t, 30*time.Second, fmt.Sprintf("%d messages for %s (log:\n%s)", n, user, p.Log()), func() bool {
		msgs = Messages(t, p.Maildir(user))
		return len(msgs) >= n
	})
	return msgs
}

// StartSMTPSink starts Postfix's smtp-sink, which accepts and discards
// every message, and returns its address. Extra flags go before the
// address (for example "-L" for LMTP).
func StartSMTPSink(t testing.TB, flags ...string) string {
	t.Helper()
	bin := Need(t, "smtp-sink", "postfix")
	a := addr(FreePort(t))
	args := append([]string{}, flags...)
	if os.Geteuid() == 0 {
		args = append(args, "-u", "postfix")
	}
	args = append(args, "-h", "sink."+Domain, a, "1024")
	cmd := exec.Command(bin, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-exited
	})
	WaitListening(t, a, 10*time.Second)
	return a
}
