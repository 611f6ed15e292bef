package imapserver

import (
	"bufio"
	"compress/flate"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mailwire/mailwire/internal/imapwire"
)

// connState is the protocol state of RFC 9051 §3.
type connState int

const (
	stateNotAuth  connState = iota // the initial state, before LOGIN/AUTHENTICATE
	stateAuth                      // authenticated, no mailbox selected
	stateSelected                  // a mailbox is selected
	stateLogout                    // the connection is ending
)

// Bit masks of the states a command is allowed in.
const (
	inNotAuth  = 1 << stateNotAuth
	inAuth     = 1 << stateAuth
	inSelected = 1 << stateSelected
	inAny      = inNotAuth | inAuth | inSelected
	inAuthSel  = inAuth | inSelected
)

// command describes one verb: where it is allowed and how it is handled.
type command struct {
	states int
	// uidOK: the command has a UID form.
	uidOK bool
	// noExpunge: while answering it (non-UID form) EXPUNGE responses must
	// not be sent (RFC 9051 §7.5.1).
	noExpunge bool
	handle    func(c *conn, tag string, uid bool) error
}

var commands map[string]*command

func init() {
	commands = map[string]*command{
		"CAPABILITY":     {states: inAny, handle: (*conn).handleCAPABILITY},
		"NOOP":           {states: inAny, handle: (*conn).handleNOOP},
		"LOGOUT":         {states: inAny, handle: (*conn).handleLOGOUT},
		"ID":             {states: inAny, handle: (*conn).handleID},
		"STARTTLS":       {states: inNotAuth, handle: (*conn).handleSTARTTLS},
		"LOGIN":          {states: inNotAuth, handle: (*conn).handleLOGIN},
		"AUTHENTICATE":   {states: inNotAuth, handle: (*conn).handleAUTHENTICATE},
		"ENABLE":         {states: inAuthSel, handle: (*conn).handleENABLE},
		"UNAUTHENTICATE": {states: inAuthSel, handle: (*conn).handleUNAUTHENTICATE},
		"SELECT":         {states: inAuthSel, handle: (*conn).handleSELECT},
		"EXAMINE":        {states: inAuthSel, handle: (*conn).handleSELECT},
		"CREATE":         {states: inAuthSel, handle: (*conn).handleCREATE},
		"DELETE":         {states: inAuthSel, handle: (*conn).handleDELETE},
		"RENAME":         {states: inAuthSel, handle: (*conn).handleRENAME},
		"SUBSCRIBE":      {states: inAuthSel, handle: (*conn).handleSUBSCRIBE},
		"UNSUBSCRIBE":    {states: inAuthSel, handle: (*conn).handleSUBSCRIBE},
		"LIST":           {states: inAuthSel, handle: (*conn).handleLIST},
		"LSUB":           {states: inAuthSel, handle: (*conn).handleLIST},
		"NAMESPACE":      {states: inAuthSel, handle: (*conn).handleNAMESPACE},
		"STATUS":         {states: inAuthSel, handle: (*conn).handleSTATUS},
		"APPEND":         {states: inAuthSel, handle: (*conn).handleAPPEND},
		"IDLE":           {states: inAuthSel, handle: (*conn).handleIDLE},
		"NOTIFY":         {states: inAuthSel, handle: (*conn).handleNOTIFY},
		"COMPRESS":       {states: inAuthSel, handle: (*conn).handleCOMPRESS},
		"GETQUOTA":       {states: inAuthSel, handle: (*conn).handleGETQUOTA},
		"GETQUOTAROOT":   {states: inAuthSel, handle: (*conn).handleGETQUOTAROOT},
		"SETQUOTA":       {states: inAuthSel, handle: (*conn).handleSETQUOTA},
		"GETMETADATA":    {states: inAuthSel, handle: (*conn).handleGETMETADATA},
		"GETACL":         {states: inAuthSel, handle: (*conn).handleGETACL},
		"SETACL":         {states: inAuthSel, handle: (*conn).handleSETACL},
		"DELETEACL":      {states: inAuthSel, handle: (*conn).handleSETACL},
		"MYRIGHTS":       {states: inAuthSel, handle: (*conn).handleMYRIGHTS},
		"LISTRIGHTS":     {states: inAuthSel, handle: (*conn).handleLISTRIGHTS},
		"SETMETADATA":    {states: inAuthSel, handle: (*conn).handleSETMETADATA},
		"CHECK":          {states: inSelected, handle: (*conn).handleNOOP},
		"CLOSE":          {states: inSelected, handle: (*conn).handleCLOSE},
		"UNSELECT":       {states: inSelected, handle: (*conn).handleCLOSE},
		"EXPUNGE":        {states: inSelected, uidOK: true, handle: (*conn).handleEXPUNGE},
		"SEARCH":         {states: inSelected, uidOK: true, noExpunge: true, handle: (*conn).handleSEARCH},
		"FETCH":          {states: inSelected, uidOK: true, noExpunge: true, handle: (*conn).handleFETCH},
		"STORE":          {states: inSelected, uidOK: true, noExpunge: true, handle: (*conn).handleSTORE},
		"COPY":           {states: inSelected, uidOK: true, noExpunge: true, handle: (*conn).handleCOPY},
		"MOVE":           {states: inSelected, uidOK: true, handle: (*conn).handleCOPY},
		"SORT":           {states: inSelected, uidOK: true, noExpunge: true, handle: (*conn).handleSORT},
		"THREAD":         {states: inSelected, uidOK: true, noExpunge: true, handle: (*conn).handleTHREAD},
	}
}

