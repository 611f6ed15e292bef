package smtp

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

// lmtpBackend gives each recipient its own result.
type lmtpBackend struct{ testBackend }

type lmtpSession struct{ *testSession }

func (b *lmtpBackend) NewSession(c *Conn) (Session, error) {
	s, _ := b.testBackend.NewSession(c)
	return lmtpSession{s.(*testSession)}, nil
}

func (s lmtpSession) LMTPData(r io.Reader, status StatusCollector) error {
	if _, err := io.ReadAll(r); err != nil {
		return err
	}
	for _, to := range s.cur.To {
		if strings.HasPrefix(to, "full") {
			status.SetStatus(to, &Error{Code: 452, EnhancedCode: EnhancedCode{4, 2, 2}, Message: "mailbox full"})
		} else if strings.HasPrefix(to, "ok") {
			status.SetStatus(to, nil)
		}
	}
	// Recipients without a status get this.
	return &Error{Code: 550, EnhancedCode: EnhancedCode{5, 1, 1}, Message: "unknown"}
}

func TestLMTPPerRecipientReplies(t *testing.T) {
	for _, cmd := range []string{"DATA", "BDAT"} {
		t.Run(cmd, func(t *testing.T) {
			srv := newTestServer(&lmtpBackend{})
			srv.LMTP = true
			c := dial(t, srv)
			c.cmd("LHLO bar.com", "250")
			c.cmd("MAIL FROM:<a@bar.com>", "250")
			for _, r := range []string{"ok1@foo.com", "full@foo.com", "other@foo.com", "ok2@foo.com"} {
				c.cmd("RCPT TO:<"+r+">", "250")
			}
			if cmd == "DATA" {
				c.cmd("DATA", "354")
				c.write("hello\r\n.\r\n")
			} else {
				c.write("BDAT 7 LAST\r\nhello\r\n")
			}
			for _, want := range []string{"250 2.0.0", "452 4.2.2 mailbox full", "550 5.1.1 unknown", "250 2.0.0"} {
				c.expect(want)
			}
			c.cmd("NOOP", "250")
		})
	}
}

func TestLMTPMessageTooBigAnswersEachRecipient(t *testing.T) {
	srv := newTestServer(&lmtpBackend{})
	srv.LMTP = true
	srv.Limits.MaxMessageBytes = 4
	c := dial(t, srv)
	c.cmd("LHLO bar.com", "250")
	c.cmd("MAIL FROM:<a@bar.com>", "250")
	c.cmd("RCPT TO:<ok1@foo.com>", "250")
	c.cmd("RCPT TO:<ok2@foo.com>", "250")
	c.cmd("DATA", "354")
	c.write("too long\r\n.\r\n")
	c.expect("552 5.3.4")
	c.expect("552 5.3.4")
	c.cmd("NOOP", "250")
}

func TestDebugWriterCopiesTraffic(t *testing.T) {
	var trace bytes.Buffer
	srv := newTestServer(&testBackend{})
	srv.DebugWriter = &trace
	c := dial(t, srv)
	c.cmd("NOOP", "250")
	c.cmd("QUIT", "221")
	<-c.done
	want := "220 foo.com ESMTP ready\r\nNOOP\r\n250 2.0.0 OK\r\nQUIT\r\n221 2.0.0 Bye\r\n"
	if trace.String() != want {
		t.Errorf("trace %q, want %q", trace.String(), want)
	}
}

func TestLimitsDefaults(t *testing.T) {
	got := (&Limits{}).withDefaults()
	want := Limits{DefaultMaxLineLength, DefaultMaxAuthLineLength, DefaultMaxMessageBytes, DefaultMaxRecipients, DefaultMaxBadCommands,
		DefaultMaxAuthFailures, DefaultAuthFailureDelay, DefaultCommandTimeout, DefaultDataTimeout, DefaultWriteTimeout}
	if got != want {
		t.Errorf("defaults %+v, want %+v", got, want)
	}
	srv := newTestServer(&testBackend{})
	c := dial(t, srv)
	if ehlo := c.cmd("EHLO bar.com", "250"); !strings.Contains(ehlo, "SIZE 33554432") {
		t.Errorf("EHLO reply:\n%s", ehlo)
	}
}

func TestEHLOAdvertisesOnlyWhatIsEnabled(t *testing.T) {
	srv := newTestServer(&testBackend{})
	srv.DisableChunking = true
	srv.EnableBINARYMIME = true // needs CHUNKING: not offered
	srv.AdvertiseLimits = true
	srv.Limits.MaxRecipients = 50
	srv.EnableDELIVERBY = true
	srv.DeliverByMin = 60e9
	c := dial(t, srv)
	ehlo := c.cmd("EHLO bar.com", "250")
	for _, bad := range []string{"CHUNKING", "BINARYMIME", "AUTH", "STARTTLS", "SMTPUTF8", "DSN", "REQUIRETLS", "XCLIENT"} {
		if strings.Contains(ehlo, bad) {
			t.Errorf("%s offered:\n%s", bad, ehlo)
		}
	}
	for _, good := range []string{"LIMITS RCPTMAX=50", "DELIVERBY 60", "PIPELINING", "ENHANCEDSTATUSCODES"} {
		if !strings.Contains(ehlo, good) {
			t.Errorf("%s missing:\n%s", good, ehlo)
		}
	}
	c.cmd("BDAT 1 LAST", "502")
}
