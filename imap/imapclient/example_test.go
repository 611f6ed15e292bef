package imapclient

import (
	"fmt"
	"io"
	"strings"

	"github.com/mailwire/mailwire/imap"
)

// exampleServer stands for a server: it replays these lines.
func exampleServer(lines ...string) io.ReadWriter {
	return scripted{strings.NewReader(strings.Join(lines, "\r\n") + "\r\n"), io.Discard}
}

func ExampleClient_Fetch() {
	conn := exampleServer(
		`* OK [CAPABILITY IMAP4rev2] ready`,
		`T1 OK logged in`,
		`* 2 EXISTS`,
		`T2 OK [READ-WRITE] selected`,
		`* 1 FETCH (UID 7 FLAGS (\Seen) ENVELOPE (NIL "Hello" (("Alice" NIL "alice" "example.org")) NIL NIL NIL NIL NIL NIL NIL))`,
		`* 2 FETCH (UID 8 FLAGS () ENVELOPE (NIL "Lunch?" (("Bob" NIL "bob" "example.org")) NIL NIL NIL NIL NIL NIL NIL))`,
		`T3 OK done`,
	)
	c, err := NewClient(conn)
	if err != nil {
		panic(err)
	}
	if err := c.Login("alice", "secret").Wait(); err != nil {
		panic(err)
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		panic(err)
	}
	fmt.Println("messages:", sel.NumMessages)
	cmd := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, Flags: true, Envelope: true})
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		for item := msg.Next(); item != nil; item = msg.Next() {
			switch it := item.(type) {
			case *FetchItemDataUID:
				fmt.Print("uid ", it.UID, ": ")
			case *FetchItemDataEnvelope:
				fmt.Println(it.Envelope.Subject, "from", it.Envelope.From[0].Addr())
			}
		}
	}
	if err := cmd.Close(); err != nil {
		panic(err)
	}
	// Output:
	// messages: 2
	// uid 7: Hello from alice@example.org
	// uid 8: Lunch? from bob@example.org
}

func ExampleClient_Search() {
	conn := exampleServer(
		`* PREAUTH [CAPABILITY IMAP4rev2] ready`,
		`* ESEARCH (TAG "T1") UID COUNT 2 ALL 4,9`,
		`T1 OK done`,
	)
	c, _ := NewClient(conn)
	data, err := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagSeen}}, &imap.SearchOptions{ReturnAll: true, ReturnCount: true}).Wait()
	if err != nil {
		panic(err)
	}
	fmt.Println(data.Count, data.All)
	// Output: 2 4,9
}

func ExampleClient_Append() {
	conn := exampleServer(
		`* PREAUTH [CAPABILITY IMAP4rev2 LITERAL+] ready`,
		`T1 OK [APPENDUID 38505 3955] stored`,
	)
	c, _ := NewClient(conn)
	msg := "Subject: hi\r\n\r\nHello.\r\n"
	a := c.Append("Sent", int64(len(msg)), &AppendOptions{Flags: []imap.Flag{imap.FlagSeen}})
	io.WriteString(a, msg)
	data, err := a.Wait()
	if err != nil {
		panic(err)
	}
	fmt.Println(data.UIDValidity, data.UID)
	// Output: 38505 3955
}

func ExampleClient_Idle() {
	conn := exampleServer(
		`* PREAUTH ready`,
		`+ idling`,
		`* 5 EXISTS`,
		`T1 OK done`,
	)
	got := make(chan uint32, 1)
	c, _ := NewClientOptions(conn, &Options{UnilateralDataHandler: &UnilateralDataHandler{
		Mailbox: func(m *UnilateralDataMailbox) {
			if m.NumMessages != nil {
				got <- *m.NumMessages
			}
		},
	}})
	idle, err := c.Idle()
	if err != nil {
		panic(err)
	}
	fmt.Println("new message count:", <-got)
	idle.Close()
	// Output: new message count: 5
}
