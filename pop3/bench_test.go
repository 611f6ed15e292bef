package pop3

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/textwire"
)

const benchMessages = 10000

// benchSizes are the sizes of the messages, in turn: mostly small, some
// large, like a real maildrop.
var benchSizes = []int{600, 1500, 3000, 1200, 8000, 900, 2500, 40000, 700, 5000}

// benchTemplate is text with CRLF lines, some starting with a dot; each
// message is a prefix of it.
var benchTemplate = func() []byte {
	var b bytes.Buffer
	b.WriteString("From: bench@example.org\r\nSubject: benchmark\r\n\r\n")
	for i := 0; b.Len() < 64<<10; i++ {
		if i%17 == 0 {
			b.WriteString(".a line that starts with a dot\r\n")
		}
		b.WriteString("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod " + strconv.Itoa(i) + "\r\n")
	}
	return b.Bytes()
}()

func benchMessage(i int) []byte {
	m := benchTemplate[:benchSizes[i%len(benchSizes)]]
	if j := bytes.LastIndexByte(m, '\n'); j > 0 {
		m = m[:j+1]
	}
	return m
}

// benchBackend serves benchMessages messages cut from benchTemplate,
// without copies.
type benchBackend struct{}

func (benchBackend) CheckPassword(ctx context.Context, u, p string) error { return nil }
func (benchBackend) OpenMaildrop(ctx context.Context, u string) (Maildrop, error) {
	return benchMaildrop{}, nil
}

type benchMaildrop struct{}

func (benchMaildrop) Messages(ctx context.Context) ([]MessageInfo, error) {
	infos := make([]MessageInfo, benchMessages)
	for i := range infos {
		infos[i] = MessageInfo{Size: int64(len(benchMessage(i))), UID: "u" + strconv.Itoa(i)}
	}
	return infos, nil
}

type nopReadCloser struct{ bytes.Reader }

func (*nopReadCloser) Close() error { return nil }

func (benchMaildrop) Open(ctx context.Context, i int) (io.ReadCloser, error) {
	r := &nopReadCloser{}
	r.Reset(benchMessage(i))
	return r, nil
}
func (benchMaildrop) Commit(ctx context.Context, d []int) error { return nil }
func (benchMaildrop) Close() error                              { return nil }

func benchTotal() int64 {
	var n int64
	for i := 0; i < benchMessages; i++ {
		n += int64(len(benchMessage(i)))
	}
	return n
}

// BenchmarkServerRetr serves one session that retrieves all 10,000
// messages, commands pipelined, output discarded.
func BenchmarkServerRetr(b *testing.B) {
	var cmds strings.Builder
	cmds.WriteString("USER a\r\nPASS b\r\n")
	for i := 1; i <= benchMessages; i++ {
		cmds.WriteString("RETR " + strconv.Itoa(i) + "\r\n")
	}
	cmds.WriteString("QUIT\r\n")
	script := cmds.String()
	s := newServer(benchBackend{})
	s.AllowInsecureAuth = true
	b.SetBytes(benchTotal())
	b.ReportAllocs()
	for b.Loop() {
		s.ServeConn(&cutConn{r: strings.NewReader(script), w: io.Discard, failAt: -1})
	}
}

// BenchmarkClientRetr reads 10,000 messages from a recorded server
// stream.
func BenchmarkClientRetr(b *testing.B) {
	var wire bytes.Buffer
	wire.WriteString("+OK ready\r\n")
	bw := bufio.NewWriter(&wire)
	for i := 0; i < benchMessages; i++ {
		bw.WriteString("+OK message follows\r\n")
		dw := textwire.NewDotWriter(bw)
		dw.Write(benchMessage(i))
		dw.Close()
	}
	data := wire.Bytes()
	buf := make([]byte, 32<<10)
	b.SetBytes(benchTotal())
	b.ReportAllocs()
	for b.Loop() {
		rw := &cutConn{r: bytes.NewReader(data), w: io.Discard, failAt: -1}
		c, err := NewClient(rw)
		if err != nil {
			b.Fatal(err)
		}
		ctx := context.Background()
		for i := 1; i <= benchMessages; i++ {
			r, err := c.Retr(ctx, i)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.CopyBuffer(io.Discard, onlyReader{r}, buf); err != nil {
				b.Fatal(err)
			}
		}
	}
}
