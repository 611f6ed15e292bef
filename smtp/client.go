package smtp

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/mailwire/mailwire/internal/textwire"
)

// Timeouts a [Client] applies when the [ClientOptions] leave them at zero:
// the minimums RFC 5321 §4.5.3.2 recommends, each bounding one wait for the
// server. A context deadline that comes sooner wins.
const (
	DefaultGreetingTimeout  = 5 * time.Minute  // §4.5.3.2.1: the 220 greeting
	DefaultReplyTimeout     = 5 * time.Minute  // §4.5.3.2.2-3: replies to MAIL, RCPT and other commands
	DefaultDataInitTimeout  = 2 * time.Minute  // §4.5.3.2.4: the 354 reply to DATA
	DefaultDataBlockTimeout = 3 * time.Minute  // §4.5.3.2.5: each block of message data sent
	DefaultDataTermTimeout  = 10 * time.Minute // §4.5.3.2.6: the reply after the data
)

// Limits on what a [Client] reads from a server.
const (
	// DefaultMaxReplyLine bounds one line of a reply (RFC 5321 §4.5.3.1.5
	// asks for 512 octets; servers sending more are common enough).
	DefaultMaxReplyLine = textwire.DefaultMaxLine
	// DefaultMaxReplyLines bounds the number of lines of one reply, an EHLO
	// reply included.
	DefaultMaxReplyLines = 128
	// DefaultChunkSize is the size of the BDAT chunks a Client sends.
	DefaultChunkSize = 128 << 10
	// DefaultLocalName is the name a Client gives in EHLO when the options
	// name none.
	DefaultLocalName = "localhost"
)

// Client errors, for use with [errors.Is]. Failures the server reports are
// [*Error] values instead.
var (
	// ErrMalformedReply: the server sent a reply that does not follow RFC
	// 5321 §4.2. The connection cannot be used further.
	ErrMalformedReply = errors.New("smtp: malformed reply")
	// ErrReplyTooLong: a reply line or the number of lines of a reply
	// crossed the client's limit. The connection cannot be used further.
	ErrReplyTooLong = errors.New("smtp: reply too long")
	// ErrUnexpectedReply: the server answered a command with a positive
	// code the command does not allow (250 to DATA, say).
	ErrUnexpectedReply = errors.New("smtp: unexpected reply")
	// ErrExtensionUnsupported: the caller asked for something (SMTPUTF8,
	// 8BITMIME, REQUIRETLS, STARTTLS...) that the server does not offer.
	ErrExtensionUnsupported = errors.New("smtp: extension not supported by the server")
	// ErrInsecureAuth: AUTH would send a reusable password over a
	// connection that is not TLS; set ClientOptions.AllowInsecureAuth to
	// allow it.
	ErrInsecureAuth = errors.New("smtp: refusing to send credentials without TLS")
	// ErrBufferedAfterStartTLS: the server sent data after its 220 reply to
	// STARTTLS, before the TLS handshake (RFC 3207 §4.2).
	ErrBufferedAfterStartTLS = errors.New("smtp: server sent data before the TLS handshake")
	// ErrMessageExceedsSize: the message is larger than the SIZE the server
	// announced (RFC 1870 §6), refused before it is sent.
	ErrMessageExceedsSize = errors.New("smtp: message exceeds the server's size limit")
	// ErrForbiddenInput: an address, a parameter or a name holds CR, LF or
	// another byte that cannot appear on the command line; nothing was sent.
	ErrForbiddenInput = errors.New("smtp: invalid address or parameter")
	// ErrClientState: a method was called when the session is not in a
	// state that allows it (RCPT before MAIL, a second DATA writer...).
	ErrClientState = errors.New("smtp: command out of sequence")
	// ErrSessionLimit: the session has had as many transactions as the
	// server's LIMITS MAILMAX allows (RFC 9422 §4.2); send the rest over
	// a new connection.
	ErrSessionLimit = errors.New("smtp: the server's MAILMAX is reached; reconnect to send more")
	// ErrBufferLimit: SendMail must send the message in several
	// transactions, the body cannot be read again (not an io.Seeker), and
	// it is larger than SendOptions.MaxBufferedMessage.
	ErrBufferLimit = errors.New("smtp: message too large to keep for another transaction")
	// ErrTooManyChallenges: an AUTH exchange went on for more rounds than
	// any mechanism needs; the client cancelled it.
	ErrTooManyChallenges = errors.New("smtp: too many AUTH challenges")
	// ErrClientClosed: the client was closed or its connection failed
	// earlier.
	ErrClientClosed = errors.New("smtp: client closed")
)

