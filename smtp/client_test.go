package smtp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/sasl"
)

func TestClientMailAllParameters(t *testing.T) {
	prio := -3
	none := ""
	err := clientScript(t, "mail_all_parameters", &ClientOptions{LocalName: "client.example"}, func(ctx context.Context, c *Client) error {
		if n, ok := c.MaxMessageSize(); ok {
			t.Errorf("MaxMessageSize before EHLO = %d", n)
		}
		err := c.Mail(ctx, "sender@example.org", &MailOptions{
			Size: 1234, Body: Body8BitMIME, UTF8: true, Return: DSNReturnHeaders,
			EnvelopeID: "id+one=1", Auth: &none,
			DeliverBy:  &DeliverByOptions{Time: 2 * time.Minute, Mode: DeliverByReturn, Trace: true},
			MTPriority: &prio,
		})
		if err != nil {
			return err
		}
		if n, ok := c.MaxMessageSize(); !ok || n != 1000000 {
			t.Errorf("MaxMessageSize = %d, %v", n, ok)
		}
		if err := c.Rcpt(ctx, "rcpt@example.net", &RcptOptions{
			Notify:            []DSNNotify{DSNNotifySuccess, DSNNotifyFailure},
			OriginalRecipient: "orig+x@example.net",
			RRVS:              &RRVSOptions{Time: time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC), Action: 'C'},
		}); err != nil {
			return err
		}
		if err := c.Rcpt(ctx, "ü@example.net", &RcptOptions{Notify: []DSNNotify{DSNNotifyNever}}); err != nil {
			return err
		}
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientSendsExtraParameters(t *testing.T) {
	err := clientScript(t, "mail_extra_params", &ClientOptions{LocalName: "client.example"}, func(ctx context.Context, c *Client) error {
		err := c.Mail(ctx, "sender@example.org", &MailOptions{Size: 10, UTF8: true,
			Params: []Param{{Key: "XVENDOR-TAG", Value: "a+b/c"}, {Key: "XHOLD"}}})
		if err != nil {
			return err
		}
		if err := c.Rcpt(ctx, "rcpt@example.net", &RcptOptions{Notify: []DSNNotify{DSNNotifyFailure},
			Params: []Param{{Key: "X-Route", Value: "nörd"}}}); err != nil {
			return err
		}
		if err := c.Reset(ctx); err != nil {
			return err
		}
		err = c.SendMail(ctx, "sender@example.org", []string{"one@example.net"}, strings.NewReader("body\r\n"), &SendOptions{
			Mail: MailOptions{Params: []Param{{Key: "XHOLD"}}},
			Rcpt: RcptOptions{Params: []Param{{Key: "X-ROUTE", Value: "1"}}},
		})
		if err != nil {
			return err
		}
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientMailDropsParametersTheServerLacks(t *testing.T) {
	prio := 5
	err := clientScript(t, "mail_parameters_dropped", &ClientOptions{LocalName: "client.example"}, func(ctx context.Context, c *Client) error {
		if err := c.Mail(ctx, "sender@example.org", &MailOptions{
			Size: 99, Return: DSNReturnFull, EnvelopeID: "x", MTPriority: &prio,
			DeliverBy: &DeliverByOptions{Time: time.Minute, Mode: DeliverByNotify},
		}); err != nil {
			return err
		}
		if err := c.Rcpt(ctx, "rcpt@example.net", &RcptOptions{
			Notify: []DSNNotify{DSNNotifyDelayed}, OriginalRecipient: "o@example.net",
			RRVS: &RRVSOptions{Time: time.Unix(0, 0), Action: 'C'},
		}); err != nil {
			return err
		}
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// scriptedConn is a server that answers from a fixed text and records what
// the client wrote.
type scriptedConn struct {
	r io.Reader
	w bytes.Buffer
}

func (s *scriptedConn) Read(p []byte) (int, error)  { return s.r.Read(p) }
func (s *scriptedConn) Write(p []byte) (int, error) { return s.w.Write(p) }

const ehloAll = "220 mx.example ESMTP\r\n250-mx.example\r\n250-SIZE 100\r\n250-DSN\r\n250 PIPELINING\r\n"

// readyClient returns a client that has read the greeting and EHLO reply
// in server, plus whatever follows, and how much it wrote until then.
func readyClient(t *testing.T, server string, opts *ClientOptions) (*Client, *scriptedConn, int) {
	t.Helper()
	sc := &scriptedConn{r: strings.NewReader(server)}
	c, err := opts.NewClient(context.Background(), sc)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Hello(context.Background()); err != nil {
		t.Fatal(err)
	}
	return c, sc, sc.w.Len()
}

func TestClientRefusesForbiddenInputBeforeWriting(t *testing.T) {
	ctx := context.Background()
	badMail := []struct {
		name string
		from string
		opts *MailOptions
	}{
		{"CRLF in address", "a@example.org>\r\nRCPT TO:<victim@example.net", nil},
		{"LF in address", "a\n@example.org", nil},
		{"NUL in address", "a\x00@example.org", nil},
		{"space in address", "a b@example.org", nil},
		{"UTF-8 without SMTPUTF8", "ü@example.org", nil},
		{"CR in ENVID", "a@example.org", &MailOptions{EnvelopeID: "x\ry"}},
		{"long ENVID", "a@example.org", &MailOptions{EnvelopeID: strings.Repeat("x", 101)}},
		{"bad RET", "a@example.org", &MailOptions{Return: "ALL\r\n"}},
		{"bad BODY", "a@example.org", &MailOptions{Body: "8BIT\r\nQUIT"}},
		{"negative SIZE", "a@example.org", &MailOptions{Size: -1}},
		{"param keyword with CRLF", "a@example.org", &MailOptions{Params: []Param{{Key: "X\r\nRCPT"}}}},
		{"param keyword with space", "a@example.org", &MailOptions{Params: []Param{{Key: "X Y"}}}},
		{"param keyword with =", "a@example.org", &MailOptions{Params: []Param{{Key: "X=Y"}}}},
		{"param keyword starting with -", "a@example.org", &MailOptions{Params: []Param{{Key: "-X"}}}},
		{"empty param keyword", "a@example.org", &MailOptions{Params: []Param{{Value: "1"}}}},
		{"param value with CRLF", "a@example.org", &MailOptions{Params: []Param{{Key: "XA", Value: "1\r\nRCPT TO:<v@x.y>"}}}},
		{"param value with space", "a@example.org", &MailOptions{Params: []Param{{Key: "XA", Value: "1 XB=2"}}}},
		{"param value with =", "a@example.org", &MailOptions{Params: []Param{{Key: "XA", Value: "a=b"}}}},
		{"param value with NUL", "a@example.org", &MailOptions{Params: []Param{{Key: "XA", Value: "a\x00"}}}},
		{"param value with DEL", "a@example.org", &MailOptions{Params: []Param{{Key: "XA", Value: "a\x7f"}}}},
		{"param value with UTF-8, no SMTPUTF8", "a@example.org", &MailOptions{Params: []Param{{Key: "XA", Value: "ü"}}}},
		{"param value with bad UTF-8", "a@example.org", &MailOptions{UTF8: false, Params: []Param{{Key: "XA", Value: "\xff"}}}},
		{"param duplicating SIZE", "a@example.org", &MailOptions{Params: []Param{{Key: "size", Value: "1"}}}},
		{"param duplicating BODY", "a@example.org", &MailOptions{Params: []Param{{Key: "BODY", Value: "8BITMIME"}}}},
		{"param duplicating AUTH", "a@example.org", &MailOptions{Params: []Param{{Key: "Auth", Value: "<>"}}}},
		{"param duplicating MT-PRIORITY", "a@example.org", &MailOptions{Params: []Param{{Key: "MT-PRIORITY", Value: "1"}}}},
		{"param twice", "a@example.org", &MailOptions{Params: []Param{{Key: "XA"}, {Key: "xa", Value: "1"}}}},
		{"MT-PRIORITY out of range", "a@example.org", &MailOptions{MTPriority: new(int)}},
	}
	*badMail[len(badMail)-1].opts.MTPriority = 10
	for _, tt := range badMail {
		t.Run("MAIL "+tt.name, func(t *testing.T) {
			c, sc, n := readyClient(t, ehloAll, nil)
			err := c.Mail(ctx, tt.from, tt.opts)
			if !errors.Is(err, ErrForbiddenInput) {
				t.Errorf("Mail: %v, want ErrForbiddenInput", err)
			}
			if sc.w.Len() != n {
				t.Errorf("wrote %q", sc.w.Bytes()[n:])
			}
		})
	}
	badRcpt := []struct {
		name string
		to   string
		opts *RcptOptions
	}{
		{"CRLF in address", "b@example.net>\r\nDATA", nil},
		{"empty address", "", nil},
		{"bad NOTIFY", "b@example.net", &RcptOptions{Notify: []DSNNotify{"SUCCESS\r\n"}}},
		{"NEVER with others", "b@example.net", &RcptOptions{Notify: []DSNNotify{DSNNotifyNever, DSNNotifyDelayed}}},
		{"NOTIFY twice", "b@example.net", &RcptOptions{Notify: []DSNNotify{DSNNotifyDelayed, DSNNotifyDelayed}}},
		{"bad ORCPT type", "b@example.net", &RcptOptions{OriginalRecipient: "x@y", OriginalRecipientType: "rfc 822"}},
		{"bad RRVS action", "b@example.net", &RcptOptions{RRVS: &RRVSOptions{Time: time.Unix(1, 0), Action: 'X'}}},
		{"param value with LF", "b@example.net", &RcptOptions{Params: []Param{{Key: "XA", Value: "1\nDATA"}}}},
		{"param keyword with CR", "b@example.net", &RcptOptions{Params: []Param{{Key: "XA\r"}}}},
		{"param value with UTF-8, no SMTPUTF8", "b@example.net", &RcptOptions{Params: []Param{{Key: "XA", Value: "ü"}}}},
		{"param duplicating NOTIFY", "b@example.net", &RcptOptions{Params: []Param{{Key: "notify", Value: "NEVER"}}}},
		{"param duplicating ORCPT", "b@example.net", &RcptOptions{Params: []Param{{Key: "ORCPT", Value: "rfc822;a@b"}}}},
		{"param duplicating RRVS", "b@example.net", &RcptOptions{Params: []Param{{Key: "RRVS", Value: "x"}}}},
		{"param twice", "b@example.net", &RcptOptions{Params: []Param{{Key: "X-A"}, {Key: "X-A"}}}},
	}
	for _, tt := range badRcpt {
		t.Run("RCPT "+tt.name, func(t *testing.T) {
			c, sc, _ := readyClient(t, ehloAll+"250 OK\r\n", nil)
			if err := c.Mail(ctx, "a@example.org", nil); err != nil {
				t.Fatal(err)
			}
			n := sc.w.Len()
			err := c.Rcpt(ctx, tt.to, tt.opts)
			if !errors.Is(err, ErrForbiddenInput) {
				t.Errorf("Rcpt: %v, want ErrForbiddenInput", err)
			}
			if sc.w.Len() != n {
				t.Errorf("wrote %q", sc.w.Bytes()[n:])
			}
		})
	}
	t.Run("VRFY with CRLF", func(t *testing.T) {
		c, sc, n := readyClient(t, ehloAll, nil)
		if _, err := c.Verify(ctx, "x\r\nQUIT"); !errors.Is(err, ErrForbiddenInput) {
			t.Errorf("Verify: %v", err)
		}
		if sc.w.Len() != n {
			t.Errorf("wrote %q", sc.w.Bytes()[n:])
		}
	})
	t.Run("EHLO name with CRLF", func(t *testing.T) {
		sc := &scriptedConn{r: strings.NewReader("220 hi\r\n")}
		c, err := (&ClientOptions{LocalName: "a\r\nMAIL FROM:<>"}).NewClient(ctx, sc)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Hello(ctx); !errors.Is(err, ErrForbiddenInput) {
			t.Errorf("Hello: %v", err)
		}
		if sc.w.Len() != 0 {
			t.Errorf("wrote %q", sc.w.Bytes())
		}
	})
	t.Run("SendMail with a bad sender", func(t *testing.T) {
		c, sc, n := readyClient(t, ehloAll, nil)
		err := c.SendMail(ctx, "a\r\n@example.org", []string{"b@example.net"}, strings.NewReader("x"), nil)
		if !errors.Is(err, ErrForbiddenInput) {
			t.Errorf("SendMail: %v", err)
		}
		if sc.w.Len() != n {
			t.Errorf("wrote %q", sc.w.Bytes()[n:])
		}
	})
}

func TestClientRefusesWhatTheServerDoesNotOffer(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		opts *MailOptions
	}{
		{"SMTPUTF8", &MailOptions{UTF8: true}},
		{"8BITMIME", &MailOptions{Body: Body8BitMIME}},
		{"BINARYMIME", &MailOptions{Body: BodyBinaryMIME}},
		{"REQUIRETLS", &MailOptions{RequireTLS: true}},
		{"DELIVERBY return mode", &MailOptions{DeliverBy: &DeliverByOptions{Time: time.Hour, Mode: DeliverByReturn}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, sc, n := readyClient(t, ehloAll, nil)
			if err := c.Mail(ctx, "a@example.org", tt.opts); !errors.Is(err, ErrExtensionUnsupported) {
				t.Errorf("Mail: %v, want ErrExtensionUnsupported", err)
			}
			if sc.w.Len() != n {
				t.Errorf("wrote %q", sc.w.Bytes()[n:])
			}
		})
	}
	t.Run("REQUIRETLS offered but no TLS", func(t *testing.T) {
		c, _, _ := readyClient(t, "220 x\r\n250-x\r\n250 REQUIRETLS\r\n", nil)
		if err := c.Mail(ctx, "a@example.org", &MailOptions{RequireTLS: true}); !errors.Is(err, ErrExtensionUnsupported) {
			t.Errorf("Mail: %v", err)
		}
	})
	t.Run("RRVS reject mode", func(t *testing.T) {
		c, _, _ := readyClient(t, ehloAll+"250 OK\r\n", nil)
		if err := c.Mail(ctx, "a@example.org", nil); err != nil {
			t.Fatal(err)
		}
		if err := c.Rcpt(ctx, "b@example.net", &RcptOptions{RRVS: &RRVSOptions{Time: time.Unix(1, 0)}}); !errors.Is(err, ErrExtensionUnsupported) {
			t.Errorf("Rcpt: %v", err)
		}
	})
	t.Run("CHUNKING", func(t *testing.T) {
		c, _, _ := readyClient(t, ehloAll+"250 OK\r\n", nil)
		if err := c.Mail(ctx, "a@example.org", nil); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Bdat(ctx); !errors.Is(err, ErrExtensionUnsupported) {
			t.Errorf("Bdat: %v", err)
		}
	})
	t.Run("STARTTLS", func(t *testing.T) {
		c, _, _ := readyClient(t, ehloAll, nil)
		if err := c.StartTLS(ctx, nil); !errors.Is(err, ErrExtensionUnsupported) {
			t.Errorf("StartTLS: %v", err)
		}
	})
	t.Run("XCLIENT attribute", func(t *testing.T) {
		c, _, _ := readyClient(t, "220 x\r\n250-x\r\n250 XCLIENT NAME\r\n", nil)
		if err := c.XClient(ctx, map[string]string{"LOGIN": "x"}); !errors.Is(err, ErrExtensionUnsupported) {
			t.Errorf("XClient: %v", err)
		}
	})
}

func TestClientMailRefusesMessageOverSize(t *testing.T) {
	c, sc, n := readyClient(t, ehloAll, nil)
	err := c.Mail(context.Background(), "a@example.org", &MailOptions{Size: 101})
	if !errors.Is(err, ErrMessageExceedsSize) {
		t.Fatalf("Mail: %v, want ErrMessageExceedsSize", err)
	}
	if sc.w.Len() != n {
		t.Errorf("wrote %q", sc.w.Bytes()[n:])
	}
}

func TestClientCapabilities(t *testing.T) {
	c, _, _ := readyClient(t, "220 x\r\n250-x greets you\r\n250-auth=LOGIN\r\n250-AUTH plain SCRAM-SHA-256 login\r\n"+
		"250-SIZE\r\n250-LIMITS RCPTMAX=20 MAILMAX=5 RCPTDOMAINMAX=3\r\n250-enhancedstatuscodes\r\n250-bad!kw x\r\n250 XCLIENT NAME ADDR\r\n", nil)
	if got := c.AuthMechanisms(); strings.Join(got, " ") != "LOGIN PLAIN SCRAM-SHA-256" {
		t.Errorf("AuthMechanisms = %q", got)
	}
	if n, ok := c.MaxMessageSize(); ok {
		t.Errorf("MaxMessageSize = %d, want none for SIZE without a value", n)
	}
	if r, m := c.Limits(); r != 20 || m != 5 {
		t.Errorf("Limits = %d, %d", r, m)
	}
	if _, ok := c.Extension("EnhancedStatusCodes"); !ok {
		t.Error("ENHANCEDSTATUSCODES missing")
	}
	if p, ok := c.Extension("xclient"); !ok || p != "NAME ADDR" {
		t.Errorf("XCLIENT = %q, %v", p, ok)
	}
	if _, ok := c.Extension("BAD"); ok {
		t.Error("a malformed keyword was recorded")
	}
}

func TestClientReplyParsing(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		code  int
		enh   EnhancedCode
		lines []string
		err   error
	}{
		{"single", "250 OK\r\n", 250, EnhancedCode{}, []string{"OK"}, nil},
		{"code only", "250\r\n", 250, EnhancedCode{}, []string{""}, nil},
		{"multi-line", "250-first\r\n250-second\r\n250 last\r\n", 250, EnhancedCode{}, []string{"first", "second", "last"}, nil},
		{"enhanced", "550-5.1.1 no\r\n550 5.1.1 such user\r\n", 550, EnhancedCode{5, 1, 1}, []string{"no", "such user"}, nil},
		{"enhanced class mismatch kept as text", "250 5.1.1 odd\r\n", 250, EnhancedCode{}, []string{"5.1.1 odd"}, nil},
		{"bare LF accepted", "250 OK\n", 250, EnhancedCode{}, []string{"OK"}, nil},
		{"codes differ", "250-a\r\n251 b\r\n", 0, EnhancedCode{}, nil, ErrMalformedReply},
		{"no separator", "250x\r\n", 0, EnhancedCode{}, nil, ErrMalformedReply},
		{"short", "25\r\n", 0, EnhancedCode{}, nil, ErrMalformedReply},
		{"first digit 6", "650 x\r\n", 0, EnhancedCode{}, nil, ErrMalformedReply},
		{"letters", "2x0 x\r\n", 0, EnhancedCode{}, nil, ErrMalformedReply},
		{"too many lines", strings.Repeat("250-x\r\n", DefaultMaxReplyLines) + "250 x\r\n", 0, EnhancedCode{}, nil, ErrReplyTooLong},
		{"line too long", "250 " + strings.Repeat("x", DefaultMaxReplyLine) + "\r\n", 0, EnhancedCode{}, nil, ErrReplyTooLong},
		{"cut short", "250-x\r\n", 0, EnhancedCode{}, nil, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Client{}
			c.setStreams(&scriptedConn{r: strings.NewReader(tt.in)})
			code, enh, lines, err := c.readReply()
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil || code != tt.code || enh != tt.enh || strings.Join(lines, "|") != strings.Join(tt.lines, "|") {
				t.Errorf("got %d %v %q %v", code, enh, lines, err)
			}
		})
	}
}

func TestClientMalformedReplyBreaksTheClient(t *testing.T) {
	c, _, _ := readyClient(t, ehloAll+"2500 what\r\n", nil)
	if err := c.Noop(context.Background()); !errors.Is(err, ErrMalformedReply) {
		t.Fatalf("Noop: %v", err)
	}
	if err := c.Noop(context.Background()); !errors.Is(err, ErrClientClosed) {
		t.Errorf("second Noop: %v, want ErrClientClosed", err)
	}
}

func TestClientStateChecks(t *testing.T) {
	ctx := context.Background()
	c, _, _ := readyClient(t, ehloAll+"250 OK\r\n", nil)
	if err := c.Rcpt(ctx, "b@example.net", nil); !errors.Is(err, ErrClientState) {
		t.Errorf("RCPT before MAIL: %v", err)
	}
	if _, err := c.Data(ctx); !errors.Is(err, ErrClientState) {
		t.Errorf("DATA before MAIL: %v", err)
	}
	if err := c.Mail(ctx, "a@example.org", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail(ctx, "a@example.org", nil); !errors.Is(err, ErrClientState) {
		t.Errorf("second MAIL: %v", err)
	}
	if err := c.Hello(ctx); !errors.Is(err, ErrClientState) {
		t.Errorf("EHLO in a transaction: %v", err)
	}
}

func TestClientGreetingRefused(t *testing.T) {
	s := transcriptLoad(t, "greeting_554")
	err := s.RunClient(t, func(conn net.Conn) error {
		_, err := NewClient(conn)
		var e *Error
		if !errors.As(err, &e) || e.Code != 554 || e.EnhancedCode != (EnhancedCode{5, 7, 1}) || e.Message != "No SMTP service here" {
			t.Errorf("NewClient: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientEHLOFallsBackToHELO(t *testing.T) {
	err := clientScript(t, "ehlo_fallback", &ClientOptions{LocalName: "client.example"}, func(ctx context.Context, c *Client) error {
		if err := c.Mail(ctx, "a@example.org", nil); err != nil {
			return err
		}
		if c.Extensions() != nil {
			t.Errorf("extensions after HELO: %v", c.Extensions())
		}
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientLMTPPerRecipientReplies(t *testing.T) {
	var sendErr error
	err := clientScript(t, "lmtp", &ClientOptions{LocalName: "client.example", LMTP: true}, func(ctx context.Context, c *Client) error {
		sendErr = c.SendMail(ctx, "chris@bar.com", []string{"pat@foo.com", "jones@foo.com", "green@foo.com", "brown@foo.com"},
			strings.NewReader("Blah blah blah...\r\n.etc. etc. etc.\r\n"), nil)
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	var re *RecipientsError
	if !errors.As(sendErr, &re) {
		t.Fatalf("SendMail: %v", sendErr)
	}
	if strings.Join(re.Accepted, " ") != "pat@foo.com brown@foo.com" {
		t.Errorf("accepted %q", re.Accepted)
	}
	var e *Error
	if len(re.Failed) != 2 || re.Failed[0].Rcpt != "jones@foo.com" || re.Failed[1].Rcpt != "green@foo.com" ||
		!errors.As(re.Failed[1].Err, &e) || e.Code != 452 || e.EnhancedCode != (EnhancedCode{4, 2, 2}) || !e.Temporary() {
		t.Errorf("failed %v", re.Failed)
	}
}

func TestClientXClient(t *testing.T) {
	err := clientScript(t, "xclient", &ClientOptions{LocalName: "proxy.example"}, func(ctx context.Context, c *Client) error {
		if err := c.XClient(ctx, map[string]string{"ADDR": "192.0.2.7", "helo": "spike host", "NAME": "[UNAVAILABLE]"}); err != nil {
			return err
		}
		if _, ok := c.Extension("8BITMIME"); !ok {
			t.Error("extensions of the new EHLO not recorded")
		}
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientStartTLSRefusesInjectedReplies(t *testing.T) {
	s := transcriptLoad(t, "starttls_injection")
	err := s.RunClient(t, func(conn net.Conn) error {
		c, err := (&ClientOptions{LocalName: "client.example"}).NewClient(context.Background(), conn)
		if err != nil {
			return err
		}
		err = c.StartTLS(context.Background(), nil)
		if !errors.Is(err, ErrBufferedAfterStartTLS) {
			t.Errorf("StartTLS: %v, want ErrBufferedAfterStartTLS", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientDataDotStuffing(t *testing.T) {
	err := clientScript(t, "data_dot_stuffing", &ClientOptions{LocalName: "client.example"}, func(ctx context.Context, c *Client) error {
		if err := c.SendMail(ctx, "a@example.org", []string{"b@example.net"},
			strings.NewReader(". leading dot\nbare LF\n.\rbare CR\r.\r\nmore"), &SendOptions{NoChunking: true}); err != nil {
			return err
		}
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientLimitsSplitRecipients(t *testing.T) {
	err := clientScript(t, "limits_rcptmax", &ClientOptions{LocalName: "client.example"}, func(ctx context.Context, c *Client) error {
		if err := c.SendMail(ctx, "a@example.org", []string{"r1@example.net", "r2@example.net", "r3@example.net"},
			strings.NewReader("hello\r\n"), nil); err != nil {
			return err
		}
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientAuthRefusesPlaintextSecrets(t *testing.T) {
	ctx := context.Background()
	for _, sc := range []sasl.Client{sasl.NewPlainClient("", "u", "p"), sasl.NewLoginClient("u", "p")} {
		c, w, n := readyClient(t, "220 x\r\n250-x\r\n250 AUTH PLAIN LOGIN\r\n", nil)
		if err := c.Auth(ctx, sc); !errors.Is(err, ErrInsecureAuth) {
			t.Errorf("Auth: %v, want ErrInsecureAuth", err)
		}
		if w.w.Len() != n {
			t.Errorf("wrote %q", w.w.Bytes()[n:])
		}
	}
	c, w, n := readyClient(t, "220 x\r\n250-x\r\n250 AUTH PLAIN LOGIN\r\n", nil)
	err := c.Login(ctx, sasl.Credentials{Username: "u", Password: "p"})
	if !errors.Is(err, ErrInsecureAuth) || !errors.Is(err, sasl.ErrNoMechanism) {
		t.Errorf("Login: %v, want ErrInsecureAuth", err)
	}
	if w.w.Len() != n {
		t.Errorf("wrote %q", w.w.Bytes()[n:])
	}
}

func TestClientLoginChoosesStrongestMechanism(t *testing.T) {
	// Without TLS and without the opt-in, CRAM-MD5 is the one left.
	c, w, n := readyClient(t, "220 x\r\n250-x\r\n250 AUTH PLAIN LOGIN CRAM-MD5\r\n"+
		"334 PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+\r\n235 2.7.0 OK\r\n", nil)
	if err := c.Login(context.Background(), sasl.Credentials{Username: "tim", Password: "tanstaaftanstaaf"}); err != nil {
		t.Fatal(err)
	}
	// RFC 2195 §2's example exchange.
	want := "AUTH CRAM-MD5\r\ndGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw\r\n"
	if got := w.w.String()[n:]; got != want {
		t.Errorf("wrote %q, want %q", got, want)
	}
}

func TestClientAuthCancelsOnBadChallenge(t *testing.T) {
	c, w, n := readyClient(t, "220 x\r\n250-x\r\n250 AUTH LOGIN\r\n334 not*base64\r\n501 5.7.0 canceled\r\n250 OK\r\n",
		&ClientOptions{AllowInsecureAuth: true})
	err := c.Auth(context.Background(), sasl.NewLoginClient("u", "p"))
	if !errors.Is(err, ErrMalformedReply) {
		t.Errorf("Auth: %v", err)
	}
	if got := w.w.String()[n:]; got != "AUTH LOGIN\r\n*\r\n" {
		t.Errorf("wrote %q", got)
	}
	if err := c.Noop(context.Background()); err != nil {
		t.Errorf("Noop after a cancelled AUTH: %v", err)
	}
}

func TestClientAuthLongInitialResponseWaitsForChallenge(t *testing.T) {
	c, w, n := readyClient(t, "220 x\r\n250-x\r\n250 AUTH PLAIN\r\n334 \r\n235 OK\r\n", &ClientOptions{AllowInsecureAuth: true})
	pass := strings.Repeat("p", 600)
	if err := c.Auth(context.Background(), sasl.NewPlainClient("", "u", pass)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(w.w.String()[n:], "\r\n")
	if lines[0] != "AUTH PLAIN" || len(lines[1]) < 800 {
		t.Errorf("wrote %q", lines)
	}
}

// stallConn is a net.Conn whose reads block until the deadline passes;
// it records the deadlines set.
type stallConn struct {
	net.Conn
	deadlines []time.Time
}

func (s *stallConn) SetDeadline(t time.Time) error {
	s.deadlines = append(s.deadlines, t)
	return s.Conn.SetDeadline(t)
}

func TestClientContextCancelInterruptsRead(t *testing.T) {
	cc, sc := net.Pipe()
	defer sc.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		sc.Write([]byte("220 hi\r\n"))
		br := bufio.NewReader(sc)
		br.ReadString('\n') // EHLO, never answered
		cancel()
		io.Copy(io.Discard, br)
	}()
	c, err := NewClient(cc)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Hello(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Hello: %v, want context.Canceled", err)
	}
	if err := c.Noop(context.Background()); !errors.Is(err, ErrClientClosed) {
		t.Errorf("after a timeout: %v, want ErrClientClosed", err)
	}
}

func TestClientDefaultTimeouts(t *testing.T) {
	cc, sc := net.Pipe()
	defer sc.Close()
	go func() {
		sc.Write([]byte("220 hi\r\n"))
		br := bufio.NewReader(sc)
		br.ReadString('\n')
		sc.Write([]byte("250 hi\r\n"))
		io.Copy(io.Discard, br)
	}()
	conn := &stallConn{Conn: cc}
	before := time.Now()
	c, err := (&ClientOptions{DataInitTimeout: -1}).NewClient(context.Background(), conn)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Hello(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Greeting and EHLO: 5 minutes each (RFC 5321 §4.5.3.2.1-2); the
	// second deadline falls within a second of the first, so it is kept.
	if len(conn.deadlines) == 0 {
		t.Fatal("no deadline set")
	}
	for i, dl := range conn.deadlines {
		if d := dl.Sub(before); d < 5*time.Minute || d > 6*time.Minute {
			t.Errorf("deadline %d is %v from the start", i, d)
		}
	}
}

func TestClientBodyReadErrorAbandonsMessage(t *testing.T) {
	c, sc, n := readyClient(t, "220 x\r\n250 x\r\n250 OK\r\n250 OK\r\n354 go\r\n", nil)
	bad := io.MultiReader(strings.NewReader("partial\r\n"), errReader{})
	err := c.SendMail(context.Background(), "a@example.org", []string{"b@example.net"}, bad, nil)
	if !errors.Is(err, errBody) {
		t.Fatalf("SendMail: %v", err)
	}
	if strings.Contains(sc.w.String()[n:], "\r\n.\r\n") {
		t.Errorf("the message was ended: %q", sc.w.String()[n:])
	}
	if err := c.Noop(context.Background()); !errors.Is(err, ErrClientClosed) {
		t.Errorf("Noop: %v", err)
	}
}

var errBody = errors.New("body failed")

type errReader struct{}

func (errReader) Read([]byte) (int, error) { return 0, errBody }

func TestClientBdatNormalizesLineEnds(t *testing.T) {
	c, sc, _ := readyClient(t, "220 x\r\n250-x\r\n250 CHUNKING\r\n250 OK\r\n250 OK\r\n250 OK\r\n", nil)
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
	io.WriteString(w, "a\nb\r")
	io.WriteString(w, "\nc\rd")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got, want := sc.w.String()[n:], "BDAT 12 LAST\r\na\r\nb\r\nc\r\nd\r\n"; got != want {
		t.Errorf("wrote %q, want %q", got, want)
	}
}

func TestClientResetGoesWithTheNextGroup(t *testing.T) {
	err := clientScript(t, "rset_pipelined", &ClientOptions{LocalName: "client.example"}, func(ctx context.Context, c *Client) error {
		if err := c.Reset(ctx); err != nil {
			return err
		}
		if err := c.SendMail(ctx, "a@example.org", []string{"b@example.net"}, strings.NewReader("one\r\n"), &SendOptions{NoChunking: true}); err != nil {
			return err
		}
		if err := c.Reset(ctx); err != nil {
			return err
		}
		if err := c.Noop(ctx); err != nil {
			return err
		}
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientQueuedResetRefused(t *testing.T) {
	c, _, _ := readyClient(t, "220 x\r\n250-x\r\n250 PIPELINING\r\n421 4.3.2 shutting down\r\n", nil)
	ctx := context.Background()
	if err := c.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	err := c.Noop(ctx)
	var e *Error
	if !errors.Is(err, ErrUnexpectedReply) || !errors.As(err, &e) || e.Code != 421 {
		t.Fatalf("Noop after a refused RSET: %v", err)
	}
	if err := c.Noop(ctx); !errors.Is(err, ErrClientClosed) {
		t.Errorf("then: %v", err)
	}
}

func TestClientTimeoutsPerPhase(t *testing.T) {
	cc, sc := net.Pipe()
	defer sc.Close()
	go func() {
		br := bufio.NewReader(sc)
		sc.Write([]byte("220 hi\r\n"))
		for {
			l, err := br.ReadString('\n')
			if err != nil {
				return
			}
			switch {
			case strings.HasPrefix(l, "DATA"):
				sc.Write([]byte("354 go\r\n"))
				for l != ".\r\n" {
					if l, err = br.ReadString('\n'); err != nil {
						return
					}
				}
				sc.Write([]byte("250 OK\r\n"))
			case strings.HasPrefix(l, "QUIT"):
				sc.Write([]byte("221 bye\r\n"))
				return
			default:
				sc.Write([]byte("250 OK\r\n"))
			}
		}
	}()
	conn := &stallConn{Conn: cc}
	ctx := context.Background()
	c, err := (&ClientOptions{}).NewClient(ctx, conn)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := c.SendMail(ctx, "a@example.org", []string{"b@example.net"}, strings.NewReader("x\r\n"), nil); err != nil {
		t.Fatal(err)
	}
	// RFC 5321 §4.5.3.2: 5 minutes for the greeting, EHLO, MAIL and RCPT
	// (one deadline, as they fall within a second of each other), 2 for
	// the 354, 3 for the data block, 10 for the final reply.
	var got []time.Duration
	for _, dl := range conn.deadlines {
		got = append(got, dl.Sub(start).Round(time.Minute))
	}
	want := []time.Duration{5 * time.Minute, 2 * time.Minute, 3 * time.Minute, 10 * time.Minute}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("deadlines %v, want %v", got, want)
	}
}

func TestClientLogsNoSecretsOrContent(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, _, _ := readyClient(t, "220 x\r\n250-x\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n235 OK\r\n250 OK\r\n250 OK\r\n354 go\r\n250 OK\r\n",
		&ClientOptions{AllowInsecureAuth: true, Logger: logger})
	ctx := context.Background()
	if err := c.Auth(ctx, sasl.NewPlainClient("", "user", "hunter2")); err != nil {
		t.Fatal(err)
	}
	if err := c.SendMail(ctx, "a@example.org", []string{"b@example.net"}, strings.NewReader("top secret body\r\n"), nil); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if !strings.Contains(out, "PLAIN") || !strings.Contains(out, "code=354") {
		t.Errorf("expected events missing from the log:\n%s", out)
	}
	for _, secret := range []string{"hunter2", "top secret", "AHVzZXIAaHVudGVyMg"} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds %q:\n%s", secret, out)
		}
	}
}

func TestClientBdatChunkRefused(t *testing.T) {
	err := clientScript(t, "bdat_chunk_refused", &ClientOptions{LocalName: "client.example", ChunkSize: 8}, func(ctx context.Context, c *Client) error {
		err := c.SendMail(ctx, "a@example.org", []string{"b@example.net"}, strings.NewReader("12345678 and more that is never sent\r\n"), nil)
		var e *Error
		if !errors.As(err, &e) || e.Code != 552 {
			t.Errorf("SendMail: %v, want the 552", err)
		}
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientBdatPipelinedAllRecipientsRejected(t *testing.T) {
	err := clientScript(t, "bdat_pipelined_all_rejected", &ClientOptions{LocalName: "client.example"}, func(ctx context.Context, c *Client) error {
		err := c.SendMail(ctx, "a@example.org", []string{"x@example.net"}, strings.NewReader("body\n"), nil)
		var e *Error
		if !errors.As(err, &e) || e.Code != 550 {
			t.Errorf("SendMail: %v, want the recipient's 550", err)
		}
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientLimitsMailMax(t *testing.T) {
	err := clientScript(t, "limits_mailmax", &ClientOptions{LocalName: "client.example"}, func(ctx context.Context, c *Client) error {
		if err := c.SendMail(ctx, "a@example.org", []string{"b@example.net"}, strings.NewReader("one\r\n"), nil); err != nil {
			return err
		}
		if err := c.SendMail(ctx, "a@example.org", []string{"b@example.net"}, strings.NewReader("two\r\n"), nil); !errors.Is(err, ErrSessionLimit) {
			t.Errorf("second SendMail: %v, want ErrSessionLimit", err)
		}
		if err := c.Mail(ctx, "a@example.org", nil); !errors.Is(err, ErrSessionLimit) {
			t.Errorf("Mail: %v, want ErrSessionLimit", err)
		}
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientErrorPathTranscripts(t *testing.T) {
	t.Run("pipelined MAIL refused", func(t *testing.T) {
		err := clientScript(t, "pipelined_mail_refused", &ClientOptions{LocalName: "client.example"}, func(ctx context.Context, c *Client) error {
			err := c.SendMail(ctx, "spammer@example.org", []string{"b@example.net"}, strings.NewReader("x\r\n"), nil)
			var e *Error
			if !errors.As(err, &e) || e.Code != 550 || e.EnhancedCode != (EnhancedCode{5, 7, 1}) || e.Message != "Sender rejected" {
				t.Errorf("SendMail: %v, want the MAIL's 550", err)
			}
			if err := c.Noop(ctx); err != nil {
				return err
			}
			return c.Quit(ctx)
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("pipelined DATA refused", func(t *testing.T) {
		err := clientScript(t, "pipelined_data_refused", &ClientOptions{LocalName: "client.example"}, func(ctx context.Context, c *Client) error {
			err := c.SendMail(ctx, "a@example.org", []string{"b@example.net"}, strings.NewReader("x\r\n"), nil)
			var e *Error
			if !errors.As(err, &e) || e.Code != 451 || !e.Temporary() {
				t.Errorf("SendMail: %v, want the DATA's 451", err)
			}
			return c.Quit(ctx)
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("final reply refused", func(t *testing.T) {
		err := clientScript(t, "data_final_refused", &ClientOptions{LocalName: "client.example"}, func(ctx context.Context, c *Client) error {
			err := c.SendMail(ctx, "a@example.org", []string{"b@example.net"}, strings.NewReader("virus\r\n"), nil)
			var e *Error
			if !errors.As(err, &e) || e.Code != 554 || e.EnhancedCode != (EnhancedCode{5, 7, 1}) || e.Message != "Message refused:\nit carries a virus" {
				t.Errorf("SendMail: %#v", err)
			}
			if err := c.Mail(ctx, "a@example.org", nil); err != nil {
				return err
			}
			return c.Quit(ctx)
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("server shutting down", func(t *testing.T) {
		err := clientScript(t, "server_shutdown", &ClientOptions{LocalName: "client.example"}, func(ctx context.Context, c *Client) error {
			err := c.Mail(ctx, "a@example.org", nil)
			var e *Error
			if !errors.As(err, &e) || e.Code != 421 {
				t.Errorf("Mail: %v, want 421", err)
			}
			if err := c.Noop(ctx); err == nil {
				t.Error("Noop succeeded on a closed connection")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
	t.Run("VRFY replies", func(t *testing.T) {
		err := clientScript(t, "vrfy_replies", &ClientOptions{LocalName: "client.example"}, func(ctx context.Context, c *Client) error {
			if got, err := c.Verify(ctx, "someone"); err != nil || got != "Cannot VRFY user, but will accept message" {
				t.Errorf("Verify someone = %q, %v", got, err)
			}
			var e *Error
			if _, err := c.Verify(ctx, "nobody"); !errors.As(err, &e) || e.Code != 550 {
				t.Errorf("Verify nobody: %v", err)
			}
			return c.Quit(ctx)
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func TestClientBdatPipelinedChunkRefused(t *testing.T) {
	err := clientScript(t, "bdat_pipelined_chunk_refused", &ClientOptions{LocalName: "client.example", ChunkSize: 4}, func(ctx context.Context, c *Client) error {
		err := c.SendMail(ctx, "a@example.org", []string{"b@example.net"}, io.MultiReader(strings.NewReader("abcdefghijkl")), nil)
		var e *Error
		if !errors.As(err, &e) || e.Code != 552 {
			t.Errorf("SendMail: %v, want the first chunk's 552", err)
		}
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientCloseInterruptsAWait(t *testing.T) {
	cc, sc := net.Pipe()
	defer sc.Close()
	read := make(chan struct{})
	go func() {
		sc.Write([]byte("220 hi\r\n"))
		bufio.NewReader(sc).ReadString('\n') // EHLO, never answered
		close(read)
	}()
	c, err := NewClient(cc)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		<-read
		c.Close()
	}()
	if err := c.Hello(context.Background()); err == nil {
		t.Fatal("Hello succeeded on a closed connection")
	}
	if err := c.Noop(context.Background()); !errors.Is(err, ErrClientClosed) {
		t.Errorf("Noop after Close: %v", err)
	}
}

func TestClientSendMailBufferLimit(t *testing.T) {
	c, sc, n := readyClient(t, "220 x\r\n250-x\r\n250 LIMITS RCPTMAX=1\r\n", nil)
	body := io.MultiReader(strings.NewReader(strings.Repeat("x", 100)))
	err := c.SendMail(context.Background(), "a@example.org", []string{"b@example.net", "c@example.net"}, body, &SendOptions{MaxBufferedMessage: 10})
	if !errors.Is(err, ErrBufferLimit) {
		t.Fatalf("SendMail: %v", err)
	}
	if sc.w.Len() != n {
		t.Errorf("wrote %q", sc.w.Bytes()[n:])
	}
}

// echoMech answers every challenge, for a server that never stops.
type echoMech struct{}

func (echoMech) Start() (string, []byte, error) { return "X-ECHO", nil, nil }
func (echoMech) Next(c []byte) ([]byte, error)  { return c, nil }

func TestClientAuthBoundsChallenges(t *testing.T) {
	server := "220 x\r\n250-x\r\n250 AUTH X-ECHO\r\n" + strings.Repeat("334 \r\n", maxAuthRounds+1) + "501 5.7.0 canceled\r\n"
	c, sc, n := readyClient(t, server, nil)
	err := c.Auth(context.Background(), echoMech{})
	if !errors.Is(err, ErrTooManyChallenges) {
		t.Fatalf("Auth: %v", err)
	}
	if !strings.HasSuffix(sc.w.String()[n:], "\r\n*\r\n") {
		t.Errorf("no cancel sent: %q", sc.w.String()[n:])
	}
}

func TestClientSendMailAllRecipientsInvalidSendsNothing(t *testing.T) {
	c, sc, n := readyClient(t, ehloAll, nil)
	err := c.SendMail(context.Background(), "a@example.org", []string{"b\r\n@example.net", "c d@example.net"}, strings.NewReader("x"), nil)
	var re *RecipientsError
	if !errors.As(err, &re) || len(re.Failed) != 2 || !errors.Is(re.Failed[0].Err, ErrForbiddenInput) {
		t.Fatalf("SendMail: %v", err)
	}
	if sc.w.Len() != n {
		t.Errorf("wrote %q", sc.w.Bytes()[n:])
	}
}

func TestClientSendMailListsEachRefusedRecipientOnce(t *testing.T) {
	// No PIPELINING: one command at a time; b is refused before sending
	// (RRVS the server lacks), c by the server.
	c, _, _ := readyClient(t, "220 x\r\n250 x\r\n250 OK\r\n550 no\r\n250 OK\r\n354 go\r\n250 OK\r\n", nil)
	opts := &SendOptions{Rcpt: RcptOptions{RRVS: &RRVSOptions{Time: time.Unix(1, 0)}}}
	err := c.SendMail(context.Background(), "a@example.org", []string{"b@example.net"}, strings.NewReader("x\r\n"), opts)
	var re *RecipientsError
	if !errors.As(err, &re) || len(re.Failed) != 1 || !errors.Is(re.Failed[0].Err, ErrExtensionUnsupported) {
		t.Fatalf("SendMail: %v", err)
	}
	c, _, _ = readyClient(t, "220 x\r\n250 x\r\n250 OK\r\n550 no\r\n250 OK\r\n354 go\r\n250 OK\r\n", nil)
	err = c.SendMail(context.Background(), "a@example.org", []string{"b\r@example.net", "c@example.net", "d@example.net"}, strings.NewReader("x\r\n"), nil)
	if !errors.As(err, &re) || len(re.Failed) != 2 || strings.Join(re.Accepted, ",") != "d@example.net" {
		t.Fatalf("SendMail: %v", err)
	}
}

func TestClientDebugWriterCopiesTraffic(t *testing.T) {
	var trace bytes.Buffer
	c, _, _ := readyClient(t, "220 x\r\n250 x\r\n250 OK\r\n", &ClientOptions{DebugWriter: &trace})
	if err := c.Noop(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"220 x\r\n", "EHLO localhost\r\n", "NOOP\r\n", "250 OK\r\n"} {
		if !strings.Contains(trace.String(), want) {
			t.Errorf("trace lacks %q: %q", want, trace.String())
		}
	}
}
