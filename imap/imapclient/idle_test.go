package imapclient

import (
	"bufio"
	"compress/flate"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// expectLine reads a line from the client and checks it.
func expectLine(t *testing.T, br *bufio.Reader, want string) bool {
	t.Helper()
	line, err := br.ReadString('\n')
	if err != nil || strings.TrimRight(line, "\r\n") != want {
		t.Errorf("client sent %q (%v), want %q", line, err, want)
		return false
	}
	return true
}

func TestIdleRestartsBeforeTheServerTimesOut(t *testing.T) {
	cc, sc := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer sc.Close()
		br := bufio.NewReader(sc)
		sc.Write([]byte("* PREAUTH ready\r\n"))
		if !expectLine(t, br, "T1 IDLE") {
			return
		}
		sc.Write([]byte("+ idling\r\n"))
		// No traffic: the client must end this IDLE by itself and start anew.
		if !expectLine(t, br, "DONE") {
			return
		}
		sc.Write([]byte("T1 OK restarted\r\n"))
		if !expectLine(t, br, "T2 IDLE") {
			return
		}
		sc.Write([]byte("+ again\r\n* 3 EXISTS\r\n"))
		if !expectLine(t, br, "DONE") {
			return
		}
		sc.Write([]byte("T2 OK done\r\n"))
		expectLine(t, br, "T3 NOOP")
		sc.Write([]byte("T3 OK done\r\n"))
	}()
	exists := make(chan uint32, 1)
	c, err := NewClientOptions(cc, &Options{IdleRestart: 20 * time.Millisecond, UnilateralDataHandler: &UnilateralDataHandler{
		Mailbox: func(m *UnilateralDataMailbox) { exists <- *m.NumMessages },
	}})
	if err != nil {
		t.Fatal(err)
	}
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}
	if n := <-exists; n != 3 {
		t.Fatal(n)
	}
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	<-done
}

func TestIdleDetectsDeadServer(t *testing.T) {
	cc, sc := net.Pipe()
	defer sc.Close()
	go func() {
		br := bufio.NewReader(sc)
		sc.Write([]byte("* PREAUTH ready\r\n"))
		br.ReadString('\n')
		sc.Write([]byte("+ idling\r\n"))
		br.ReadString('\n') // DONE, never answered
		br.ReadString('\n')
	}()
	c, err := NewClientOptions(cc, &Options{IdleRestart: 10 * time.Millisecond, Timeout: 30 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}
	var ne net.Error
	if err := idle.Wait(); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err %v", err)
	}
	if c.Err() == nil {
		t.Fatal("connection still up")
	}
}

func TestCompressDeflate(t *testing.T) {
	cc, sc := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer sc.Close()
		br := bufio.NewReader(sc)
		sc.Write([]byte("* PREAUTH [CAPABILITY IMAP4rev2 COMPRESS=DEFLATE] ready\r\n"))
		if !expectLine(t, br, "T1 COMPRESS DEFLATE") {
			return
		}
		sc.Write([]byte("T1 OK DEFLATE active\r\n"))
		zr := bufio.NewReader(flate.NewReader(br))
		zw, _ := flate.NewWriter(sc, flate.BestSpeed)
		if !expectLine(t, zr, "T2 NOOP") {
			return
		}
		zw.Write([]byte("* 2 EXISTS\r\nT2 OK compressed\r\n"))
		zw.Flush()
	}()
	c, err := NewClient(cc)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Compress(); err != nil {
		t.Fatal(err)
	}
	cmd := c.Noop()
	if err := cmd.Wait(); err != nil || cmd.Status().Text != "compressed" {
		t.Fatal(err, cmd.Status())
	}
	<-done
}

func TestCommandsWaitForIdleToEnd(t *testing.T) {
	cc, sc := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer sc.Close()
		br := bufio.NewReader(sc)
		sc.Write([]byte("* PREAUTH ready\r\n"))
		expectLine(t, br, "T1 IDLE")
		sc.Write([]byte("+ idling\r\n"))
		// The NOOP issued during IDLE must come after DONE.
		expectLine(t, br, "DONE")
		sc.Write([]byte("T1 OK done\r\n"))
		expectLine(t, br, "T2 NOOP")
		sc.Write([]byte("T2 OK done\r\n"))
	}()
	c, err := NewClient(cc)
	if err != nil {
		t.Fatal(err)
	}
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}
	noop := make(chan error)
	go func() { noop <- c.Noop().Wait() }()
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-noop; err != nil {
		t.Fatal(err)
	}
	<-done
}
