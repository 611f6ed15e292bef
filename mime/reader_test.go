package mime

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

// walkAll returns every part with its decoded body.
func walkAll(t testing.TB, r io.Reader, opts *ReaderOptions) ([]*Part, [][]byte, error) {
	t.Helper()
	return walkReader(t, NewReader(r, opts))
}

func walkReader(t testing.TB, mr *Reader) ([]*Part, [][]byte, error) {
	t.Helper()
	var parts []*Part
	var bodies [][]byte
	for {
		p, err := mr.Next()
		if err == io.EOF {
			return parts, bodies, nil
		}
		if p == nil {
			return parts, bodies, err
		}
		b, rerr := io.ReadAll(p.Body())
		if rerr != nil {
			t.Fatal(rerr)
		}
		parts = append(parts, p)
		bodies = append(bodies, b)
		if err != nil {
			return parts, bodies, err
		}
	}
}

func hasDefect(p *Part, k DefectKind) bool {
	for _, d := range p.Defects {
		if d.Kind == k {
			return true
		}
	}
	return false
}

func nestedMessage(depth int) string {
	var b strings.Builder
	for i := 0; i < depth; i++ {
		fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
	}
	b.WriteString("Content-Type: text/plain\r\n\r\ndeep\r\n")
	for i := depth - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "--b%d--\r\n", i)
	}
	return b.String()
}

func TestReaderDepthLimitGivesLeafWithDefect(t *testing.T) {
	parts, _, err := walkAll(t, strings.NewReader(nestedMessage(10)), &ReaderOptions{Limits: Limits{MaxDepth: 3}})
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 4 {
		t.Fatalf("got %d parts, want 4", len(parts))
	}
	last := parts[3]
	if last.Depth != 3 || last.IsMultipart() || !hasDefect(last, DefectTooDeep) {
		t.Fatalf("last part: depth %d multipart %v defects %v", last.Depth, last.IsMultipart(), last.Defects)
	}
	// The default limit reads all of a reasonable nesting.
	parts, bodies, err := walkAll(t, strings.NewReader(nestedMessage(10)), nil)
	if err != nil || len(parts) != 11 || string(bodies[10]) != "deep" {
		t.Fatalf("default limits: %d parts, err %v", len(parts), err)
	}
}

func TestReaderPartLimitReturnsErrTooManyParts(t *testing.T) {
	var b strings.Builder
	b.WriteString("Content-Type: multipart/mixed; boundary=x\r\n\r\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "--x\r\n\r\npart %d\r\n", i)
	}
	b.WriteString("--x--\r\n")
	parts, bodies, err := walkAll(t, strings.NewReader(b.String()), &ReaderOptions{Limits: Limits{MaxParts: 5}})
	if !errors.Is(err, ErrTooManyParts) {
		t.Fatalf("err = %v, want ErrTooManyParts", err)
	}
	if len(parts) != 5 || string(bodies[4]) != "part 3" {
		t.Fatalf("got %d parts before the limit", len(parts))
	}
	if !hasDefect(parts[0], DefectTooManyParts) {
		t.Fatalf("root defects %v", parts[0].Defects)
	}
}

func TestReaderHeaderTooLargeSkipsThePartAndGoesOn(t *testing.T) {
	msg := "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n" +
		strings.Repeat("X-Big: "+strings.Repeat("a", 70)+"\r\n", 100) +
		"\r\nbody one\r\n--x\r\nContent-Type: text/plain\r\n\r\nbody two\r\n--x--\r\n"
	mr := NewReader(strings.NewReader(msg), &ReaderOptions{Limits: Limits{MaxHeaderBytes: 1000}})
	if _, err := mr.Next(); err != nil {
		t.Fatal(err)
	}
	p, err := mr.Next()
	if !errors.Is(err, ErrHeaderTooLarge) || p == nil || !hasDefect(p, DefectHeaderTooLarge) {
		t.Fatalf("part 1: %v, err %v", p, err)
	}
	p, err = mr.Next()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(p.Body())
	if p.Number != "2" || string(body) != "body two" {
		t.Fatalf("part %q body %q", p.Number, body)
	}
	// Too many fields: the same.
	msg = strings.Repeat("A: b\r\n", 50) + "\r\nbody"
	mr = NewReader(strings.NewReader(msg), &ReaderOptions{Limits: Limits{MaxHeaderFields: 10}})
	if _, err := mr.Next(); !errors.Is(err, ErrTooManyFields) {
		t.Fatalf("err = %v, want ErrTooManyFields", err)
	}
	if _, err := mr.Next(); err != io.EOF {
		t.Fatalf("after: %v", err)
	}
}

func TestReaderSkipsUnreadBodies(t *testing.T) {
	msg := readCorpus(t, "nested")
	mr := NewReader(bytes.NewReader(msg), nil)
	var nums []string
	for {
		p, err := mr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		nums = append(nums, p.Number)
		if p.Number == "2.1" {
			// Read a little of one body and leave the rest.
			buf := make([]byte, 3)
			p.Body().Read(buf)
		}
	}
	if got := strings.Join(nums, ","); got != ",1,1.1,1.2,2,2.1,2.2,3" {
		t.Fatalf("parts %s", got)
	}
}

