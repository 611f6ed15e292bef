package pop3

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mailwire/mailwire/internal/textwire"
)

// state is a session's RFC 1939 state.
type state int

const (
	// stateAuthorization is the initial state: the client identifies
	// itself (RFC 1939 §4).
	stateAuthorization state = iota
	// stateTransaction: the maildrop is open and locked (§5).
	stateTransaction
	// stateUpdate: the client said QUIT in TRANSACTION; deletions are
	// applied (§6).
	stateUpdate
)

func (st state) String() string {
	switch st {
	case stateAuthorization:
		return "AUTHORIZATION"
	case stateTransaction:
		return "TRANSACTION"
	default:
		return "UPDATE"
	}
}

const (
	inAuth  = 1 << stateAuthorization
	inTrans = 1 << stateTransaction
)

// handler runs one command. It writes its own response; a non-nil error
// ends the session (errClose ends it quietly).
type handler func(c *conn, arg string) error

type command struct {
	states int // bit mask of states the command is valid in
	h      handler
	secret bool // the argument holds credentials: never logged
}

// commands is the dispatch table; the allowed states are checked in one
// place, in conn.dispatch.
var commands map[string]command

func init() {
	commands = map[string]command{
		"CAPA": {inAuth | inTrans, (*conn).handleCAPA, false},
		"QUIT": {inAuth | inTrans, (*conn).handleQUIT, false},
		"USER": {inAuth, (*conn).handleUSER, false},
		"PASS": {inAuth, (*conn).handlePASS, true},
		"APOP": {inAuth, (*conn).handleAPOP, true},
		"AUTH": {inAuth, (*conn).handleAUTH, true},
		"STLS": {inAuth, (*conn).handleSTLS, false},
		"UTF8": {inAuth, (*conn).handleUTF8, false},
		"LANG": {inAuth | inTrans, (*conn).handleLANG, false},
		"STAT": {inTrans, (*conn).handleSTAT, false},
		"LIST": {inTrans, (*conn).handleLIST, false},
		"UIDL": {inTrans, (*conn).handleUIDL, false},
		"RETR": {inTrans, (*conn).handleRETR, false},
		"TOP":  {inTrans, (*conn).handleTOP, false},
		"DELE": {inTrans, (*conn).handleDELE, false},
		"NOOP": {inTrans, (*conn).handleNOOP, false},
		"RSET": {inTrans, (*conn).handleRSET, false},
	}
}

// errClose ends a session after its last response.
var errClose = errors.New("pop3: session closed")

type conn struct {
	s   *Server
	nc  net.Conn // nil when the transport is not a net.Conn
	rw  io.ReadWriter
	r   *textwire.Reader
	bw  *bufio.Writer
	log *slog.Logger
	ctx context.Context

	cancel    context.CancelFunc
	closeOnce sync.Once
	tmu       sync.Mutex // guards nc and rw against abort and interrupt
	intr      chan struct{}
	intrOnce  sync.Once
	stopping  atomic.Bool

	state     state
	tls       bool
	utf8      bool
	timestamp string // the APOP banner, "" when APOP is off
	user      string // from USER
	authUser  string // who logged in
	locked    bool   // s.lock(authUser) is held

	md      Maildrop
	noUIDL  bool // the backend's unique ids are unusable
	msgs    []MessageInfo
	deleted []bool

	badCommands  int
	authFailures int
	copyBuf      []byte
	scratch      []byte
}

func newConn(s *Server, rw io.ReadWriter) *conn {
	c := &conn{s: s, rw: rw, intr: make(chan struct{})}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	c.nc, _ = rw.(net.Conn)
	remote := "-"
	if c.nc != nil {
		if a := c.nc.RemoteAddr(); a != nil {
			remote = a.String()
		}
	}
	c.log = s.logger().With("proto", "pop3", "remote", remote)
	c.setTransport(rw)
	if _, ok := s.Backend.(APOPBackend); ok && !s.DisableAPOP {
		n := s.connCount.Add(1)
		// RFC 1939 §7: the timestamp MUST be different each time the
		// greeting is sent.
		c.timestamp = fmt.Sprintf("<%d.%d.%d@%s>", os.Getpid(), n, time.Now().UnixNano(), s.hostname())
		if s.timestamp != nil {
			c.timestamp = s.timestamp()
		}
	}
	return c
}

// setTransport reads and writes through rw from now on, dropping anything
// buffered.
func (c *conn) setTransport(rw io.ReadWriter) {
	var src io.Reader = rw
	var dst io.Writer = rw
	if dw := c.s.DebugWriter; dw != nil {
		src = io.TeeReader(rw, dw)
		dst = io.MultiWriter(rw, dw)
	}
	if c.r == nil {
		c.r = textwire.NewReader(src)
		c.r.Ending = textwire.AnyEnding
		c.r.MaxLine = c.s.maxLine()
		c.bw = bufio.NewWriterSize(dst, 8192)
	} else {
		c.r.Reset(src)
		c.bw.Reset(dst)
	}
}

// close ends the session; only the session's goroutine calls it.
func (c *conn) close() {
	c.Abort()
	c.release()
}

// Abort closes the transport; other goroutines (Server.Close) may call it.
func (c *conn) Abort() {
	c.closeOnce.Do(func() {
		c.cancel()
		c.tmu.Lock()
		defer c.tmu.Unlock()
		if cl, ok := c.rw.(io.Closer); ok {
			cl.Close()
		}
	})
}

// release closes the maildrop and drops the lock on it.
func (c *conn) release() {
	if c.md != nil {
		c.md.Close()
		c.md = nil
	}
	if c.locked {
		c.s.unlock(c.authUser)
		c.locked = false
	}
}

