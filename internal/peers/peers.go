// Package peers starts real mail software (Dovecot, Postfix, smtp-sink)
// and finds real mail clients (curl, swaks, fetchmail, mbsync, Python) for
// the interoperability tests, which carry the build tag "interop".
//
// Every daemon gets its own temporary configuration and data directory,
// listens on 127.0.0.1 on a free port, and is stopped when the test ends.
// Under CI (CI=true) a missing program fails the test; elsewhere the test
// is skipped with the Debian package to install.
package peers

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// Password is the password of every test account.
const Password = "secret"

// Domain is the mail domain of the test accounts.
const Domain = "harness.test"

// Users are the test accounts that Dovecot and Postfix know.
var Users = []string{"alice", "bob"}

// inCI reports whether a missing peer is a failure rather than a skip.
func inCI() bool { return os.Getenv("CI") == "true" }

// Need returns the path of program, looked up in PATH and in the sbin
// directories. When it is missing, the test fails under CI and is skipped
// elsewhere, naming the Debian package that provides it.
func Need(t testing.TB, program, debianPackage string) string {
	t.Helper()
	if p, err := exec.LookPath(program); err == nil {
		return p
	}
	for _, dir := range []string{"/usr/sbin", "/usr/local/sbin", "/sbin"} {
		p := filepath.Join(dir, program)
		if fi, err := os.Stat(p); err == nil && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	missing(t, "%s not found: apt-get install %s", program, debianPackage)
	return ""
}

func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if inCI() {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// NeedRoot fails (CI) or skips the test unless it runs as root, which
// Postfix's master and Dovecot's privilege separation need.
func NeedRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() != 0 {
		missing(t, "this test starts a mail daemon and must run as root")
	}
}

// Python returns a python3 interpreter that can import every module
// named, preferring Debian's (whose packages the CI installs).
func Python(t testing.TB, modules ...string) string {
	t.Helper()
	candidates := []string{"/usr/bin/python3"}
	if p, err := exec.LookPath("python3"); err == nil {
		candidates = append(candidates, p)
	}
	script := "import sys\n"
	for _, m := range modules {
		script += "import " + m + "\n"
	}
	for _, py := range candidates {
		if err := exec.Command(py, "-c", script).Run(); err == nil {
			return py
		}
	}
	missing(t, "no python3 with %v: apt-get install python3 python3-aiosmtpd", modules)
	return ""
}

// Command runs a program with a deadline and returns its combined output.
func Command(t testing.TB, timeout time.Duration, name string, args ...string) ([]byte, error) {
	t.Helper()
	return CommandInput(t, timeout, nil, name, args...)
}

// CommandInput is Command with stdin.
func CommandInput(t testing.TB, timeout time.Duration, stdin []byte, name string, args ...string) ([]byte, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		return out, fmt.Errorf("%s timed out after %v: %w", name, timeout, ctx.Err())
	}
	return out, err
}

// FreePort returns a TCP port on 127.0.0.1 that nothing listens on now,
// for daemons that must be told a port number.
func FreePort(t testing.TB) int {
	t.Helper()
	// The kernel may hand the same free port out again once it is closed,
	// and a daemon given two listeners on one port refuses its
	// configuration (Dovecot: "duplicate listener"): a port is handed out
	// once per process.
	portsMu.Lock()
	defer portsMu.Unlock()
	for range 100 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if !portsGiven[port] {
			portsGiven[port] = true
			return port
		}
	}
	t.Fatal("peers: no port that was not handed out before")
	return 0
}

var (
	portsMu    sync.Mutex
	portsGiven = map[int]bool{}
)

// WaitListening waits until something accepts connections on addr, or
// fails the test after timeout.
func WaitListening(t testing.TB, addr string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for backoff := 5 * time.Millisecond; ; backoff = min(2*backoff, 200*time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("nothing listens on %s after %v: %v", addr, timeout, err)
		}
		// A daemon gives no other sign that it is ready.
		time.Sleep(backoff)
	}
}

// Eventually calls cond until it returns true or timeout passes, for
// asynchronous deliveries (a Postfix queue) that give no other signal.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for backoff := 10 * time.Millisecond; !cond(); backoff = min(2*backoff, 250*time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not done after %v", what, timeout)
		}
		time.Sleep(backoff)
	}
}

// tempDir makes a directory that unprivileged daemon users can enter,
// removed when the test ends (t.TempDir is 0700 and owned by root).
func tempDir(t testing.TB, prefix string) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "mailwire-"+prefix+"-")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

// addr formats 127.0.0.1:port.
func addr(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }
