package mime

import (
	"bytes"
	"encoding/base64"
	"io"
	"math/rand/v2"
	stdqp "mime/quotedprintable"
	"strings"
	"testing"
	"testing/iotest"
)

func decodeAll(t testing.TB, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return b
}

func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76])
		b.WriteString("\r\n")
		s = s[76:]
	}
	b.WriteString(s)
	b.WriteString("\r\n")
	return b.String()
}

func TestBase64ReaderDecodesWrappedLines(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 2, 3, 56, 57, 58, 1000, 100000} {
		data := make([]byte, n)
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		enc := wrap76(base64.StdEncoding.EncodeToString(data))
		for _, name := range []string{"whole", "onebyte", "lf"} {
			var src io.Reader = strings.NewReader(enc)
			switch name {
			case "onebyte":
				src = iotest.OneByteReader(src)
			case "lf":
				src = strings.NewReader(strings.ReplaceAll(enc, "\r\n", "\n"))
			}
			d := NewBase64Reader(src)
			got := decodeAll(t, d)
			if !bytes.Equal(got, data) {
				t.Fatalf("n=%d %s: decoded %d bytes, want %d", n, name, len(got), len(data))
			}
			if len(d.Defects()) != 0 {
				t.Errorf("n=%d %s: defects %v", n, name, d.Defects())
			}
		}
	}
}

