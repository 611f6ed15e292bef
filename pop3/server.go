package pop3

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mailwire/mailwire/internal/lifecycle"
)

// Defaults of the [Server] limits.
const (
	// DefaultTimeout is the RFC 1939 §3 autologout timer: a session idle
	// for this long is closed, in any state, without deleting anything.
	DefaultTimeout = 10 * time.Minute
	// DefaultMaxLine is the longest command line the server reads,
	// without CRLF. RFC 2449 §4 limits commands to 255 octets; the margin
	// is for clients that exceed it.
	DefaultMaxLine = 4096
	// DefaultMaxAuthLine is the longest SASL response line, without CRLF:
	// the base64 form of the largest message package sasl accepts.
	DefaultMaxAuthLine = 88 << 10
	// DefaultMaxBadCommands is how many unknown, malformed or misplaced
	// commands a session may send before the server closes it.
	DefaultMaxBadCommands = 10
	// DefaultMaxAuthFailures is how many failed logins a session may have
	// before the server closes it.
	DefaultMaxAuthFailures = 5
	// DefaultAuthFailureDelay is the delay before the answer to the first
	// failed login; it doubles with each further failure.
	DefaultAuthFailureDelay = 1 * time.Second
	// DefaultMaxAuthFailureDelay caps the delay after failed logins.
	DefaultMaxAuthFailureDelay = 16 * time.Second
)

// Server is a POP3 server. Set its fields, then call [Server.Serve] or
// [Server.ServeConn]; do not change them afterwards.
type Server struct {
	// Backend authenticates users and opens their maildrops. Required.
	Backend Backend
	// Hostname names the server in the greeting and in the APOP
	// timestamp; "" means "localhost".
	Hostname string
	// TLSConfig, when set, enables STLS (RFC 2595).
	TLSConfig *tls.Config
	// AllowInsecureAuth allows USER/PASS and SASL PLAIN and LOGIN on a
	// connection without TLS. Off by default: they are offered only
	// after STLS.
	AllowInsecureAuth bool
	// DisableAPOP turns APOP and CRAM-MD5 off even when the Backend is an
	// [APOPBackend].
	DisableAPOP bool
	// Implementation is sent in the IMPLEMENTATION capability; "" means
	// "mailwire", "-" leaves the capability out.
	Implementation string
	// Expire, when set, is the EXPIRE capability's argument (RFC 2449
	// §6.7): "NEVER", or the number of days mail stays on the server.
	Expire string
	// LoginDelay, when positive, is announced as LOGIN-DELAY (RFC 2449
	// §6.5) and enforced: a user who logged in less than LoginDelay ago
	// gets -ERR [LOGIN-DELAY].
	LoginDelay time.Duration
	// EnableUTF8 offers the UTF8 command and the LANG command (RFC 6856).
	EnableUTF8 bool

	// Timeout closes a session idle for that long; 0 means
	// DefaultTimeout. It also bounds each write.
	Timeout time.Duration
	// MaxLine is the longest command line; 0 means DefaultMaxLine.
	MaxLine int
	// MaxAuthLine is the longest SASL response line; 0 means
	// DefaultMaxAuthLine.
	MaxAuthLine int
	// MaxBadCommands closes a session after that many bad commands;
	// 0 means DefaultMaxBadCommands.
	MaxBadCommands int
	// MaxAuthFailures closes a session after that many failed logins;
	// 0 means DefaultMaxAuthFailures.
	MaxAuthFailures int
	// AuthFailureDelay and MaxAuthFailureDelay set the growing delay
	// after failed logins; 0 means the defaults, a negative value no
	// delay.
	AuthFailureDelay, MaxAuthFailureDelay time.Duration

	// Logger receives one line per session and per error; nil means
	// slog.Default(). Passwords and SASL exchanges are never logged.
	Logger *slog.Logger
	// DebugWriter, when set, receives a copy of all traffic, both
	// directions, credentials included: use it for debugging only.
	DebugWriter io.Writer

	group     lifecycle.Group
	mu        sync.Mutex
	locked    map[string]bool
	lastLogin map[string]time.Time
	connCount atomic.Uint64

	// timestamp, when set (by tests), makes the APOP banner.
	timestamp func() string
}

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Server) hostname() string {
	if s.Hostname != "" {
		return s.Hostname
	}
	return "localhost"
}

