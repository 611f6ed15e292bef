package imapclient

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/internal/imapwire"
)

// DefaultTimeout bounds each wait for the server when the connection is a
// net.Conn and Options.Timeout is zero: the time allowed without any byte
// from the server while a reply is awaited (a long FETCH that keeps
// sending is not cut short).
const DefaultTimeout = 5 * time.Minute

// DefaultReadBufferSize is the read buffer of a connection.
const DefaultReadBufferSize = 4 << 10

// DefaultFetchReadBufferSize is the read buffer a connection grows to
// when it first fetches body sections (Options.FetchReadBufferSize): with
// it, one read from the connection brings in several small messages
// instead of each costing two or three.
const DefaultFetchReadBufferSize = 64 << 10

// ErrClosed is returned once the connection is closed.
var ErrClosed = errors.New("imapclient: connection closed")

// ProtocolError reports a server reply that breaks the protocol badly
// enough that the connection cannot go on.
type ProtocolError struct {
	Msg string
	Err error
}

// Error describes the protocol error.
func (e *ProtocolError) Error() string {
	if e.Err != nil {
		return "imapclient: " + e.Msg + ": " + e.Err.Error()
	}
	return "imapclient: " + e.Msg
}

// Unwrap returns the underlying error.
func (e *ProtocolError) Unwrap() error { return e.Err }

// Options configures a client. The zero value (or nil) is usable.
type Options struct {
	// TLSConfig is used by DialTLS, DialStartTLS and StartTLS when they are
	// given none.
	TLSConfig *tls.Config
	// Timeout bounds each wait for the server on a net.Conn, and each
	// write to it (see DefaultTimeout); negative means no bound. Contexts passed to
	// WaitContext bound waits on any connection.
	Timeout time.Duration
	// UnilateralDataHandler receives data the server sends on its own.
	UnilateralDataHandler *UnilateralDataHandler
	// DebugWriter, when set, receives a copy of all traffic both ways.
	// It may hold credentials.
	DebugWriter io.Writer
	// MaxLine and MaxLiteral bound what is read from the server;
	// zero means imapwire's defaults (64 KiB, 64 MiB).
	MaxLine    int
	MaxLiteral int64
	// Strict turns off the tolerance for common server deviations
	// (NIL or atoms where strings are due, extra spaces, bare LF).
	Strict bool
	// ErrorLog, when set, is told about responses that could not be parsed
	// and were skipped (the connection goes on).
	ErrorLog func(error)
	// ReadBufferSize is the size of the read buffer; zero means
	// DefaultReadBufferSize. Large buffers read bodies faster, small ones
	// hold less memory per idle connection.
	ReadBufferSize int
	// FetchReadBufferSize is the size the read buffer grows to when the
	// connection first fetches body or binary sections, kept from then on;
	// zero means DefaultFetchReadBufferSize, negative never grows it.
	// Connections that only fetch metadata or idle keep ReadBufferSize.
	FetchReadBufferSize int
	// IdleRestart is how long an IDLE lasts before the client restarts it;
	// zero means DefaultIdleRestart.
	IdleRestart time.Duration
}

// UnilateralDataHandler holds the callbacks for data the server sends
// without being asked (RFC 9051 §7): mailbox size changes, expunges, flag
// changes, alerts, NOTIFY events. They run on the goroutine reading from
// the connection and must not issue commands and wait on them.
type UnilateralDataHandler struct {
	Expunge  func(seqNum uint32)
	Vanished func(uids imap.UIDSet, earlier bool) // QRESYNC
	Mailbox  func(*UnilateralDataMailbox)
	Fetch    func(*FetchMessageBuffer)
	Status   func(*imap.StatusData) // NOTIFY
	List     func(*imap.ListData)   // NOTIFY
	Metadata func(mailbox string, entries []string)
	Alert    func(text string)
	// SearchUpdate receives ESEARCH updates (ADDTO, REMOVEFROM) of a
	// search made with RETURN (UPDATE) (RFC 5267 §4.3); Tag names it.
	SearchUpdate func(*imap.SearchData)
	// Other receives untagged responses the client does not know (an
	// extension hook): the response name, the number before it if any,
	// and the rest of the line parsed into values.
	Other func(name string, num uint32, args []Value)
}

