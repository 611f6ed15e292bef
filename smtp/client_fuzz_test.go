package smtp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/sasl"
)

// FuzzClientReply feeds arbitrary bytes to the reply reader: it must
// return a reply that is consistent with its input or an error, never
// panic, and never return more lines than its limit.
func FuzzClientReply(f *testing.F) {
	for _, s := range []string{
		"250 OK\r\n",
		"250\r\n",
		"250-a\r\n250-b\r\n250 c\r\n",
		"550-5.1.1 no\r\n550 5.1.1 such user\r\n",
		"250-a\r\n251 b\r\n",
		"354 go\n",
		"220-x\r\n220 5.x.y\r\n",
		"421 4.3.0 \x00\xff\r\n",
		"250 " + strings.Repeat("x", 100) + "\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &Client{}
		c.opts.MaxReplyLines = 8
		c.opts.MaxReplyLine = 256
		c.setStreams(&scriptedConn{r: strings.NewReader(string(data))})
		for i := 0; i < 4; i++ {
			code, enh, lines, err := c.readReply()
			if err != nil {
				if !errors.Is(err, ErrMalformedReply) && !errors.Is(err, ErrReplyTooLong) && !errors.Is(err, io.ErrUnexpectedEOF) && err != io.EOF {
					t.Fatalf("unexpected error type: %v", err)
				}
				return
			}
			if code < 200 || code > 599 {
				t.Fatalf("code %d", code)
			}
			if len(lines) == 0 || len(lines) > 8 {
				t.Fatalf("%d lines", len(lines))
			}
			if enh != (EnhancedCode{}) && enh[0] != code/100 {
				t.Fatalf("enhanced code %v with reply %d", enh, code)
			}
			// The error built from it formats without trouble.
			_ = replyError(code, enh, lines).Error()
		}
	})
}

// FuzzClientCapabilities feeds an arbitrary EHLO reply to a client and
// then checks that what it recorded is sane and that a MAIL built from it
// holds no control bytes.
func FuzzClientCapabilities(f *testing.F) {
	for _, s := range []string{
		"250-mx\r\n250-SIZE 1000\r\n250-AUTH PLAIN LOGIN\r\n250 PIPELINING\r\n",
		"250-mx\r\n250-AUTH=LOGIN\r\n250-LIMITS RCPTMAX=3 MAILMAX=-1\r\n250 DSN\r\n",
		"250-mx\r\n250-SIZE -5\r\n250-SIZE 99999999999999999999999\r\n250 XCLIENT NAME\r\n",
		"250-mx\r\n250- \r\n250-\x00\r\n250 8BITMIME\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sc := &scriptedConn{r: strings.NewReader("220 hi\r\n" + string(data))}
		c, err := NewClient(sc)
		if err != nil {
			return
		}
		if err := c.Hello(context.Background()); err != nil {
			return
		}
		if n, ok := c.MaxMessageSize(); ok && n <= 0 {
			t.Fatalf("MaxMessageSize %d", n)
		}
		if r, m := c.Limits(); r < 0 || m < 0 {
			t.Fatalf("Limits %d %d", r, m)
		}
		for k := range c.Extensions() {
			if !validParamKeyword(k) || upperASCII(k) != k {
				t.Fatalf("keyword %q", k)
			}
		}
		for _, m := range c.AuthMechanisms() {
			if m == "" || strings.ContainsAny(m, " \r\n") {
				t.Fatalf("mechanism %q", m)
			}
		}
		if err := c.buildMail("a@example.org", &MailOptions{Size: 10, Return: DSNReturnFull, EnvelopeID: "e"}); err != nil {
			return
		}
		for _, b := range c.buf {
			if b < ' ' {
				t.Fatalf("control byte in %q", c.buf)
			}
		}
	})
}

// FuzzClientBdatLineEnds checks the BDAT writer's line-end normalisation
// against a byte-at-a-time reference, for any data split into any two
// writes, with chunks small enough to cross often.
func FuzzClientBdatLineEnds(f *testing.F) {
	f.Add([]byte("a\r\nb\nc\rd\r"), 3)
	f.Add([]byte("\r\r\n\n\r"), 1)
	f.Add([]byte("no line end"), 0)
	f.Fuzz(checkBdat)
}

