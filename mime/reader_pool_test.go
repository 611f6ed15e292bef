package mime

import (
	"bytes"
	"encoding/base64"
	"io"
	"runtime"
	"strings"
	"testing"
)

func pooledTestMessage() []byte {
	data := bytes.Repeat([]byte("binary\x00\xff"), 4000)
	return []byte("Content-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nh=C3=A9llo\r\n" +
		"--b\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		base64.StdEncoding.EncodeToString(data) + "\r\n--b--\r\n")
}

// Walking many messages one after another must not allocate the 32 KiB
// decoding buffers and the header buffer again for each: a Reader gives
// them back when its walk ends.
func TestReaderReusesBuffersAcrossMessages(t *testing.T) {
	msg := pooledTestMessage()
	walk := func() {
		r := NewReaderBytes(msg, nil)
		for {
			p, err := r.Next()
			if err != nil {
				return
			}
			io.Copy(io.Discard, p.Body())
		}
	}
	walk()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const n = 200
	for i := 0; i < n; i++ {
		walk()
	}
	runtime.ReadMemStats(&after)
	// Without reuse a walk allocates two 32 KiB buffers and 4 KiB more,
	// over 70 KiB in all.
	limit := uint64(24 << 10)
	if raceEnabled {
		limit = 48 << 10
	}
	if per := (after.TotalAlloc - before.TotalAlloc) / n; per > limit {
		t.Errorf("a walk allocates %d bytes; the buffers are not reused", per)
	}
}

// A body reader kept past the end of the walk reads nothing (its buffer
// has gone back to the pool) instead of another message's bytes.
func TestStaleBodyReaderAfterWalkEnds(t *testing.T) {
	msg := pooledTestMessage()
	r := NewReaderBytes(msg, nil)
	var bodies []io.Reader
	for {
		p, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b := p.Body()
		buf := make([]byte, 3)
		b.Read(buf) // start decoding, so the reader holds its buffer
		bodies = append(bodies, b)
	}
	// Another walk now takes the pooled buffers.
	other := NewReaderBytes(msg, nil)
	for {
		p, err := other.Next()
		if err != nil {
			break
		}
		for _, b := range bodies {
			if got, _ := io.ReadAll(b); len(got) != 0 && !strings.HasPrefix("llo\r\n", string(got)) {
				t.Fatalf("stale body reader read %q", got)
			}
		}
		io.Copy(io.Discard, p.Body())
	}
}
