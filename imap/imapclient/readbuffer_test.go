package imapclient

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/imap"
)

// bodyServer answers FETCH with bodies[i] for message i+1 when BODY is
// asked for, with UIDs otherwise, and every other command with OK. It
// reads batch commands before answering them (net.Pipe has no buffer:
// pipelined commands must be read before the replies go out).
func bodyServer(conn net.Conn, bodies []string, batch int) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	bw := bufio.NewWriter(conn)
	bw.WriteString("* PREAUTH ready\r\n")
	bw.Flush()
	for {
		var lines []string
		for len(lines) < batch {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			lines = append(lines, line)
			if strings.Contains(line, "LOGOUT") || !strings.Contains(line, "FETCH") {
				break
			}
		}
		for _, line := range lines {
			tag, rest, _ := strings.Cut(strings.TrimSpace(line), " ")
			if strings.HasPrefix(rest, "FETCH") {
				for i, b := range bodies {
					if strings.Contains(rest, "BODY") {
						fmt.Fprintf(bw, "* %d FETCH (BODY[] {%d}\r\n%s)\r\n", i+1, len(b), b)
					} else {
						fmt.Fprintf(bw, "* %d FETCH (UID %d)\r\n", i+1, i+1)
					}
				}
			}
			if strings.HasPrefix(rest, "LOGOUT") {
				bw.WriteString("* BYE\r\n")
			}
			fmt.Fprintf(bw, "%s OK done\r\n", tag)
		}
		bw.Flush()
	}
}

func testBodies() []string {
	var bodies []string
	for _, n := range []int{10, 3000, 70 << 10, 5, 300 << 10, 9000} {
		bodies = append(bodies, strings.Repeat(fmt.Sprintf("%d;", n%7), n)[:n])
	}
	return bodies
}

func fetchBodies(t *testing.T, c *Client, want []string) {
	t.Helper()
	cmd := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	i := 0
	for msg := cmd.Next(); msg != nil; msg = cmd.Next() {
		for item := msg.Next(); item != nil; item = msg.Next() {
			if b, ok := item.(*FetchItemDataBodySection); ok {
				got, err := io.ReadAll(b.Literal)
				if err != nil || i >= len(want) || string(got) != want[i] {
					t.Fatalf("message %d: %d octets, %v", i+1, len(got), err)
				}
				i++
			}
		}
	}
	if err := cmd.Close(); err != nil || i != len(want) {
		t.Fatalf("%d bodies, %v", i, err)
	}
}

func TestFetchOfBodiesGrowsTheReadBuffer(t *testing.T) {
	cc, sc := net.Pipe()
	bodies := testBodies()
	go bodyServer(sc, bodies, 1)
	c, err := NewClient(cc)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Metadata alone keeps the small buffer.
	if msgs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true}).Collect(); err != nil || len(msgs) != len(bodies) {
		t.Fatal(len(msgs), err)
	}
	if c.br.Size() != DefaultReadBufferSize {
		t.Fatalf("read buffer %d after a metadata FETCH", c.br.Size())
	}
	fetchBodies(t, c, bodies)
	if c.br.Size() != DefaultFetchReadBufferSize {
		t.Fatalf("read buffer %d after a FETCH of bodies, want %d", c.br.Size(), DefaultFetchReadBufferSize)
	}
	// The grown buffer carries on: the next commands and bodies read right.
	fetchBodies(t, c, bodies)
	if err := c.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestFetchReadBufferSizeNegativeKeepsTheBuffer(t *testing.T) {
	cc, sc := net.Pipe()
	bodies := testBodies()
	go bodyServer(sc, bodies, 1)
	c, err := NewClientOptions(cc, &Options{FetchReadBufferSize: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fetchBodies(t, c, bodies)
	if c.br.Size() != DefaultReadBufferSize {
		t.Fatalf("read buffer %d with FetchReadBufferSize -1", c.br.Size())
	}
}

func TestFetchOfBodiesAfterPipelinedRepliesReadsRight(t *testing.T) {
	// Two FETCHes sent before either is read: when the second one takes
	// the connection, the first's replies may sit in the buffer, and the
	// swap must then wait rather than lose them.
	cc, sc := net.Pipe()
	bodies := testBodies()
	go bodyServer(sc, bodies, 2)
	c, err := NewClientOptions(cc, &Options{FetchReadBufferSize: 128 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	opts := &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}}
	first := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, opts)
	second := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, opts)
	for _, cmd := range []*FetchCommand{second, first} {
		msgs, err := cmd.Collect()
		if err != nil || len(msgs) != len(bodies) {
			t.Fatalf("%d messages, %v", len(msgs), err)
		}
		for i, m := range msgs {
			if string(m.BodySection[0].Bytes) != bodies[i] {
				t.Fatalf("message %d: %d octets", i+1, len(m.BodySection[0].Bytes))
			}
		}
	}
	if c.br.Size() != 128<<10 {
		t.Errorf("read buffer %d, want 128 KiB", c.br.Size())
	}
}
