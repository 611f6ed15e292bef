package smtp_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"

	"github.com/mailwire/mailwire/smtp"
)

// printSession prints what it receives.
type printSession struct{}

func (printSession) Mail(from string, opts *smtp.MailOptions) error {
	fmt.Println("from:", from)
	return nil
}

func (printSession) Rcpt(to string, opts *smtp.RcptOptions) error {
	if !strings.HasSuffix(to, "@example.org") {
		return &smtp.Error{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "relaying denied"}
	}
	fmt.Println("to:", to)
	return nil
}

func (printSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r) // a real backend would stream to its store
	if err != nil {
		return err // nothing is delivered: the server answers with its own error
	}
	fmt.Printf("data: %q\n", b)
	return nil
}

func (printSession) Reset()        {}
func (printSession) Logout() error { return nil }

func ExampleServer() {
	srv := &smtp.Server{
		Domain: "mx.example.org",
		Backend: smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
			return printSession{}, nil
		}),
	}
	// Serve would take a net.Listener; ServeConn serves one connection,
	// here the server end of an in-memory pipe.
	client, server := net.Pipe()
	go srv.ServeConn(server)

	r := bufio.NewReader(client)
	read := func() {
		for {
			line, _ := r.ReadString('\n')
			if len(line) < 4 || line[3] != '-' {
				fmt.Println("S:", strings.TrimRight(line, "\r\n"))
				return
			}
		}
	}
	read()
	for _, cmd := range []string{"EHLO client.example", "MAIL FROM:<alice@example.com>",
		"RCPT TO:<bob@example.net>", "RCPT TO:<bob@example.org>", "DATA", "Subject: hi\r\n\r\nHello.\r\n.", "QUIT"} {
		fmt.Fprintf(client, "%s\r\n", cmd)
		read()
	}
	// Output:
	// S: 220 mx.example.org ESMTP ready
	// S: 250 HELP
	// from: alice@example.com
	// S: 250 2.1.0 Sender OK
	// S: 550 5.7.1 relaying denied
	// to: bob@example.org
	// S: 250 2.1.5 Recipient OK
	// S: 354 Start mail input; end with <CRLF>.<CRLF>
	// data: "Subject: hi\r\n\r\nHello.\r\n"
	// S: 250 2.0.0 OK: queued
	// S: 221 2.0.0 Bye
}
