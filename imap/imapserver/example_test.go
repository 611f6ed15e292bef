package imapserver_test

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/imap/imapserver"
)

// A server over the in-memory backend, serving one connection.
func ExampleServer_ServeConn() {
	be := imapmem.New()
	u := be.AddUser("alice", "secret")
	u.AppendMessage("INBOX", []byte("Subject: hello\r\n\r\nHi!\r\n"), nil, time.Now())

	srv := &imapserver.Server{Backend: be, AllowInsecureAuth: true}
	client, server := net.Pipe()
	go srv.ServeConn(server)

	r := bufio.NewReader(client)
	r.ReadString('\n') // greeting
	fmt.Fprint(client, "a LOGIN alice secret\r\nb SELECT INBOX\r\nc FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]\r\nd LOGOUT\r\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			break
		}
		if strings.HasPrefix(line, "c ") || strings.HasPrefix(line, "* 1 FETCH") || strings.HasPrefix(line, "Subject") {
			fmt.Println(strings.TrimRight(line, "\r\n"))
		}
	}
	// Output:
	// * 1 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {18}
	// Subject: hello
	// c OK FETCH completed
}
