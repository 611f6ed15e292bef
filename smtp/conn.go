package smtp

import (
	"bufio"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/mailwire/mailwire/internal/textwire"
)

// state is where a connection is in the SMTP conversation.
type state uint8

const (
	stateInit  state = iota // connected, no EHLO/HELO/LHLO yet: the initial state
	stateReady              // greeted, no mail transaction
	stateMail               // MAIL accepted, no recipient yet
	stateRcpt               // at least one recipient accepted
	stateBDAT               // inside a BDAT sequence (RFC 3030)
)

// stateSet is a set of states, one bit each.
type stateSet uint8

func states(ss ...state) stateSet {
	var set stateSet
	for _, s := range ss {
		set |= 1 << s
	}
	return set
}

const anyState stateSet = 0xff

// command describes one verb: the states it is allowed in, the reply when
// it is not, and whether its reply must go out at once (RFC 2920 §3.2 (5):
// EHLO, DATA, VRFY, EXPN, QUIT and NOOP replies are not buffered).
type command struct {
	handle   func(c *conn, arg []byte)
	states   stateSet
	badState string // reply when the state is not allowed
	flush    bool
	// available reports whether the server offers the command on this
	// connection; nil means always.
	available func(c *conn) bool
}

const (
	replyNeedHello   = "503 5.5.1 Error: send EHLO/HELO first\r\n"
	replyNestedMail  = "503 5.5.1 Error: nested MAIL command\r\n"
	replyNeedMail    = "503 5.5.1 Error: need MAIL command\r\n"
	replyInTrans     = "503 5.5.1 Error: not allowed during a mail transaction\r\n"
	replyUnknown     = "500 5.5.1 Error: command not recognized\r\n"
	replyNotImpl     = "502 5.5.1 Error: command not implemented\r\n"
	replyLineTooLong = "500 5.5.2 Error: line too long\r\n"
	replyBareInCmd   = "500 5.5.2 Error: bare CR or LF in command line\r\n"
	replyTooManyErrs = "421 4.7.0 Error: too many errors, closing connection\r\n"
	replyTimeout     = "421 4.4.2 Error: timeout exceeded, closing connection\r\n"
	replyShutdown    = "421 4.3.2 Service shutting down, closing connection\r\n"
	replyOK          = "250 2.0.0 OK\r\n"
	replyDuringBDAT  = "503 5.5.1 Error: only BDAT, RSET, NOOP or QUIT during BDAT\r\n"
)

// commands is the dispatch table; the allowed states are checked here and
// nowhere else.
var commands map[string]*command

func init() {
	notLMTP := func(c *conn) bool { return !c.srv.LMTP }
	notBDAT := anyState &^ states(stateBDAT)
	commands = map[string]*command{
		"EHLO": {handle: (*conn).handleEHLO, states: anyState, flush: true, available: notLMTP},
		"HELO": {handle: (*conn).handleHELO, states: anyState, available: notLMTP},
		"LHLO": {handle: (*conn).handleEHLO, states: anyState, flush: true, available: func(c *conn) bool { return c.srv.LMTP }},
		"MAIL": {handle: (*conn).handleMAIL, states: states(stateReady), badState: replyNestedMail},
		"RCPT": {handle: (*conn).handleRCPT, states: states(stateMail, stateRcpt), badState: replyNeedMail},
		"DATA": {handle: (*conn).handleDATA, states: states(stateMail, stateRcpt), badState: replyNeedMail, flush: true},
		// BDAT must consume its chunk whatever the state, so it checks
		// the state itself once the chunk is read.
		"BDAT":     {handle: (*conn).handleBDAT, states: anyState, available: func(c *conn) bool { return !c.srv.DisableChunking }},
		"RSET":     {handle: (*conn).handleRSET, states: anyState},
		"NOOP":     {handle: (*conn).handleNOOP, states: anyState, flush: true},
		"QUIT":     {handle: (*conn).handleQUIT, states: anyState, flush: true},
		"HELP":     {handle: (*conn).handleHELP, states: notBDAT, flush: true},
		"VRFY":     {handle: (*conn).handleVRFY, states: notBDAT, flush: true},
		"EXPN":     {handle: (*conn).handleEXPN, states: notBDAT, flush: true},
		"STARTTLS": {handle: (*conn).handleSTARTTLS, states: states(stateInit, stateReady), badState: replyInTrans, available: (*conn).canStartTLS},
		"AUTH":     {handle: (*conn).handleAUTH, states: states(stateReady), badState: replyInTrans, available: (*conn).hasAuth},
		"XCLIENT":  {handle: (*conn).handleXCLIENT, states: states(stateInit, stateReady), badState: replyInTrans, available: (*conn).hasXCLIENT},
	}
}

