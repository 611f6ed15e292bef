package textwire

import (
	"bufio"
	"bytes"
	"io"
	"math/rand/v2"
	"net/textproto"
	"strings"
	"testing"
	"testing/iotest"
)

// readData decodes one block of dot-stuffed data from in and returns the
// data, the error that ended it, and the first line after it (after a
// Drain, when decoding stopped on a bare CR or LF).
func readData(t *testing.T, in string, policy BarePolicy, chunk int) (data, next string, err error) {
	t.Helper()
	r := NewReader(strings.NewReader(in))
	d := r.DotReader(policy)
	var out bytes.Buffer
	buf := make([]byte, chunk)
	for {
		n, rerr := d.Read(buf)
		out.Write(buf[:n])
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			err = rerr
			if rerr != ErrBareCR && rerr != ErrBareLF {
				break
			}
			if derr := d.Drain(); derr != nil {
				t.Fatalf("%q: Drain: %v", in, derr)
			}
			break
		}
	}
	line, lerr := r.ReadLine()
	if lerr == nil {
		next = string(line)
	}
	return out.String(), next, err
}

func TestDotReaderUnstuffs(t *testing.T) {
	tests := []struct{ in, want string }{
		{".\r\n", ""},
		{"a\r\n.\r\n", "a\r\n"},
		{"..\r\n.\r\n", ".\r\n"},
		{"...x\r\n.\r\n", "..x\r\n"},
		{"a\r\n..b\r\nc\r\n.\r\n", "a\r\n.b\r\nc\r\n"},
		{".a\r\n.\r\n", "a\r\n"}, // a lone leading dot: RFC 5321 §4.5.2 says delete it
		{"a.\r\n.b.\r\n.\r\n", "a.\r\nb.\r\n"},
		{"\r\n\r\n.\r\n", "\r\n\r\n"},
		{"x\r\n. \r\n.\r\n", "x\r\n \r\n"},
	}
	for _, tt := range tests {
		for _, chunk := range []int{1, 2, 3, 4096} {
			got, next, err := readData(t, tt.in+"NEXT\r\n", RejectBare, chunk)
			if err != nil || got != tt.want || next != "NEXT" {
				t.Errorf("%q (chunk %d): got %q, %v, next %q; want %q", tt.in, chunk, got, err, next, tt.want)
			}
		}
	}
}

// The published end-of-data variants (SMTP smuggling): none may end the
// data; the real terminator comes later and the smuggled "MAIL FROM" must
// come out as data (accept), as CRLF data (normalize), or as an error
// after which Drain finds the real end (reject).
var smuggleVariants = []struct{ name, end string }{
	{"LF.LF", "\n.\n"},
	{"CR.CR", "\r.\r"},
	{"LF.CRLF", "\n.\r\n"},
	{"CRLF.LF", "\r\n.\n"},
	{"CR.LF", "\r.\n"},
	{"CR.CRLF", "\r.\r\n"},
	{"CRLF.CR", "\r\n.\r"},
	{"LF.CR", "\n.\r"},
}

func TestDotReaderEndsOnlyOnCRLFDotCRLF(t *testing.T) {
	for _, v := range smuggleVariants {
		in := "body" + v.end + "MAIL FROM:<evil@x>\r\n.\r\nQUIT\r\n"
		for _, chunk := range []int{1, 7, 4096} {
			got, next, err := readData(t, in, AcceptBare, chunk)
			// The dot stands at a line start followed by more: it goes.
			want := "body" + strings.Replace(v.end, ".", "", 1) + "MAIL FROM:<evil@x>\r\n"
			if err != nil || got != want || next != "QUIT" {
				t.Errorf("accept %s chunk %d: got %q, %v, next %q; want %q", v.name, chunk, got, err, next, want)
			}

			got, next, err = readData(t, in, RejectBare, chunk)
			if err != ErrBareLF && err != ErrBareCR {
				t.Errorf("reject %s: error %v, want a bare CR/LF error", v.name, err)
			}
			if strings.Contains(got, "MAIL") || next != "QUIT" {
				t.Errorf("reject %s chunk %d: data %q, next %q", v.name, chunk, got, next)
			}

			got, next, err = readData(t, in, NormalizeBare, chunk)
			if err != nil || next != "QUIT" || !strings.HasSuffix(got, "MAIL FROM:<evil@x>\r\n") {
				t.Errorf("normalize %s chunk %d: got %q, %v, next %q", v.name, chunk, got, err, next)
			}
			if strings.Contains(strings.ReplaceAll(got, "\r\n", ""), "\r") || strings.Contains(strings.ReplaceAll(got, "\r\n", ""), "\n") {
				t.Errorf("normalize %s: bare CR or LF left in %q", v.name, got)
			}
		}
	}
}