// Interrupt asks an idle session to end: its pending read fails at once.
func (c *conn) Interrupt() {
	c.stopping.Store(true)
	c.intrOnce.Do(func() { close(c.intr) })
	c.tmu.Lock()
	defer c.tmu.Unlock()
	if c.nc != nil {
		c.nc.SetReadDeadline(time.Now())
	}
}

func (c *conn) writeLine(s string) {
	c.bw.WriteString(s)
	c.bw.WriteString("\r\n")
}

func (c *conn) flush() error {
	if c.nc != nil {
		c.nc.SetWriteDeadline(time.Now().Add(c.s.timeout()))
	}
	return c.bw.Flush()
}

func (c *conn) ok(text string) {
	c.bw.WriteString("+OK")
	if text != "" {
		c.bw.WriteByte(' ')
		c.bw.WriteString(text)
	}
	c.bw.WriteString("\r\n")
}

func (c *conn) errResp(code, text string) {
	if code != "" {
		c.writeLine("-ERR [" + code + "] " + text)
		return
	}
	c.writeLine("-ERR " + text)
}

// bad answers a bad command and counts it.
func (c *conn) bad(text string) {
	c.badCommands++
	c.errResp("", text)
}

// backendErr answers an error from the Backend: an *Error goes out as it
// is, anything else as [SYS/TEMP] with fallback, and is logged.
func (c *conn) backendErr(err error, fallback string) {
	var e *Error
	if errors.As(err, &e) {
		c.errResp(e.Code, oneLine(e.Message))
		return
	}
	c.log.Warn("pop3: backend error", "user", c.authUser, "err", err)
	c.errResp("SYS/TEMP", fallback)
}

// oneLine keeps s from breaking the response line.
func oneLine(s string) string {
	if strings.ContainsAny(s, "\r\n") {
		s = strings.NewReplacer("\r", " ", "\n", " ").Replace(s)
	}
	return s
}

func (c *conn) serve() {
	c.log.Debug("pop3: session start")
	greet := "POP3 server ready"
	if c.timestamp != "" {
		greet += " " + c.timestamp
	}
	c.ok(greet)
	for {
		if c.r.Bufio().Buffered() == 0 {
			// Answers to pipelined commands go out together (RFC 2449
			// §6.6); flush only when no command is waiting.
			if err := c.flush(); err != nil {
				return
			}
		}
		if c.nc != nil {
			c.nc.SetReadDeadline(time.Now().Add(c.s.timeout()))
		}
		if c.stopping.Load() {
			c.errResp("SYS/TEMP", "server shutting down")
			c.flush()
			return
		}
		line, err := c.r.ReadLine()
		if err != nil {
			if !c.readFailed(err) {
				c.flush()
				return
			}
			continue
		}
		if err := c.dispatch(line); err != nil {
			c.flush()
			if err != errClose {
				c.log.Debug("pop3: session ended", "err", err)
			}
			return
		}
		if c.badCommands >= c.s.maxBadCommands() {
			c.errResp("", "too many bad commands, closing")
			c.flush()
			return
		}
	}
}

// readFailed answers a failed command read; false ends the session.
func (c *conn) readFailed(err error) bool {
	switch {
	case errors.Is(err, textwire.ErrLineTooLong):
		if c.r.DiscardLine() != nil {
			return false
		}
		c.bad("line too long")
		return c.badCommands < c.s.maxBadCommands()
	case c.stopping.Load():
		c.errResp("SYS/TEMP", "server shutting down")
	case isTimeout(err):
		// RFC 1939 §3: the autologout timer ends the session without
		// entering UPDATE.
		c.errResp("", "autologout, idle for too long")
	}
	return false
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

func (c *conn) dispatch(line []byte) error {
	verb, arg, _ := strings.Cut(string(line), " ")
	verb = strings.ToUpper(verb)
	if bytes.ContainsAny(line, "\r\x00") {
		c.bad("control characters in command")
		return nil
	}
	cmd, ok := commands[verb]
	if !ok || !c.available(verb) {
		c.bad("unknown command")
		return nil
	}
	if cmd.states&(1<<c.state) == 0 {
		c.bad(verb + " not valid in the " + c.state.String() + " state")
		return nil
	}
	if c.log.Enabled(c.ctx, slog.LevelDebug) {
		if cmd.secret {
			c.log.Debug("pop3: command", "cmd", verb)
		} else {
			c.log.Debug("pop3: command", "cmd", verb, "arg", quote([]byte(arg)))
		}
	}
	return cmd.h(c, arg)
}

// available reports whether an optional command is switched on.
func (c *conn) available(verb string) bool {
	switch verb {
	case "APOP":
		return c.timestamp != ""
	case "STLS":
		return c.s.TLSConfig != nil && c.nc != nil
	case "UTF8", "LANG":
		return c.s.EnableUTF8
	case "UIDL":
		return !c.noUIDL
	}
	return true
}

// insecureOK reports whether a password may travel on this connection.
func (c *conn) insecureOK() bool { return c.tls || c.s.AllowInsecureAuth }

// msgNumber parses a message number that names a message not deleted
// (RFC 1939 §5). It answers -ERR itself and returns -1 when it does not.
func (c *conn) msgNumber(arg string) int {
	n, ok := parseNumber(arg)
	if !ok {
		c.bad("invalid message number")
		return -1
	}
	if n < 1 || n > len(c.msgs) || c.deleted[n-1] {
		c.errResp("", "no such message")
		return -1
	}
	return n - 1
}

// parseNumber parses 1 to 9 decimal digits.
func parseNumber(s string) (int, bool) {
	if len(s) == 0 || len(s) > 9 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// sleep waits d, or less if the session is interrupted. It returns false
// when interrupted.
func (c *conn) sleep(d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-c.intr:
		return false
	case <-c.ctx.Done():
		return false
	}
}
