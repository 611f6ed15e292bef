package imapclient

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/internal/imapwire"
)

// scripted is a connection that replays a server's bytes and discards
// what the client writes.
type scripted struct {
	io.Reader
	io.Writer
}

func scriptedClient(tb testing.TB, server []byte) *Client {
	c, err := NewClient(scripted{bytes.NewReader(server), io.Discard})
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

const benchMessages = 10000

var (
	benchOnce              sync.Once
	benchMeta, benchBodies []byte
	benchBodyBytes         int64
)

// benchStreams builds the server side of FETCH 1:* (FLAGS ENVELOPE
// BODYSTRUCTURE RFC822.SIZE) and FETCH 1:* BODY.PEEK[] over a mailbox of
// 10,000 messages of the kinds a mailbox holds.
func benchStreams() {
	var meta, bodies bytes.Buffer
	enc := imapwire.NewEncoder(bufio.NewWriter(&meta))
	benc := imapwire.NewEncoder(bufio.NewWriter(&bodies))
	meta.WriteString("* OK ready\r\n")
	bodies.WriteString("* OK ready\r\n")
	for i := 1; i <= benchMessages; i++ {
		env := &imap.Envelope{
			Date:      "Mon, 7 Feb 1994 21:52:25 -0800",
			Subject:   fmt.Sprintf("=?UTF-8?Q?Gr=C3=BC=C3=9Fe?= message number %d about the meeting", i),
			From:      []imap.Address{{Name: "Alice Smith", Mailbox: "alice", Host: "example.org"}},
			To:        []imap.Address{{Name: "Bob", Mailbox: "bob", Host: "example.net"}, {Mailbox: "carol", Host: "example.com"}},
			MessageID: fmt.Sprintf("<%d.deadbeef@example.org>", i),
		}
		text := &imap.BodyStructure{Type: "text", Subtype: "plain", Params: imap.Params{{Name: "charset", Value: "utf-8"}}, Encoding: "quoted-printable", Size: 2279, Lines: 38}
		html := &imap.BodyStructure{Type: "text", Subtype: "html", Params: imap.Params{{Name: "charset", Value: "utf-8"}}, Encoding: "quoted-printable", Size: 4120, Lines: 61}
		att := &imap.BodyStructure{Type: "application", Subtype: "pdf", Params: imap.Params{{Name: "name", Value: "report.pdf"}}, Encoding: "base64", Size: 52210,
			Disposition: &imap.Disposition{Value: "attachment", Params: imap.Params{{Name: "filename", Value: "report.pdf"}}}}
		alt := &imap.BodyStructure{Type: "multipart", Subtype: "alternative", Params: imap.Params{{Name: "boundary", Value: "=_alt_" + fmt.Sprint(i)}}, Parts: []*imap.BodyStructure{text, html}}
		var bs *imap.BodyStructure
		switch i % 3 {
		case 0:
			bs = text
		case 1:
			bs = alt
		default:
			bs = &imap.BodyStructure{Type: "multipart", Subtype: "mixed", Params: imap.Params{{Name: "boundary", Value: "=_mix_" + fmt.Sprint(i)}}, Parts: []*imap.BodyStructure{alt, att}}
		}
		fmt.Fprintf(&meta, "* %d FETCH (UID %d FLAGS (\\Seen $Work) RFC822.SIZE %d ENVELOPE ", i, i, 4000+i)
		imap.WriteEnvelope(enc, env)
		enc.Raw(" BODYSTRUCTURE ")
		imap.WriteBodyStructure(enc, bs, true)
		enc.Raw(")\r\n")
		enc.Flush()

		size := 2000 + (i*7919)%30000
		body := "Subject: x\r\n\r\n" + strings.Repeat("0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ!?\r\n", size/76+1)
		fmt.Fprintf(&bodies, "* %d FETCH (BODY[] ", i)
		w := benc.ServerLiteral(int64(len(body)), false)
		io.WriteString(w, body)
		w.Close()
		benc.Raw(")\r\n")
		benc.Flush()
		benchBodyBytes += int64(len(body))
	}
	meta.WriteString("T1 OK done\r\n")
	bodies.WriteString("T1 OK done\r\n")
	benchMeta, benchBodies = meta.Bytes(), bodies.Bytes()
}

// BenchmarkFetchMeta parses FETCH 1:* (FLAGS ENVELOPE BODYSTRUCTURE
// RFC822.SIZE) of 10,000 messages, every item parsed.
func BenchmarkFetchMeta(b *testing.B) {
	benchOnce.Do(benchStreams)
	b.SetBytes(int64(len(benchMeta)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		c := scriptedClient(b, benchMeta)
		cmd := c.Fetch(imap.UIDSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{Flags: true, Envelope: true, BodyStructure: true, RFC822Size: true})
		for m := cmd.Next(); m != nil; m = cmd.Next() {
			for it := m.Next(); it != nil; it = m.Next() {
			}
			n++
		}
		if err := cmd.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msg/s")
}

// BenchmarkFetchBodies reads FETCH 1:* BODY.PEEK[] of 10,000 messages, each
// literal streamed to the end.
func BenchmarkFetchBodies(b *testing.B) {
	benchOnce.Do(benchStreams)
	b.SetBytes(int64(len(benchBodies)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		c := scriptedClient(b, benchBodies)
		cmd := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
		var total int64
		for m := cmd.Next(); m != nil; m = cmd.Next() {
			for it := m.Next(); it != nil; it = m.Next() {
				if s, ok := it.(*FetchItemDataBodySection); ok {
					k, _ := io.Copy(io.Discard, s.Literal)
					total += k
				}
			}
			n++
		}
		if err := cmd.Close(); err != nil {
			b.Fatal(err)
		}
		if total != benchBodyBytes {
			b.Fatalf("read %d bytes, want %d", total, benchBodyBytes)
		}
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "msg/s")
}
