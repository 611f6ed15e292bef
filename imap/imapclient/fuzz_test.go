package imapclient

import (
	"bytes"
	"io"
	"strconv"
	"testing"

	"github.com/mailwire/mailwire/imap"
)

// FuzzResponses feeds arbitrary server data to a client running a
// pipelined SELECT, FETCH and SEARCH with a unilateral handler: it must
// neither panic nor hang, whatever the bytes.
func FuzzResponses(f *testing.F) {
	for _, s := range []string{
		"* 3 EXISTS\r\n* FLAGS (\\Seen)\r\n* OK [UIDVALIDITY 5] x\r\nT1 OK [READ-WRITE] done\r\n",
		"* 1 FETCH (UID 5 FLAGS (\\Seen) BODY[HEADER] {5}\r\nab\r\n\r\n ENVELOPE (NIL \"s\" ((\"a\" NIL \"b\" \"c\")) NIL NIL NIL NIL NIL NIL NIL) BODYSTRUCTURE (\"text\" \"plain\" NIL NIL NIL \"7bit\" 5 1))\r\nT2 OK\r\n",
		"* SEARCH 1 2 3\r\n* ESEARCH (TAG \"T3\") UID COUNT 3 ALL 1:3\r\nT3 OK\r\n",
		"* VANISHED (EARLIER) 1:5\r\n* 2 EXPUNGE\r\n* LIST () \"/\" x\r\n* STATUS x (MESSAGES 1)\r\n+ go\r\n* BYE\r\n",
		"* 1 FETCH (BINARY[1]<0> ~{2}\r\n\x00\x01 X-GM-LABELS (\\Inbox a) MODSEQ (5) X-Y[a b]<3> (1 (2)))\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var in bytes.Buffer
		in.WriteString("* OK hi\r\n")
		in.Write(data)
		h := &UnilateralDataHandler{
			Expunge: func(uint32) {}, Fetch: func(*FetchMessageBuffer) {}, Mailbox: func(*UnilateralDataMailbox) {},
			Vanished: func(imap.UIDSet, bool) {}, Other: func(string, uint32, []Value) {},
		}
		c, err := NewClientOptions(scripted{&in, io.Discard}, &Options{UnilateralDataHandler: h, MaxLine: 4096, MaxLiteral: 1 << 16})
		if err != nil {
			return
		}
		sel := c.Select("INBOX", nil)
		fetch := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{UID: true, Envelope: true, BodyStructure: true})
		search := c.Search(nil, nil)
		sel.Wait()
		for m := fetch.Next(); m != nil; m = fetch.Next() {
			for it := m.Next(); it != nil; it = m.Next() {
				if s, ok := it.(*FetchItemDataBodySection); ok && s.Literal != nil {
					io.Copy(io.Discard, s.Literal)
				}
			}
		}
		fetch.Close()
		search.Wait()
		// A FETCH of bodies swaps in the larger read buffer mid-stream.
		bodies := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
		for m := bodies.Next(); m != nil; m = bodies.Next() {
			for it := m.Next(); it != nil; it = m.Next() {
				if s, ok := it.(*FetchItemDataBodySection); ok && s.Literal != nil {
					io.Copy(io.Discard, s.Literal)
				}
			}
		}
		bodies.Close()
	})
}

// FuzzScanFetchUID checks that the FETCH routing look-ahead does not
// depend on how much of the response has arrived: a prefix either asks
// for more or gives the answer the whole gives; and that a UID it finds
// is in the response.
func FuzzScanFetchUID(f *testing.F) {
	for _, s := range []string{
		"(UID 7 FLAGS ())",
		"(FLAGS (\\Seen) UID 12)",
		"(BODY[HEADER.FIELDS (SUBJECT)] {12}\r\nSubject: x\r\n UID 105)",
		`(ENVELOPE ("d" "UID 9 (" NIL NIL NIL NIL NIL NIL NIL NIL) UID 3)`,
		"(FLAGS ())",
		"(BINARY[1] ~{3}\r\na\x00b UID 4)",
		"(X-GM-LABELS (\\Inbox) UID 4294967295)",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		uid, look := scanFetchUID(b)
		for k := 0; k < len(b); k++ {
			u, l := scanFetchUID(b[:k])
			if l == lookMore {
				continue
			}
			if l != look || l == lookFound && u != uid {
				t.Fatalf("prefix %q: %d %v; whole %q: %d %v", b[:k], u, l, b, uid, look)
			}
		}
		if look == lookFound && !holdsUID(b, uid) {
			t.Fatalf("%q: found UID %d, which it does not hold", b, uid)
		}
	})
}

// holdsUID reports whether b has "UID " followed by a number equal to uid.
func holdsUID(b []byte, uid uint32) bool {
	up := make([]byte, len(b)) // ASCII upper case, offsets kept
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		up[i] = c
	}
	for i := 0; ; {
		k := bytes.Index(up[i:], []byte("UID "))
		if k < 0 {
			return false
		}
		i += k + 4
		if n, err := strconv.ParseUint(string(digits(b[i:])), 10, 64); err == nil && n == uint64(uid) {
			return true
		}
	}
}

func digits(b []byte) []byte {
	n := 0
	for n < len(b) && b[n] >= '0' && b[n] <= '9' {
		n++
	}
	return b[:n]
}
