//go:build scale

package imapserver_test

// TestIdleScale holds 100,000 connections in IDLE on one machine and
// measures what they cost the server. .ci/run runs it (-tags scale).
//
// A process may hold no more descriptors than RLIMIT_NOFILE allows, and
// an unprivileged process cannot raise the hard limit (20,000 on the
// machines we run on). So the connections are spread over several server
// processes, each an ordinary Server over imapmem, each with its own load
// process; each client process binds its own 127.0.0.x source address so
// that no source address runs out of ports. Every process is this test
// binary, started again with MAILWIRE_SCALE_ROLE set.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/imap/imapserver"
)

var scaleConns = flag.Int("scale.conns", 100000, "idle IDLE connections TestIdleScale holds")

const scaleRoleEnv = "MAILWIRE_SCALE_ROLE"

// scaleMem is what a server process reports about itself.
type scaleMem struct {
	Conns      int64  // connections accepted and still open
	RSS        uint64 // resident set, bytes
	HeapInuse  uint64
	StackInuse uint64
	Goroutines int
}

func TestIdleScale(t *testing.T) {
	switch os.Getenv(scaleRoleEnv) {
	case "server":
		scaleServer()
		return
	case "client":
		scaleClient()
		return
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Fatal(err)
	}
	// Room for the process's own descriptors beside the connections.
	perProc := int(min(lim.Max, 1<<20)) - 1000
	if perProc < 1000 {
		t.Fatalf("RLIMIT_NOFILE hard limit %d is too low", lim.Max)
	}
	total := *scaleConns
	procs := (total + perProc - 1) / perProc
	t.Logf("%d connections over %d server and %d client processes (RLIMIT_NOFILE %d)", total, procs, procs, lim.Max)
	availBefore := memAvailable(t)

	servers := make([]*scaleProc, procs)
	for i := range servers {
		servers[i] = startScaleProc(t, "server")
	}
	base := make([]scaleMem, procs)
	for i, s := range servers {
		s.send("measure")
		json.Unmarshal([]byte(s.expect("mem")), &base[i])
	}
	clients := make([]*scaleProc, procs)
	start := time.Now()
	for i := range clients {
		n := total / procs
		if i < total%procs {
			n++
		}
		c := startScaleProc(t, "client")
		c.send(fmt.Sprintf("open %s 127.0.0.%d %d", servers[i].addr, 10+i, n))
		clients[i] = c
	}
	opened := 0
	for _, c := range clients {
		n, err := strconv.Atoi(c.expect("ready"))
		if err != nil {
			t.Fatal(err)
		}
		opened += n
	}
	setup := time.Since(start)
	if opened != total {
		t.Fatalf("%d connections in IDLE, want %d", opened, total)
	}
	var sum scaleMem
	for i, s := range servers {
		s.send("measure")
		var m scaleMem
		json.Unmarshal([]byte(s.expect("mem")), &m)
		sum.Conns += m.Conns
		sum.RSS += m.RSS - base[i].RSS
		sum.HeapInuse += m.HeapInuse - base[i].HeapInuse
		sum.StackInuse += m.StackInuse - base[i].StackInuse
		sum.Goroutines += m.Goroutines - base[i].Goroutines
	}
	availAfter := memAvailable(t)
	if sum.Conns != int64(total) {
		t.Fatalf("servers hold %d connections, want %d", sum.Conns, total)
	}
	per := func(v uint64) float64 { return float64(v) / float64(total) / 1024 }
	t.Logf("%d connections in IDLE, set up in %v (%.0f/s)", total, setup.Round(time.Millisecond), float64(total)/setup.Seconds())
	t.Logf("server per connection: RSS %.2f KB, heap %.2f KB, stack %.2f KB, %.2f goroutines",
		per(sum.RSS), per(sum.HeapInuse), per(sum.StackInuse), float64(sum.Goroutines)/float64(total))
	t.Logf("server RSS for all: %.1f MB; machine memory used (both ends, kernel included): %.1f MB",
		float64(sum.RSS)/(1<<20), (float64(availBefore)-float64(availAfter))/(1<<20))
	// A regression bound, far above what is measured (about 5.5 KB):
	// go-imap v2's server takes 18.8 KB.
	if per(sum.RSS) > 12 {
		t.Errorf("%.2f KB of server RSS per idle connection", per(sum.RSS))
	}
	if g := float64(sum.Goroutines) / float64(total); g > 1.01 {
		t.Errorf("%.2f goroutines per idle connection", g)
	}

	// Every connection is still there and still served: a message
	// delivered to INBOX reaches each one as EXISTS during its IDLE, then
	// each ends its IDLE and gets the tagged OK.
	start = time.Now()
	for _, s := range servers {
		s.send("append")
		s.expect("appended")
	}
	for _, c := range clients {
		c.send("done")
	}
	alive := 0
	for _, c := range clients {
		n, err := strconv.Atoi(c.expect("alive"))
		if err != nil {
			t.Fatal(err)
		}
		alive += n
	}
	if alive != total {
		t.Fatalf("%d connections answered DONE, want %d", alive, total)
	}
	t.Logf("a new message reached all %d sessions as EXISTS, and each answered DONE, in %v", total, time.Since(start).Round(time.Millisecond))
	for _, p := range append(clients, servers...) {
		p.stop()
	}
}

