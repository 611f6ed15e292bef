package textwire

import (
	"bufio"
	"bytes"
	"io"
	"net/textproto"
	"strings"
	"testing"
)

// benchMessage is 100 KiB of 76-column lines, some starting with a dot.
func benchMessage() []byte {
	var b bytes.Buffer
	line := strings.Repeat("abcdefghij", 7) + "abcd\r\n"
	for i := 0; b.Len() < 100<<10; i++ {
		if i%50 == 0 {
			b.WriteString(".")
		}
		b.WriteString(line)
	}
	return b.Bytes()
}

func stuffed(msg []byte) []byte {
	var wire bytes.Buffer
	w := NewDotWriter(bufio.NewWriter(&wire))
	w.Write(msg)
	w.Close()
	return wire.Bytes()
}

func BenchmarkDotReader(b *testing.B) {
	msg := benchMessage()
	wire := stuffed(msg)
	br := bufio.NewReaderSize(nil, 32<<10)
	buf := make([]byte, 32<<10)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		br.Reset(bytes.NewReader(wire))
		d := NewDotReader(br, RejectBare)
		for {
			_, err := d.Read(buf)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkTextprotoDotReader(b *testing.B) {
	msg := benchMessage()
	wire := stuffed(msg)
	br := bufio.NewReaderSize(nil, 32<<10)
	buf := make([]byte, 32<<10)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		br.Reset(bytes.NewReader(wire))
		d := textproto.NewReader(br).DotReader()
		for {
			_, err := d.Read(buf)
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkDotWriter(b *testing.B) {
	msg := benchMessage()
	bw := bufio.NewWriterSize(io.Discard, 32<<10)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		w := NewDotWriter(bw)
		w.Write(msg)
		w.Close()
	}
}

func BenchmarkReadLine(b *testing.B) {
	var in bytes.Buffer
	for in.Len() < 64<<10 {
		in.WriteString("RCPT TO:<someone.with.a.long.name@example.com> NOTIFY=SUCCESS\r\n")
	}
	data := in.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	rd := bytes.NewReader(data)
	r := NewReader(rd)
	for b.Loop() {
		rd.Reset(data)
		r.Reset(rd)
		for {
			if _, err := r.ReadLine(); err != nil {
				break
			}
		}
	}
}
