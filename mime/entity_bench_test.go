package mime

import (
	"bytes"
	"encoding/base64"
	"fmt"
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
	b.Run("stdlib+wrap", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			// What a stdlib user writes for mail: 76-column lines.
			w := base64.NewEncoder(base64.StdEncoding, &lineWrapper{w: io.Discard})
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

// benchCorpus generates realistic messages with the package's own writer:
// plain text, multipart/alternative with quoted-printable, multipart/mixed
// with base64 attachments from 1 KiB to 2 MiB, ISO-8859-1 text, RFC 2047
// subjects and RFC 2231 filenames.
func benchCorpus() ([][]byte, int64) {
	r := rand.New(rand.NewPCG(20240601, 1))
	var msgs [][]byte
	var total int64
	for i := 0; i < 60; i++ {
		m := benchMessage(r, i)
		var buf bytes.Buffer
		m.WriteTo(&buf)
		if i%10 == 9 {
			// An ISO-8859-1 quoted-printable message, written by hand.
			buf.Reset()
			buf.WriteString("From: =?iso-8859-1?q?Andr=E9?= <andre@example.org>\r\nTo: bob@example.net\r\nSubject: =?iso-8859-1?q?R=E9sum=E9_du_caf=E9?=\r\nDate: Mon, 4 Mar 2024 09:00:00 +0000\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
			w := NewQPWriter(&buf, QPText)
			for k := 0; k < 200; k++ {
				w.Write([]byte("Voil\xe0 le r\xe9sum\xe9 de la r\xe9union, avec caf\xe9 et cr\xe8me br\xfbl\xe9e.\n"))
			}
			w.Close()
		}
		msgs = append(msgs, buf.Bytes())
		total += int64(buf.Len())
	}
	return msgs, total
}

func benchMessage(r *rand.Rand, i int) *Message {
	m := &Message{}
	m.Header.Add("Received", "from mx.example.org (mx.example.org [192.0.2.1]) by mail.example.net with ESMTPS id abc; Mon, 4 Mar 2024 09:00:00 +0000")
	m.Header.Add("From", FormatAddressList([]Address{{Name: "Zoë Dupré", Mailbox: "zoe", Host: "example.org"}}))
	m.Header.Add("To", FormatAddressList([]Address{{Name: "Bob", Mailbox: "bob", Host: "example.net"}, {Mailbox: "carol", Host: "example.com"}}))
	m.Header.Add("Subject", EncodeWords(fmt.Sprintf("Réunion n°%d — ordre du jour", i)))
	m.Header.Add("Date", "Mon, 4 Mar 2024 09:00:00 +0000")
	m.Header.Add("Message-ID", fmt.Sprintf("<%d@example.org>", i))
	text := string(benchQPText(500 + r.IntN(12000)))
	switch i % 4 {
	case 0:
		m.Text = strings.ReplaceAll(text, "é", "e")
	case 1:
		m.Text, m.HTML = text, "<html><body><p>"+text+"</p></body></html>"
	default:
		m.Text, m.HTML = text, "<html><body><p>"+text+"</p></body></html>"
		for k := 1 + r.IntN(3); k > 0; k-- {
			size := 1024 << r.IntN(11) // 1 KiB .. 1 MiB, skewed small
			if r.IntN(8) == 0 {
				size = 2 << 20
			}
			data := make([]byte, size)
			for j := range data {
				data[j] = byte(r.Uint32())
			}
			m.Attachments = append(m.Attachments, Attachment{ContentType: "application/pdf", Filename: fmt.Sprintf("Résumé %d.pdf", k), Data: data})
		}
	}
	return m
}

// BenchmarkDecode decodes every message fully: Subject, every part's
// header and parameters, bodies transfer- and charset-decoded.
func BenchmarkDecode(b *testing.B) {
	msgs, total := benchCorpus()
	b.ReportAllocs()
	b.SetBytes(total)
	mr := NewReader(nil, nil)
	opts := &ReaderOptions{DecodeCharset: true}
	buf := make([]byte, 32<<10)
	var br bytes.Reader
	for b.Loop() {
		for _, msg := range msgs {
			br.Reset(msg)
			mr.Reset(&br, opts)
			for {
				p, err := mr.Next()
				if err != nil {
					break
				}
				if p.Parent == nil {
					p.Header.Text("Subject")
				}
				if cd := p.Header.Get("Content-Disposition"); cd != "" {
					ParseDisposition(cd)
				}
				body := p.Body()
				for {
					if _, err := body.Read(buf); err != nil {
						break
					}
				}
			}
		}
	}
}

// BenchmarkStructureWalk reads headers and boundaries only, bodies
// skipped, from an io.Reader and from memory (NewReaderBytes).
func BenchmarkStructureWalk(b *testing.B) {
	msgs, total := benchCorpus()
	for _, inPlace := range []bool{false, true} {
		name := "reader"
		if inPlace {
			name = "bytes"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(total)
			mr := NewReader(nil, nil)
			var br bytes.Reader
			for b.Loop() {
				for _, msg := range msgs {
					if inPlace {
						mr.ResetBytes(msg, nil)
					} else {
						br.Reset(msg)
						mr.Reset(&br, nil)
					}
					for {
						if _, err := mr.Next(); err != nil {
							break
						}
					}
				}
			}
		})
	}
}

// BenchmarkReadStructure computes ENVELOPE and BODYSTRUCTURE.
func BenchmarkReadStructure(b *testing.B) {
	msgs, total := benchCorpus()
	b.ReportAllocs()
	b.SetBytes(total)
	for b.Loop() {
		for _, msg := range msgs {
			ReadStructure(bytes.NewReader(msg), nil)
		}
	}
}

// BenchmarkEncode writes the corpus messages with Message.WriteTo; the
// bytes are those of the output.
func BenchmarkEncode(b *testing.B) {
	r := rand.New(rand.NewPCG(20240601, 1))
	var ms []*Message
	var total int64
	for i := 0; i < 60; i++ {
		m := benchMessage(r, i)
		n, _ := m.WriteTo(io.Discard)
		total += n
		ms = append(ms, m)
	}
	b.ReportAllocs()
	b.SetBytes(total)
	for b.Loop() {
		for _, m := range ms {
			m.WriteTo(io.Discard)
		}
	}
}

// lineWrapper cuts what is written into CRLF-ended 76-character lines.
type lineWrapper struct {
	w   io.Writer
	col int
}

func (l *lineWrapper) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(76-l.col, len(p))
		l.w.Write(p[:k])
		p = p[k:]
		l.col += k
		if l.col == 76 {
			l.w.Write([]byte("\r\n"))
			l.col = 0
		}
	}
	return n, nil
}