// scaleProc is a child process and its line protocol: commands on stdin,
// "scale: <word> <rest>" lines on stdout.
type scaleProc struct {
	t    testing.TB
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Scanner
	addr string
}

func startScaleProc(t *testing.T, role string) *scaleProc {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestIdleScale$", "-test.count=1", "-test.timeout=0")
	cmd.Env = append(os.Environ(), scaleRoleEnv+"="+role)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &scaleProc{t: t, cmd: cmd, in: in, out: bufio.NewScanner(out)}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if role == "server" {
		p.addr = p.expect("addr")
	}
	return p
}

func (p *scaleProc) send(line string) {
	if _, err := io.WriteString(p.in, line+"\n"); err != nil {
		p.t.Fatalf("to child: %v", err)
	}
}

// expect returns the rest of the next "scale: word" line.
func (p *scaleProc) expect(word string) string {
	for p.out.Scan() {
		line, ok := strings.CutPrefix(p.out.Text(), "scale: ")
		if !ok {
			continue
		}
		w, rest, _ := strings.Cut(line, " ")
		if w == "error" {
			p.t.Fatalf("child: %s", rest)
		}
		if w != word {
			p.t.Fatalf("child said %q, want %s", line, word)
		}
		return rest
	}
	p.t.Fatalf("child ended before %s: %v", word, p.out.Err())
	return ""
}

func (p *scaleProc) stop() {
	p.send("quit")
	p.in.Close()
	if err := p.cmd.Wait(); err != nil {
		p.t.Errorf("child: %v", err)
	}
}

func memAvailable(t *testing.T) uint64 {
	return procField(t, "/proc/meminfo", "MemAvailable:")
}

func procField(t testing.TB, file, field string) uint64 {
	data, err := os.ReadFile(file)
	if err != nil {
		if t != nil {
			t.Fatal(err)
		}
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

func say(format string, args ...any) { fmt.Printf("scale: "+format+"\n", args...) }

// countListener counts the connections it accepted that are still open.
type countListener struct {
	net.Listener
	open atomic.Int64
}

type countConn struct {
	net.Conn
	l    *countListener
	once sync.Once
}

func (l *countListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	l.open.Add(1)
	return &countConn{Conn: c, l: l}, nil
}

func (c *countConn) Close() error {
	c.once.Do(func() { c.l.open.Add(-1) })
	return c.Conn.Close()
}

// scaleServer is the server process: imapmem with one user whose INBOX
// holds 100 messages, as in the shared harness's idle workload.
func scaleServer() {
	be := imapmem.New()
	u := be.AddUser("user", "pass")
	date := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := range 100 {
		msg := fmt.Sprintf("From: a@example.org\r\nTo: b@example.org\r\nSubject: message %d\r\nMessage-ID: <%d@example.org>\r\n\r\n%s\r\n", i, i, strings.Repeat("body text ", 50))
		if _, err := u.AppendMessage("INBOX", []byte(msg), nil, date.Add(time.Duration(i)*time.Second)); err != nil {
			say("error %v", err)
			return
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		say("error %v", err)
		return
	}
	cl := &countListener{Listener: ln}
	s := &imapserver.Server{
		Backend:           be,
		AllowInsecureAuth: true,
		Logger:            slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	go s.Serve(cl)
	say("addr %s", ln.Addr())
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		switch in.Text() {
		case "measure":
			runtime.GC()
			debug.FreeOSMemory()
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			m := scaleMem{
				Conns:      cl.open.Load(),
				RSS:        procField(nil, "/proc/self/status", "VmRSS:"),
				HeapInuse:  ms.HeapInuse,
				StackInuse: ms.StackInuse,
				Goroutines: runtime.NumGoroutine(),
			}
			b, _ := json.Marshal(m)
			say("mem %s", b)
		case "append":
			msg := "From: a@example.org\r\nSubject: new\r\n\r\nnew\r\n"
			if _, err := u.AppendMessage("INBOX", []byte(msg), nil, time.Now()); err != nil {
				say("error %v", err)
				return
			}
			say("appended")
		case "quit":
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			s.Shutdown(ctx)
			cancel()
			return
		}
	}
}

// scaleClient is a load process: it opens connections from one source
// address, each LOGIN, SELECT INBOX and IDLE pipelined, and keeps only
// the net.Conn of each, so that it costs little beyond its sockets.
func scaleClient() {
	in := bufio.NewScanner(os.Stdin)
	var conns []net.Conn
	for in.Scan() {
		f := strings.Fields(in.Text())
		switch {
		case len(f) == 4 && f[0] == "open":
			n, _ := strconv.Atoi(f[3])
			var err error
			conns, err = scaleOpen(f[1], f[2], n)
			if err != nil {
				say("error %v", err)
				return
			}
			say("ready %d", len(conns))
		case len(f) == 1 && f[0] == "done":
			n, err := scaleDone(conns)
			if err != nil {
				say("error %v", err)
				return
			}
			say("alive %d", n)
		case len(f) == 1 && f[0] == "quit":
			for _, c := range conns {
				// A reset leaves no TIME_WAIT behind to hold the
				// ports of a run that follows at once.
				c.(*net.TCPConn).SetLinger(0)
				c.Close()
			}
			return
		}
	}
}

// ipBindAddressNoPort is IP_BIND_ADDRESS_NO_PORT from linux/in.h, which
// package syscall lacks.
const ipBindAddressNoPort = 24

// scaleWorkers is how many connections a load process sets up at once.
const scaleWorkers = 32

func scaleOpen(addr, src string, n int) ([]net.Conn, error) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: time.Minute,
		// IP_BIND_ADDRESS_NO_PORT (Linux 4.2): the port is chosen at
		// connect, by the whole 4-tuple, not at bind by a search of
		// every port bound on the address, which slows down as the
		// connections add up.
		Control: func(_, _ string, rc syscall.RawConn) error {
			var serr error
			err := rc.Control(func(fd uintptr) {
				serr = syscall.SetsockoptInt(int(fd), syscall.IPPROTO_IP, ipBindAddressNoPort, 1)
			})
			if err != nil {
				return err
			}
			return serr
		},
	}
	conns := make([]net.Conn, n)
	var next atomic.Int64
	errs := make(chan error, scaleWorkers)
	for range scaleWorkers {
		go func() {
			buf := make([]byte, 64<<10)
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					errs <- nil
					return
				}
				c, err := d.Dial("tcp", addr)
				if err != nil {
					errs <- fmt.Errorf("connection %d: %w", i, err)
					return
				}
				if err := scaleIdle(c, buf); err != nil {
					errs <- fmt.Errorf("connection %d: %w", i, err)
					return
				}
				conns[i] = c
			}
		}()
	}
	for range scaleWorkers {
		if err := <-errs; err != nil {
			return nil, err
		}
	}
	return conns, nil
}

