package textwire

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func FuzzReadLine(f *testing.F) {
	for _, s := range []string{"EHLO a\r\n", "a\nb\r\n", "x\ry\r\n", strings.Repeat("z", 70) + "\r\nq\r\n", ""} {
		f.Add([]byte(s), uint8(16), false)
	}
	f.Fuzz(func(t *testing.T, in []byte, max uint8, any bool) {
		r := NewReader(bytes.NewReader(in))
		r.MaxLine = int(max) + 1
		if any {
			r.Ending = AnyEnding
		}
		consumed := 0
		for i := 0; i <= len(in); i++ {
			line, err := r.ReadLine()
			if err == io.EOF || err == io.ErrUnexpectedEOF {
				return
			}
			if len(line) > r.MaxLine {
				t.Fatalf("line of %d bytes over the limit %d", len(line), r.MaxLine)
			}
			if err == ErrLineTooLong {
				if derr := r.DiscardLine(); derr != nil {
					return
				}
				continue
			}
			if !bytes.Contains(in[consumed:], line) {
				t.Fatalf("line %q is not in the input", line)
			}
			if !any && err == nil && bytes.ContainsAny(line, "\r\n") {
				t.Fatalf("strict line %q holds CR or LF", line)
			}
		}
		t.Fatal("more lines than input bytes")
	})
}

func FuzzDotReader(f *testing.F) {
	for _, s := range []string{".\r\n", "a\r\n..b\r\n.\r\n", "x\n.\nMAIL\r\n.\r\n", "\r.\r\r\n.\r\n", "abc"} {
		f.Add([]byte(s), uint8(0))
	}
	f.Fuzz(func(t *testing.T, in []byte, policy uint8) {
		pol := BarePolicy(policy % 3)
		r := NewReader(bytes.NewReader(in))
		d := r.DotReader(pol)
		out, err := io.ReadAll(d)
		if err == ErrBareCR || err == ErrBareLF {
			if pol != RejectBare {
				t.Fatalf("policy %d returned %v", pol, err)
			}
			err = d.Drain()
		}
		if err != nil {
			if err != io.ErrUnexpectedEOF {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		n := d.Consumed()
		wire := in[:n]
		// Data ends only on CRLF "." CRLF, the first such after a true
		// line start.
		if !bytes.HasSuffix(wire, []byte("\r\n.\r\n")) && !bytes.Equal(wire, []byte(".\r\n")) {
			t.Fatalf("data ended after %q", wire)
		}
		// Un-stuffing and the end marker only take bytes away; NormalizeBare
		// turns each bare CR or LF (one byte) into CRLF (two).
		limit := len(wire)
		if pol == NormalizeBare {
			limit = 2 * len(wire)
		}
		if len(out) > limit {
			t.Fatalf("decoded %d bytes from %d", len(out), len(wire))
		}
		if pol == NormalizeBare {
			stripped := bytes.ReplaceAll(out, []byte("\r\n"), nil)
			if bytes.ContainsAny(stripped, "\r\n") {
				t.Fatalf("normalised data %q holds a bare CR or LF", out)
			}
		}
	})
}

func FuzzDotRoundTrip(f *testing.F) {
	for _, s := range []string{"", "a", ".\r\n", "\n.\n", "\r.\r", "x\r\n.\r\ny"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkRoundTrip(t, data)
	})
}

// FuzzDotReaderReadSizes decodes the same input through one-byte reads,
// which leave the whole-line fast path no room, and through large reads,
// which take it: the data, the error and the bytes consumed must agree.
func FuzzDotReaderReadSizes(f *testing.F) {
	for _, s := range []string{
		"a\r\nb\r\n.\r\n", "a\r\n..b\r\nc\r\n.\r\n", "ab\rc\r\nd\r\n.\r\n", "ab\r\nc\nd\r\n.\r\n",
		"x\r\n\r\n\r\n.\r\n", "x\r\ny\r\r\n.\r\n", "line\r\n.x\r\n.\r\n", "abc\r\ndef",
	} {
		f.Add([]byte(s), uint8(0), uint8(3))
	}
	f.Fuzz(func(t *testing.T, in []byte, policy, size uint8) {
		pol := BarePolicy(policy % 3)
		decode := func(n int) ([]byte, int64, error) {
			d := NewReader(bytes.NewReader(in)).DotReader(pol)
			var out []byte
			buf := make([]byte, n)
			for {
				m, err := d.Read(buf)
				out = append(out, buf[:m]...)
				if err == io.EOF {
					return out, d.Consumed(), nil
				}
				if err != nil {
					return out, d.Consumed(), err
				}
				if m == 0 {
					t.Fatal("Read returned 0 bytes and no error")
				}
			}
		}
		slowOut, slowN, slowErr := decode(1)
		fastOut, fastN, fastErr := decode(int(size) + 1)
		if !bytes.Equal(slowOut, fastOut) || slowErr != fastErr || slowN != fastN {
			t.Fatalf("1-byte reads: %q %v %d; %d-byte reads: %q %v %d", slowOut, slowErr, slowN, int(size)+1, fastOut, fastErr, fastN)
		}
	})
}
