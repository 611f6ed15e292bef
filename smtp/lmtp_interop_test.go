//go:build interop

package smtp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/peers"
)

// LMTP against Postfix's smtp-source and Postfix's lmtp client, and BDAT
// from our client into Postfix, each message compared byte for byte.

// recordingLMTP records every message (testBackend's Data) and answers
// per recipient by prefix: "full" 452, "bad" 550, the rest 250.
type recordingLMTP struct{ testBackend }

type recordingLMTPSession struct{ *testSession }

func (b *recordingLMTP) NewSession(c *Conn) (Session, error) {
	s, _ := b.testBackend.NewSession(c)
	return recordingLMTPSession{s.(*testSession)}, nil
}

func (s recordingLMTPSession) LMTPData(r io.Reader, status StatusCollector) error {
	if err := s.Data(r); err != nil {
		return err
	}
	for _, to := range s.cur.To {
		switch {
		case strings.HasPrefix(to, "full"):
			status.SetStatus(to, &Error{Code: 452, EnhancedCode: EnhancedCode{4, 2, 2}, Message: "mailbox full"})
		case strings.HasPrefix(to, "bad"):
			status.SetStatus(to, &Error{Code: 550, EnhancedCode: EnhancedCode{5, 1, 1}, Message: "no such user"})
		}
	}
	return nil
}

// TestServerInteropSMTPSourceLMTP has smtp-source speak LMTP (-L) to our
// server in LMTP mode: several sessions in parallel, each sending many
// messages over one connection (-d) to three recipients, every message
// the same file, which each must equal byte for byte.
func TestServerInteropSMTPSourceLMTP(t *testing.T) {
	source := peers.Need(t, "smtp-source", "postfix")
	const sessions, msgs, rcpts = 4, 400, 3
	// smtp-source -F sends each line of the file followed by CRLF, with a
	// '.' doubled at the start of a line.
	var file strings.Builder
	file.WriteString("From: <src@example.test>\nTo: <dst@example.org>\nSubject: LMTP from smtp-source\n\n")
	for i := 0; i < 60; i++ {
		if i%7 == 0 {
			file.WriteString(".")
		}
		fmt.Fprintf(&file, "line %d: the quick brown fox jumps over the lazy dog\n", i)
	}
	file.WriteString(".\n..\nlast line\n")
	path := filepath.Join(t.TempDir(), "message")
	if err := os.WriteFile(path, []byte(file.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	// smtp-source ends the data with CRLF "." CRLF after the file's own
	// last CRLF, so the message gains an empty last line (as with swaks).
	want := strings.ReplaceAll(file.String(), "\n", "\r\n") + "\r\n"

	b := &testBackend{}
	srv, addr := startInteropServer(t, b, false)
	srv.LMTP = true
	out, err := peers.Command(t, 120*time.Second, source, "-L", "-s", strconv.Itoa(sessions), "-d",
		"-m", strconv.Itoa(msgs), "-r", strconv.Itoa(rcpts), "-F", path, "-M", "client.example",
		"-f", "src@example.test", "-t", "dst@example.org", addr)
	if err != nil {
		t.Fatalf("smtp-source -L: %v\n%s", err, out)
	}
	got := b.messages()
	if len(got) != msgs {
		t.Fatalf("backend has %d messages, want %d", len(got), msgs)
	}
	for i, m := range got {
		if m.Data != want {
			t.Fatalf("message %d differs:\n%q\nwant\n%q", i, m.Data, want)
		}
		if m.From != "src@example.test" || len(m.To) != rcpts {
			t.Fatalf("message %d: envelope %q -> %q", i, m.From, m.To)
		}
	}
	b.mu.Lock()
	n := b.sessions
	b.mu.Unlock()
	// -d keeps each session on one connection.
	if n != sessions {
		t.Errorf("%d connections, want %d", n, sessions)
	}
}

// TestServerInteropPostfixDeliversOverLMTP sends a message with our
// client to Postfix, whose lmtp client delivers it into our LMTP server:
// the message arrives byte for byte behind Postfix's Received field, and
// Postfix acts on each recipient's own reply (sent, deferred, bounced).
func TestServerInteropPostfixDeliversOverLMTP(t *testing.T) {
	b := &recordingLMTP{}
	srv, lmtpAddr := startInteropServer(t, b, false)
	srv.LMTP = true
	p := peers.StartPostfixLMTP(t, lmtpAddr)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	body := clientInteropBody(7)
	d := peers.LMTPDomain
	to := []string{"ok1@" + d, "full@" + d, "bad@" + d, "ok2@" + d}
	err := SendMail(ctx, p.SMTP, "sender@example.org", to, strings.NewReader(body), &SendOptions{
		Client: ClientOptions{LocalName: "client.example"}, NoStartTLS: true,
	})
	if err != nil {
		t.Fatalf("SendMail to Postfix: %v\n%s", err, p.Log())
	}
	peers.Eventually(t, 30*time.Second, "message delivered over LMTP (log:\n"+p.Log()+")", func() bool {
		return len(b.messages()) > 0
	})
	msgs := b.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages over LMTP, want 1", len(msgs))
	}
	m := msgs[0]
	// Postfix sorts the recipients of a delivery.
	if m.From != "sender@example.org" || !slices.Equal(slices.Sorted(slices.Values(m.To)), slices.Sorted(slices.Values(to))) {
		t.Errorf("envelope %q -> %q", m.From, m.To)
	}
	head, ok := strings.CutSuffix(m.Data, body)
	if !ok {
		t.Fatalf("message not delivered intact:\n%q\nwant the suffix\n%q", m.Data, body)
	}
	// What Postfix put in front is its Received field, nothing else.
	if !strings.HasPrefix(head, "Received: ") || !strings.HasSuffix(head, "\r\n") {
		t.Errorf("prepended text %q", head)
	}
	for _, line := range strings.Split(strings.TrimSuffix(head, "\r\n"), "\r\n")[1:] {
		if !strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, " ") {
			t.Errorf("Postfix prepended more than a Received field: %q", head)
		}
	}
	// Postfix's view of the per-recipient replies.
	for _, want := range []string{
		"to=<ok1@" + d + ">, relay=127.0.0.1",
		"to=<full@" + d + ">, relay=127.0.0.1",
		"to=<bad@" + d + ">, relay=127.0.0.1",
		"to=<ok2@" + d + ">, relay=127.0.0.1",
	} {
		peers.Eventually(t, 30*time.Second, "log line "+want, func() bool { return strings.Contains(p.Log(), want) })
	}
	status := map[string]string{}
	for _, line := range strings.Split(p.Log(), "\n") {
		for _, r := range to {
			if strings.Contains(line, "to=<"+r+">, relay=127.0.0.1") {
				status[r] = line
			}
		}
	}
	for r, want := range map[string][]string{
		"ok1@" + d:  {"status=sent", "250 2.0.0"},
		"ok2@" + d:  {"status=sent", "250 2.0.0"},
		"full@" + d: {"status=deferred", "452 4.2.2 mailbox full"},
		"bad@" + d:  {"status=bounced", "550 5.1.1 no such user"},
	} {
		for _, w := range want {
			if !strings.Contains(status[r], w) {
				t.Errorf("%s: Postfix logged %q, want %q", r, status[r], w)
			}
		}
	}
}

