package smtp

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"testing"
)

// benchServer is a minimal ESMTP server that accepts everything and
// discards the messages, so that the client's cost is what a benchmark
// measures. It flushes its replies only when no input is pending (RFC
// 2920 §3.2 (7)).
func benchServer(conn net.Conn, ext string) {
	defer conn.Close()
	br := bufio.NewReaderSize(conn, 64<<10)
	bw := bufio.NewWriterSize(conn, 4096)
	reply := func(s string) bool {
		bw.WriteString(s)
		if br.Buffered() == 0 {
			return bw.Flush() == nil
		}
		return true
	}
	reply("220 bench ESMTP\r\n")
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return
		}
		verb := line
		if len(verb) >= 4 {
			verb = verb[:4]
		}
		switch string(verb) {
		case "EHLO":
			reply("250-bench\r\n" + ext + "250 8BITMIME\r\n")
		case "DATA":
			reply("354 go\r\n")
			bw.Flush()
			for {
				l, err := br.ReadSlice('\n')
				if err != nil {
					return
				}
				if len(l) == 3 && l[0] == '.' {
					break
				}
			}
			reply("250 OK\r\n")
		case "BDAT":
			arg := bytes.TrimSpace(line[5:])
			if i := bytes.IndexByte(arg, ' '); i >= 0 {
				arg = arg[:i]
			}
			n := 0
			for _, d := range arg {
				n = n*10 + int(d-'0')
			}
			if _, err := br.Discard(n); err != nil {
				return
			}
			reply("250 OK\r\n")
		case "QUIT":
			reply("221 bye\r\n")
			bw.Flush()
			return
		default:
			reply("250 OK\r\n")
		}
	}
}

// benchMessage returns a 7-bit message of size bytes with a few lines
// that start with a dot.
func benchMessage(size int) []byte {
	var b bytes.Buffer
	b.WriteString("From: a@example.org\r\nTo: b@example.net\r\nSubject: bench\r\n\r\n")
	for i := 0; b.Len() < size-80; i++ {
		if i%50 == 7 {
			b.WriteString(".")
		}
		fmt.Fprintf(&b, "line %d of the message, with some words to fill it up to a normal width\r\n", i)
	}
	for b.Len() < size-2 {
		b.WriteByte('x')
	}
	b.WriteString("\r\n")
	return b.Bytes()
}

func BenchmarkClientSendMail(b *testing.B) {
	for _, mode := range []struct {
		name string
		ext  string
		opts *SendOptions
	}{
		{"DATA", "250-PIPELINING\r\n", nil},
		{"BDAT", "250-PIPELINING\r\n250-CHUNKING\r\n", nil},
		{"DATA-nopipelining", "", nil},
	} {
		for _, size := range []int{4 << 10, 100 << 10} {
			b.Run(fmt.Sprintf("%s/%dKB", mode.name, size>>10), func(b *testing.B) {
				msg := benchMessage(size)
				cc, sc := net.Pipe()
				go benchServer(sc, mode.ext)
				ctx := context.Background()
				c, err := NewClient(cc)
				if err != nil {
					b.Fatal(err)
				}
				defer c.Close()
				if err := c.Hello(ctx); err != nil {
					b.Fatal(err)
				}
				to := []string{"b@example.net"}
				r := bytes.NewReader(msg)
				b.SetBytes(int64(len(msg)))
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					r.Reset(msg)
					if err := c.SendMail(ctx, "a@example.org", to, r, mode.opts); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
			})
		}
	}
}

func BenchmarkClientReadReply(b *testing.B) {
	reply := []byte("250-mx.example greets you\r\n250-PIPELINING\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n250-ENHANCEDSTATUSCODES\r\n250 CHUNKING\r\n")
	r := bytes.NewReader(reply)
	c := &Client{}
	c.setStreams(&scriptedConn{r: r})
	b.SetBytes(int64(len(reply)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		r.Reset(reply)
		c.r.Reset(&scriptedConn{r: r})
		if _, _, _, err := c.readReply(); err != nil && err != io.EOF {
			b.Fatal(err)
		}
	}
}