func TestDotReaderRejectsBareBytes(t *testing.T) {
	tests := []struct {
		in   string
		want error
	}{
		{"a\nb\r\n.\r\n", ErrBareLF},
		{"a\rb\r\n.\r\n", ErrBareCR},
		{"\n\r\n.\r\n", ErrBareLF},
		{"a\r\r\n.\r\n", ErrBareCR},
		{".\r.\r\n.\r\n", ErrBareCR},
		{"..\n\r\n.\r\n", ErrBareLF},
	}
	for _, tt := range tests {
		_, next, err := readData(t, tt.in+"NEXT\r\n", RejectBare, 4096)
		if err != tt.want || next != "NEXT" {
			t.Errorf("%q: %v, next %q; want %v, NEXT", tt.in, err, next, tt.want)
		}
	}
}

func TestDotReaderUnexpectedEOF(t *testing.T) {
	for _, in := range []string{"", "abc", "abc\r\n", "abc\r\n.", "abc\r\n.\r", "a\n.\n"} {
		_, _, err := readData(t, in, AcceptBare, 4096)
		if err != io.ErrUnexpectedEOF {
			t.Errorf("%q: %v, want io.ErrUnexpectedEOF", in, err)
		}
	}
}

func TestDotReaderConsumed(t *testing.T) {
	in := "ab\r\n..c\r\n.\r\n"
	r := NewReader(strings.NewReader(in + "rest\r\n"))
	d := r.DotReader(RejectBare)
	if _, err := io.Copy(io.Discard, d); err != nil {
		t.Fatal(err)
	}
	if d.Consumed() != int64(len(in)) {
		t.Fatalf("Consumed %d, want %d", d.Consumed(), len(in))
	}
}

func TestDotWriter(t *testing.T) {
	tests := []struct {
		in, want, raw string
	}{
		{"", ".\r\n", ".\r\n"},
		{"a\r\n", "a\r\n.\r\n", "a\r\n.\r\n"},
		{"a", "a\r\n.\r\n", "a\r\n.\r\n"},
		{".\r\n", "..\r\n.\r\n", "..\r\n.\r\n"},
		{"x\r\n.y\r\n", "x\r\n..y\r\n.\r\n", "x\r\n..y\r\n.\r\n"},
		{"a\nb", "a\r\nb\r\n.\r\n", "a\nb\r\n.\r\n"},
		{"a\n.\n", "a\r\n..\r\n.\r\n", "a\n..\n\r\n.\r\n"},
		{"a\r.b\r", "a\r\n..b\r\n.\r\n", "a\r..b\r\r\n.\r\n"},
		{"a\n", "a\r\n.\r\n", "a\n\r\n.\r\n"},
	}
	for _, tt := range tests {
		for _, raw := range []bool{false, true} {
			for _, chunk := range []int{1, 2, 1000} {
				var out bytes.Buffer
				bw := bufio.NewWriter(&out)
				w := NewDotWriter(bw)
				w.Raw = raw
				for p := tt.in; len(p) > 0; {
					k := min(chunk, len(p))
					if n, err := w.Write([]byte(p[:k])); err != nil || n != k {
						t.Fatalf("Write: %d, %v", n, err)
					}
					p = p[k:]
				}
				if err := w.Close(); err != nil {
					t.Fatal(err)
				}
				want := tt.want
				if raw {
					want = tt.raw
				}
				if out.String() != want {
					t.Errorf("%q raw=%v chunk %d: wrote %q, want %q", tt.in, raw, chunk, out.String(), want)
				}
				if w.Written() != int64(out.Len()) {
					t.Errorf("Written %d, want %d", w.Written(), out.Len())
				}
			}
		}
	}
}

