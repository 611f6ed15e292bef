package mime

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

func FuzzBase64Decode(f *testing.F) {
	f.Add([]byte("SGVsbG8sIHdvcmxk\r\n"))
	f.Add([]byte("SGVs!bG8=\r\n  bG8=\n"))
	f.Add([]byte("QQ==QUJD===\r\n-- \r\n"))
	f.Add([]byte("A"))
	f.Fuzz(func(t *testing.T, in []byte) {
		d := NewBase64Reader(bytes.NewReader(in))
		got, err := io.ReadAll(d)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > len(in) {
			t.Fatalf("decoded %d bytes from %d", len(got), len(in))
		}
		// Through the entity reader (which lends its buffer) the same.
		mr := NewReader(io.MultiReader(strings.NewReader("Content-Transfer-Encoding: base64\r\n\r\n"), bytes.NewReader(in)), nil)
		p, err := mr.Next()
		if err != nil {
			t.Fatal(err)
		}
		viaReader, err := io.ReadAll(p.Body())
		if err != nil || !bytes.Equal(viaReader, got) {
			t.Fatalf("through the reader: %q, %v; alone: %q", viaReader, err, got)
		}
		// Clean input must decode as the standard library does.
		if want, err := base64.StdEncoding.DecodeString(string(in)); err == nil && !bytes.Equal(got, want) {
			t.Fatalf("got %q, stdlib %q", got, want)
		}
	})
}

func FuzzQPDecode(f *testing.F) {
	f.Add([]byte("caf=C3=A9 soft=\r\nbreak  \r\n"))
	f.Add([]byte("bad =ZZ =4"))
	f.Add([]byte("=\n=\r\n= \n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		d := NewQPReader(bytes.NewReader(in))
		got, err := io.ReadAll(d)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) > len(in) {
			t.Fatalf("decoded %d bytes from %d", len(got), len(in))
		}
	})
}

func FuzzCodecRoundTrip(f *testing.F) {
	f.Add([]byte("From me\r\n.dot\ttrailing \r\ncafé\x00"), uint8(0))
	f.Add([]byte("a\rb\nc\r\n"), uint8(1))
	f.Fuzz(func(t *testing.T, in []byte, split uint8) {
		for _, enc := range []string{EncodingBase64, EncodingQuotedPrintable} {
			var out bytes.Buffer
			w := NewEncoder(enc, &out, false)
			k := int(split)
			if k > len(in) {
				k = len(in)
			}
			w.Write(in[:k])
			w.Write(in[k:])
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			for _, c := range out.Bytes() {
				if c >= 0x80 {
					t.Fatalf("%s: 8-bit output", enc)
				}
			}
			r, _ := NewDecoder(enc, &out)
			got, err := io.ReadAll(r)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, in) {
				t.Fatalf("%s: round trip gives %q, want %q", enc, got, in)
			}
		}
	})
}

func FuzzReader(f *testing.F) {
	files, _ := filepath.Glob("testdata/messages/*.eml")
	for _, file := range files {
		if b, err := os.ReadFile(file); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("Content-Type: multipart/mixed; boundary=a\n\n--a\n\n--a--"))
	f.Fuzz(func(t *testing.T, msg []byte) {
		opts := &ReaderOptions{DecodeCharset: true, CountLines: true, MessageGlobal: true, Limits: Limits{MaxParts: 200, MaxDepth: 20}}
		whole := fuzzWalk(t, bytes.NewReader(msg), opts, len(msg))
		cut := fuzzWalk(t, iotest.OneByteReader(bytes.NewReader(msg)), opts, len(msg))
		if whole != cut {
			t.Fatalf("result depends on read sizes:\n%s\n%s", whole, cut)
		}
		// In memory the reader sees past a long preamble that streaming
		// does not; below the buffer size the two must agree.
		if inPlace := fuzzWalkReader(t, NewReaderBytes(msg, opts), len(msg)); inPlace != whole && len(msg) < scanBufSize/2 {
			t.Fatalf("reading in place differs:\n%s\n%s", whole, inPlace)
		}
	})
}