// chunkReader returns the input in pieces of random sizes.
type chunkReader struct {
	b []byte
	r *rand.Rand
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(c.b) == 0 {
		return 0, io.EOF
	}
	n := 1 + c.r.IntN(100)
	if c.r.IntN(10) == 0 {
		n = 1 + c.r.IntN(70000)
	}
	n = min(n, len(p), len(c.b))
	copy(p, c.b[:n])
	c.b = c.b[n:]
	return n, nil
}

func bigMessage(r *rand.Rand) ([]byte, [][]byte) {
	var b bytes.Buffer
	var want [][]byte
	b.WriteString("Content-Type: multipart/mixed; boundary=\"big-boundary\"\r\n\r\n")
	for i := 0; i < 6; i++ {
		data := make([]byte, r.IntN(200000))
		for j := range data {
			data[j] = byte(r.Uint32())
		}
		want = append(want, data)
		b.WriteString("--big-boundary\r\nContent-Transfer-Encoding: base64\r\n\r\n")
		w := NewBase64Writer(&b)
		w.Write(data)
		w.Close()
		// Lines that look like boundaries but are not, around buffer edges.
		text := []byte(strings.Repeat("--big-boundaryX\r\n--big\r\n\r\n-", r.IntN(3000)))
		want = append(want, text)
		b.WriteString("\r\n--big-boundary\r\n\r\n")
		b.Write(text)
		b.WriteString("\r\n")
	}
	b.WriteString("--big-boundary--\r\n")
	return b.Bytes(), want
}