// canonical is what the default (normalising) writer makes of data, read
// back: every bare CR or LF as CRLF, and a final CRLF.
func canonical(b []byte) []byte {
	var out []byte
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '\r' && i+1 < len(b) && b[i+1] == '\n':
			out = append(out, '\r', '\n')
			i++
		case b[i] == '\r' || b[i] == '\n':
			out = append(out, '\r', '\n')
		default:
			out = append(out, b[i])
		}
	}
	if len(out) > 0 && !bytes.HasSuffix(out, crlf) {
		out = append(out, crlf...)
	}
	return out
}

// rawRoundTrip is what the raw writer and the accepting reader give back:
// the data, and a final CRLF when it had none.
func rawRoundTrip(b []byte) []byte {
	if len(b) == 0 || bytes.HasSuffix(b, crlf) {
		return b
	}
	return append(append([]byte{}, b...), crlf...)
}

// roundTrip writes data with a DotWriter and reads it back.
func roundTrip(data []byte, raw bool, policy BarePolicy, chunk int) ([]byte, string, error) {
	var wire bytes.Buffer
	bw := bufio.NewWriter(&wire)
	w := NewDotWriter(bw)
	w.Raw = raw
	w.Write(data)
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	wire.WriteString("AFTER\r\n")
	r := NewReader(iotest.HalfReader(bytes.NewReader(wire.Bytes())))
	d := r.DotReader(policy)
	got, err := io.ReadAll(io.LimitReader(iotest.OneByteReader(d), int64(wire.Len())))
	if chunk > 1 {
		r = NewReader(bytes.NewReader(wire.Bytes()))
		d = r.DotReader(policy)
		got, err = io.ReadAll(d)
	}
	if err != nil {
		return got, "", err
	}
	next, _ := r.ReadLine()
	return got, string(next), nil
}

func checkRoundTrip(t *testing.T, data []byte) {
	for _, chunk := range []int{1, 4096} {
		got, next, err := roundTrip(data, true, AcceptBare, chunk)
		if err != nil || !bytes.Equal(got, rawRoundTrip(data)) || next != "AFTER" {
			t.Fatalf("raw round trip of %q: %q, %v, next %q", data, got, err, next)
		}
		got, next, err = roundTrip(data, false, RejectBare, chunk)
		if err != nil || !bytes.Equal(got, canonical(data)) || next != "AFTER" {
			t.Fatalf("normalised round trip of %q: %q, %v, next %q", data, got, err, next)
		}
	}
}

func TestDotRoundTripRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte(".\r\nab")
	for i := 0; i < 3000; i++ {
		b := make([]byte, rng.IntN(40))
		for j := range b {
			if rng.IntN(8) == 0 {
				b[j] = byte(rng.IntN(256))
			} else {
				b[j] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		checkRoundTrip(t, b)
	}
}

func TestDotReaderMatchesTextprotoOnCleanData(t *testing.T) {
	in := "Subject: x\r\n\r\n..dot\r\nline\r\n...\r\n.\r\n"
	want, err := io.ReadAll(textproto.NewReader(bufio.NewReader(strings.NewReader(in))).DotReader())
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := readData(t, in, RejectBare, 4096)
	// textproto turns CRLF into LF; we keep the wire's line ends.
	if err != nil || strings.ReplaceAll(got, "\r\n", "\n") != string(want) {
		t.Fatalf("got %q, textproto %q", got, want)
	}
}
