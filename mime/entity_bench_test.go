package mime

import (
	"bytes"
	"encoding/base64"
	"io"
	"math/rand/v2"
	stdqp "mime/quotedprintable"
	"strings"
	"testing"
)

func benchBinary(n int) []byte {
	r := rand.New(rand.NewPCG(7, 7))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// benchQPText is UTF-8 text, mostly ASCII, as a French or German letter is.
func benchQPText(n int) []byte {
	words := []string{"le", "café", "über", "straße", "message", "déjà", "the", "quick", "brown", "fox", "naïve", "résumé", "=", "and", "of"}
	r := rand.New(rand.NewPCG(8, 8))
	var b bytes.Buffer
	col := 0
	for b.Len() < n {
		w := words[r.IntN(len(words))]
		b.WriteString(w)
		col += len(w) + 1
		if col > 70 {
			b.WriteString("\r\n")
			col = 0
		} else {
			b.WriteByte(' ')
		}
	}
	return b.Bytes()[:n]
}

const benchCodecSize = 1 << 20

func BenchmarkBase64Decode(b *testing.B) {
	data := benchBinary(benchCodecSize)
	enc := []byte(wrap76(base64.StdEncoding.EncodeToString(data)))
	b.Run("ours", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(enc)))
		d := NewBase64Reader(nil)
		for b.Loop() {
			d.Reset(bytes.NewReader(enc))
			io.Copy(io.Discard, d)
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(enc)))
		for b.Loop() {
			io.Copy(io.Discard, base64.NewDecoder(base64.StdEncoding, bytes.NewReader(enc)))
		}
	})
}

func BenchmarkBase64Encode(b *testing.B) {
	data := benchBinary(benchCodecSize)
	b.Run("ours", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			w := NewBase64Writer(io.Discard)
			w.Write(data)
			w.Close()
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			// The standard library has no line-wrapping encoder; this is
			// the unwrapped stream, a lower bound on its cost.
			w := base64.NewEncoder(base64.StdEncoding, io.Discard)
			w.Write(data)
			w.Close()
		}
	})
}

func BenchmarkQPDecode(b *testing.B) {
	var buf bytes.Buffer
	w := stdqp.NewWriter(&buf)
	w.Write(benchQPText(benchCodecSize))
	w.Close()
	enc := buf.Bytes()
	b.Run("ours", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(enc)))
		d := NewQPReader(nil)
		for b.Loop() {
			d.Reset(bytes.NewReader(enc))
			io.Copy(io.Discard, d)
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(enc)))
		for b.Loop() {
			io.Copy(io.Discard, stdqp.NewReader(bytes.NewReader(enc)))
		}
	})
}

func BenchmarkQPEncode(b *testing.B) {
	data := benchQPText(benchCodecSize)
	b.Run("ours", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			w := NewQPWriter(io.Discard, QPText)
			w.Write(data)
			w.Close()
		}
	})
	b.Run("stdlib", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			w := stdqp.NewWriter(io.Discard)
			w.Write(data)
			w.Close()
		}
	})
}

var _ = strings.Repeat