func fuzzWalk(t *testing.T, r io.Reader, opts *ReaderOptions, size int) string {
	return fuzzWalkReader(t, NewReader(r, opts), size)
}

func fuzzWalkReader(t *testing.T, mr *Reader, size int) string {
	var b strings.Builder
	for i := 0; ; i++ {
		if i > 1000 {
			t.Fatal("more parts than the limit allows")
		}
		p, err := mr.Next()
		if p == nil {
			fmt.Fprintf(&b, "end %v\n", err)
			break
		}
		body, rerr := io.ReadAll(p.Body())
		if rerr != nil {
			t.Fatal(rerr)
		}
		if p.HeaderOffset < 0 || p.BodyOffset+p.BodySize > int64(size) || p.HeaderOffset+p.HeaderSize != p.BodyOffset {
			t.Fatalf("bad offsets in part %q", p.Number)
		}
		fmt.Fprintf(&b, "%q %s/%s %d %x\n", p.Number, p.MediaType.Type, p.MediaType.Subtype, len(p.Defects), body)
	}
	return b.String()
}

// FuzzEncodeDecode builds a message from arbitrary text, names and data,
// writes it, reads it back and checks that every part comes back.
func FuzzEncodeDecode(f *testing.F) {
	f.Add("Hello\nworld", "<p>hi</p>", "résumé.pdf", []byte("\x00\x01binary"), "Sujet — été", false)
	f.Add("", "", "", []byte{}, "", true)
	f.Add("From x\r\n.\r\n--=_", "", "a\"b;c=d", []byte("--=_x\r\n"), "=?utf-8?q?x?=", false)
	f.Fuzz(func(t *testing.T, text, html, filename string, data []byte, subject string, allow8 bool) {
		if !utf8.ValidString(text) || !utf8.ValidString(html) || !utf8.ValidString(filename) || !utf8.ValidString(subject) {
			return
		}
		m := &Message{Text: text, HTML: html, Options: EncodingOptions{Allow8Bit: allow8}}
		m.Attachments = []Attachment{{Filename: filename, Data: data}}
		m.Header.Add("Subject", EncodeWords(subject))
		var buf bytes.Buffer
		if _, err := m.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		if !allow8 {
			for _, c := range buf.Bytes() {
				if c >= 0x80 {
					t.Fatal("8-bit output")
				}
			}
		}
		mr := NewReader(bytes.NewReader(buf.Bytes()), nil)
		var leaves [][]byte
		var names []string
		for {
			p, err := mr.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Parent == nil {
				// Header whitespace is not data: compare the words.
				if s, _ := p.Header.Text("Subject"); strings.Join(strings.Fields(s), " ") != strings.Join(strings.Fields(subject), " ") {
					t.Errorf("subject %q, want %q", s, subject)
				}
			}
			if p.IsMultipart() {
				continue
			}
			b, _ := io.ReadAll(p.Body())
			leaves = append(leaves, b)
			d, _, _ := ParseDisposition(p.Header.Get("Content-Disposition"))
			names = append(names, d.Params.Get("filename"))
		}
		canon := func(s string) string {
			// Text is written in canonical form: every line end CRLF.
			s = strings.ReplaceAll(s, "\r\n", "\n")
			return strings.ReplaceAll(s, "\n", "\r\n")
		}
		var want [][]byte
		if text != "" {
			want = append(want, []byte(canon(text)))
		}
		if html != "" {
			want = append(want, []byte(canon(html)))
		}
		want = append(want, data)
		if len(leaves) != len(want) {
			t.Fatalf("%d leaves, want %d:\n%s", len(leaves), len(want), buf.Bytes())
		}
		for i := range want {
			if !bytes.Equal(leaves[i], want[i]) {
				t.Fatalf("leaf %d: %q, want %q\n%s", i, leaves[i], want[i], buf.Bytes())
			}
		}
		if names[len(names)-1] != filename {
			t.Fatalf("filename %q, want %q", names[len(names)-1], filename)
		}
	})
}