// ClientOptions configures a [Client]. The zero value is usable; the
// package-level [NewClient], [Dial] and [DialTLS] use it.
type ClientOptions struct {
	// LocalName is the client's name sent in EHLO, HELO or LHLO: a domain
	// or an address literal such as "[192.0.2.1]". Empty means
	// DefaultLocalName.
	LocalName string
	// LMTP makes the client speak LMTP (RFC 2033): LHLO instead of EHLO,
	// and one reply per accepted recipient after the data.
	LMTP bool
	// TLSConfig is used by Client.StartTLS when it is given nil, and by
	// SendMail to upgrade when the server offers STARTTLS.
	TLSConfig *tls.Config
	// AllowInsecureAuth allows mechanisms that send a reusable secret
	// (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER) over a connection without TLS.
	// Leave it false outside tests and loopback: net/smtp's
	// CVE-2017-15042 came from trusting a server's word on this.
	AllowInsecureAuth bool

	// Timeouts for each wait on the server; zero means the default
	// constant above, a negative value no timeout. They apply only when
	// the connection has deadlines (a net.Conn); the context bounds every
	// operation either way.
	GreetingTimeout, ReplyTimeout, DataInitTimeout, DataBlockTimeout, DataTermTimeout time.Duration

	// MaxReplyLine and MaxReplyLines bound one reply; zero means
	// DefaultMaxReplyLine and DefaultMaxReplyLines.
	MaxReplyLine, MaxReplyLines int
	// ChunkSize is the size of a BDAT chunk; zero means DefaultChunkSize.
	ChunkSize int

	// Logger receives connection events at debug level (commands by verb,
	// reply codes); never passwords or message content. Nil logs nothing.
	Logger *slog.Logger
	// DebugWriter, if set, receives a copy of every byte sent and
	// received. It includes credentials and message content: use it for
	// debugging only.
	DebugWriter io.Writer

	// Dialer dials for Dial and DialTLS; nil means a zero net.Dialer.
	Dialer *net.Dialer
}

