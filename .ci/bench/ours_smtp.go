package main

// mailwire adapters for smtp-server: our server, and our client.

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"

	"github.com/mailwire/mailwire/sasl"
	"github.com/mailwire/mailwire/smtp"
)

func init() {
	smtpServers = append(smtpServers, oursSMTPServer{})
	smtpClients = append(smtpClients, oursSMTPClient{})
}

type oursSMTPServer struct{}

func (oursSMTPServer) Name() string { return "mailwire" }

func (oursSMTPServer) Start(ln net.Listener, user, pass string, sink *Sink) error {
	s := &smtp.Server{
		Backend:           &owBackend{user: user, pass: pass, sink: sink},
		Domain:            "bench.local",
		AllowInsecureAuth: true,
		Logger:            slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	go s.Serve(ln)
	return nil
}

type owBackend struct {
	user, pass string
	sink       *Sink
}

func (b *owBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &owSession{b: b}, nil }

type owSession struct {
	b      *owBackend
	authed bool
}

func (s *owSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *owSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, username, password string) error {
		if username != s.b.user || password != s.b.pass {
			return errors.New("invalid credentials")
		}
		s.authed = true
		return nil
	}), nil
}

func (s *owSession) Mail(string, *smtp.MailOptions) error {
	if !s.authed {
		return &smtp.Error{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	}
	return nil
}
func (s *owSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (s *owSession) Data(r io.Reader) error {
	n, err := io.Copy(io.Discard, r)
	if err != nil {
		return err
	}
	s.b.sink.Msgs.Add(1)
	s.b.sink.Bytes.Add(n)
	return nil
}
func (s *owSession) Reset()        {}
func (s *owSession) Logout() error { return nil }

type oursSMTPClient struct{}

func (oursSMTPClient) Name() string { return "mailwire" }

func (oursSMTPClient) Dial(addr, user, pass string) (SMTPClientConn, error) {
	ctx := context.Background()
	// Loopback without TLS, as for go-smtp: PLAIN must be allowed.
	opts := &smtp.ClientOptions{AllowInsecureAuth: true}
	c, err := opts.Dial(ctx, addr)
	if err != nil {
		return nil, err
	}
	if err := c.Hello(ctx); err != nil {
		c.Close()
		return nil, err
	}
	if err := c.Auth(ctx, sasl.NewPlainClient("", user, pass)); err != nil {
		c.Close()
		return nil, err
	}
	return owClientConn{c}, nil
}

type owClientConn struct{ c *smtp.Client }

// Send is MAIL, RCPT..., DATA, pipelined when the server offers PIPELINING
// (both servers here do); DATA, not BDAT, so that both servers get the
// same commands.
func (o owClientConn) Send(from string, to []string, msg []byte) error {
	return o.c.SendMail(context.Background(), from, to, bytes.NewReader(msg), &smtp.SendOptions{NoChunking: true})
}
func (o owClientConn) Reset() error { return o.c.Reset(context.Background()) }
func (o owClientConn) Close() error { return o.c.Quit(context.Background()) }