// conn is the server side of one connection: the state machine.
type conn struct {
	srv    *Server
	raw    io.ReadWriter // the connection as accepted; never changes
	rw     io.ReadWriter // the transport, a *tls.Conn after STARTTLS
	nc     net.Conn      // rw when it is a net.Conn, for deadlines
	id     uint64
	limits Limits
	log    *slog.Logger

	r  *textwire.Reader
	br *bufio.Reader // reads from fr
	bw *bufio.Writer
	fr flushReader

	sess Session
	info Conn

	state      state
	helo       string
	ehlo       bool
	tls        bool
	authed     bool
	authzid    string
	authcid    string
	badCmds    int
	authFails  int
	quit       bool // the loop ends after this command
	mailOpts   *MailOptions
	from       string
	rcpts      []string
	bdat       *bdatTransfer
	readFailed error // the transport failed while reading data

	idle   atomic.Bool // waiting for a command with no input buffered
	closed atomic.Bool

	dr          textwire.DotReader
	chunk       chunkReader   // the chunk of a one-chunk BDAT message
	deadline    time.Time     // the read deadline last set
	deadlineFor time.Duration // the timeout it was set for
	wdeadline   time.Time     // the write deadline last set
	status      [1]error      // the result of one SMTP DATA, to avoid an allocation
	scratch     []byte
}

func (c *conn) logger() *slog.Logger { return c.log }

// transport sets the reader and writer on rw, copying traffic to
// DebugWriter when it is set.
func (c *conn) transport(rw io.ReadWriter) (io.Reader, io.Writer) {
	c.rw = rw
	c.nc, _ = rw.(net.Conn)
	if d := c.srv.DebugWriter; d != nil {
		return io.TeeReader(rw, d), io.MultiWriter(rw, d)
	}
	return rw, rw
}

func (c *conn) serve() error {
	defer c.srv.removeConn(c)
	defer c.srv.recoverConn(c)
	src, dst := c.transport(c.rw)
	c.fr = flushReader{c: c, src: src}
	c.br = readerPool.Get().(*bufio.Reader)
	c.br.Reset(&c.fr)
	c.bw = writerPool.Get().(*bufio.Writer)
	c.bw.Reset(dst)
	c.r = textwire.NewReader(c.br)
	c.r.MaxLine = c.limits.MaxLineLength
	c.info.c = c
	c.log = c.srv.logger().With("conn", c.id)
	defer c.release()

	if c.nc != nil {
		c.logger().Debug("smtp: connection", "remote", c.nc.RemoteAddr().String())
		defer c.logger().Debug("smtp: connection closed")
	}
	sess, err := c.srv.Backend.NewSession(&c.info)
	if err != nil {
		c.writeError(err, &Error{Code: 421, EnhancedCode: EnhancedCode{4, 3, 0}, Message: "Service not available, closing connection"})
		c.flush()
		return nil
	}
	c.sess = sess
	defer func() {
		c.abortBDAT()
		if err := sess.Logout(); err != nil {
			c.logger().Debug("smtp: logout", "err", err)
		}
	}()
	c.greet()
	for !c.quit {
		if c.br.Buffered() == 0 {
			// RFC 2920 §3.2 (7): pending replies go out whenever the
			// input buffer is empty.
			if err := c.flush(); err != nil {
				return nil
			}
		}
		line, err := c.readCommand()
		if err != nil {
			return c.endOnReadError(err)
		}
		c.dispatch(line)
		if c.readFailed != nil {
			return c.endOnReadError(c.readFailed)
		}
	}
	c.flush()
	return nil
}