func (o *ClientOptions) timeout(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// clientState is where a Client is in the session (RFC 5321 §3.3).
type clientState int

const (
	// clientGreeted, the initial state: the 220 greeting has been read,
	// no EHLO yet.
	clientGreeted clientState = iota
	// clientReady: EHLO (or HELO/LHLO) done, no transaction open.
	clientReady
	// clientMail: MAIL was accepted; RCPTs may follow.
	clientMail
	// clientData: a DATA or BDAT writer is open.
	clientData
	// clientBroken: the connection failed or the server misbehaved; only
	// Close is left.
	clientBroken
	// clientClosed: QUIT was sent or Close called.
	clientClosed
)

// Client is an SMTP or LMTP client session over one connection. Its
// methods must not be called concurrently.
type Client struct {
	opts ClientOptions
	rw   io.ReadWriter
	raw  io.ReadWriter // rw as given, under TLS after StartTLS; never changes
	conn net.Conn      // rw, when it is one
	r    *textwire.Reader
	w    *bufio.Writer

	state    clientState
	addr     string // what Dial was given, for TLS server names
	err      error  // why the client is broken
	greeting string
	isTLS    bool
	authed   bool // AUTH succeeded (RFC 4954 §4: once per session)

	// What EHLO told us.
	esmtp     bool
	ext       map[string]string // keyword (upper case) -> parameters
	authMechs []string
	maxSize   int64 // 0: none announced
	rcptMax   int   // LIMITS RCPTMAX, 0: none
	mailMax   int   // LIMITS MAILMAX, 0: none

	mails    int         // transactions started in this session
	rcpts    []string    // recipients accepted in the open transaction
	txUTF8   bool        // the open transaction has SMTPUTF8
	txBinary bool        // the open transaction is BODY=BINARYMIME
	chunk    []byte      // BDAT buffer, reused
	sendMail MailOptions // SendMail's MAIL parameters, reused

	// The connection's deadline as last set, and the watch on the
	// operation's context.
	deadline      time.Time
	deadlineExact bool
	deadlineSet   bool
	stop          func() bool

	// A RSET queued to go with the next command group, and one written
	// whose reply has not been read yet (RFC 2920 §3.1).
	resetQueued, resetOwed bool

	// While batching, commands collect in batch, for writeBatch.
	batching bool
	batch    []byte
	buf      []byte   // command line being built
	lines    []string // reply lines, reused
	log      *slog.Logger
}

// NewClient starts a session on rw, which is usually a net.Conn, with
// default options: it reads the server's greeting and returns an [*Error]
// if the server refuses the session (a 554 greeting, say).
func NewClient(rw io.ReadWriter) (*Client, error) {
	var o ClientOptions
	return o.NewClient(context.Background(), rw)
}

// Dial connects to addr ("host:port") and reads the greeting, with default
// options.
func Dial(ctx context.Context, addr string) (*Client, error) {
	var o ClientOptions
	return o.Dial(ctx, addr)
}

// DialTLS connects to addr over implicit TLS (RFC 8314 §3.3, port 465) and
// reads the greeting, with default options. A nil config verifies the
// server's certificate for the host of addr.
func DialTLS(ctx context.Context, addr string, config *tls.Config) (*Client, error) {
	var o ClientOptions
	return o.DialTLS(ctx, addr, config)
}

// NewClient starts a session on rw with these options and reads the
// greeting; ctx bounds that wait.
func (o *ClientOptions) NewClient(ctx context.Context, rw io.ReadWriter) (*Client, error) {
	c := &Client{rw: rw, raw: rw}
	if o != nil {
		c.opts = *o
	}
	c.log = c.opts.Logger
	if conn, ok := rw.(net.Conn); ok {
		c.conn = conn
	}
	if _, ok := rw.(*tls.Conn); ok {
		c.isTLS = true
	}
	c.setStreams(rw)
	err := c.begin(ctx, c.opts.timeout(c.opts.GreetingTimeout, DefaultGreetingTimeout))
	if err != nil {
		return nil, err
	}
	// RFC 5321 §4.3.1: 220 opens the session; 554 refuses it, after which
	// the client should QUIT.
	code, enh, lines, err := c.readReply()
	err = c.end(ctx, err)
	if err != nil {
		return nil, err
	}
	if code != 220 {
		e := &Error{Code: code, EnhancedCode: enh, Message: strings.Join(lines, "\n")}
		if code == 554 {
			_ = c.Quit(ctx)
		}
		c.fail(e)
		return nil, e
	}
	c.greeting = strings.Join(lines, "\n")
	c.debug("greeting", "code", code)
	return c, nil
}

// Dial connects to addr and reads the greeting.
func (o *ClientOptions) Dial(ctx context.Context, addr string) (*Client, error) {
	d := o.dialer()
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c, err := o.NewClient(ctx, conn)
	if err != nil {
		conn.Close()
		return nil, err
	}
	c.addr = addr
	return c, nil
}

// DialTLS connects to addr over implicit TLS and reads the greeting.
func (o *ClientOptions) DialTLS(ctx context.Context, addr string, config *tls.Config) (*Client, error) {
	if config == nil {
		config = o.tlsConfig()
	}
	config = tlsConfigFor(config, addr)
	td := &tls.Dialer{NetDialer: o.dialer(), Config: config}
	conn, err := td.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c, err := o.NewClient(ctx, conn)
	if err != nil {
		conn.Close()
		return nil, err
	}
	c.addr = addr
	return c, nil
}

func (o *ClientOptions) dialer() *net.Dialer {
	if o != nil && o.Dialer != nil {
		return o.Dialer
	}
	return &net.Dialer{}
}

func (o *ClientOptions) tlsConfig() *tls.Config {
	if o != nil && o.TLSConfig != nil {
		return o.TLSConfig
	}
	return &tls.Config{}
}

// tlsConfigFor returns config with ServerName set to the host of addr when
// it has none.
func tlsConfigFor(config *tls.Config, addr string) *tls.Config {
	if config.ServerName != "" || config.InsecureSkipVerify {
		return config
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	config = config.Clone()
	config.ServerName = host
	return config
}

// setStreams (re)builds the reader and writer over rw, with the debug copy
// when asked.
func (c *Client) setStreams(rw io.ReadWriter) {
	var r io.Reader = rw
	var w io.Writer = rw
	if c.opts.DebugWriter != nil {
		r = io.TeeReader(r, c.opts.DebugWriter)
		w = io.MultiWriter(w, c.opts.DebugWriter)
	}
	if c.r == nil {
		c.r = textwire.NewReader(bufio.NewReaderSize(r, 4096))
		c.r.Ending = textwire.AnyEnding
		c.r.MaxLine = c.opts.MaxReplyLine
		if c.r.MaxLine <= 0 {
			c.r.MaxLine = DefaultMaxReplyLine
		}
		// 16 KiB: a 4 KB message and its terminating line leave in one
		// write, so the server reads it whole in one wake-up; a 100 KB
		// one in 7 writes rather than 25. Pipelined command groups are
		// bounded separately (pipelineWindow).
		c.w = bufio.NewWriterSize(w, 16<<10)
		return
	}
	c.r.Reset(r)
	c.w.Reset(w)
}

// debugReply logs a reply code; nothing is built when there is no logger.
func (c *Client) debugReply(verb string, code int) {
	if c.log != nil {
		c.log.Debug("smtp client: reply", "verb", verb, "code", code)
	}
}

func (c *Client) debug(msg string, args ...any) {
	if c.log != nil {
		c.log.Debug("smtp client: "+msg, args...)
	}
}

// Greeting returns the text of the server's 220 greeting.
func (c *Client) Greeting() string { return c.greeting }

// aLongTimeAgo is a deadline in the past, set to interrupt a blocked read
// or write when the context is done.
var aLongTimeAgo = time.Unix(1, 0)

// begin checks that ctx is live and the client usable, and sets the
// connection deadline for one wait: timeout from now, or the context's
// deadline if sooner; when ctx is done first, the deadline moves to the
// past to interrupt the wait. end must follow, with the operation's error.
func (c *Client) begin(ctx context.Context, timeout time.Duration) error {
	if c.state == clientBroken || c.state == clientClosed {
		return c.brokenErr()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	c.watch(ctx, timeout)
	return nil
}

// watch sets the deadline for a wait of timeout bounded by ctx.
func (c *Client) watch(ctx context.Context, timeout time.Duration) {
	if c.conn == nil {
		return
	}
	var dl time.Time
	exact := false
	if timeout > 0 {
		dl = time.Now().Add(timeout)
	}
	if d, ok := ctx.Deadline(); ok && (dl.IsZero() || d.Before(dl)) {
		dl, exact = d, true
	}
	c.setDeadline(dl, exact)
	if ctx.Done() != nil && c.stop == nil {
		conn := c.conn
		c.stop = context.AfterFunc(ctx, func() { conn.SetDeadline(aLongTimeAgo) })
	}
}

// deadlineSlack is how much earlier than asked a timeout's deadline may
// fall, so that a run of commands does not reset the timer each time.
const deadlineSlack = time.Second

// setDeadline sets the connection's deadline unless the one in place is
// the same, or, for a timeout (not exact), less than deadlineSlack
// earlier.
func (c *Client) setDeadline(dl time.Time, exact bool) {
	if c.deadlineSet && (dl.Equal(c.deadline) ||
		!exact && !c.deadlineExact && !dl.IsZero() && !c.deadline.IsZero() && !c.deadline.After(dl) && dl.Sub(c.deadline) < deadlineSlack) {
		return
	}
	c.conn.SetDeadline(dl)
	c.deadline, c.deadlineExact, c.deadlineSet = dl, exact, true
}

// end finishes what begin started: it stops watching ctx and turns a
// failure caused by ctx into ctx's error.
func (c *Client) end(ctx context.Context, err error) error {
	if c.stop != nil {
		if !c.stop() {
			// The AfterFunc ran: the deadline is in the past.
			c.deadlineSet = false
		}
		c.stop = nil
	}
	if err != nil && ctx.Err() != nil {
		return fmt.Errorf("%w (%v)", ctx.Err(), err)
	}
	return err
}

func (c *Client) brokenErr() error {
	if c.err != nil {
		return fmt.Errorf("%w: %w", ErrClientClosed, c.err)
	}
	return ErrClientClosed
}

// fail marks the client unusable after err, unless err is a reply the
// server sent in good order other than 421.
func (c *Client) fail(err error) {
	var e *Error
	if err == nil || errors.Is(err, errNoRecipient) {
		return
	}
	// A reply in good order leaves the session usable, except 421: the
	// server is closing the connection (RFC 5321 §3.8).
	if errors.As(err, &e) && !errors.Is(err, ErrUnexpectedReply) && e.Code != 421 {
		return
	}
	if c.state != clientClosed {
		c.state = clientBroken
	}
	if c.err == nil {
		c.err = err
	}
}

// readReply reads one reply (RFC 5321 §4.2): lines "code-text" then a last
// "code text" or "code". It returns the code, the enhanced code of the
// first line if there is one (RFC 2034 §4) and the text of each line with
// the enhanced code removed. The lines are valid until the next call.
func (c *Client) readReply() (code int, enh EnhancedCode, lines []string, err error) {
	if c.resetOwed {
		// The reply to a RSET pipelined ahead of this command comes
		// first; RFC 5321 §4.1.1.5: it must be 250.
		c.resetOwed = false
		code, enh, lines, err := c.readOneReply()
		if err != nil {
			return 0, enh, nil, err
		}
		if code != 250 {
			return 0, enh, nil, fmt.Errorf("%w: RSET: %w", ErrUnexpectedReply, &Error{Code: code, EnhancedCode: enh, Message: strings.Join(lines, "\n")})
		}
	}
	return c.readOneReply()
}

// readOneReply reads one reply; see readReply.
func (c *Client) readOneReply() (code int, enh EnhancedCode, lines []string, err error) {
	max := c.opts.MaxReplyLines
	if max <= 0 {
		max = DefaultMaxReplyLines
	}
	lines = c.lines[:0]
	defer func() { c.lines = lines[:0] }()
	for n := 0; ; n++ {
		if n == max {
			return 0, enh, nil, fmt.Errorf("%w: more than %d lines", ErrReplyTooLong, max)
		}
		line, err := c.r.ReadLine()
		if err != nil {
			if errors.Is(err, textwire.ErrLineTooLong) {
				return 0, enh, nil, fmt.Errorf("%w: line longer than %d bytes", ErrReplyTooLong, c.r.MaxLine)
			}
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return 0, enh, nil, err
		}
		lc, more, text, ok := parseReplyLine(line)
		if !ok || n > 0 && lc != code {
			return 0, enh, nil, fmt.Errorf("%w: %q", ErrMalformedReply, quote80(line))
		}
		code = lc
		if e, rest, ok := cutEnhancedCode(code, text); ok {
			if n == 0 {
				enh = e
			}
			text = rest
		}
		lines = append(lines, text)
		if !more {
			return code, enh, lines, nil
		}
	}
}

// parseReplyLine splits Reply-line = *( Reply-code "-" [ textstring ] CRLF )
// Reply-code [ SP textstring ] CRLF (RFC 5321 §4.2) into its parts.
func parseReplyLine(line []byte) (code int, more bool, text string, ok bool) {
	if len(line) < 3 {
		return 0, false, "", false
	}
	// RFC 5321 §4.2: the first digit is 2 to 5, the second 0 to 5.
	if line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '9' || line[2] < '0' || line[2] > '9' {
		return 0, false, "", false
	}
	code = int(line[0]-'0')*100 + int(line[1]-'0')*10 + int(line[2]-'0')
	if len(line) == 3 {
		return code, false, "", true
	}
	switch line[3] {
	case '-':
		more = true
	case ' ':
	default:
		return 0, false, "", false
	}
	return code, more, string(line[4:]), true
}

// cutEnhancedCode removes an enhanced status code (RFC 3463) from the start
// of text when its class matches the reply code's first digit (RFC 2034
// §4).
func cutEnhancedCode(code int, text string) (EnhancedCode, string, bool) {
	if len(text) < 5 || text[0] != byte('0'+code/100) || text[1] != '.' {
		return EnhancedCode{}, text, false
	}
	word, rest, _ := strings.Cut(text, " ")
	e, ok := ParseEnhancedCode(word)
	if !ok {
		return EnhancedCode{}, text, false
	}
	return e, rest, true
}

func quote80(b []byte) string {
	if len(b) > 80 {
		b = b[:80]
	}
	return string(b)
}

// replyError makes the error for a reply that is not the one expected: an
// [*Error] for 4xx and 5xx, ErrUnexpectedReply wrapping one for the rest.
func replyError(code int, enh EnhancedCode, lines []string) error {
	e := &Error{Code: code, EnhancedCode: enh, Message: strings.Join(lines, "\n")}
	if code >= 400 {
		return e
	}
	return fmt.Errorf("%w: %w", ErrUnexpectedReply, e)
}

// replyIs reports whether code is want, or of class want when want is a
// single digit.
func replyIs(code, want int) bool {
	return code == want || want < 10 && code/100 == want
}

// startCmd starts a command line in c.buf.
func (c *Client) startCmd(verb string) {
	c.buf = append(c.buf[:0], verb...)
}

// writeCmd checks the command line in c.buf and writes it with CRLF,
// without flushing. A control byte anywhere refuses it before anything is
// written.
func (c *Client) writeCmd() error {
	for _, b := range c.buf {
		if b < ' ' || b == 0x7f {
			return fmt.Errorf("%w: control byte in command", ErrForbiddenInput)
		}
	}
	c.buf = append(c.buf, '\r', '\n')
	if c.resetQueued {
		c.resetQueued, c.resetOwed = false, true
		if c.batching {
			c.batch = append(c.batch, "RSET\r\n"...)
		} else if _, err := c.w.WriteString("RSET\r\n"); err != nil {
			return err
		}
	}
	if c.batching {
		c.batch = append(c.batch, c.buf...)
		return nil
	}
	_, err := c.w.Write(c.buf)
	return err
}

// cmd sends the command in c.buf and reads its reply, expecting code
// want, or any code of class want when want is a single digit. It returns
// the reply lines; a reply with another code is an error.
func (c *Client) cmd(ctx context.Context, timeout time.Duration, want int) ([]string, error) {
	err := c.begin(ctx, timeout)
	if err != nil {
		return nil, err
	}
	var verb string
	if c.log != nil {
		verb, _, _ = strings.Cut(string(c.buf), " ")
	}
	if err := c.writeCmd(); err != nil {
		c.end(ctx, nil)
		if errors.Is(err, ErrForbiddenInput) {
			return nil, err
		}
		err = c.end(ctx, err)
		c.fail(err)
		return nil, err
	}
	err = c.w.Flush()
	var code int
	var enh EnhancedCode
	var lines []string
	if err == nil {
		code, enh, lines, err = c.readReply()
	}
	err = c.end(ctx, err)
	if err != nil {
		c.fail(err)
		return nil, err
	}
	c.debugReply(verb, code)
	if !replyIs(code, want) {
		err = replyError(code, enh, lines)
		c.fail(err)
		return lines, err
	}
	return lines, nil
}

// replyTimeout is the timeout of replies to commands other than DATA.
func (c *Client) replyTimeout() time.Duration {
	return c.opts.timeout(c.opts.ReplyTimeout, DefaultReplyTimeout)
}

// Close closes the connection without QUIT, when rw is an io.Closer. It
// may be called from another goroutine to interrupt a method that is
// waiting on the server; the client is unusable afterwards.
func (c *Client) Close() error {
	if cl, ok := c.raw.(io.Closer); ok {
		return cl.Close()
	}
	return nil
}

// TLSConnectionState returns the TLS state when the connection is TLS
// (implicit or after StartTLS).
func (c *Client) TLSConnectionState() (tls.ConnectionState, bool) {
	if tc, ok := c.conn.(*tls.Conn); ok {
		// Read now: a *tls.Conn given to NewClient completes its
		// handshake on first use.
		return tc.ConnectionState(), true
	}
	return tls.ConnectionState{}, false
}
