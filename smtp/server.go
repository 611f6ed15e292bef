package smtp

import (
	"bufio"
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mailwire/mailwire/internal/lifecycle"
)

// Default limits and timeouts of a [Server].
const (
	// DefaultMaxLineLength is the longest command line: 4 KiB (RFC 5321
	// §4.5.3.1.4 asks for at least 512 octets).
	DefaultMaxLineLength = 4096
	// DefaultMaxAuthLineLength is the longest line of an AUTH exchange,
	// the AUTH command included: RFC 4954 §4 calls 12288 octets
	// sufficient for deployed mechanisms.
	DefaultMaxAuthLineLength = 12288
	// DefaultMaxMessageBytes is the largest message, advertised with SIZE.
	DefaultMaxMessageBytes = 32 << 20
	// DefaultMaxRecipients is the most recipients of one message (RFC 5321
	// §4.5.3.1.8 asks for at least 100).
	DefaultMaxRecipients = 1000
	// DefaultMaxBadCommands is how many unknown, malformed or out of
	// sequence commands a connection may send before it is closed.
	DefaultMaxBadCommands = 20
	// DefaultMaxAuthFailures is how many failed AUTH attempts a connection
	// may make; the next failure closes it.
	DefaultMaxAuthFailures = 3
	// DefaultAuthFailureDelay is the delay before the reply to the first
	// failed AUTH; the n-th failure waits n times as long.
	DefaultAuthFailureDelay = time.Second
	// DefaultCommandTimeout bounds the wait for each command, and so is
	// the idle timeout, before AUTH and after it alike, and the wait for
	// each line of an AUTH exchange: RFC 5321 §4.5.3.2.7 asks a server to
	// wait at least 5 minutes. The project's general defaults (1 minute
	// idle before login, 30 after) do not fit SMTP: most SMTP clients are
	// MTAs that never authenticate, use the 5-minute client timeouts of
	// §4.5.3.2, and would see a shorter server timeout as a failure.
	DefaultCommandTimeout = 5 * time.Minute
	// DefaultDataTimeout bounds each wait for message data, in DATA or a
	// BDAT chunk. The server timeout of RFC 5321 §4.5.3.2.7 applies here
	// too (the 3 minutes of §4.5.3.2.5 are the client's wait for a reply);
	// while it equals the command timeout the deadline is not reset at
	// each change of phase.
	DefaultDataTimeout = 5 * time.Minute
	// DefaultWriteTimeout bounds each write of replies.
	DefaultWriteTimeout = time.Minute
)

// Limits bounds what one connection may do. A zero field means its default.
type Limits struct {
	MaxLineLength     int           // DefaultMaxLineLength
	MaxAuthLineLength int           // DefaultMaxAuthLineLength
	MaxMessageBytes   int64         // DefaultMaxMessageBytes
	MaxRecipients     int           // DefaultMaxRecipients
	MaxBadCommands    int           // DefaultMaxBadCommands
	MaxAuthFailures   int           // DefaultMaxAuthFailures
	AuthFailureDelay  time.Duration // DefaultAuthFailureDelay; negative: none
	CommandTimeout    time.Duration // DefaultCommandTimeout; also the idle timeout
	DataTimeout       time.Duration // DefaultDataTimeout
	WriteTimeout      time.Duration // DefaultWriteTimeout
}

