package imapwire

import (
	"bufio"
	"bytes"
	"io"
	"strconv"
	"strings"
	"testing"
)

// readCounter records the reads made from the connection.
type readCounter struct {
	r      io.Reader
	n, max int
}

func (c *readCounter) Read(p []byte) (int, error) {
	c.n++
	c.max = max(c.max, len(p))
	return c.r.Read(p)
}

func copyLiteral(t *testing.T, size, bufSize int) *readCounter {
	t.Helper()
	body := strings.Repeat("0123456789abcdef", size/16)
	rc := &readCounter{r: strings.NewReader("{" + strconv.Itoa(len(body)) + "}\r\n" + body + ")\r\n")}
	d := NewDecoder(bufio.NewReaderSize(rc, bufSize))
	_, r, ok := d.Literal()
	if !ok {
		t.Fatal(d.Err())
	}
	var out bytes.Buffer
	if n, err := io.Copy(&out, r); err != nil || n != int64(len(body)) || out.String() != body {
		t.Fatalf("copied %d octets (%v), want %d intact", n, err, len(body))
	}
	if !d.ExpectSpecial(')') || !d.ExpectCRLF() {
		t.Fatalf("after the literal: %v", d.Err())
	}
	return rc
}

func TestLiteralWriteToReadsHugeLiteralsInLargeChunks(t *testing.T) {
	rc := copyLiteral(t, 4<<20, 4<<10)
	if rc.max != hugeReadSize {
		t.Errorf("largest read %d, want %d", rc.max, hugeReadSize)
	}
	// 4 MiB in 256 KiB reads: 16, plus the first fill and the tail.
	if rc.n > 4<<20/hugeReadSize+4 {
		t.Errorf("%d reads for 4 MiB", rc.n)
	}
}

func TestLiteralWriteToKeepsSmallerLiteralsToBigReads(t *testing.T) {
	rc := copyLiteral(t, 200<<10, 4<<10)
	if rc.max != bigReadSize {
		t.Errorf("largest read %d for a 200 KiB literal, want %d", rc.max, bigReadSize)
	}
}

func TestLiteralWriteToUsesALargeBufferAsItIs(t *testing.T) {
	// A reader already as large as the chunk is read through: no copy
	// into a pooled buffer, and the data still arrives whole.
	rc := copyLiteral(t, 100<<10, 64<<10)
	if rc.max != 64<<10 {
		t.Errorf("largest read %d, want the reader's 64 KiB", rc.max)
	}
}
