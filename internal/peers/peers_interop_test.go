//go:build interop

package peers

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"
)

// dialog sends each command and checks that its reply starts as expected;
// the first expectation is for the greeting.
func dialog(t *testing.T, address string, steps ...[2]string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", address, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(20 * time.Second))
	br := bufio.NewReader(c)
	for _, st := range steps {
		if st[0] != "" {
			fmt.Fprintf(c, "%s\r\n", st[0])
		}
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatalf("after %q: %v", st[0], err)
			}
			// Skip SMTP continuation lines and IMAP untagged data.
			if len(line) > 3 && line[3] == '-' {
				continue
			}
			if !strings.HasPrefix(line, st[1]) {
				t.Fatalf("after %q: got %q, want %q...", st[0], line, st[1])
			}
			break
		}
	}
}

func TestInteropDovecotServesDeliveredMail(t *testing.T) {
	d := StartDovecot(t)
	d.Deliver(t, "alice", []byte("Subject: hi\r\n\r\nhello\r\n"))
	dialog(t, d.POP3,
		[2]string{"", "+OK"},
		[2]string{"USER alice", "+OK"},
		[2]string{"PASS " + Password, "+OK"},
		[2]string{"STAT", "+OK 1 "},
		[2]string{"QUIT", "+OK"})
	dialog(t, d.IMAP,
		[2]string{"", "* OK"},
		[2]string{"a LOGIN alice " + Password, "a OK"},
		[2]string{"b LOGOUT", "* BYE"})
}

func TestInteropPostfixDeliversToMaildir(t *testing.T) {
	d := StartDovecot(t)
	p := StartPostfix(t, d)
	dialog(t, p.SMTP,
		[2]string{"", "220"},
		[2]string{"EHLO test", "250"},
		[2]string{"MAIL FROM:<x@example.test>", "250"},
		[2]string{"RCPT TO:<bob@" + Domain + ">", "250"},
		[2]string{"RCPT TO:<nobody@elsewhere.test>", "554"},
		[2]string{"DATA", "354"},
		[2]string{"Subject: interop\r\n\r\nbody line\r\n.", "250"},
		[2]string{"QUIT", "221"})
	msgs := p.WaitMessages(t, "bob", 1)
	if !bytes.Contains(msgs[0], []byte("\nbody line\n")) {
		t.Fatalf("delivered message: %q", msgs[0])
	}
	// Dovecot serves what Postfix delivered.
	dialog(t, d.POP3,
		[2]string{"", "+OK"},
		[2]string{"USER bob", "+OK"},
		[2]string{"PASS " + Password, "+OK"},
		[2]string{"STAT", "+OK 1 "})
}

func TestInteropSMTPSinkAccepts(t *testing.T) {
	a := StartSMTPSink(t)
	dialog(t, a,
		[2]string{"", "220"},
		[2]string{"EHLO test", "250"},
		[2]string{"MAIL FROM:<x@example.test>", "250"},
		[2]string{"RCPT TO:<y@sink.harness.test>", "250"},
		[2]string{"DATA", "354"},
		[2]string{"x\r\n.", "250"})
}

func TestInteropTLSConfigsHandshake(t *testing.T) {
	c := NewTLS(t)
	if c.ClientConfig().RootCAs == nil || len(c.ServerConfig().Certificates) != 1 {
		t.Fatal("incomplete TLS configs")
	}
}