// flushReader is the source of the connection's read buffer. Before it
// waits on the transport it sends the pending replies: RFC 2920 §3.2 (7)
// asks for them whenever the input buffer is empty, and a client that
// pipelined an envelope may wait for its replies before sending the data
// that the server is about to wait for.
type flushReader struct {
	c   *conn
	src io.Reader
}

func (f *flushReader) Read(p []byte) (int, error) {
	if f.c.bw.Buffered() > 0 {
		if err := f.c.flush(); err != nil {
			return 0, err
		}
	}
	return f.src.Read(p)
}

func (c *conn) greet() {
	if c.srv.LMTP {
		c.writeLine("220 " + c.srv.domain() + " LMTP ready")
	} else {
		c.writeLine("220 " + c.srv.domain() + " ESMTP ready")
	}
}

// release closes the transport and returns the buffers to their pools.
func (c *conn) release() {
	c.closeTransport()
	c.br.Reset(nil)
	readerPool.Put(c.br)
	c.bw.Reset(nil)
	writerPool.Put(c.bw)
}

func (c *conn) closeTransport() {
	if c.closed.Swap(true) {
		return
	}
	// raw, not rw: other goroutines call this, and closing the
	// connection under TLS ends TLS too.
	if cl, ok := c.raw.(io.Closer); ok {
		cl.Close()
	}
}

// Abort closes the connection at once (Server.Close).
func (c *conn) Abort() { c.closeTransport() }

// Interrupt is called by Shutdown, again and again until the connection
// ends: a connection waiting for a command is woken so that it says
// goodbye; one in the middle of a command finishes it and sees the
// shutdown before reading the next.
func (c *conn) Interrupt() {
	if !c.idle.Load() {
		return
	}
	if nc, ok := c.raw.(net.Conn); ok {
		nc.SetReadDeadline(time.Unix(1, 0))
	} else {
		c.closeTransport()
	}
}

