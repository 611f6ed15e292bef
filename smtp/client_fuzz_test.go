package smtp

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
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