// respError is a tagged NO or BAD (or a BYE ending the connection).
type respError struct {
	typ  string // "NO", "BAD", "BYE"
	code string // response code without brackets, may be empty
	text string
}

func (e *respError) Error() string { return e.typ + " " + e.text }

func no(code, text string) error  { return &respError{"NO", code, text} }
func bad(code, text string) error { return &respError{"BAD", code, text} }

// prefixReader reads pre, then r: bytes read ahead by a released buffer.
type prefixReader struct {
	pre []byte
	r   io.Reader
}

func (p *prefixReader) Read(b []byte) (int, error) {
	if len(p.pre) > 0 {
		n := copy(b, p.pre)
		p.pre = p.pre[n:]
		if len(p.pre) == 0 {
			p.pre = nil
		}
		return n, nil
	}
	return p.r.Read(b)
}

var (
	readerPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}
	writerPool = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 4096) }}
)

// conn is one client connection: the state machine of RFC 9051 §3.
type conn struct {
	srv *Server
	lim *Limits // the server's, shared
	rw  io.ReadWriter
	nc  net.Conn // nil when rw is not a net.Conn
	ip  string
	src prefixReader
	br  *bufio.Reader // nil while released (IDLE)
	bw  *bufio.Writer // nil while released
	w   io.Writer     // where bw writes
	zw  *flate.Writer // COMPRESS=DEFLATE: w, flushed with bw
	dec decoder

	state     connState
	user      User
	username  string
	isTLS     bool
	utf8      bool // UTF8=ACCEPT enabled (RFC 6855)
	condstore bool
	rev2      bool // ENABLE IMAP4rev2 (RFC 9051 §6.3.1)
	qresync   bool // ENABLE QRESYNC (RFC 7162 §3.2.3): VANISHED for EXPUNGE
	sel       *selected
	bad       int
	failures  int
	okCode    string // response code for the tagged OK of the current command
	okText    string
	verb      string // the command being run
	// suppressOK: the handler already wrote its tagged OK (STARTTLS).
	suppressOK bool

	// NOTIFY (RFC 5465): the events asked for, the backend's watcher, and
	// the fetch-att being parsed.
	ntf         *notifySpec
	watcher     Watcher
	notifyFetch []fetchItem
	// between: with NOTIFY on, the connection waits for a command and
	// events may be written at once by the goroutine wake starts (under
	// mu).
	between atomic.Bool

	// mu serialises writes between the command goroutine and the goroutine
	// that pushes updates during IDLE.
	mu          sync.Mutex
	idling      atomic.Bool
	flushQueued atomic.Bool
	stopping    atomic.Bool
	closeOnce   sync.Once
	// handoff, set by IDLE, is run in a new goroutine by loop.
	handoff   func()
	done      chan struct{}
	ipRefused bool
}

// errHandoff: the handler has set c.handoff and the loop must pass the
// connection on.
var errHandoff = errors.New("imapserver: connection handed off")

func newConn(s *Server, rw io.ReadWriter) *conn {
	c := &conn{srv: s, lim: s.limits(), rw: rw, done: make(chan struct{})}
	if nc, ok := rw.(net.Conn); ok {
		c.nc = nc
		if a, ok := nc.RemoteAddr().(*net.TCPAddr); ok {
			c.ip = a.IP.String()
		}
		_, c.isTLS = nc.(*tls.Conn)
	}
	c.setIO(rw)
	return c
}

