//go:build interop

package smtp

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/peers"
	"github.com/mailwire/mailwire/sasl"
)

// Our client against software nobody here wrote: Postfix (smtpd and
// smtp-sink) and Python's aiosmtpd.

func clientInteropBody(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: <sender@example.org>\r\nTo: <alice@%s>\r\nSubject: interop %d\r\nDate: Mon, 01 Jan 2024 08:00:00 +0000\r\nMessage-ID: <%d.interop@example.org>\r\n\r\n", peers.Domain, n, n)
	for i := 0; i < 40; i++ {
		if i%9 == 0 {
			b.WriteString(".")
		}
		fmt.Fprintf(&b, "line %d of message %d\r\n", i, n)
	}
	b.WriteString(".\r\n")
	return b.String()
}

// delivered reports whether a message Postfix delivered ends with body
// (Postfix prepends Return-Path, Delivered-To and Received fields).
func clientDelivered(msgs [][]byte, body string) bool {
	want := []byte(strings.ReplaceAll(body, "\r\n", "\n"))
	for _, m := range msgs {
		if bytes.HasSuffix(bytes.ReplaceAll(m, []byte("\r\n"), []byte("\n")), want) {
			return true
		}
	}
	return false
}

func TestClientInteropPostfix(t *testing.T) {
	p := peers.StartPostfix(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for i, tt := range []struct {
		name string
		tls  bool
		opts SendOptions
	}{
		{"plain DATA", false, SendOptions{NoChunking: true}},
		{"plain BDAT", false, SendOptions{}},
		{"STARTTLS DATA", true, SendOptions{NoChunking: true}},
		{"STARTTLS BDAT", true, SendOptions{}},
		{"BDAT in several chunks", false, SendOptions{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := (&ClientOptions{LocalName: "client.example"}).Dial(ctx, p.SMTP)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, ok := c.Extension("PIPELINING"); !ok {
				t.Errorf("Postfix offers no PIPELINING: %v", c.Extensions())
			}
			if tt.tls {
				if err := c.StartTLS(ctx, p.TLS.ClientConfig()); err != nil {
					t.Fatal(err)
				}
			}
			body := clientInteropBody(i)
			if tt.name == "BDAT in several chunks" {
				// About 3 chunks of DefaultChunkSize, sent pipelined.
				body += strings.Repeat("a longer body, to fill several chunks of BDAT\r\n", 8000)
			}
			to := []string{"alice@" + peers.Domain, "nobody@elsewhere.example", "bob@" + peers.Domain}
			err = c.SendMail(ctx, "sender@example.org", to, strings.NewReader(body), &tt.opts)
			var re *RecipientsError
			if !errors.As(err, &re) || len(re.Failed) != 1 || re.Failed[0].Rcpt != "nobody@elsewhere.example" {
				t.Fatalf("SendMail: %v\n%s", err, p.Log())
			}
			var e *Error
			if !errors.As(re.Failed[0].Err, &e) || e.Code/100 != 5 {
				t.Errorf("relay refusal: %v", re.Failed[0].Err)
			}
			// A RSET queued with the next group, then a NOOP.
			if err := c.Reset(ctx); err != nil {
				t.Fatal(err)
			}
			if err := c.Noop(ctx); err != nil {
				t.Fatal(err)
			}
			if err := c.Quit(ctx); err != nil {
				t.Fatal(err)
			}
			for _, u := range []string{"alice", "bob"} {
				msgs := p.WaitMessages(t, u, i+1)
				if !clientDelivered(msgs, body) {
					t.Errorf("%s: message not delivered intact; got %d messages, last:\n%s", u, len(msgs), msgs[len(msgs)-1])
				}
			}
		})
	}
}

func TestClientInteropPostfixSubmissionAuth(t *testing.T) {
	d := peers.StartDovecot(t)
	p := peers.StartPostfix(t, d)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	body := clientInteropBody(100)
	// SendMail upgrades with STARTTLS, then logs in with the strongest
	// mechanism Postfix (through Dovecot) offers.
	err := SendMail(ctx, p.Submission, "alice@"+peers.Domain, []string{"bob@" + peers.Domain}, strings.NewReader(body), &SendOptions{
		Client:          ClientOptions{LocalName: "client.example", TLSConfig: p.TLS.ClientConfig()},
		Auth:            &sasl.Credentials{Username: "alice", Password: peers.Password},
		RequireStartTLS: true,
	})
	if err != nil {
		t.Fatalf("SendMail: %v\n%s", err, p.Log())
	}
	if msgs := p.WaitMessages(t, "bob", 1); !clientDelivered(msgs, body) {
		t.Errorf("message not delivered intact:\n%s", msgs[0])
	}
	// A wrong password is a 535.
	c, err := (&ClientOptions{LocalName: "client.example"}).Dial(ctx, p.Submission)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.StartTLS(ctx, p.TLS.ClientConfig()); err != nil {
		t.Fatal(err)
	}
	t.Logf("mechanisms over TLS: %v", c.AuthMechanisms())
	err = c.Auth(ctx, sasl.NewPlainClient("", "alice", "wrong"))
	var e *Error
	if !errors.As(err, &e) || e.Code != 535 {
		t.Errorf("wrong password: %v", err)
	}
}

func TestClientInteropSMTPSink(t *testing.T) {
	for _, lmtp := range []bool{false, true} {
		t.Run(fmt.Sprintf("LMTP=%v", lmtp), func(t *testing.T) {
			var flags []string
			if lmtp {
				flags = append(flags, "-L")
			}
			addr := peers.StartSMTPSink(t, flags...)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			c, err := (&ClientOptions{LocalName: "client.example", LMTP: lmtp}).Dial(ctx, addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			body := clientInteropBody(1)
			for i := 0; i < 200; i++ {
				if err := c.SendMail(ctx, "a@example.org", []string{"b@example.net", "c@example.net"}, strings.NewReader(body), nil); err != nil {
					t.Fatalf("message %d: %v", i, err)
				}
				// Queued, and pipelined ahead of the next MAIL.
				if err := c.Reset(ctx); err != nil {
					t.Fatalf("RSET %d: %v", i, err)
				}
			}
			if err := c.Quit(ctx); err != nil {
				t.Fatal(err)
			}
		})
	}
}

const clientAiosmtpdServer = `
import asyncio, os, sys
from aiosmtpd.controller import Controller

class Handler:
    def __init__(self, out):
        self.out, self.n = out, 0
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith('bad@'):
            return '550 5.1.1 no such user'
        envelope.rcpt_tos.append(address)
        return '250 OK'
    async def handle_DATA(self, server, session, envelope):
        self.n += 1
        name = os.path.join(self.out, '%04d' % self.n)
        with open(name + '.tmp', 'wb') as f:
            f.write(('%s\n%s\n' % (envelope.mail_from, ','.join(envelope.rcpt_tos))).encode())
            f.write(envelope.original_content)
        os.rename(name + '.tmp', name)
        return '250 2.0.0 OK'

c = Controller(Handler(sys.argv[2]), hostname='127.0.0.1', port=int(sys.argv[1]), decode_data=False)
c.start()
print('ready', flush=True)
sys.stdin.read()
c.stop()
`

func TestClientInteropAiosmtpd(t *testing.T) {
	py := peers.Python(t, "aiosmtpd")
	dir := t.TempDir()
	script := filepath.Join(dir, "server.py")
	if err := os.WriteFile(script, []byte(clientAiosmtpdServer), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		t.Fatal(err)
	}
	port := peers.FreePort(t)
	cmd := exec.Command(py, script, fmt.Sprint(port), out)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	if line, err := bufio.NewReader(stdout).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("aiosmtpd did not start: %q %v\n%s", line, err, stderr.String())
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, err := (&ClientOptions{LocalName: "client.example"}).Dial(ctx, addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	bodies := []string{clientInteropBody(1), "Subject: utf-8\r\n\r\nna\xc3\xafve \xe2\x82\xac\r\n"}
	for i, body := range bodies {
		opts := &SendOptions{}
		if i == 1 {
			opts.Mail.Body = Body8BitMIME
		}
		err := c.SendMail(ctx, "a@example.org", []string{"b@example.net", "bad@example.net"}, strings.NewReader(body), opts)
		var re *RecipientsError
		if !errors.As(err, &re) || len(re.Failed) != 1 || strings.Join(re.Accepted, ",") != "b@example.net" {
			t.Fatalf("SendMail %d: %v\n%s", i, err, stderr.String())
		}
	}
	if err := c.Quit(ctx); err != nil {
		t.Fatal(err)
	}
	for i, body := range bodies {
		got, err := os.ReadFile(filepath.Join(out, fmt.Sprintf("%04d", i+1)))
		if err != nil {
			t.Fatalf("message %d: %v\n%s", i, err, stderr.String())
		}
		want := "a@example.org\nb@example.net\n" + body
		if string(got) != want {
			t.Errorf("message %d:\n got %q\nwant %q", i, got, want)
		}
	}
}

// BenchmarkClientInteropSMTPSink compares our client with Postfix's
// smtp-source, both sending 4 KB messages to smtp-sink over 20 persistent
// connections (smtp-source -s 20 -d -l 4096). b.N messages in all.
func BenchmarkClientInteropSMTPSink(b *testing.B) {
	addr := peers.StartSMTPSink(b)
	msg := []byte(strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ!\r\n", 64))
	const sessions = 20
	b.Run("ours", func(b *testing.B) {
		ctx := context.Background()
		b.SetBytes(int64(len(msg)))
		b.ReportAllocs()
		clients := make([]*Client, sessions)
		for i := range clients {
			c, err := (&ClientOptions{LocalName: "client.example"}).Dial(ctx, addr)
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			clients[i] = c
		}
		b.ResetTimer()
		errs := make(chan error, sessions)
		for i, c := range clients {
			n := b.N / sessions
			if i < b.N%sessions {
				n++
			}
			go func() {
				r := bytes.NewReader(msg)
				for j := 0; j < n; j++ {
					r.Reset(msg)
					if err := c.SendMail(ctx, "a@example.org", []string{"b@example.net"}, r, nil); err != nil {
						errs <- err
						return
					}
				}
				errs <- nil
			}()
		}
		for range clients {
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
	})
	b.Run("smtp-source", func(b *testing.B) {
		src := peers.Need(b, "smtp-source", "postfix")
		b.SetBytes(int64(len(msg)))
		b.ResetTimer()
		out, err := peers.Command(b, 5*time.Minute, src, "-s", fmt.Sprint(sessions), "-d", "-m", fmt.Sprint(b.N), "-l", fmt.Sprint(len(msg)),
			"-f", "a@example.org", "-t", "b@example.net", addr)
		if err != nil {
			b.Fatalf("smtp-source: %v\n%s", err, out)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
	})
}

// TestClientInteropDialTLS runs DialTLS and the package-level SendMail
// over real loopback sockets, against our server with the harness's
// certificate for 127.0.0.1.
func TestClientInteropDialTLS(t *testing.T) {
	cert := peers.NewTLS(t)
	be := &e2eBackend{}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	ln, err := tls.Listen("tcp", "127.0.0.1:0", cert.ServerConfig())
	if err != nil {
		t.Fatal(err)
	}
	srv := &Server{Backend: be, Logger: slog.New(slog.DiscardHandler)}
	go srv.Serve(ln)
	defer srv.Close()
	c, err := (&ClientOptions{LocalName: "client.example"}).DialTLS(ctx, ln.Addr().String(), cert.ClientConfig())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.TLSConnectionState(); !ok {
		t.Error("no TLS state after DialTLS")
	}
	if err := c.SendMail(ctx, "a@example.org", []string{"b@example.net"}, strings.NewReader("over TLS\r\n"), nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(ctx); err != nil {
		t.Fatal(err)
	}

	// STARTTLS, required, through the one-call helper.
	ln2, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv2 := &Server{Backend: be, TLSConfig: cert.ServerConfig(), Logger: slog.New(slog.DiscardHandler)}
	go srv2.Serve(ln2)
	defer srv2.Close()
	err = SendMail(ctx, ln2.Addr().String(), "a@example.org", []string{"c@example.net"}, strings.NewReader("after STARTTLS\r\n"), &SendOptions{
		Client: ClientOptions{LocalName: "client.example", TLSConfig: cert.ClientConfig()}, RequireStartTLS: true,
		Auth: &sasl.Credentials{Username: "alice", Password: "secret"},
	})
	if err != nil {
		t.Fatal(err)
	}
	msgs := be.messages()
	if len(msgs) != 2 || msgs[0].Data != "over TLS\r\n" || msgs[1].Data != "after STARTTLS\r\n" || msgs[1].Identity != "alice" {
		t.Errorf("messages %+v", msgs)
	}
	// Without the right CA the handshake fails, and nothing is sent in
	// clear instead.
	err = SendMail(ctx, ln2.Addr().String(), "a@example.org", []string{"c@example.net"}, strings.NewReader("never\r\n"), nil)
	var uerr x509.UnknownAuthorityError
	if !errors.As(err, &uerr) {
		t.Errorf("SendMail with an untrusted certificate: %v", err)
	}
	if n := len(be.messages()); n != 2 {
		t.Errorf("%d messages", n)
	}
}
