package smtp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mailwire/mailwire/sasl"
)

// Our Client against our Server, over net.Pipe.

type e2eMessage struct {
	From     string
	To       []string
	Data     string
	Mail     MailOptions
	Rcpt     []RcptOptions
	Identity string
}

type e2eBackend struct {
	mu       sync.Mutex
	msgs     []e2eMessage
	refuse   map[string]bool // RCPT refused with 550
	lmtpFail map[string]bool // LMTP delivery fails with 452
	xclient  map[string]string
}

func (b *e2eBackend) NewSession(c *Conn) (Session, error) { return &e2eSession{b: b, c: c}, nil }

func (b *e2eBackend) messages() []e2eMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]e2eMessage(nil), b.msgs...)
}

type e2eSession struct {
	b   *e2eBackend
	c   *Conn
	msg e2eMessage
}

func (s *e2eSession) Mail(from string, opts *MailOptions) error {
	o := *opts
	o.Params = nil
	s.msg = e2eMessage{From: from, Mail: o}
	return nil
}

func (s *e2eSession) Rcpt(to string, opts *RcptOptions) error {
	if s.b.refuse[to] {
		return &Error{Code: 550, EnhancedCode: EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	o := *opts
	o.Params = nil
	s.msg.To = append(s.msg.To, to)
	s.msg.Rcpt = append(s.msg.Rcpt, o)
	return nil
}

func (s *e2eSession) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m := s.msg
	m.Data = string(data)
	m.Identity, _ = s.c.Identity()
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, m)
	s.b.mu.Unlock()
	return nil
}

func (s *e2eSession) LMTPData(r io.Reader, status StatusCollector) error {
	if err := s.Data(r); err != nil {
		return err
	}
	for _, to := range s.msg.To {
		if s.b.lmtpFail[to] {
			status.SetStatus(to, &Error{Code: 452, EnhancedCode: EnhancedCode{4, 2, 2}, Message: "mailbox full"})
		}
	}
	return nil
}

func (s *e2eSession) Reset()        { s.msg = e2eMessage{} }
func (s *e2eSession) Logout() error { return nil }

func (s *e2eSession) AuthMechanisms() []string {
	return []string{sasl.ScramSHA256, sasl.Plain}
}

func (s *e2eSession) Auth(mech string) (sasl.Server, error) {
	switch mech {
	case sasl.ScramSHA256:
		cr, err := sasl.DeriveScramCredentials(mech, "secret", []byte("salt"), 4096)
		if err != nil {
			return nil, err
		}
		return sasl.NewScramServer(mech, func(user string) (sasl.ScramCredentials, error) {
			if user != "alice" {
				return sasl.ScramCredentials{}, errors.New("unknown")
			}
			return cr, nil
		}, nil, nil), nil
	case sasl.Plain:
		return sasl.NewPlainServer(func(authzid, user, pass string) error {
			if user == "alice" && pass == "secret" {
				return nil
			}
			return errors.New("bad")
		}), nil
	}
	return nil, errors.New("unknown mechanism")
}

func (s *e2eSession) XCLIENT(attrs map[string]string) error {
	s.b.mu.Lock()
	s.b.xclient = attrs
	s.b.mu.Unlock()
	return nil
}