// endOnReadError ends the connection after a failed read, saying why when
// the client may still be listening.
func (c *conn) endOnReadError(err error) error {
	switch {
	case c.srv.group.Closed():
		c.writeString(replyShutdown)
		c.flush()
	case isTimeout(err):
		c.logger().Info("smtp: timeout", "state", c.state)
		c.writeString(replyTimeout)
		c.flush()
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
	default:
		c.logger().Debug("smtp: read", "err", err)
	}
	return nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// readCommand reads the next command line, answering the malformed ones
// itself (line too long, bare CR or LF) and going on.
func (c *conn) readCommand() ([]byte, error) {
	for {
		c.setReadDeadline(c.limits.CommandTimeout)
		if c.br.Buffered() == 0 {
			c.idle.Store(true)
			if c.srv.group.Closed() {
				c.idle.Store(false)
				return nil, ErrServerClosed
			}
		}
		// RFC 4954 §4: AUTH lines may be longer than other commands;
		// while AUTH is possible the reader takes them, and any other
		// command that long is refused below.
		c.r.MaxLine = c.limits.MaxLineLength
		if c.hasAuth() && !c.authed {
			c.r.MaxLine = c.limits.MaxAuthLineLength
		}
		line, err := c.r.ReadLine()
		c.idle.Store(false)
		if err == nil && len(line) > c.limits.MaxLineLength && !isAuthCommand(line) {
			err = textwire.ErrLineTooLong
		}
		switch {
		case err == nil:
			return line, nil
		case errors.Is(err, textwire.ErrLineTooLong):
			// RFC 5321 §4.5.3.1.10 gives 500 for a line too long; the
			// rest of the line is skipped and the connection kept.
			if line == nil {
				if err := c.r.DiscardLine(); err != nil {
					return nil, err
				}
			}
			if !c.countBadCommand() {
				return nil, errTooManyErrors
			}
			c.writeString(replyLineTooLong)
		case errors.Is(err, textwire.ErrBareLF), errors.Is(err, textwire.ErrBareCR):
			// RFC 5321 §2.3.8: CR and LF only appear together as CRLF.
			if !c.countBadCommand() {
				return nil, errTooManyErrors
			}
			c.writeString(replyBareInCmd)
		default:
			return nil, err
		}
		if c.br.Buffered() == 0 {
			if err := c.flush(); err != nil {
				return nil, err
			}
		}
	}
}

var errTooManyErrors = errors.New("smtp: too many errors")

// isAuthCommand reports whether line is an AUTH command.
func isAuthCommand(line []byte) bool {
	return len(line) >= 5 && line[0]|0x20 == 'a' && line[1]|0x20 == 'u' && line[2]|0x20 == 't' && line[3]|0x20 == 'h' && line[4] == ' '
}

// countBadCommand counts an error of the client's; false means the limit
// is crossed and the connection is being closed.
func (c *conn) countBadCommand() bool {
	c.badCmds++
	if c.badCmds >= c.limits.MaxBadCommands {
		c.logger().Info("smtp: too many bad commands", "count", c.badCmds)
		c.writeString(replyTooManyErrs)
		c.flush()
		c.quit = true
		return false
	}
	return true
}

// dispatch runs one command line.
func (c *conn) dispatch(line []byte) {
	verb, arg := line, []byte(nil)
	if i := indexByte(line, ' '); i >= 0 {
		verb, arg = line[:i], line[i+1:]
	}
	var up [10]byte
	if len(verb) > len(up) {
		c.badCommand(replyUnknown)
		return
	}
	for i, b := range verb {
		if 'a' <= b && b <= 'z' {
			b -= 'a' - 'A'
		}
		up[i] = b
	}
	cmd := commands[string(up[:len(verb)])]
	switch {
	case cmd == nil:
		c.badCommand(replyUnknown)
		return
	case cmd.available != nil && !cmd.available(c):
		c.badCommand(c.unavailableReply(string(up[:len(verb)])))
		return
	case cmd.states&(1<<c.state) == 0:
		switch c.state {
		case stateInit:
			c.badCommand(replyNeedHello)
		case stateBDAT:
			c.badCommand(replyDuringBDAT)
		default:
			c.badCommand(cmd.badState)
		}
		return
	}
	cmd.handle(c, arg)
	if cmd.flush {
		c.flush()
	}
}

func (c *conn) unavailableReply(verb string) string {
	if verb == "AUTH" && c.srv.TLSConfig != nil && !c.tls {
		if _, ok := c.sess.(AuthSession); ok {
			return "530 5.7.0 Must issue a STARTTLS command first\r\n"
		}
	}
	return replyNotImpl
}

// badCommand answers a command the client should not have sent and counts
// it.
func (c *conn) badCommand(reply string) {
	if c.countBadCommand() {
		c.writeString(reply)
		// RFC 2920 §3.2 (6): replies to unrecognised commands are not
		// buffered.
		c.flush()
	}
}

// syntaxError answers 501 with text and counts it as a bad command.
func (c *conn) syntaxError(ec EnhancedCode, text string) {
	if c.countBadCommand() {
		c.reply(501, ec, text)
	}
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// setReadDeadline sets the read deadline d from now when the transport
// is a net.Conn. Within one phase (the same d) it only moves the deadline
// when it moves by a second or more, so that streaming data does not pay
// for a call on every read.
func (c *conn) setReadDeadline(d time.Duration) {
	if c.nc == nil {
		return
	}
	dl := time.Now().Add(d)
	if d == c.deadlineFor && dl.Sub(c.deadline) < time.Second {
		return
	}
	c.deadline, c.deadlineFor = dl, d
	c.nc.SetReadDeadline(dl)
}

func (c *conn) flush() error {
	if c.bw.Buffered() == 0 {
		return nil
	}
	if c.nc != nil {
		if dl := time.Now().Add(c.limits.WriteTimeout); dl.Sub(c.wdeadline) >= time.Second {
			c.wdeadline = dl
			c.nc.SetWriteDeadline(dl)
		}
	}
	if err := c.bw.Flush(); err != nil {
		c.quit = true
		return err
	}
	return nil
}

func (c *conn) writeString(s string) { c.bw.WriteString(s) }

func (c *conn) writeLine(s string) {
	c.bw.WriteString(s)
	c.bw.WriteString("\r\n")
}

// reply writes a reply, with the enhanced code when there is one, and
// one line per line of text (RFC 5321 §4.2.1: "code-" on every line but
// the last).
func (c *conn) reply(code int, ec EnhancedCode, text string) {
	b := c.scratch[:0]
	for {
		line, rest, more := strings.Cut(text, "\n")
		line = strings.TrimSuffix(line, "\r")
		b = strconv.AppendInt(b, int64(code), 10)
		if more {
			b = append(b, '-')
		} else {
			b = append(b, ' ')
		}
		if s := ec.String(); s != "" {
			b = append(b, s...)
			b = append(b, ' ')
		}
		b = append(b, sanitize(line)...)
		b = append(b, '\r', '\n')
		if !more {
			break
		}
		text = rest
	}
	c.bw.Write(b)
	c.scratch = b[:0]
}

// sanitize keeps control bytes out of a reply line.
func sanitize(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] == 0x7f {
			return strings.Map(func(r rune) rune {
				if r < ' ' || r == 0x7f {
					return ' '
				}
				return r
			}, s)
		}
	}
	return s
}