func checkBdat(t *testing.T, data []byte, split int) {
	{
		if split < 0 || split > len(data) {
			split = len(data) / 2
		}
		var want []byte
		for i := 0; i < len(data); i++ {
			switch {
			case data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n':
				want = append(want, '\r', '\n')
				i++
			case data[i] == '\r' || data[i] == '\n':
				want = append(want, '\r', '\n')
			default:
				want = append(want, data[i])
			}
		}
		if len(want) > 0 && want[len(want)-1] != '\n' {
			want = append(want, '\r', '\n')
		}
		sc := &scriptedConn{r: strings.NewReader("220 x\r\n250-x\r\n250 CHUNKING\r\n250 OK\r\n250 OK\r\n" + strings.Repeat("250 OK\r\n", len(want)/4+2))}
		c, err := (&ClientOptions{ChunkSize: 4}).NewClient(context.Background(), sc)
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		if err := c.Mail(ctx, "a@example.org", nil); err != nil {
			t.Fatal(err)
		}
		if err := c.Rcpt(ctx, "b@example.net", nil); err != nil {
			t.Fatal(err)
		}
		n := sc.w.Len()
		w, err := c.Bdat(ctx)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data[:split])
		w.Write(data[split:])
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		// Take the chunks apart again.
		var got []byte
		rest := sc.w.String()[n:]
		for rest != "" {
			line, after, _ := strings.Cut(rest, "\r\n")
			var size int
			var last string
			if _, err := fmt.Sscanf(line, "BDAT %d%s", &size, &last); err != nil && size == 0 && line != "BDAT 0 LAST" {
				t.Fatalf("bad command %q", line)
			}
			got = append(got, after[:size]...)
			rest = after[size:]
		}
		if string(got) != string(want) {
			t.Fatalf("sent %q, want %q", got, want)
		}
	}
}

// FuzzClientSession plays arbitrary server bytes to a client that logs in
// and sends a message with every extension it may use: whatever the
// server says, the client must return (the input ends), never panic, and
// never write a line that the server could take for two.
func FuzzClientSession(f *testing.F) {
	f.Add([]byte("220 x\r\n250-x\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 AUTH PLAIN\r\n235 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n250 ok\r\n"))
	f.Add([]byte("220 x\r\n250-x\r\n250 AUTH LOGIN\r\n334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 ok\r\n250 ok\r\n550 no\r\n250 ok\r\n354 go\r\n250 ok\r\n"))
	f.Add([]byte("220 x\r\n250-x\r\n250-LIMITS RCPTMAX=1\r\n250 PIPELINING\r\n250 ok\r\n452 4.5.3 too many\r\n354 go\r\n250 ok\r\n250 ok\r\n250 ok\r\n354 go\r\n250 ok\r\n"))
	f.Add([]byte("220 x\r\n250 x\r\n421 bye\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, lmtp := range []bool{false, true} {
			sc := &scriptedConn{r: strings.NewReader(string(data))}
			c, err := (&ClientOptions{LMTP: lmtp, AllowInsecureAuth: true, ChunkSize: 16}).NewClient(context.Background(), sc)
			if err != nil {
				continue
			}
			ctx := context.Background()
			if err := c.Auth(ctx, sasl.NewLoginClient("user", "pass")); err == nil {
				_ = c.Noop(ctx)
			}
			_ = c.SendMail(ctx, "a@example.org", []string{"b@example.net", "c@example.net"},
				strings.NewReader("Subject: x\r\n\r\n.body\nline\r\n"), &SendOptions{Mail: MailOptions{Return: DSNReturnFull}})
			_ = c.Reset(ctx)
			_ = c.Quit(ctx)
			// Everything written is CRLF lines (BDAT chunks included, as
			// the body is normalised) with no bare CR or LF.
			out := sc.w.String()
			if strings.Count(out, "\n") != strings.Count(out, "\r\n") || strings.Count(out, "\r") != strings.Count(out, "\r\n") {
				t.Fatalf("bare line end written: %q", out)
			}
		}
	})
}
