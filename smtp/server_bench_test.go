package smtp

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// serverDiscardBackend reads and drops every message.
type serverDiscardBackend struct{}

type serverDiscardSession struct{}

func (serverDiscardBackend) NewSession(*Conn) (Session, error) { return serverDiscardSession{}, nil }
func (serverDiscardSession) Mail(string, *MailOptions) error   { return nil }
func (serverDiscardSession) Rcpt(string, *RcptOptions) error   { return nil }
func (serverDiscardSession) Reset()                            {}
func (serverDiscardSession) Logout() error                     { return nil }
func (serverDiscardSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}

// serverBenchMessage is a dot-stuffed message of about size bytes, ending in
// CRLF, with a few lines starting with a dot.
func serverBenchMessage(size int) string {
	var b strings.Builder
	b.WriteString("From: a@bar.com\r\nTo: b@foo.com\r\nSubject: bench\r\n\r\n")
	line := strings.Repeat("abcdefghij", 7) + "\r\n"
	for i := 0; b.Len() < size; i++ {
		if i%50 == 7 {
			b.WriteString("..stuffed\r\n")
		}
		b.WriteString(line)
	}
	return b.String()
}

func BenchmarkServer(b *testing.B) {
	for _, size := range []int{4 << 10, 100 << 10} {
		for _, conns := range []int{1, 16, 64} {
			b.Run(fmt.Sprintf("%dKB/conns=%d", size>>10, conns), func(b *testing.B) {
				serverBenchRun(b, size, conns, false)
			})
		}
	}
}

// BenchmarkServerBDAT sends each message as one BDAT LAST chunk (RFC 3030),
// pipelined with its envelope.
func BenchmarkServerBDAT(b *testing.B) {
	for _, size := range []int{4 << 10, 100 << 10} {
		b.Run(fmt.Sprintf("%dKB/conns=16", size>>10), func(b *testing.B) {
			serverBenchRun(b, size, 16, true)
		})
	}
}

func serverBenchRun(b *testing.B, size, conns int, bdat bool) {
	srv := &Server{Backend: serverDiscardBackend{}, Domain: "bench", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	msg := serverBenchMessage(size)
	envelope := []byte("MAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\nDATA\r\n")
	body := []byte(msg + ".\r\n")
	if bdat {
		envelope = []byte("MAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\nBDAT " + fmt.Sprint(len(msg)) + " LAST\r\n" + msg)
		body = nil
	}
	per := make([]int, conns)
	for i := 0; i < b.N; i++ {
		per[i%conns]++
	}
	// Loopback TCP, as a deployment sees it (net.Pipe would add its own
	// costs, an allocation per deadline among them).
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go srv.Serve(l)
	clients := make([]net.Conn, conns)
	readers := make([]*bufio.Reader, conns)
	for i := range clients {
		cc, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			b.Fatal(err)
		}
		clients[i], readers[i] = cc, bufio.NewReader(cc)
		serverReadReply(b, readers[i])
		cc.Write([]byte("EHLO bench\r\n"))
		serverReadReply(b, readers[i])
	}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func(c net.Conn, r *bufio.Reader, n int) {
			defer wg.Done()
			for j := 0; j < n; j++ {
				// RFC 2920: the envelope in one write.
				c.Write(envelope)
				serverReadReply(b, r)
				serverReadReply(b, r)
				serverReadReply(b, r)
				if body != nil {
					c.Write(body)
					serverReadReply(b, r)
				}
			}
		}(clients[i], readers[i], per[i])
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msg/s")
	for _, c := range clients {
		c.Close()
	}
	srv.Close()
}

func serverReadReply(b *testing.B, r *bufio.Reader) {
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			b.Error(err)
			return
		}
		if len(line) < 4 || line[0] >= '4' {
			b.Errorf("reply %q", line)
			return
		}
		if line[3] != '-' {
			return
		}
	}
}