func TestReaderBoundariesAcrossBufferEdges(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	msg, want := bigMessage(r)
	for round := 0; round < 4; round++ {
		var src io.Reader = &chunkReader{msg, r}
		if round == 3 {
			src = nil
		}
		var parts []*Part
		var bodies [][]byte
		var err error
		if src == nil {
			parts, bodies, err = walkReader(t, NewReaderBytes(msg, nil))
		} else {
			parts, bodies, err = walkAll(t, src, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(parts) != len(want)+1 {
			t.Fatalf("got %d parts, want %d", len(parts), len(want)+1)
		}
		for i, w := range want {
			if !bytes.Equal(bodies[i+1], w) {
				t.Fatalf("round %d part %d: %d bytes, want %d", round, i+1, len(bodies[i+1]), len(w))
			}
			if len(parts[i+1].Defects) != 0 {
				t.Fatalf("part %d defects %v", i+1, parts[i+1].Defects)
			}
		}
	}
}

func TestReaderHoldsNoWholePart(t *testing.T) {
	data := make([]byte, 8<<20)
	for i := range data {
		data[i] = byte(i * 31)
	}
	enc := wrap76(base64.StdEncoding.EncodeToString(data))
	msg := "Content-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\nContent-Transfer-Encoding: base64\r\n\r\n" + enc + "--z--\r\n"
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	mr := NewReader(strings.NewReader(msg), nil)
	var n int64
	for {
		p, err := mr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		k, _ := io.Copy(io.Discard, p.Body())
		n += k
	}
	runtime.ReadMemStats(&after)
	if n != int64(len(data)) {
		t.Fatalf("decoded %d bytes", n)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Fatalf("allocated %d bytes to read an 8 MiB part", alloc)
	}
}

func TestReaderDigestDefaultsToMessageRFC822(t *testing.T) {
	parts, _, err := walkAll(t, strings.NewReader("Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: x\r\n\r\nhi\r\n--d--\r\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 3 || parts[1].MediaType.Subtype != "rfc822" || !parts[1].IsEncapsulated() || parts[2].Header.Get("Subject") != "x" {
		t.Fatalf("parts %d", len(parts))
	}
}

func TestReaderMessageGlobalOption(t *testing.T) {
	msg := "Content-Type: message/global\r\n\r\nSubject: inner\r\n\r\nbody"
	parts, _, _ := walkAll(t, strings.NewReader(msg), nil)
	if len(parts) != 1 {
		t.Fatalf("without the option: %d parts", len(parts))
	}
	parts, bodies, _ := walkAll(t, strings.NewReader(msg), &ReaderOptions{MessageGlobal: true})
	if len(parts) != 2 || string(bodies[1]) != "body" || parts[1].Number != "1" || parts[1].BodySection() != "1.1" {
		t.Fatalf("with the option: %d parts", len(parts))
	}
}

func TestReaderRawBodyKeepsEncoding(t *testing.T) {
	mr := NewReader(strings.NewReader("Content-Transfer-Encoding: base64\r\n\r\naGk=\r\n"), nil)
	p, _ := mr.Next()
	raw, _ := io.ReadAll(p.RawBody())
	if string(raw) != "aGk=\r\n" {
		t.Fatalf("raw %q", raw)
	}
}

func TestWalkVisitsEveryPart(t *testing.T) {
	msg := readCorpus(t, "forwarded-rfc822")
	var nums []string
	err := Walk(bytes.NewReader(msg), nil, func(p *Part) error {
		nums = append(nums, p.Number)
		return nil
	})
	if err != nil || strings.Join(nums, ",") != ",1,2,2,2.1,2.2" {
		t.Fatalf("parts %v, err %v", nums, err)
	}
}

func readCorpus(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/messages/" + name + ".eml")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReaderReportsInputErrors(t *testing.T) {
	boom := errors.New("boom")
	msg := "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\npart one is cut"
	mr := NewReader(io.MultiReader(strings.NewReader(msg), iotest.ErrReader(boom)), nil)
	mr.Next()
	p, err := mr.Next()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(p.Body()); !errors.Is(err, boom) {
		t.Fatalf("body read: %v, want boom", err)
	}
	if _, err := mr.Next(); !errors.Is(err, boom) {
		t.Fatalf("Next: %v, want boom", err)
	}
	// An error inside the first header block.
	mr = NewReader(io.MultiReader(strings.NewReader("Subject: x\r\nFrom: "), iotest.ErrReader(boom)), nil)
	if _, err := mr.Next(); !errors.Is(err, boom) {
		t.Fatalf("header: %v, want boom", err)
	}
}

func TestReaderOldBodyReadsNothingAfterNext(t *testing.T) {
	msg := "Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n\r\none\r\n--x\r\n\r\ntwo\r\n--x--\r\n"
	mr := NewReader(strings.NewReader(msg), nil)
	mr.Next()
	p1, _ := mr.Next()
	old := p1.Body()
	p2, _ := mr.Next()
	if b, _ := io.ReadAll(old); len(b) != 0 {
		t.Fatalf("old body gave %q", b)
	}
	if b, _ := io.ReadAll(p2.Body()); string(b) != "two" {
		t.Fatalf("part 2: %q", b)
	}
}

func TestReaderMissingStartBoundaryKeepsTheBody(t *testing.T) {
	body := strings.Repeat("no boundary here\r\n", 10)
	msg := "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + body
	parts, bodies, err := walkAll(t, strings.NewReader(msg), nil)
	if err != nil || len(parts) != 1 || parts[0].IsMultipart() || string(bodies[0]) != body || !hasDefect(parts[0], DefectMissingStartBoundary) {
		t.Fatalf("short body: %d parts, err %v", len(parts), err)
	}
	// Inside a multipart, up to the parent's next delimiter.
	msg = "Content-Type: multipart/mixed; boundary=p\r\n\r\n--p\r\nContent-Type: multipart/alternative; boundary=q\r\n\r\ntext\r\n--p\r\n\r\nnext\r\n--p--\r\n"
	parts, bodies, _ = walkAll(t, strings.NewReader(msg), nil)
	if len(parts) != 3 || string(bodies[1]) != "text" || string(bodies[2]) != "next" || !hasDefect(parts[1], DefectMissingStartBoundary) {
		t.Fatalf("nested: %d parts", len(parts))
	}
	// A preamble longer than the buffer is not looked past when streaming:
	// the multipart then has no parts; in memory the body is read as text.
	long := strings.Repeat("x", 3*scanBufSize) + "\r\n"
	msg = "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + long
	parts, _, _ = walkAll(t, strings.NewReader(msg), nil)
	if len(parts) != 1 || !parts[0].IsMultipart() || !hasDefect(parts[0], DefectMissingStartBoundary) {
		t.Fatalf("long, streaming: %d parts", len(parts))
	}
	parts, bodies, _ = walkReader(t, NewReaderBytes([]byte(msg), nil))
	if len(parts) != 1 || parts[0].IsMultipart() || string(bodies[0]) != long {
		t.Fatalf("long, in memory: %d parts", len(parts))
	}
}

func TestReaderLeafMessagesOption(t *testing.T) {
	msg := readCorpus(t, "forwarded-rfc822")
	parts, bodies, err := walkAll(t, bytes.NewReader(msg), &ReaderOptions{LeafMessages: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) != 3 || parts[2].IsEncapsulated() || !strings.HasPrefix(string(bodies[2]), "From: Alice") || !strings.HasSuffix(string(bodies[2]), "--inner--\r\n") {
		t.Fatalf("%d parts; part 2 body %q", len(parts), bodies[len(bodies)-1])
	}
}

func TestReaderBodyOfDashes(t *testing.T) {
	dashes := strings.Repeat("-", 200000) + "\r\n" + strings.Repeat("-- --b-", 1000)
	msg := "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n" + dashes + "\r\n--b--\r\n"
	for _, src := range []io.Reader{strings.NewReader(msg), iotest.HalfReader(strings.NewReader(msg))} {
		parts, bodies, err := walkAll(t, src, nil)
		if err != nil || len(parts) != 2 || string(bodies[1]) != dashes {
			t.Fatalf("%d parts, err %v", len(parts), err)
		}
	}
}