func (c *conn) setIO(rw io.ReadWriter) {
	c.rw = rw
	c.src = prefixReader{r: rw}
	c.w = rw
	if c.srv.DebugWriter != nil {
		c.src.r = io.TeeReader(rw, c.srv.DebugWriter)
		c.w = io.MultiWriter(rw, c.srv.DebugWriter)
	}
	c.dec.setup(c.lim.MaxLine, c.lim.MaxLiteral, c.continueLiteral)
	if c.br != nil {
		c.dec.Reset(c.br)
	}
}

func (c *conn) reader() *bufio.Reader {
	if c.br == nil {
		c.br = readerPool.Get().(*bufio.Reader)
		c.br.Reset(&c.src)
		c.dec.Reset(c.br)
	}
	return c.br
}

// writer returns the buffered writer, taking one from the pool if needed.
func (c *conn) writer() *bufio.Writer {
	if c.bw == nil {
		c.bw = writerPool.Get().(*bufio.Writer)
		c.bw.Reset(c.w)
	}
	return c.bw
}

// releaseBuffers gives the buffers back to the pools while the connection
// waits (IDLE), keeping bytes read ahead.
func (c *conn) releaseBuffers() {
	if c.bw != nil && c.bw.Buffered() == 0 {
		c.bw.Reset(nil)
		writerPool.Put(c.bw)
		c.bw = nil
	}
	if c.br != nil {
		if n := c.br.Buffered(); n > 0 {
			b, _ := c.br.Peek(n)
			c.src.pre = append(c.src.pre[:0:0], b...)
		}
		c.br.Reset(nil)
		readerPool.Put(c.br)
		c.br = nil
		c.dec.Reset(nil)
	}
}

func (c *conn) flush() error {
	if c.bw == nil {
		return nil
	}
	if err := c.bw.Flush(); err != nil {
		return err
	}
	if c.zw != nil {
		return c.zw.Flush()
	}
	return nil
}

func (c *conn) writeRaw(s string) {
	c.writer().WriteString(s)
	c.flush()
}

// continueLiteral sends the continuation request for a synchronising
// literal (RFC 9051 §7.5).
func (c *conn) continueLiteral() error {
	c.writer().WriteString("+ Ready for literal data\r\n")
	return c.flush()
}

func (c *conn) close() {
	c.closeOnce.Do(func() {
		if cl, ok := c.rw.(io.Closer); ok {
			cl.Close()
		}
	})
}

// shutdown asks the connection to end after its current command; a
// connection waiting for a command is told BYE at once.
// Interrupt and Abort let the server's lifecycle.Group end the connection.
func (c *conn) Interrupt() { c.shutdown() }
func (c *conn) Abort()     { c.close() }

func (c *conn) shutdown() {
	c.stopping.Store(true)
	if c.nc != nil {
		c.nc.SetReadDeadline(time.Now())
	}
}

func (c *conn) setReadDeadline(d time.Duration) {
	if c.nc != nil {
		c.nc.SetReadDeadline(time.Now().Add(d))
		// Shutdown may have set its deadline just before: keep it.
		if c.stopping.Load() {
			c.nc.SetReadDeadline(time.Now())
		}
	}
}

// serve greets the client and runs its commands. It returns when the
// connection has ended, or when an IDLE command has handed it to a new
// goroutine (so that the stack grown by earlier commands is freed while the
// connection idles); c.done is closed when it really ends.
func (c *conn) serve() {
	if !c.srv.acquire(&c.srv.perIP, c.ip, c.lim.MaxConnsPerIP) {
		c.writeRaw("* BYE [UNAVAILABLE] too many connections from your address\r\n")
		c.ipRefused = true
		c.finish()
		return
	}
	greeting := c.srv.Greeting
	if greeting == "" {
		greeting = "IMAP4rev2 server ready"
	}
	w := c.writer()
	w.WriteString("* OK [CAPABILITY ")
	w.WriteString(c.capabilities())
	w.WriteString("] ")
	w.WriteString(greeting)
	w.WriteString("\r\n")
	if c.flush() != nil {
		c.finish()
		return
	}
	c.loop()
}