// writeError writes err as a reply: an *Error as it is, anything else as
// def.
func (c *conn) writeError(err error, def *Error) {
	var e *Error
	if !errors.As(err, &e) || e.Code < 200 || e.Code > 599 {
		if err != nil {
			c.logger().Warn("smtp: backend error", "err", err, "reply", def.Code)
		}
		e = def
	}
	ec := e.EnhancedCode
	if ec == (EnhancedCode{}) {
		ec = defaultEnhancedCode(e.Code)
	}
	c.reply(e.Code, ec, e.Message)
}

// defaultEnhancedCode gives an error without one the generic code of its
// class (RFC 3463 §3.1: X.0.0).
func defaultEnhancedCode(code int) EnhancedCode {
	switch code / 100 {
	case 2:
		return EnhancedCode{2, 0, 0}
	case 4:
		return EnhancedCode{4, 0, 0}
	case 5:
		return EnhancedCode{5, 0, 0}
	}
	return NoEnhancedCode
}

// resetTransaction ends the mail transaction, if any.
func (c *conn) resetTransaction() {
	c.abortBDAT()
	if c.state > stateReady {
		c.state = stateReady
	}
	c.mailOpts = nil
	c.from = ""
	c.rcpts = c.rcpts[:0]
	c.sess.Reset()
}

// canStartTLS reports whether STARTTLS exists on this connection at all;
// once TLS is active or the client has authenticated, the command is
// refused with 503 (handleSTARTTLS) rather than unknown.
func (c *conn) canStartTLS() bool { return c.srv.TLSConfig != nil && c.nc != nil }

// offerStartTLS reports whether EHLO advertises STARTTLS: not over TLS
// (RFC 3207 §4.2) nor after AUTH, when it would be refused.
func (c *conn) offerStartTLS() bool { return c.canStartTLS() && !c.tls && !c.authed }

func (c *conn) hasAuth() bool {
	_, ok := c.sess.(AuthSession)
	return ok && (c.tls || c.srv.AllowInsecureAuth)
}

func (c *conn) hasXCLIENT() bool {
	_, ok := c.sess.(XCLIENTSession)
	return ok
}
