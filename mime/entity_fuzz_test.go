package mime

import (
	"bytes"
	"encoding/base64"
	"io"
	"testing"
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