// loop runs commands until the connection ends or is handed off.
func (c *conn) loop() {
	handedOff := false
	defer func() {
		if r := recover(); r != nil {
			c.srv.logf("imapserver: panic serving connection", "panic", r, "stack", string(debug.Stack()))
		}
		if !handedOff {
			c.finish()
		}
	}()
	for c.state != stateLogout {
		if c.stopping.Load() {
			c.writeRaw("* BYE server shutting down\r\n")
			return
		}
		ok := c.readCommand()
		if f := c.handoff; f != nil {
			c.handoff = nil
			handedOff = true
			go f()
			return
		}
		if !ok {
			return
		}
	}
}

// finish releases everything the connection holds, once.
func (c *conn) finish() {
	c.logout()
	c.close()
	c.releaseBuffers()
	if !c.ipRefused {
		c.srv.release(&c.srv.perIP, c.ip, c.lim.MaxConnsPerIP)
	}
	c.srv.group.Remove(c)
	close(c.done)
}

func (c *conn) logout() {
	c.stopNotify()
	if c.sel != nil {
		c.sel.mbox.Close()
		c.sel = nil
	}
	if c.user != nil {
		c.user.Logout()
		c.srv.release(&c.srv.perUser, c.username, c.lim.MaxConnsPerUser)
		c.user = nil
	}
}

// readCommand reads and runs one command. It returns false when the
// connection must end.
func (c *conn) readCommand() bool {
	if c.state == stateNotAuth {
		c.setReadDeadline(c.lim.AuthTimeout)
	} else {
		c.setReadDeadline(c.lim.IdleTimeout)
	}
	br := c.reader()
	if c.ntf != nil {
		// RFC 5465 §3.1: with NOTIFY the client listens all the time;
		// events are written while we wait for its next command.
		c.mu.Lock()
		c.between.Store(true)
		c.mu.Unlock()
		c.wake()
	}
	_, err := br.Peek(1)
	if c.between.Load() {
		c.mu.Lock()
		c.between.Store(false)
		c.mu.Unlock()
	}
	if err != nil {
		if errors.Is(err, ErrLineTooLong) {
			return false
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			if c.stopping.Load() {
				c.writeRaw("* BYE server shutting down\r\n")
			} else {
				c.writeRaw("* BYE autologout; idle for too long\r\n")
			}
		}
		return false
	}
	d := &c.dec
	d.reset()
	tag := string(d.TagBytes())
	var verb string
	if tag == "" {
		d.syntax("missing tag")
	} else if d.SP() {
		verb, _ = d.Atom()
		verb = strings.ToUpper(verb)
	}
	if !d.ok() {
		return c.answerDecodeError(tag)
	}
	uid := false
	if verb == "UID" {
		uid = true
		if d.SP() {
			verb, _ = d.Atom()
			verb = strings.ToUpper(verb)
		}
		if !d.ok() {
			return c.answerDecodeError(tag)
		}
	}
	cmd := commands[verb]
	if cmd == nil || (uid && !cmd.uidOK) {
		d.syntax("unknown command")
		return c.answerDecodeError(tag)
	}
	if cmd.states&(1<<c.state) == 0 {
		d.fail(&syntaxError{"command not allowed in this state"})
		return c.answerDecodeError(tag)
	}
	c.okCode, c.okText, c.suppressOK = "", "", false
	c.verb = verb
	err = cmd.handle(c, tag, uid)
	if err == errHandoff {
		return false
	}
	return c.complete(tag, verb, cmd, uid, err)
}

// complete answers a command that has run: its tagged status, after the
// updates that may be sent. It returns false when the connection must end.
func (c *conn) complete(tag, verb string, cmd *command, uid bool, err error) bool {
	d := &c.dec
	if !d.ok() && err == nil {
		return c.answerDecodeError(tag)
	}
	if err != nil {
		var re *respError
		if errors.As(err, &re) {
			if re.typ == "BAD" {
				// a BAD from a handler after parsing
				c.bad++
			}
		} else if !d.ok() {
			return c.answerDecodeError(tag)
		} else {
			re = backendError(err)
		}
		c.flushSelected(!cmd.noExpunge || uid)
		if re.typ == "BYE" {
			c.writeResp("*", re.typ, re.code, re.text)
			c.flush()
			return false
		}
		c.writeResp(tag, re.typ, re.code, re.text)
		if c.bad >= c.lim.MaxBadCommands {
			c.writeRaw("* BYE too many bad commands\r\n")
			return false
		}
		return c.flush() == nil
	}
	c.bad = 0
	c.flushSelected(!cmd.noExpunge || uid)
	text := c.okText
	if text == "" {
		if uid {
			text = "UID " + verb + " completed"
		} else {
			text = verb + " completed"
		}
	}
	if !c.suppressOK {
		c.writeResp(tag, "OK", c.okCode, text)
	}
	if c.state == stateLogout {
		c.flush()
		return false
	}
	// Flush only when no command is already waiting: pipelined commands
	// share one write (RFC 9051 §5.5).
	if c.br != nil && c.br.Buffered() > 0 {
		return true
	}
	return c.flush() == nil
}