// UnilateralDataMailbox is a change in the selected mailbox.
type UnilateralDataMailbox struct {
	NumMessages    *uint32
	Flags          []imap.Flag
	PermanentFlags []imap.Flag
}

// SelectedMailbox is what the client knows of the selected mailbox.
type SelectedMailbox struct {
	Name        string
	ReadOnly    bool
	NumMessages uint32
	UIDValidity uint32
	UIDNext     imap.UID
	Flags       []imap.Flag
	// HighestModSeq is kept current from responses (RFC 7162).
	HighestModSeq uint64
}

// Client is an IMAP client connection. Its methods may be called from
// several goroutines: commands are pipelined, each reply is routed to the
// command that caused it.
type Client struct {
	conn io.ReadWriter
	nc   net.Conn
	opts Options

	br  *bufio.Reader
	src io.Reader // what br reads from
	bw  *bufio.Writer
	dec *imapwire.Decoder
	enc *imapwire.Encoder

	wmu  sync.Mutex    // held while a command is written
	rtok chan struct{} // the right to read from the connection

	mu       sync.Mutex
	state    imap.ConnState
	caps     imap.CapSet
	enabled  imap.CapSet
	mailbox  *SelectedMailbox
	pending  []*Command
	tagN     uint64
	err      error
	greeting imap.StatusResponse
	cont     chan contResult // set while a writer awaits "+"
	contCmd  *Command        // the command that writer is sending
	writing  *Command        // the command being written (under wmu)

	deadline time.Time // read deadline last set on nc
	utf8On   bool      // UTF8=ACCEPT enabled
	bye      *imap.StatusResponse
}

type contResult struct {
	text []byte
	err  error
}

// NewClient starts a client over rw and reads the greeting. When rw is a
// net.Conn, deadlines bound the waits (Options.Timeout) and StartTLS works.
func NewClient(rw io.ReadWriter) (*Client, error) { return NewClientOptions(rw, nil) }

// NewClientOptions is NewClient with options.
func NewClientOptions(rw io.ReadWriter, opts *Options) (*Client, error) {
	c := &Client{conn: rw, rtok: make(chan struct{}, 1)}
	if opts != nil {
		c.opts = *opts
	}
	c.nc, _ = rw.(net.Conn)
	c.setupIO(rw)
	if err := c.readGreeting(); err != nil {
		c.closeConn()
		return nil, err
	}
	return c, nil
}

func (c *Client) setupIO(rw io.ReadWriter) {
	var r io.Reader = rw
	var w io.Writer = rw
	if c.opts.DebugWriter != nil {
		dw := &lockedWriter{w: c.opts.DebugWriter}
		r = io.TeeReader(rw, dw)
		w = io.MultiWriter(rw, dw)
	}
	if c.nc != nil && c.opts.Timeout >= 0 {
		// A server that stops reading must not hold a command for ever:
		// each write has the same bound as each wait for a reply.
		w = &deadlineWriter{w: w, c: c}
	}
	size := c.opts.ReadBufferSize
	if size <= 0 {
		size = DefaultReadBufferSize
	}
	c.br, c.src = bufio.NewReaderSize(r, size), r
	c.bw = bufio.NewWriterSize(w, 4<<10)
	if c.dec == nil {
		c.dec = imapwire.NewDecoder(c.br)
		c.enc = imapwire.NewEncoder(c.bw)
	} else {
		c.dec.Reset(c.br)
		c.enc.Reset(c.bw)
	}
	c.dec.MaxLine = c.opts.MaxLine
	c.dec.MaxLiteral = c.opts.MaxLiteral
	c.dec.Lenient = !c.opts.Strict
	c.dec.Arena = true
	c.enc.Continue = c.waitContinuation
}