func (s *Server) timeout() time.Duration { return orDefault(s.Timeout, DefaultTimeout) }
func (s *Server) maxLine() int           { return orDefault(s.MaxLine, DefaultMaxLine) }
func (s *Server) maxAuthLine() int       { return orDefault(s.MaxAuthLine, DefaultMaxAuthLine) }
func (s *Server) maxBadCommands() int    { return orDefault(s.MaxBadCommands, DefaultMaxBadCommands) }
func (s *Server) maxAuthFailures() int   { return orDefault(s.MaxAuthFailures, DefaultMaxAuthFailures) }
func (s *Server) authDelay() time.Duration {
	return orDefault(s.AuthFailureDelay, DefaultAuthFailureDelay)
}
func (s *Server) maxAuthDelay() time.Duration {
	return orDefault(s.MaxAuthFailureDelay, DefaultMaxAuthFailureDelay)
}

func orDefault[T int | time.Duration](v, d T) T {
	if v == 0 {
		return d
	}
	return v
}

// Serve accepts connections on l and serves each in its own goroutine.
// It returns [ErrServerClosed] after [Server.Close] or [Server.Shutdown],
// or the error that made Accept fail.
func (s *Server) Serve(l net.Listener) error {
	if s.Backend == nil {
		return errors.New("pop3: Server.Backend is nil")
	}
	return s.group.Serve(l, ErrServerClosed, func(nc net.Conn) { s.ServeConn(nc) })
}

// ServeConn serves one connection and returns when the session ends.
// STLS and the timeouts need rw to be a net.Conn; over another
// io.ReadWriter the session lasts until rw fails or the client quits, and
// [Server.Shutdown] can end it only between commands. When rw is an
// io.Closer, it is closed at the end. It returns [ErrServerClosed] when the
// server is shutting down and refused the connection, nil otherwise: how a
// session ended is logged, not returned, as in the smtp package.
func (s *Server) ServeConn(rw io.ReadWriter) error {
	c := newConn(s, rw)
	if !s.group.Add(c) {
		c.writeLine("-ERR [SYS/TEMP] server shutting down")
		c.flush()
		c.close()
		return ErrServerClosed
	}
	defer s.group.Remove(c)
	defer func() {
		if v := recover(); v != nil {
			c.log.Error("pop3: panic serving connection", "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		}
		c.close()
	}()
	c.serve()
	return nil
}

// lock takes the server-wide lock on username's maildrop, so that two
// sessions of this server never hold it together even if the backend does
// not lock.
func (s *Server) lock(username string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.locked[username] {
		return false
	}
	if s.locked == nil {
		s.locked = make(map[string]bool)
	}
	s.locked[username] = true
	return true
}

func (s *Server) unlock(username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.locked, username)
}

// loginAllowed enforces LOGIN-DELAY and records the login when allowed.
func (s *Server) loginAllowed(username string, now time.Time) bool {
	if s.LoginDelay <= 0 {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if last, ok := s.lastLogin[username]; ok && now.Sub(last) < s.LoginDelay {
		return false
	}
	if s.lastLogin == nil {
		s.lastLogin = make(map[string]time.Time)
	}
	s.lastLogin[username] = now
	return true
}

// Close closes the listeners and every connection at once. Sessions end
// without entering UPDATE: nothing is deleted.
func (s *Server) Close() error { return s.group.Close() }

// Shutdown closes the listeners, tells every idle session "-ERR
// [SYS/TEMP]" and closes it, lets a command in progress finish, and
// waits until every session has ended or ctx is done; then it closes what
// is left. Sessions end without entering UPDATE: nothing is deleted.
func (s *Server) Shutdown(ctx context.Context) error { return s.group.Shutdown(ctx) }