// answerDecodeError answers a command that did not parse, and skips the rest
// of its line.
func (c *conn) answerDecodeError(tag string) bool {
	d := &c.dec
	if tag == "" {
		tag = "*"
	}
	err := d.Err()
	var le *imapwire.LiteralTooLargeError
	switch {
	case errors.As(err, &le):
		c.writeResp(tag, "NO", "TOOBIG", fmt.Sprintf("literal of %d bytes over the limit of %d", le.Size, c.lim.MaxLiteral))
		if le.NonSync {
			c.writeRaw("* BYE [TOOBIG] cannot skip a non-synchronising literal that large\r\n")
			return false
		}
	case errors.Is(err, ErrLineTooLong):
		c.writeResp(tag, "BAD", "TOOBIG", "command line too long")
	case imapwire.IsSyntax(err):
		c.writeResp(tag, "BAD", "", quoteBack(badText(err)))
	default:
		return false // I/O error
	}
	c.bad++
	if !d.skipLine() {
		c.flush()
		return false
	}
	if c.bad >= c.lim.MaxBadCommands {
		c.writeRaw("* BYE too many bad commands\r\n")
		return false
	}
	return c.flush() == nil
}

// quoteBack keeps text sent back to the client short and printable.
func quoteBack(s string) string {
	if len(s) > 80 {
		s = s[:80]
	}
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r >= 0x7f {
			return '?'
		}
		return r
	}, s)
}

func (c *conn) writeResp(tag, typ, code, text string) {
	w := c.writer()
	w.WriteString(tag)
	w.WriteByte(' ')
	w.WriteString(typ)
	w.WriteByte(' ')
	if code != "" {
		w.WriteByte('[')
		w.WriteString(code)
		w.WriteString("] ")
	}
	w.WriteString(text)
	w.WriteString("\r\n")
}

// untagged writes "* " and the formatted text and CRLF.
func (c *conn) untagged(format string, args ...any) {
	w := c.writer()
	w.WriteString("* ")
	fmt.Fprintf(w, format, args...)
	w.WriteString("\r\n")
}

// backendError maps a backend error to a tagged NO with a response code
// (RFC 5530).
func backendError(err error) *respError {
	var re *respError
	if errors.As(err, &re) {
		return re
	}
	switch {
	case errors.Is(err, ErrNoSuchMailbox):
		return &respError{"NO", "NONEXISTENT", "no such mailbox"}
	case errors.Is(err, ErrMailboxExists):
		return &respError{"NO", "ALREADYEXISTS", "mailbox already exists"}
	case errors.Is(err, ErrAuthFailed):
		return &respError{"NO", "AUTHENTICATIONFAILED", "authentication failed"}
	case errors.Is(err, ErrTooLarge):
		return &respError{"NO", "TOOBIG", "message too large"}
	case errors.Is(err, ErrOverQuota):
		return &respError{"NO", "OVERQUOTA", "over quota"}
	case errors.Is(err, ErrSameMailbox):
		return &respError{"NO", "CANNOT", "source and destination are the same mailbox"}
	case errors.Is(err, ErrReadOnly):
		return &respError{"NO", "CANNOT", "mailbox is read-only"}
	case errors.Is(err, ErrNoPerm):
		return &respError{"NO", "NOPERM", "permission denied"}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &respError{"NO", "UNAVAILABLE", "try again later"}
	}
	return &respError{"NO", "SERVERBUG", quoteBack(err.Error())}
}

// ctx is the context of backend calls; it ends when the server closes.
func (c *conn) ctx() context.Context { return context.Background() }

// verbIs tells which of the verbs sharing a handler is running.
func (c *conn) verbIs(v string) bool { return c.verb == v }