func (l *Limits) withDefaults() Limits {
	d := *l
	if d.MaxLineLength <= 0 {
		d.MaxLineLength = DefaultMaxLineLength
	}
	if d.MaxAuthLineLength <= 0 {
		d.MaxAuthLineLength = DefaultMaxAuthLineLength
	}
	if d.MaxAuthLineLength < d.MaxLineLength {
		d.MaxAuthLineLength = d.MaxLineLength
	}
	if d.MaxMessageBytes <= 0 {
		d.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if d.MaxRecipients <= 0 {
		d.MaxRecipients = DefaultMaxRecipients
	}
	if d.MaxBadCommands <= 0 {
		d.MaxBadCommands = DefaultMaxBadCommands
	}
	if d.MaxAuthFailures <= 0 {
		d.MaxAuthFailures = DefaultMaxAuthFailures
	}
	if d.AuthFailureDelay == 0 {
		d.AuthFailureDelay = DefaultAuthFailureDelay
	}
	if d.CommandTimeout <= 0 {
		d.CommandTimeout = DefaultCommandTimeout
	}
	if d.DataTimeout <= 0 {
		d.DataTimeout = DefaultDataTimeout
	}
	if d.WriteTimeout <= 0 {
		d.WriteTimeout = DefaultWriteTimeout
	}
	return d
}

// BareLineEndings says what the server does with a CR not followed by LF,
// or a LF not preceded by CR, inside DATA.
type BareLineEndings int

const (
	// RejectBareLineEndings, the default, refuses the message with 550
	// 5.6.0, so that no end-of-data variant other than CRLF.CRLF can
	// smuggle a second message past a relay that saw one.
	RejectBareLineEndings BareLineEndings = iota
	// NormalizeBareLineEndings turns each into CRLF in the data the
	// backend reads. They never end the data either way.
	NormalizeBareLineEndings
)

// Server is an SMTP or LMTP server. Set its fields, then call [Server.Serve]
// or [Server.ServeConn]; the fields must not change afterwards.
type Server struct {
	// Backend receives the mail. Required.
	Backend Backend
	// Domain is the server's name in the greeting and the EHLO reply;
	// "localhost" when empty.
	Domain string
	// LMTP switches to LMTP (RFC 2033): LHLO instead of EHLO/HELO and one
	// reply per recipient after DATA.
	LMTP bool
	// TLSConfig enables STARTTLS (RFC 3207) when set.
	TLSConfig *tls.Config
	// AllowInsecureAuth advertises and accepts AUTH on a connection that
	// is not encrypted. Only for tests and loopback.
	AllowInsecureAuth bool
	// Limits bounds each connection; the zero value means the defaults.
	Limits Limits
	// BareLineEndings chooses between refusing (the default) and
	// normalising bare CR and LF in DATA.
	BareLineEndings BareLineEndings

	// Extensions that depend on what the backend does with the mail are
	// advertised only when enabled here.
	EnableSMTPUTF8   bool // RFC 6531: UTF-8 addresses
	EnableDSN        bool // RFC 3461: RET, ENVID, NOTIFY, ORCPT
	EnableREQUIRETLS bool // RFC 8689, advertised only over TLS
	EnableBINARYMIME bool // RFC 3030, with CHUNKING
	EnableDELIVERBY  bool // RFC 2852
	EnableMTPRIORITY bool // RFC 6710
	EnableRRVS       bool // RFC 7293
	// DisableChunking turns off CHUNKING/BDAT (RFC 3030), on by default.
	DisableChunking bool
	// DeliverByMin is the min-by-time advertised with DELIVERBY; 0 for
	// none.
	DeliverByMin time.Duration
	// AdvertiseLimits advertises LIMITS RCPTMAX (RFC 9422).
	AdvertiseLimits bool
	// AddReceivedHeader prepends a Received trace field to each message
	// the backend reads (RFC 5321 §4.4 asks the receiving server for one).
	// Leave it off when the backend writes its own.
	AddReceivedHeader bool

	// Logger receives connection events; nil means slog.Default(). It
	// never receives passwords or message content.
	Logger *slog.Logger
	// DebugWriter, when set, receives a copy of all traffic. It may hold
	// credentials and message content.
	DebugWriter io.Writer

	// sleep waits for d or until the server closes; tests replace it.
	sleep func(d time.Duration, done <-chan struct{})

	group  lifecycle.Group
	connID atomic.Uint64
}

var (
	readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 8<<10) }}
	writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 4<<10) }}
)

func (s *Server) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}

func (s *Server) domain() string {
	if s.Domain == "" {
		return "localhost"
	}
	return s.Domain
}

// ListenAndServe listens on the TCP address addr and serves it.
func (s *Server) ListenAndServe(addr string) error {
	if s.group.Closed() {
		return ErrServerClosed
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	return s.Serve(l)
}

// Serve accepts connections on l and serves each in its own goroutine. It
// returns [ErrServerClosed] after [Server.Shutdown] or [Server.Close], or
// the listener's error.
func (s *Server) Serve(l net.Listener) error {
	return s.group.Serve(l, ErrServerClosed, func(nc net.Conn) {
		c := s.newConn(nc)
		if c == nil {
			nc.Close()
			return
		}
		c.serve()
	})
}

// ServeConn serves one connection on rw and returns when it ends. When rw
// is a net.Conn, deadlines are set on it and STARTTLS is possible; rw is
// closed at the end if it is an io.Closer.
func (s *Server) ServeConn(rw io.ReadWriter) error {
	c := s.newConn(rw)
	if c == nil {
		if cl, ok := rw.(io.Closer); ok {
			cl.Close()
		}
		return ErrServerClosed
	}
	return c.serve()
}

func (s *Server) newConn(rw io.ReadWriter) *conn {
	c := &conn{srv: s, raw: rw, rw: rw, limits: s.Limits.withDefaults()}
	c.id = s.connID.Add(1)
	if !s.group.Add(c) {
		return nil
	}
	return c
}

func (s *Server) removeConn(c *conn) { s.group.Remove(c) }

// recoverConn logs a panic in one connection's goroutine; the other
// connections live on.
func (s *Server) recoverConn(c *conn) {
	if r := recover(); r != nil {
		s.logger().Error("smtp: panic serving connection", "conn", c.id, "panic", r, "stack", string(debug.Stack()))
		c.closeTransport()
	}
}

// Close closes the listeners and every connection at once, without
// waiting. Messages in transfer are not delivered.
func (s *Server) Close() error { return s.group.Close() }

// Shutdown stops accepting connections, tells each connection that waits
// for a command "421 4.3.2 Service shutting down" and closes it, lets
// connections in the middle of a command (a message transfer) finish it
// first, and returns when all have ended; if ctx is done first, it closes
// the rest (their messages are not delivered) and returns ctx's error. A
// connection given to ServeConn that is not a net.Conn cannot be woken: it
// is closed if it is an io.Closer, else left to end by itself.
func (s *Server) Shutdown(ctx context.Context) error { return s.group.Shutdown(ctx) }

// sleepFor waits d, or less if the server is closing.
func (s *Server) sleepFor(d time.Duration) {
	if d <= 0 {
		return
	}
	if s.sleep != nil {
		s.sleep(d, s.group.Done())
		return
	}
	s.group.Pause(d)
}
