package pop3_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"

	"github.com/mailwire/mailwire/pop3"
)

// A server with an in-memory backend, and a client that reads and deletes
// a message over an in-memory connection.
func Example() {
	backend := pop3.NewMemBackend()
	backend.AddUser("alice", "secret")
	backend.Deliver("alice", []byte("Subject: hello\r\n\r\nHi Alice.\r\n"))

	server := &pop3.Server{
		Backend:           backend,
		AllowInsecureAuth: true, // a real server sets TLSConfig instead
		Logger:            slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	clientConn, serverConn := net.Pipe()
	go server.ServeConn(serverConn)

	ctx := context.Background()
	c, err := pop3.NewClient(clientConn)
	if err != nil {
		panic(err)
	}
	c.AllowInsecureAuth = true
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		panic(err)
	}
	n, size, _ := c.Stat(ctx)
	fmt.Println(n, "message,", size, "octets")
	msg, _ := c.RetrBytes(ctx, 1)
	fmt.Printf("%q\n", msg)
	c.Dele(ctx, 1)
	if err := c.Quit(ctx); err != nil {
		panic(err)
	}
	fmt.Println(len(backend.Messages("alice")), "left")
	// Output:
	// 1 message, 29 octets
	// "Subject: hello\r\n\r\nHi Alice.\r\n"
	// 0 left
}

// Errors carry the RFC 2449 response code.
func ExampleError() {
	err := error(&pop3.Error{Code: "IN-USE", Message: "maildrop locked"})
	fmt.Println(err)
	fmt.Println(errors.Is(err, pop3.ErrInUse), errors.Is(err, pop3.ErrSysTemp))
	// Output:
	// pop3: -ERR [IN-USE] maildrop locked
	// true false
}

// Dial connects over TCP; DialTLS over implicit TLS (port 995).
func ExampleDial() {
	ctx := context.Background()
	c, err := pop3.Dial(ctx, "pop.example.org:110")
	if err != nil {
		fmt.Println("dial failed")
		return
	}
	defer c.Close()
	if err := c.StartTLS(ctx, nil); err != nil {
		return
	}
	c.Login(ctx, "alice", "secret")
}

// Retr streams a message; Top gives its header and the first lines of its
// body.
func ExampleClient_Retr() {
	backend := pop3.NewMemBackend()
	backend.AddUser("alice", "secret")
	backend.Deliver("alice", []byte("Subject: report\n\nline 1\n.line 2\nline 3\n"))
	server := &pop3.Server{Backend: backend, AllowInsecureAuth: true,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	clientConn, serverConn := net.Pipe()
	go server.ServeConn(serverConn)

	ctx := context.Background()
	c, _ := pop3.NewClient(clientConn)
	c.AllowInsecureAuth = true
	c.Login(ctx, "alice", "secret")

	r, err := c.Retr(ctx, 1)
	if err != nil {
		panic(err)
	}
	msg, _ := io.ReadAll(r) // CRLF line ends, dots unstuffed
	r.Close()
	fmt.Print(strings.ReplaceAll(string(msg), "\r\n", "\n"))

	top, _ := c.Top(ctx, 1, 1)
	head, _ := io.ReadAll(top)
	fmt.Printf("%q\n", head)
	c.Quit(ctx)
	// Output:
	// Subject: report
	//
	// line 1
	// .line 2
	// line 3
	// "Subject: report\r\n\r\nline 1\r\n"
}

// A server on port 110 with STLS; USER/PASS and PLAIN are offered only
// after STLS.
func ExampleServer() {
	cert, err := tls.LoadX509KeyPair("cert.pem", "key.pem")
	if err != nil {
		fmt.Println("no certificate")
		return
	}
	backend := pop3.NewMemBackend()
	backend.AddUser("alice", "secret")
	server := &pop3.Server{
		Backend:   backend,
		Hostname:  "pop.example.org",
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}},
	}
	l, err := net.Listen("tcp", ":110")
	if err != nil {
		return
	}
	go server.Serve(l)
	// ... later:
	server.Shutdown(context.Background())
}