// deadlineWriter sets the connection's write deadline before each write.
type deadlineWriter struct {
	w io.Writer
	c *Client
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	t := d.c.opts.Timeout
	if t == 0 {
		t = DefaultTimeout
	}
	d.c.nc.SetWriteDeadline(time.Now().Add(t))
	return d.w.Write(p)
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

// Write writes p under the lock.
func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Dial connects to addr (host:port) in clear text.
func Dial(ctx context.Context, addr string, opts *Options) (*Client, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return newWithContext(ctx, conn, opts)
}

// DialTLS connects to addr with implicit TLS (RFC 8314, port 993).
func DialTLS(ctx context.Context, addr string, config *tls.Config, opts *Options) (*Client, error) {
	if config == nil && opts != nil {
		config = opts.TLSConfig
	}
	config = tlsConfigFor(config, addr)
	d := tls.Dialer{Config: config}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	return newWithContext(ctx, conn, opts)
}

// DialStartTLS connects to addr and upgrades with STARTTLS.
func DialStartTLS(ctx context.Context, addr string, config *tls.Config, opts *Options) (*Client, error) {
	c, err := Dial(ctx, addr, opts)
	if err != nil {
		return nil, err
	}
	if config == nil {
		config = c.opts.TLSConfig
	}
	if err := c.StartTLS(tlsConfigFor(config, addr)); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func tlsConfigFor(config *tls.Config, addr string) *tls.Config {
	if config == nil {
		config = &tls.Config{}
	} else {
		config = config.Clone()
	}
	if config.ServerName == "" {
		if host, _, err := net.SplitHostPort(addr); err == nil {
			config.ServerName = host
		}
	}
	return config
}

func newWithContext(ctx context.Context, conn net.Conn, opts *Options) (*Client, error) {
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	c, err := NewClientOptions(conn, opts)
	if !stop() && err == nil {
		c.Close()
		return nil, ctx.Err()
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	conn.SetDeadline(time.Time{})
	return c, nil
}

func (c *Client) readGreeting() error {
	c.armDeadline()
	d := c.dec
	var kind string
	if !d.ExpectSpecial('*') || !d.ExpectSP() || !d.ExpectAtom(&kind) {
		return &ProtocolError{Msg: "reading greeting", Err: d.Err()}
	}
	r := imap.StatusResponse{Type: imap.StatusResponseType(upper(kind))}
	if d.SP() {
		imap.ReadRespText(d, &r)
	}
	if !d.ExpectCRLF() {
		return &ProtocolError{Msg: "reading greeting", Err: d.Err()}
	}
	c.greeting = r
	switch r.Type {
	case imap.StatusOK:
		c.state = imap.ConnStateNotAuthenticated
	case imap.StatusPREAUTH:
		c.state = imap.ConnStateAuthenticated
	case imap.StatusBYE:
		c.state = imap.ConnStateLogout
		return r.Err()
	default:
		return &ProtocolError{Msg: "greeting is " + kind}
	}
	c.handleCode(&r)
	return nil
}

// Greeting returns the server's greeting.
func (c *Client) Greeting() imap.StatusResponse { return c.greeting }

// State returns the connection state.
func (c *Client) State() imap.ConnState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Caps returns the capabilities last announced (nil if never announced:
// call Capability).
func (c *Client) Caps() imap.CapSet {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.caps
}

// Enabled returns the extensions enabled with ENABLE.
func (c *Client) Enabled() imap.CapSet {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := imap.NewCapSet()
	for cp := range c.enabled {
		out.Add(cp)
	}
	return out
}

// Mailbox returns a copy of what is known of the selected mailbox, nil when
// none is selected.
func (c *Client) Mailbox() *SelectedMailbox {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mailbox == nil {
		return nil
	}
	m := *c.mailbox
	return &m
}

// TLSConnectionState returns the TLS state when the connection uses TLS.
func (c *Client) TLSConnectionState() (tls.ConnectionState, bool) {
	if tc, ok := c.nc.(*tls.Conn); ok {
		return tc.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}

// Close closes the connection without LOGOUT.
func (c *Client) Close() error {
	c.fail(ErrClosed)
	return nil
}

func (c *Client) closeConn() error {
	if cl, ok := c.conn.(io.Closer); ok {
		return cl.Close()
	}
	return nil
}

// fail records a fatal error, completes every pending command with it and
// closes the connection.
func (c *Client) fail(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	if c.bye != nil && (err == io.EOF || err == io.ErrUnexpectedEOF) {
		// The server said why it closed: report that.
		err = c.bye.Err()
	}
	c.err = err
	pending := c.pending
	c.pending = nil
	c.state = imap.ConnStateLogout
	cont := c.cont
	c.mu.Unlock()
	for _, cmd := range pending {
		cmd.finish(err)
	}
	if cont != nil {
		select {
		case cont <- contResult{err: err}:
		default:
		}
	}
	c.closeConn()
}

// Err returns the error that ended the connection, nil while it is up.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

func (c *Client) armDeadline() {
	if c.nc == nil || c.opts.Timeout < 0 {
		return
	}
	t := c.opts.Timeout
	if t == 0 {
		t = DefaultTimeout
	}
	now := time.Now()
	// Re-arm only when half the window is used: one syscall-free check per
	// response on a busy stream.
	if c.deadline.Sub(now) > t/2 {
		return
	}
	c.deadline = now.Add(t)
	c.nc.SetReadDeadline(c.deadline)
}

func (c *Client) logf(err error) {
	if c.opts.ErrorLog != nil {
		c.opts.ErrorLog(err)
	}
}

// Command is a command in flight. Wait for its completion with Wait.
type Command struct {
	c      *Client
	tag    string
	name   string
	done   chan struct{}
	status imap.StatusResponse
	err    error
	h      untaggedHandler
	onOK   func()
	onFail func() // after a tagged NO or BAD
}

// untaggedHandler is implemented by commands that take untagged data.
type untaggedHandler interface {
	// wants reports whether the command takes responses of kind.
	wants(kind string) bool
	// handle parses the response after its name (and SP, if any), up to
	// the CRLF.
	handle(kind string, num uint32) error
}

// Tag returns the command's tag.
func (cmd *Command) Tag() string { return cmd.tag }

// Status returns the tagged status response, valid after Wait.
func (cmd *Command) Status() imap.StatusResponse { return cmd.status }

func (cmd *Command) finish(err error) {
	if cmd.err == nil {
		cmd.err = err
	}
	close(cmd.done)
}

func (cmd *Command) isDone() bool {
	select {
	case <-cmd.done:
		return true
	default:
		return false
	}
}

// Wait waits for the command's completion; a tagged NO or BAD becomes an
// *imap.Error.
func (cmd *Command) Wait() error { return cmd.WaitContext(context.Background()) }

// WaitContext is Wait bounded by ctx. When ctx ends first the connection,
// whose state is then unknown, is closed.
func (cmd *Command) WaitContext(ctx context.Context) error {
	return cmd.c.wait(ctx, cmd)
}

// wait reads responses, or lets another reader do so, until cmd is done.
func (c *Client) wait(ctx context.Context, cmd *Command) error {
	for {
		select {
		case <-cmd.done:
			return cmd.err
		default:
		}
		select {
		case <-cmd.done:
			return cmd.err
		case c.rtok <- struct{}{}:
			err := c.readUntil(ctx, cmd.isDone)
			<-c.rtok
			if err != nil && !cmd.isDone() {
				return err
			}
		case <-ctx.Done():
			c.fail(ctx.Err())
			return ctx.Err()
		}
	}
}

// readUntil reads responses until cond holds. The caller holds rtok.
func (c *Client) readUntil(ctx context.Context, cond func() bool) error {
	if ctx.Done() != nil && c.nc != nil {
		stop := context.AfterFunc(ctx, func() { c.nc.SetReadDeadline(time.Now()) })
		defer stop()
	}
	for !cond() {
		if err := ctx.Err(); err != nil {
			c.fail(err)
			return err
		}
		if _, err := c.readOne(nil); err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			c.fail(err)
			return err
		}
	}
	return nil
}

// newCommand starts a command: it takes the write lock, registers the
// command and writes "tag SP name". The caller writes the arguments and
// calls send.
func (c *Client) newCommand(name string, h untaggedHandler) *Command {
	c.wmu.Lock()
	return c.newCommandLocked(name, h)
}

// newCommandLocked is newCommand for a caller that holds wmu.
func (c *Client) newCommandLocked(name string, h untaggedHandler) *Command {
	c.mu.Lock()
	c.tagN++
	cmd := &Command{c: c, name: name, done: make(chan struct{}), h: h}
	var buf [24]byte
	b := append(buf[:0], 'T')
	b = strconv.AppendUint(b, c.tagN, 10)
	cmd.tag = string(b)
	err := c.err
	if err == nil {
		c.pending = append(c.pending, cmd)
	}
	c.writing = cmd
	c.enc.UTF8 = c.utf8On
	if c.caps != nil {
		c.enc.LiteralPlus = c.caps.Has(imap.CapLiteralPlus)
		c.enc.LiteralMinus = c.caps.Has(imap.CapLiteralMinus)
	}
	c.mu.Unlock()
	if err != nil {
		cmd.err = err
		close(cmd.done)
		c.enc.SetErr(err)
		return cmd
	}
	c.enc.Atom(cmd.tag).SP().Atom(name)
	return cmd
}

// send ends the command line, flushes and releases the write lock.
func (c *Client) send(cmd *Command) *Command {
	c.enc.CRLF()
	err := c.enc.Flush()
	var ie *imap.Error
	if err != nil && (errors.As(err, &ie) || err == errCmdDone) {
		// The server refused a literal instead of sending "+": the command
		// ended there and the rest of it was not sent; the stream is sound.
		c.enc.Reset(c.bw)
		err = nil
	}
	c.wmu.Unlock()
	if err != nil && !cmd.isDone() {
		c.fail(err)
	}
	return cmd
}

// waitContinuation waits for "+" while a command is written (the caller
// holds wmu). It reads responses itself unless another goroutine is.
func (c *Client) waitContinuation() error {
	_, err := c.awaitCont()
	return err
}

func (c *Client) awaitCont() ([]byte, error) {
	ch := make(chan contResult, 1)
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return nil, c.err
	}
	c.cont = ch
	c.contCmd = c.writing
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		if c.cont == ch {
			c.cont = nil
		}
		c.mu.Unlock()
	}()
	for {
		select {
		case r := <-ch:
			return r.text, r.err
		case c.rtok <- struct{}{}:
			var r contResult
			got := false
			err := c.readUntil(context.Background(), func() bool {
				select {
				case r = <-ch:
					got = true
					return true
				default:
					return false
				}
			})
			<-c.rtok
			if got {
				return r.text, r.err
			}
			if err != nil {
				return nil, err
			}
		}
	}
}

func (c *Client) deliverCont(r contResult) bool {
	c.mu.Lock()
	ch := c.cont
	c.cont = nil
	c.mu.Unlock()
	if ch == nil {
		return false
	}
	ch <- r
	return true
}

// simple runs a command with no arguments beyond what args writes.
func (c *Client) simple(name string, args func(enc *imapwire.Encoder)) *Command {
	cmd := c.newCommand(name, nil)
	if args != nil {
		args(c.enc)
	}
	return c.send(cmd)
}

func upper(s string) string {
	for i := 0; i < len(s); i++ {
		if 'a' <= s[i] && s[i] <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'a' <= b[j] && b[j] <= 'z' {
					b[j] -= 32
				}
			}
			return string(b)
		}
	}
	return s
}

func protoErr(msg string, err error) error {
	return &ProtocolError{Msg: msg, Err: err}
}

var bgCtx = context.Background()

// errCmdDone tells a writer awaiting "+" that its command ended instead.
var errCmdDone = errors.New("imapclient: command completed without continuation")

// growReadBuffer gives the connection a read buffer of
// FetchReadBufferSize, for a FETCH of bodies. The caller holds rtok and
// is between responses; nothing is buffered when the buffer is swapped,
// else it is left as it is.
func (c *Client) growReadBuffer() {
	size := c.opts.FetchReadBufferSize
	if size == 0 {
		size = DefaultFetchReadBufferSize
	}
	if size <= c.br.Size() || c.br.Buffered() > 0 || c.dec.Err() != nil {
		return
	}
	c.br = bufio.NewReaderSize(c.src, size)
	c.dec.Reset(c.br)
}
