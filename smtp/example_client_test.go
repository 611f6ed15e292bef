package smtp_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/mailwire/mailwire/smtp"
)

// exampleBackend prints what it receives, refusing one recipient.
type exampleBackend struct{}

func (exampleBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &exampleSession{}, nil }

type exampleSession struct{ to []string }

func (s *exampleSession) Mail(from string, _ *smtp.MailOptions) error {
	fmt.Println("server: mail from", from)
	return nil
}

func (s *exampleSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if strings.HasPrefix(to, "nobody@") {
		return &smtp.Error{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user"}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *exampleSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	fmt.Printf("server: %q for %v\n", b, s.to)
	return err
}

func (s *exampleSession) Reset()        { s.to = nil }
func (s *exampleSession) Logout() error { return nil }

// exampleServer starts a server on one end of an in-memory connection and
// returns the other end, where a real program would dial.
func exampleServer() net.Conn {
	srv := &smtp.Server{Backend: exampleBackend{}, Domain: "mx.example", Logger: slog.New(slog.DiscardHandler)}
	client, server := net.Pipe()
	go srv.ServeConn(server)
	return client
}

// A client sends one message to two recipients, one of whom the server
// refuses; the other still gets it. Over a network, smtp.Dial or
// smtp.SendMail replace the in-memory connection.
func ExampleClient_SendMail() {
	ctx := context.Background()
	c, err := (&smtp.ClientOptions{LocalName: "client.example"}).NewClient(ctx, exampleServer())
	if err != nil {
		fmt.Println(err)
		return
	}
	body := strings.NewReader("Subject: hello\r\n\r\n.a line starting with a dot\r\n")
	err = c.SendMail(ctx, "alice@example.org", []string{"bob@example.net", "nobody@example.net"}, body, nil)
	var re *smtp.RecipientsError
	if errors.As(err, &re) {
		fmt.Println("client: delivered to", re.Accepted)
		for _, f := range re.Failed {
			fmt.Println("client: failed:", f.Rcpt, f.Err)
		}
	}
	if err := c.Quit(ctx); err != nil {
		fmt.Println(err)
	}
	// Output:
	// server: mail from alice@example.org
	// server: "Subject: hello\r\n\r\n.a line starting with a dot\r\n" for [bob@example.net]
	// client: delivered to [bob@example.net]
	// client: failed: nobody@example.net smtp: 550 5.1.1 No such user
}

// The same, one command at a time, with the parameters of MAIL and RCPT.
func ExampleClient_Mail() {
	ctx := context.Background()
	c, err := smtp.NewClient(exampleServer())
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Quit(ctx)
	if err := c.Mail(ctx, "alice@example.org", &smtp.MailOptions{Size: 20}); err != nil {
		fmt.Println(err)
		return
	}
	if err := c.Rcpt(ctx, "nobody@example.net", nil); err != nil {
		fmt.Println("client:", err)
	}
	if err := c.Rcpt(ctx, "bob@example.net", nil); err != nil {
		fmt.Println("client:", err)
		return
	}
	w, err := c.Data(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	io.WriteString(w, "Subject: hi\r\n\r\nhi\r\n")
	if err := w.Close(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// server: mail from alice@example.org
	// client: smtp: 550 5.1.1 No such user
	// server: "Subject: hi\r\n\r\nhi\r\n" for [bob@example.net]
}