// scaleIdle logs in, selects INBOX and starts IDLE, and reads until the
// continuation request, checking the tagged replies on the way.
func scaleIdle(c net.Conn, buf []byte) error {
	c.SetDeadline(time.Now().Add(time.Minute))
	defer c.SetDeadline(time.Time{})
	if _, err := io.WriteString(c, "a LOGIN user pass\r\nb SELECT INBOX\r\nc IDLE\r\n"); err != nil {
		return err
	}
	var got []byte
	for {
		n, err := c.Read(buf)
		if err != nil {
			return fmt.Errorf("%w after %q", err, got)
		}
		got = append(got, buf[:n]...)
		if bytes.HasSuffix(got, []byte("\r\n")) && (bytes.HasPrefix(got, []byte("+ ")) || bytes.Contains(got, []byte("\r\n+ "))) {
			break
		}
	}
	if !bytes.Contains(got, []byte("\r\na OK")) || !bytes.Contains(got, []byte("\r\nb OK")) {
		return fmt.Errorf("no OK for LOGIN and SELECT in %q", got)
	}
	return nil
}

// scaleDone waits for the 101st message's EXISTS on every connection,
// ends IDLE there and counts the tagged OKs.
func scaleDone(conns []net.Conn) (int, error) {
	var next, ok atomic.Int64
	errs := make(chan error, scaleWorkers)
	for range scaleWorkers {
		go func() {
			buf := make([]byte, 4096)
			for {
				i := int(next.Add(1)) - 1
				if i >= len(conns) {
					errs <- nil
					return
				}
				c := conns[i]
				c.SetDeadline(time.Now().Add(time.Minute))
				var got []byte
				for !bytes.Contains(got, []byte("* 101 EXISTS\r\n")) {
					n, err := c.Read(buf)
					if err != nil {
						errs <- fmt.Errorf("connection %d: %w waiting for EXISTS after %q", i, err, got)
						return
					}
					got = append(got, buf[:n]...)
				}
				if _, err := io.WriteString(c, "DONE\r\n"); err != nil {
					errs <- err
					return
				}
				got = got[:0]
				for !bytes.Contains(got, []byte("c OK")) {
					n, err := c.Read(buf)
					if err != nil {
						errs <- fmt.Errorf("connection %d: %w after %q", i, err, got)
						return
					}
					got = append(got, buf[:n]...)
				}
				ok.Add(1)
			}
		}()
	}
	for range scaleWorkers {
		if err := <-errs; err != nil {
			return 0, err
		}
	}
	return int(ok.Load()), nil
}