// TestClientInteropPostfixBDATByteForByte forces BDAT (Client.Bdat fails
// unless Postfix offers CHUNKING) with small chunks, and reads the file
// Postfix delivered back: the message must be there byte for byte (with
// the maildir's LF line ends) behind the fields Postfix prepends.
func TestClientInteropPostfixBDATByteForByte(t *testing.T) {
	p := peers.StartPostfix(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var wire bytes.Buffer
	c, err := (&ClientOptions{LocalName: "client.example", ChunkSize: 1000, DebugWriter: &wire}).Dial(ctx, p.SMTP)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello(ctx); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.Extension("CHUNKING"); !ok {
		t.Fatalf("Postfix does not offer CHUNKING: %v", c.Extensions())
	}
	var body strings.Builder
	body.WriteString("From: <sender@example.org>\r\nTo: <alice@" + peers.Domain + ">\r\nSubject: BDAT byte for byte\r\n" +
		"Date: Mon, 01 Jan 2024 08:00:00 +0000\r\nMessage-ID: <bdat.bytes@example.org>\r\n\r\n")
	for i := 0; i < 50; i++ {
		fmt.Fprintf(&body, "%s line %d, trailing space \r\n", strings.Repeat("x", i*7), i)
		if i%10 == 0 {
			body.WriteString(".\r\n..\r\n.dot first\r\n\r\n")
		}
	}
	body.WriteString("last line\r\n")
	if err := c.Mail(ctx, "sender@example.org", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt(ctx, "alice@"+peers.Domain, nil); err != nil {
		t.Fatal(err)
	}
	w, err := c.Bdat(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.WriteString(w, body.String()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("BDAT: %v\n%s", err, p.Log())
	}
	if err := c.Quit(ctx); err != nil {
		t.Fatal(err)
	}
	traffic := wire.String()
	if n := strings.Count(traffic, "BDAT "); n < body.Len()/1000 || !strings.Contains(traffic, " LAST\r\n") || strings.Contains(traffic, "\r\nDATA\r\n") {
		t.Fatalf("not a BDAT transfer in several chunks (%d BDAT commands)", n)
	}
	var got []byte
	peers.Eventually(t, 30*time.Second, "delivery (log:\n"+p.Log()+")", func() bool {
		for _, m := range peers.Messages(t, p.Maildir("alice")) {
			if bytes.Contains(m, []byte("<bdat.bytes@example.org>")) {
				got = m
				return true
			}
		}
		return false
	})
	want := strings.ReplaceAll(body.String(), "\r\n", "\n")
	head, ok := strings.CutSuffix(string(got), want)
	if !ok {
		t.Fatalf("delivered file does not end with the message:\n%q\nwant the suffix\n%q", got, want)
	}
	// Only the trace fields of a virtual delivery come before it.
	for _, line := range strings.Split(strings.TrimSuffix(head, "\n"), "\n") {
		known := false
		for _, f := range []string{"Return-Path: ", "X-Original-To: ", "Delivered-To: ", "Received: ", "\t", " "} {
			known = known || strings.HasPrefix(line, f)
		}
		if !known {
			t.Errorf("unexpected line before the message: %q", line)
		}
	}
}
