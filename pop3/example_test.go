package pop3_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"

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
