package imapserver

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/mailwire/mailwire/internal/lifecycle"
)

// Defaults of [Limits] (DESIGN.md).
const (
	DefaultMaxLine          = 64 << 10 // command line without its literals
	DefaultMaxLiteral       = 64 << 20 // one literal, APPEND size (APPENDLIMIT)
	DefaultMaxBadCommands   = 20
	DefaultAuthTimeout      = time.Minute
	DefaultIdleTimeout      = 30 * time.Minute
	DefaultIDLETimeout      = 30 * time.Minute // RFC 2177: at least 29 minutes
	DefaultFailedLoginDelay = time.Second
	DefaultMaxFailedLogins  = 5
	DefaultMaxConnsPerIP    = 0 // no limit
	DefaultMaxConnsPerUser  = 0 // no limit
)

// ErrServerClosed is returned by Serve after Shutdown or Close.
var ErrServerClosed = errors.New("imapserver: server closed")

// Limits bound what one connection may make the server do. Zero fields take
// the Default* values.
type Limits struct {
	// MaxLine bounds a command, its literals included, except an APPEND's
	// message literal.
	MaxLine int
	// MaxLiteral bounds one literal, and so one APPENDed message; it is
	// advertised as APPENDLIMIT (RFC 7889).
	MaxLiteral int64
	// MaxBadCommands: after this many BAD answers in a row the connection
	// is closed with BYE.
	MaxBadCommands int
	// AuthTimeout closes a connection not authenticated after this long
	// without a command; IdleTimeout, an authenticated one.
	AuthTimeout, IdleTimeout time.Duration
	// IDLETimeout ends an IDLE command that lasts longer (RFC 2177).
	IDLETimeout time.Duration
	// FailedLoginDelay is the delay after the first failed login; it
	// doubles with each further failure on the connection (up to 16 times).
	FailedLoginDelay time.Duration
	// MaxFailedLogins: the connection is closed with BYE at this many
	// failed LOGIN or AUTHENTICATE commands.
	MaxFailedLogins int
	// MaxConnsPerIP and MaxConnsPerUser bound concurrent connections from
	// one address and sessions of one user; 0 means no limit.
	MaxConnsPerIP, MaxConnsPerUser int
}

func (l Limits) withDefaults() Limits {
	if l.MaxLine <= 0 {
		l.MaxLine = DefaultMaxLine
	}
	if l.MaxLiteral <= 0 {
		l.MaxLiteral = DefaultMaxLiteral
	}
	if l.MaxBadCommands <= 0 {
		l.MaxBadCommands = DefaultMaxBadCommands
	}
	if l.AuthTimeout <= 0 {
		l.AuthTimeout = DefaultAuthTimeout
	}
	if l.IdleTimeout <= 0 {
		l.IdleTimeout = DefaultIdleTimeout
	}
	if l.IDLETimeout <= 0 {
		l.IDLETimeout = DefaultIDLETimeout
	}
	if l.MaxFailedLogins <= 0 {
		l.MaxFailedLogins = DefaultMaxFailedLogins
	}
	if l.FailedLoginDelay < 0 {
		l.FailedLoginDelay = 0
	} else if l.FailedLoginDelay == 0 {
		l.FailedLoginDelay = DefaultFailedLoginDelay
	}
	return l
}

// Server serves IMAP4rev2 (RFC 9051) and IMAP4rev1 (RFC 3501) over a
// [Backend]. Its fields must not change once serving has started.
type Server struct {
	// Backend authenticates users and stores their mail. Required.
	Backend Backend
	// TLSConfig enables STARTTLS when not nil.
	TLSConfig *tls.Config
	// AllowInsecureAuth allows LOGIN and AUTHENTICATE PLAIN without TLS.
	AllowInsecureAuth bool
	// Limits bound each connection.
	Limits Limits
	// Logger receives connection errors and recovered panics; nil is
	// silent.
	Logger *slog.Logger
	// Greeting is the text of the greeting; empty gives a default.
	Greeting string
	// EnableCompress advertises COMPRESS=DEFLATE (RFC 4978). It is off by
	// default: the standard library's inflater returns data only at a
	// sync flush or a stored block, so a client that ends its commands
	// with zlib's Z_PARTIAL_FLUSH (mbsync does) would wait for ever
	// (golang/go#68130). Clients that sync-flush work.
	EnableCompress bool
	// DebugWriter, when not nil, receives a copy of everything the server
	// reads and writes. It may hold passwords.
	DebugWriter io.Writer

	group   lifecycle.Group
	sleep   func(time.Duration) // tests replace it; nil: wait, or until the server closes
	mu      sync.Mutex          // guards perIP and perUser
	perIP   map[string]int
	perUser map[string]int
	limOnce sync.Once
	lim     *Limits // Limits with the defaults filled in, shared by the connections
}

// limits returns Limits with the defaults filled in, computed once: the
// fields do not change once serving has started.
func (s *Server) limits() *Limits {
	s.limOnce.Do(func() {
		l := s.Limits.withDefaults()
		s.lim = &l
	})
	return s.lim
}

// pause waits for d, or less if the server closes.
func (s *Server) pause(d time.Duration) {
	if s.sleep != nil {
		s.sleep(d)
		return
	}
	s.group.Pause(d)
}

// Serve accepts connections on l and serves each in its own goroutine. It
// returns ErrServerClosed after Shutdown or Close.
func (s *Server) Serve(l net.Listener) error {
	return s.group.Serve(l, ErrServerClosed, func(nc net.Conn) { s.serveConn(nc) })
}

// ServeConn serves one connection until it ends; rw may be a net.Conn
// (then deadlines and STARTTLS apply) or any io.ReadWriter. It returns
// [ErrServerClosed] when the server is shutting down and refused the
// connection (with BYE), nil otherwise, as the smtp and pop3 servers do.
func (s *Server) ServeConn(rw io.ReadWriter) error {
	c := s.serveConn(rw)
	if c == nil {
		return ErrServerClosed
	}
	<-c.done
	return nil
}

// serveConn starts serving; it may return before the connection ends.
func (s *Server) serveConn(rw io.ReadWriter) *conn {
	c := newConn(s, rw)
	if !s.group.Add(c) {
		c.writeRaw("* BYE server shutting down\r\n")
		c.close()
		return nil
	}
	c.serve()
	return c
}

// acquire counts a connection of a kind (address or user); false when over
// the limit.
func (s *Server) acquire(m *map[string]int, key string, limit int) bool {
	if limit <= 0 || key == "" {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if *m == nil {
		*m = map[string]int{}
	}
	if (*m)[key] >= limit {
		return false
	}
	(*m)[key]++
	return true
}

func (s *Server) release(m *map[string]int, key string, limit int) {
	if limit <= 0 || key == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if (*m)[key]--; (*m)[key] <= 0 {
		delete(*m, key)
	}
}

// Close stops the listeners and closes every connection at once.
func (s *Server) Close() error { return s.group.Close() }

// Shutdown stops the listeners, sends BYE to connections waiting for a
// command (or in IDLE) and waits for every connection to end; if ctx ends
// first, it closes the rest and returns ctx's error.
func (s *Server) Shutdown(ctx context.Context) error { return s.group.Shutdown(ctx) }

func (s *Server) logf(msg string, args ...any) {
	if s.Logger != nil {
		s.Logger.Warn(msg, args...)
	}
}
