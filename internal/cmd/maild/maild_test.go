package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/sasl"
	"github.com/mailwire/mailwire/smtp"
)

// startMaild runs maild on free loopback ports until the test ends.
func startMaild(t *testing.T, cfg *config) (addrs, *store, context.CancelFunc, <-chan struct{}) {
	t.Helper()
	if cfg == nil {
		cfg = &config{Users: map[string]string{"alice": "pw", "bob": "pw2"}}
	}
	cfg.SMTP, cfg.IMAP, cfg.POP3 = "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0"
	if cfg.Domain == "" {
		cfg.Domain = "example.test"
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = 5 * time.Second
	}
	ctx, cancel := context.WithCancel(context.Background())
	readyc := make(chan struct{})
	var a addrs
	var st *store
	done := make(chan struct{})
	var runErr error
	var out bytes.Buffer
	go func() {
		defer close(done)
		runErr = run(ctx, cfg, &out, slog.New(slog.DiscardHandler), func(b addrs, s *store) {
			a, st = b, s
			close(readyc)
		})
	}()
	select {
	case <-readyc:
	case <-done:
		t.Fatalf("maild did not start: %v", runErr)
	}
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("maild did not stop")
		}
	})
	return a, st, cancel, done
}

const testMessage = "From: bob@example.test\r\nTo: alice@example.test\r\nSubject: =?utf-8?q?gr=C3=BC=C3=9Fe?=\r\n\r\n.a line that starts with a dot\r\nbytes: \x01\x7f\r\n"

func sendOptions() *smtp.SendOptions {
	return &smtp.SendOptions{Client: smtp.ClientOptions{TLSConfig: &tls.Config{InsecureSkipVerify: true}}}
}

// imapLines runs a raw IMAP dialogue and returns everything the server
// said, up to each command's tagged reply.
func imapLines(t *testing.T, addr string, cmds ...string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	var all strings.Builder
	line, err := br.ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	all.WriteString(line)
	for i, cmd := range cmds {
		tag := fmt.Sprintf("t%d", i)
		fmt.Fprintf(c, "%s %s\r\n", tag, cmd)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatalf("%s: %v (so far %q)", cmd, err, all.String())
			}
			all.WriteString(line)
			if strings.HasPrefix(line, tag+" ") {
				if !strings.HasPrefix(line, tag+" OK") {
					t.Fatalf("%s: %q", cmd, line)
				}
				break
			}
		}
	}
	return all.String()
}