func TestBase64ReaderSkipsJunkAndRecordsDefect(t *testing.T) {
	cases := []struct{ in, want string }{
		{"SGVs!bG8=\r\n", "Hello"},
		{"  SGVsbG8=  \r\n", "Hello"},
		{"SGVs\r\n  bG8sIHdv\tcmxk\r\n", "Hello, world"},
		{"SGVsbG8*\r\n", "Hello"},        // junk in place of padding
		{"SGVsbG8\r\n", "Hello"},         // missing padding
		{"SGk=SGk=\r\n", "HiHi"},         // concatenated blocks
		{"SGVsbG8=\r\n-- \r\n", "Hello"}, // a signature line after the data
	}
	for _, c := range cases {
		d := NewBase64Reader(strings.NewReader(c.in))
		got := decodeAll(t, d)
		if string(got) != c.want {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
	d := NewBase64Reader(strings.NewReader("SGVs!bG8=\r\n"))
	decodeAll(t, d)
	if len(d.Defects()) == 0 || d.Defects()[0].Kind != DefectInvalidBase64 {
		t.Errorf("defects = %v, want DefectInvalidBase64", d.Defects())
	}
}

func TestBase64ReaderSmallReads(t *testing.T) {
	data := []byte("The quick brown fox jumps over the lazy dog, again and again.")
	enc := wrap76(base64.StdEncoding.EncodeToString(data))
	d := NewBase64Reader(strings.NewReader(enc))
	var got []byte
	buf := make([]byte, 1)
	for {
		n, err := d.Read(buf)
		got = append(got, buf[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(got, data) {
		t.Fatalf("got %q", got)
	}
}

func TestBase64WriterWrites76ColumnCRLFLines(t *testing.T) {
	data := make([]byte, 1000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	var out bytes.Buffer
	w := NewBase64Writer(&out)
	for i := 0; i < len(data); i += 13 {
		w.Write(data[i:min(i+13, len(data))])
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\r\n")
	if lines[len(lines)-1] != "" {
		t.Fatalf("output does not end with CRLF")
	}
	for _, l := range lines[:len(lines)-2] {
		if len(l) != 76 {
			t.Fatalf("line of %d characters: %q", len(l), l)
		}
	}
	want := wrap76(base64.StdEncoding.EncodeToString(data))
	if out.String() != want {
		t.Fatalf("output differs from stdlib encoding")
	}
}

func TestQPReaderDecodes(t *testing.T) {
	cases := []struct {
		in, want string
		defect   bool
	}{
		{"caf=C3=A9\r\n", "café\r\n", false},
		{"soft=\r\nbreak\r\n", "softbreak\r\n", false},
		{"soft= \t\r\nbreak", "softbreak", false},
		{"trailing   \r\nspace\t\r\n", "trailing\r\nspace\r\n", false},
		{"lf only=\nhere\n", "lf onlyhere\n", false},
		{"lower =c3=a9", "lower é", false},
		{"bad =ZZ escape", "bad =ZZ escape", true},
		{"bad end =4", "bad end =4", true},
		{"a = b\r\n", "a = b\r\n", true},
		{"end soft=", "end soft", false},
		{"=3D=3D\r\n", "==\r\n", false},
		{"", "", false},
	}
	for _, c := range cases {
		for _, one := range []bool{false, true} {
			var src io.Reader = strings.NewReader(c.in)
			if one {
				src = iotest.OneByteReader(src)
			}
			d := NewQPReader(src)
			got := decodeAll(t, d)
			if string(got) != c.want {
				t.Errorf("%q: got %q, want %q", c.in, got, c.want)
			}
			if has := len(d.Defects()) > 0; has != c.defect {
				t.Errorf("%q: defects %v, want defect=%v", c.in, d.Defects(), c.defect)
			}
		}
	}
}

func TestQPReaderRecordsLongLine(t *testing.T) {
	d := NewQPReader(strings.NewReader(strings.Repeat("x", 100) + "\r\n"))
	got := decodeAll(t, d)
	if len(got) != 102 {
		t.Fatalf("got %d bytes", len(got))
	}
	if len(d.Defects()) != 1 || d.Defects()[0].Kind != DefectInvalidQuotedPrintable {
		t.Fatalf("defects = %v", d.Defects())
	}
}

func TestQPReaderLineLongerThanBuffer(t *testing.T) {
	in := strings.Repeat("ab=41 ", 20000) + "=\r\nend  \r\n"
	want := strings.Repeat("abA ", 20000) + "end\r\n"
	got := decodeAll(t, NewQPReader(strings.NewReader(in)))
	if string(got) != want {
		t.Fatalf("got %d bytes, want %d", len(got), len(want))
	}
}

func qpEncode(t testing.TB, mode QPMode, chunks ...string) string {
	var out bytes.Buffer
	w := NewQPWriter(&out, mode)
	for _, c := range chunks {
		if _, err := io.WriteString(w, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestQPWriterEscapesWhatMailMangles(t *testing.T) {
	cases := []struct{ in, want string }{
		{"café", "caf=C3=A9"},
		{"a=b", "a=3Db"},
		{"trailing \nspace\t", "trailing=20\r\nspace=09"},
		{".dot\n.", "=2Edot\r\n=2E"},
		{"From here\nFrom", "=46rom here\r\n=46rom"},
		{"Fred\n", "Fred\r\n"},
		{"crlf\r\nkept", "crlf\r\nkept"},
		{"bare\rcr", "bare=0Dcr"},
	}
	for _, c := range cases {
		if got := qpEncode(t, QPText, c.in); got != c.want {
			t.Errorf("%q: got %q, want %q", c.in, got, c.want)
		}
	}
	if got := qpEncode(t, QPBinary, "a\r\nb\n"); got != "a=0D=0Ab=0A" {
		t.Errorf("binary: got %q", got)
	}
	// Whitespace and CR held back across writes.
	if got := qpEncode(t, QPText, "a ", "\r", "\nb"); got != "a=20\r\nb" {
		t.Errorf("split writes: got %q", got)
	}
}

func TestQPWriterLinesAtMost76(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 200; i++ {
		data := randomText(r, r.IntN(3000))
		enc := qpEncode(t, QPBinary, string(data))
		for _, l := range strings.Split(enc, "\r\n") {
			if len(l) > 76 {
				t.Fatalf("line of %d: %q", len(l), l)
			}
			if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "From ") {
				t.Fatalf("unsafe line start: %q", l)
			}
			if strings.HasSuffix(l, " ") || strings.HasSuffix(l, "\t") {
				t.Fatalf("trailing whitespace: %q", l)
			}
		}
		for _, c := range []byte(enc) {
			if c >= 0x80 {
				t.Fatalf("8-bit output")
			}
		}
		got := decodeAll(t, NewQPReader(strings.NewReader(enc)))
		if !bytes.Equal(got, data) {
			t.Fatalf("round trip differs:\n%q\n%q", got, data)
		}
		// The standard library reads what we write.
		std := decodeAll(t, stdqp.NewReader(strings.NewReader(enc)))
		if !bytes.Equal(std, data) {
			t.Fatalf("stdlib decodes differently")
		}
	}
}

// randomText makes mostly-ASCII text with the characters QP cares about.
func randomText(r *rand.Rand, n int) []byte {
	const alpha = "abc XYZ.=\t\r\nF\x00\xc3\xa9 From "
	b := make([]byte, n)
	for i := range b {
		if r.IntN(10) == 0 {
			b[i] = byte(r.Uint32())
		} else {
			b[i] = alpha[r.IntN(len(alpha))]
		}
	}
	return b
}

func TestQPTextModeRoundTripsCRLFText(t *testing.T) {
	in := "line one\r\nline two with trailing \r\n\r\n.\r\nFrom me\r\n" + strings.Repeat("long ", 40)
	enc := qpEncode(t, QPText, in)
	got := decodeAll(t, NewQPReader(strings.NewReader(enc)))
	if string(got) != in {
		t.Fatalf("got %q", got)
	}
}

func TestChooseEncoding(t *testing.T) {
	long := strings.Repeat("x", 1000)
	cases := []struct {
		data string
		text bool
		opts EncodingOptions
		want string
	}{
		{"hello\r\nworld\n", true, EncodingOptions{}, Encoding7Bit},
		{"héllo wörld, mostly ascii text here", true, EncodingOptions{}, EncodingQuotedPrintable},
		{"héllo", true, EncodingOptions{Allow8Bit: true}, Encoding8Bit},
		{"привет мир", true, EncodingOptions{}, EncodingBase64},
		{long, true, EncodingOptions{}, EncodingQuotedPrintable},
		{long, true, EncodingOptions{Allow8Bit: true}, EncodingQuotedPrintable},
		{long, true, EncodingOptions{AllowBinary: true}, EncodingBinary},
		{"a\x00b", false, EncodingOptions{}, EncodingBase64},
		{"plain\r\n", false, EncodingOptions{}, Encoding7Bit},
		{"bare\nlf", false, EncodingOptions{}, EncodingBase64},
		{"\x89PNG", false, EncodingOptions{AllowBinary: true}, EncodingBinary},
	}
	for _, c := range cases {
		if got := ChooseEncoding([]byte(c.data), c.text, c.opts); got != c.want {
			t.Errorf("ChooseEncoding(%.20q, %v, %+v) = %s, want %s", c.data, c.text, c.opts, got, c.want)
		}
	}
}

func TestNewDecoderUnknownEncodingGivesRaw(t *testing.T) {
	r, ok := NewDecoder("x-uuencode", strings.NewReader("raw"))
	if ok {
		t.Fatal("ok for unknown encoding")
	}
	if got := decodeAll(t, r); string(got) != "raw" {
		t.Fatalf("got %q", got)
	}
	r, ok = NewDecoder(" Base64 (comment)", strings.NewReader("aGk="))
	if !ok || string(decodeAll(t, r)) != "hi" {
		t.Fatal("base64 with comment not decoded")
	}
}
