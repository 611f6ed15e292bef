package imapclient

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
)

// silentServer accepts one connection, greets with caps and then never
// reads nor answers; the connection closes when the test ends.
func silentServer(t *testing.T, caps string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	conns := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		io.WriteString(c, "* OK [CAPABILITY IMAP4rev1 "+caps+"] silent\r\n")
		conns <- c
	}()
	t.Cleanup(func() {
		ln.Close()
		select {
		case c := <-conns:
			c.Close()
		default:
		}
	})
	return ln.Addr().String()
}

// A typed command's WaitContext ends when its context does.
func TestTypedWaitContext(t *testing.T) {
	addr := silentServer(t, "")
	c, err := Dial(context.Background(), addr, &Options{Timeout: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.Select("INBOX", nil).WaitContext(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Select.WaitContext = %v, want DeadlineExceeded", err)
	}
	if _, err := c.Status("INBOX", nil).Wait(); err == nil {
		t.Fatal("the connection should be closed after the context ended")
	}
}

// A server that stops reading cannot hold a command for ever: the write
// deadline (Options.Timeout) ends it.
func TestWriteDeadline(t *testing.T) {
	addr := silentServer(t, "LITERAL+")
	c, err := Dial(context.Background(), addr, &Options{Timeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	const size = 256 << 20 // far more than the socket buffers hold
	a := c.Append("INBOX", size, nil)
	w := bufio.NewWriterSize(a, 1<<20)
	chunk := make([]byte, 1<<20)
	var werr error
	for n := 0; n < size && werr == nil; n += len(chunk) {
		_, werr = w.Write(chunk)
	}
	if werr == nil {
		werr = w.Flush()
	}
	var ne net.Error
	if !errors.As(werr, &ne) || !ne.Timeout() {
		t.Fatalf("writing to a server that does not read: %v, want a timeout", werr)
	}
}

// Options may be nil wherever a method takes them: no panic, a valid
// command goes out.
func TestNilOptions(t *testing.T) {
	addr := silentServer(t, "LITERAL+")
	c, err := Dial(context.Background(), addr, &Options{Timeout: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Status("INBOX", nil)
	c.Select("INBOX", nil)
	c.List("", []string{"*"}, nil)
	c.Create("x", nil)
	c.GetMetadata("INBOX", []string{"/private/comment"}, nil)
	c.Search(nil, nil)
	c.UIDSearch(nil, nil)
	c.Sort(false, nil)
	c.Fetch(imap.SeqSetNum(1), nil)
	c.Store(imap.SeqSetNum(1), &StoreFlags{Op: StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}, nil)
	a := c.Append("INBOX", 1, nil)
	a.Write([]byte("x"))
}

// collectSeqs waits for a FETCH or STORE and returns the sequence
// numbers of the messages it was given.
func collectSeqs(t *testing.T, cmd *FetchCommand) []uint32 {
	msgs, err := cmd.Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out []uint32
	for _, m := range msgs {
		out = append(out, m.SeqNum)
	}
	return out
}

func TestFetchRouting(t *testing.T) {
	var unilateral []uint32
	opts := &Options{UnilateralDataHandler: &UnilateralDataHandler{Fetch: func(m *FetchMessageBuffer) { unilateral = append(unilateral, m.SeqNum) }}}
	runScript(t, "fetch_routing.txt", opts, func(t *testing.T, c *Client) error {
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			return err
		}
		f1 := c.Fetch(imap.SeqSet{{Start: 1, Stop: 2}}, &imap.FetchOptions{UID: true, Flags: true})
		f2 := c.Fetch(imap.SeqSetNum(5), &imap.FetchOptions{UID: true, Flags: true})
		st := c.Store(imap.SeqSetNum(8), &StoreFlags{Op: StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}, nil)
		if got := collectSeqs(t, f1); fmt.Sprint(got) != "[1 2]" {
			t.Errorf("FETCH 1:2 got messages %v", got)
		}
		if got := collectSeqs(t, f2); fmt.Sprint(got) != "[5]" {
			t.Errorf("FETCH 5 got messages %v", got)
		}
		if got := collectSeqs(t, st); fmt.Sprint(got) != "[8]" {
			t.Errorf("STORE 8 got messages %v", got)
		}
		return nil
	})
	if fmt.Sprint(unilateral) != "[7 9]" {
		t.Fatalf("unilateral FETCH responses %v, want [7 9]", unilateral)
	}
}

func TestFetchRoutingByUID(t *testing.T) {
	var unilateral []uint32
	opts := &Options{UnilateralDataHandler: &UnilateralDataHandler{Fetch: func(m *FetchMessageBuffer) { unilateral = append(unilateral, m.SeqNum) }}}
	runScript(t, "fetch_routing_uid.txt", opts, func(t *testing.T, c *Client) error {
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			return err
		}
		f1 := c.UIDFetch(imap.UIDSet{{Start: 101, Stop: 102}}, &imap.FetchOptions{UID: true, Flags: true})
		f2 := c.UIDFetch(imap.UIDSet{{Start: 105, Stop: 0}}, &imap.FetchOptions{Flags: true, BodySection: []*imap.FetchItemBodySection{{Specifier: imap.PartSpecifierHeaderFields, HeaderFields: []string{"SUBJECT"}, Peek: true}}})
		st := c.UIDStore(imap.UIDSetNum(103), &StoreFlags{Op: StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}, nil)
		if got := collectSeqs(t, f1); fmt.Sprint(got) != "[1 2]" {
			t.Errorf("UID FETCH 101:102 got messages %v", got)
		}
		if got := collectSeqs(t, f2); fmt.Sprint(got) != "[5]" {
			t.Errorf("UID FETCH 105:* got messages %v", got)
		}
		if got := collectSeqs(t, st); fmt.Sprint(got) != "[3]" {
			t.Errorf("UID STORE 103 got messages %v", got)
		}
		return nil
	})
	if fmt.Sprint(unilateral) != "[4 9]" {
		t.Fatalf("unilateral FETCH responses %v, want [4 9]", unilateral)
	}
}