func TestSMTPDeliveryIsReadByPOP3AndIMAP(t *testing.T) {
	a, _, _, _ := startMaild(t, nil)
	ctx := context.Background()
	if err := smtp.SendMail(ctx, a.SMTP, "bob@example.test", []string{"alice@example.test"}, strings.NewReader(testMessage), sendOptions()); err != nil {
		t.Fatal(err)
	}

	imap := imapLines(t, a.IMAP, "LOGIN alice pw", "SELECT INBOX", "UID FETCH 1 BODY.PEEK[]")
	lit := fmt.Sprintf("BODY[] {%d}\r\n", len(testMessage))
	i := strings.Index(imap, lit)
	if i < 0 || !strings.HasPrefix(imap[i+len(lit):], testMessage) {
		t.Fatalf("IMAP did not return the message byte for byte:\n%q", imap)
	}

	pc, err := pop3.Dial(ctx, a.POP3)
	if err != nil {
		t.Fatal(err)
	}
	pc.AllowInsecureAuth = true
	if err := pc.Login(ctx, "alice", "pw"); err != nil {
		t.Fatal(err)
	}
	got, err := pc.RetrBytes(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != testMessage {
		t.Fatalf("POP3 RETR:\n%q\nwant\n%q", got, testMessage)
	}
	if err := pc.Dele(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if err := pc.Quit(ctx); err != nil {
		t.Fatal(err)
	}
	if s := imapLines(t, a.IMAP, "LOGIN alice pw", "SELECT INBOX"); !strings.Contains(s, "* 0 EXISTS") {
		t.Fatalf("the message deleted by POP3 is still in IMAP:\n%s", s)
	}
}

func TestIMAPAppendIsRetrievedByPOP3(t *testing.T) {
	a, _, _, _ := startMaild(t, nil)
	c, err := net.Dial("tcp", a.IMAP)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	br.ReadString('\n')
	msg := "Subject: appended\r\n\r\nby IMAP\r\n"
	fmt.Fprintf(c, "a LOGIN bob pw2\r\nb APPEND INBOX {%d+}\r\n%s\r\n", len(msg), msg)
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(line, "b ") {
			if !strings.HasPrefix(line, "b OK") {
				t.Fatalf("APPEND: %q", line)
			}
			break
		}
	}
	ctx := context.Background()
	pc, err := pop3.Dial(ctx, a.POP3)
	if err != nil {
		t.Fatal(err)
	}
	pc.AllowInsecureAuth = true
	if err := pc.Login(ctx, "bob", "pw2"); err != nil {
		t.Fatal(err)
	}
	got, err := pc.RetrBytes(ctx, 1)
	if err != nil || string(got) != msg {
		t.Fatalf("RETR: %q, %v", got, err)
	}
	pc.Quit(ctx)
}

func TestSMTPRefusesRelayAndUnknownUsers(t *testing.T) {
	a, _, _, _ := startMaild(t, nil)
	ctx := context.Background()
	for _, rcpt := range []string{"someone@elsewhere.test", "nobody@example.test"} {
		err := smtp.SendMail(ctx, a.SMTP, "bob@example.test", []string{rcpt}, strings.NewReader(testMessage), sendOptions())
		if err == nil || !strings.Contains(err.Error(), "550") {
			t.Errorf("to %s: %v, want a 550 refusal", rcpt, err)
		}
	}
}

func TestSMTPSubmissionWithAuth(t *testing.T) {
	a, st, _, _ := startMaild(t, nil)
	ctx := context.Background()
	opts := sendOptions()
	opts.Auth = &sasl.Credentials{Username: "bob", Password: "pw2"}
	if err := smtp.SendMail(ctx, a.SMTP, "bob@example.test", []string{"alice@example.test"}, strings.NewReader(testMessage), opts); err != nil {
		t.Fatal(err)
	}
	opts.Auth = &sasl.Credentials{Username: "bob", Password: "wrong"}
	if err := smtp.SendMail(ctx, a.SMTP, "bob@example.test", []string{"alice@example.test"}, strings.NewReader(testMessage), opts); err == nil {
		t.Fatal("a wrong password was accepted")
	}
	if n := inboxCount(t, st, "alice"); n != 1 {
		t.Fatalf("alice has %d messages, want 1", n)
	}
}

func inboxCount(t *testing.T, st *store, user string) uint32 {
	t.Helper()
	s, err := st.mem.User(user).Status(context.Background(), "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	return s.Messages
}

func TestShutdownMidDataDeliversNothing(t *testing.T) {
	a, st, cancel, done := startMaild(t, &config{
		Users:           map[string]string{"alice": "pw"},
		ShutdownTimeout: 100 * time.Millisecond,
	})
	c, err := net.Dial("tcp", a.SMTP)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	expect := func(code string) {
		t.Helper()
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				t.Fatalf("want %s: %v", code, err)
			}
			if len(line) > 3 && line[3] == '-' {
				continue
			}
			if !strings.HasPrefix(line, code) {
				t.Fatalf("got %q, want %s", line, code)
			}
			return
		}
	}
	expect("220")
	for _, step := range [][2]string{{"EHLO x", "250"}, {"MAIL FROM:<bob@example.test>", "250"}, {"RCPT TO:<alice@example.test>", "250"}, {"DATA", "354"}} {
		fmt.Fprintf(c, "%s\r\n", step[0])
		expect(step[1])
	}
	io.WriteString(c, "Subject: half\r\n\r\nthe first half of a message")
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("maild did not stop")
	}
	if n := inboxCount(t, st, "alice"); n != 0 {
		t.Fatalf("a half-sent message was delivered (%d messages)", n)
	}
}

func TestParseFlags(t *testing.T) {
	cfg, err := parseFlags([]string{"-user", "a:b", "-user", "c:d:e", "-smtp", "", "-domain", "x.test"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Users["a"] != "b" || cfg.Users["c"] != "d:e" || cfg.SMTP != "" || cfg.IMAP != "127.0.0.1:1143" || cfg.Domain != "x.test" || cfg.InsecureAuth != nil {
		t.Fatalf("%+v", cfg)
	}
	cfg, err = parseFlags([]string{"-insecure-auth=false"}, io.Discard)
	if err != nil || cfg.InsecureAuth == nil || *cfg.InsecureAuth {
		t.Fatalf("-insecure-auth=false: %+v %v", cfg, err)
	}
	for _, bad := range [][]string{{"-user", "nopass"}, {"-user", "a@b:c"}, {"-tls-cert", "x"}, {"extra"}} {
		if _, err := parseFlags(bad, io.Discard); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestAllLoopback(t *testing.T) {
	if !allLoopback("127.0.0.1:25", "", "[::1]:143", "localhost:110") {
		t.Error("loopback addresses not recognised")
	}
	if allLoopback("127.0.0.1:25", "0.0.0.0:143") || allLoopback(":25") {
		t.Error("a non-loopback address taken for loopback")
	}
}