// e2e starts srv on one end of a pipe and returns a client on the other.
func e2e(t *testing.T, srv *Server, opts *ClientOptions) *Client {
	t.Helper()
	if srv.Logger == nil {
		srv.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	cc, sc := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		srv.ServeConn(sc)
	}()
	t.Cleanup(func() {
		cc.Close()
		<-done
	})
	c, err := opts.NewClient(context.Background(), cc)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// e2eBody is a message with dot-led lines, a long line and enough bytes
// to need several chunks.
func e2eBody() string {
	var b strings.Builder
	b.WriteString("From: a@example.org\r\nSubject: e2e\r\n\r\n")
	for i := 0; i < 300; i++ {
		if i%7 == 0 {
			b.WriteString(".")
		}
		b.WriteString("a line of the body that is long enough to fill the chunks up\r\n")
	}
	b.WriteString(".\r\n..\r\nend\r\n")
	return b.String()
}

func TestClientServerSendMail(t *testing.T) {
	body := e2eBody()
	for _, tt := range []struct {
		name string
		opts SendOptions
	}{
		{"pipelined DATA", SendOptions{NoChunking: true}},
		{"pipelined BDAT", SendOptions{}},
		{"BDAT without pipelining", SendOptions{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			be := &e2eBackend{refuse: map[string]bool{"bad@example.net": true}}
			c := e2e(t, &Server{Backend: be}, &ClientOptions{ChunkSize: 4000})
			ctx := context.Background()
			if tt.name == "BDAT without pipelining" {
				if err := c.Hello(ctx); err != nil {
					t.Fatal(err)
				}
				delete(c.ext, "PIPELINING")
			}
			err := c.SendMail(ctx, "a@example.org", []string{"b@example.net", "bad@example.net", "c@example.net"}, strings.NewReader(body), &tt.opts)
			var re *RecipientsError
			if !errors.As(err, &re) || len(re.Failed) != 1 || re.Failed[0].Rcpt != "bad@example.net" {
				t.Fatalf("SendMail: %v", err)
			}
			// A second message on the same connection, to everyone good.
			if err := c.SendMail(ctx, "", []string{"c@example.net"}, strings.NewReader("short\r\n"), &tt.opts); err != nil {
				t.Fatal(err)
			}
			if err := c.Quit(ctx); err != nil {
				t.Fatal(err)
			}
			msgs := be.messages()
			if len(msgs) != 2 {
				t.Fatalf("%d messages", len(msgs))
			}
			if msgs[0].Data != body || msgs[1].Data != "short\r\n" {
				t.Errorf("data differs:\n%s", cmp.Diff(body, msgs[0].Data))
			}
			if strings.Join(msgs[0].To, " ") != "b@example.net c@example.net" || msgs[1].From != "" {
				t.Errorf("envelopes %q %q", msgs[0].To, msgs[1].From)
			}
		})
	}
}

func TestClientServerStartTLSAndLogin(t *testing.T) {
	scfg, ccfg := clientTestTLS(t)
	be := &e2eBackend{}
	c := e2e(t, &Server{Backend: be, TLSConfig: scfg}, nil)
	ctx := context.Background()
	// Before TLS the server offers no AUTH, and PLAIN would be refused.
	if err := c.Login(ctx, sasl.Credentials{Username: "alice", Password: "secret"}); !errors.Is(err, ErrExtensionUnsupported) {
		t.Errorf("Login before TLS: %v", err)
	}
	if err := c.StartTLS(ctx, ccfg); err != nil {
		t.Fatal(err)
	}
	if err := c.Login(ctx, sasl.Credentials{Username: "alice", Password: "secret"}); err != nil {
		t.Fatal(err)
	}
	if err := c.SendMail(ctx, "alice@example.org", []string{"b@example.net"}, strings.NewReader("hi\r\n"), nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(ctx); err != nil {
		t.Fatal(err)
	}
	msgs := be.messages()
	if len(msgs) != 1 || msgs[0].Identity != "alice" {
		t.Errorf("messages %+v", msgs)
	}
}

func TestClientServerWrongPassword(t *testing.T) {
	be := &e2eBackend{}
	c := e2e(t, &Server{Backend: be, AllowInsecureAuth: true, Limits: Limits{AuthFailureDelay: -1}}, &ClientOptions{AllowInsecureAuth: true})
	err := c.Login(context.Background(), sasl.Credentials{Username: "alice", Password: "wrong"})
	var e *Error
	if !errors.Is(err, sasl.ErrAuthFailed) || !errors.As(err, &e) || e.Code != 535 {
		t.Fatalf("Login: %v", err)
	}
	if err := c.Noop(context.Background()); err != nil {
		t.Errorf("Noop after a failed login: %v", err)
	}
}

func TestClientServerParameters(t *testing.T) {
	be := &e2eBackend{}
	srv := &Server{Backend: be, EnableSMTPUTF8: true, EnableDSN: true, EnableDELIVERBY: true,
		EnableMTPRIORITY: true, EnableRRVS: true}
	c := e2e(t, srv, nil)
	prio := 4
	opts := &SendOptions{
		Mail: MailOptions{Body: Body8BitMIME, UTF8: true, Size: 9, Return: DSNReturnHeaders, EnvelopeID: "env id+=",
			DeliverBy: &DeliverByOptions{Time: time.Hour, Mode: DeliverByNotify, Trace: true}, MTPriority: &prio},
		Rcpt: RcptOptions{Notify: []DSNNotify{DSNNotifyFailure, DSNNotifyDelayed}, OriginalRecipientType: "rfc822",
			OriginalRecipient: "orig+x=y@example.net", RRVS: &RRVSOptions{Time: time.Date(2020, 5, 6, 7, 8, 9, 0, time.UTC), Action: 'C'}},
	}
	ctx := context.Background()
	if err := c.SendMail(ctx, "ü@example.org", []string{"ö@example.net"}, strings.NewReader("é\r\n"), opts); err != nil {
		t.Fatal(err)
	}
	msgs := be.messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	m := msgs[0]
	if m.From != "ü@example.org" || m.To[0] != "ö@example.net" || m.Data != "é\r\n" {
		t.Errorf("message %+v", m)
	}
	if diff := cmp.Diff(opts.Mail, m.Mail); diff != "" {
		t.Errorf("MAIL parameters (-sent +received):\n%s", diff)
	}
	if diff := cmp.Diff(opts.Rcpt, m.Rcpt[0]); diff != "" {
		t.Errorf("RCPT parameters (-sent +received):\n%s", diff)
	}
}

func TestClientServerLMTP(t *testing.T) {
	be := &e2eBackend{lmtpFail: map[string]bool{"full@example.net": true}, refuse: map[string]bool{"bad@example.net": true}}
	c := e2e(t, &Server{Backend: be, LMTP: true}, &ClientOptions{LMTP: true})
	for _, chunking := range []bool{false, true} {
		err := c.SendMail(context.Background(), "a@example.org", []string{"b@example.net", "full@example.net", "bad@example.net", "c@example.net"},
			strings.NewReader("hi\r\n"), &SendOptions{NoChunking: !chunking})
		var re *RecipientsError
		if !errors.As(err, &re) {
			t.Fatalf("SendMail: %v", err)
		}
		if strings.Join(re.Accepted, " ") != "b@example.net c@example.net" || len(re.Failed) != 2 {
			t.Errorf("chunking %v: accepted %q failed %v", chunking, re.Accepted, re.Failed)
		}
		for _, f := range re.Failed {
			var e *Error
			if !errors.As(f.Err, &e) || f.Rcpt == "full@example.net" && e.Code != 452 || f.Rcpt == "bad@example.net" && e.Code != 550 {
				t.Errorf("%s: %v", f.Rcpt, f.Err)
			}
		}
	}
}

func TestClientServerXClient(t *testing.T) {
	be := &e2eBackend{}
	c := e2e(t, &Server{Backend: be}, nil)
	ctx := context.Background()
	attrs := map[string]string{"ADDR": "192.0.2.1", "NAME": "[UNAVAILABLE]", "HELO": "a b+c"}
	if err := c.XClient(ctx, attrs); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(attrs, be.xclient); diff != "" {
		t.Errorf("attributes (-sent +received):\n%s", diff)
	}
	if err := c.Noop(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestClientServerLimitsSplitRecipients(t *testing.T) {
	be := &e2eBackend{}
	c := e2e(t, &Server{Backend: be, AdvertiseLimits: true, Limits: Limits{MaxRecipients: 2}}, nil)
	to := []string{"r1@example.net", "r2@example.net", "r3@example.net", "r4@example.net", "r5@example.net"}
	// Not an io.Seeker: the client must keep a copy to send it again.
	body := io.MultiReader(strings.NewReader("split\r\n"))
	if err := c.SendMail(context.Background(), "a@example.org", to, body, nil); err != nil {
		t.Fatal(err)
	}
	msgs := be.messages()
	var got []string
	for _, m := range msgs {
		if m.Data != "split\r\n" {
			t.Errorf("data %q", m.Data)
		}
		got = append(got, strings.Join(m.To, ","))
	}
	if want := "r1@example.net,r2@example.net r3@example.net,r4@example.net r5@example.net"; strings.Join(got, " ") != want {
		t.Errorf("transactions %q, want %q", got, want)
	}
}

func TestClientServerMessageTooLarge(t *testing.T) {
	be := &e2eBackend{}
	c := e2e(t, &Server{Backend: be, Limits: Limits{MaxMessageBytes: 1000}}, nil)
	big := bytes.Repeat([]byte("0123456789abcdef\r\n"), 100)
	ctx := context.Background()
	// Declared: refused before sending.
	err := c.SendMail(ctx, "a@example.org", []string{"b@example.net"}, bytes.NewReader(big), &SendOptions{Mail: MailOptions{Size: int64(len(big))}})
	if !errors.Is(err, ErrMessageExceedsSize) {
		t.Errorf("declared size: %v", err)
	}
	// Known from the reader's Len: declared, so refused early too.
	if err := c.SendMail(ctx, "a@example.org", []string{"b@example.net"}, bytes.NewReader(big), nil); !errors.Is(err, ErrMessageExceedsSize) {
		t.Errorf("known size: %v", err)
	}
	// Unknown: the server refuses it at the end, the session goes on.
	for _, chunking := range []bool{false, true} {
		err = c.SendMail(ctx, "a@example.org", []string{"b@example.net"}, io.MultiReader(bytes.NewReader(big)), &SendOptions{NoChunking: !chunking})
		var e *Error
		if !errors.As(err, &e) || e.Code != 552 {
			t.Errorf("chunking %v: %v, want 552", chunking, err)
		}
	}
	if err := c.SendMail(ctx, "a@example.org", []string{"b@example.net"}, strings.NewReader("small\r\n"), nil); err != nil {
		t.Errorf("after a refused message: %v", err)
	}
	if n := len(be.messages()); n != 1 {
		t.Errorf("%d messages delivered, want 1", n)
	}
}

func TestClientServerManyRecipientsPipelined(t *testing.T) {
	// Far more than fits the 4 KB pipelining window: the group must be
	// written while the replies are read, even over an unbuffered pipe.
	be := &e2eBackend{}
	var to []string
	for i := 0; i < 600; i++ {
		to = append(to, fmt.Sprintf("recipient-number-%04d@example.net", i))
	}
	c := e2e(t, &Server{Backend: be}, nil)
	for _, chunking := range []bool{false, true} {
		if err := c.SendMail(context.Background(), "a@example.org", to, strings.NewReader("many\r\n"), &SendOptions{NoChunking: !chunking}); err != nil {
			t.Fatal(err)
		}
	}
	msgs := be.messages()
	if len(msgs) != 2 || len(msgs[0].To) != 600 || len(msgs[1].To) != 600 {
		t.Fatalf("%d messages", len(msgs))
	}
}
