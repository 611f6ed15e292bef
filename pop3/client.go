package pop3

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/mailwire/mailwire/internal/textwire"
)

// Defaults of the [Client] limits.
const (
	// DefaultClientMaxLine is the longest response line the client reads,
	// without CRLF. RFC 2449 §4 limits responses to 512 octets.
	DefaultClientMaxLine = 4096
	// DefaultMaxListing is the most entries the client accepts in one
	// LIST, UIDL, CAPA or LANG listing.
	DefaultMaxListing = 1 << 20
	// DefaultMaxRetrBytes bounds what [Client.RetrBytes] holds in memory.
	DefaultMaxRetrBytes = 64 << 20
	// maxAuthCommand is RFC 2449 §4's limit on a command line, CRLF
	// included, which bounds an initial response (RFC 5034 §4).
	maxAuthCommand = 255
)

// Client is a POP3 client session. It is not safe for concurrent use: one
// command at a time, and a message reader from [Client.Retr] or
// [Client.Top] is read (or closed) before the next command, which
// otherwise skips what is left of it.
type Client struct {
	// AllowInsecureAuth lets USER/PASS and the SASL mechanisms that send
	// a reusable secret (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER) go over a
	// connection without TLS. Off by default.
	AllowInsecureAuth bool
	// MaxListing bounds the entries of a listing; 0 means
	// DefaultMaxListing.
	MaxListing int
	// MaxLine bounds a response line, without CRLF; 0 means
	// DefaultClientMaxLine. SASL challenges may be up to
	// DefaultMaxAuthLine whatever it says.
	MaxLine int
	// MaxRetrBytes bounds the message [Client.RetrBytes] returns; 0 means
	// DefaultMaxRetrBytes. The streaming [Client.Retr] has no bound.
	MaxRetrBytes int64

	conn      io.ReadWriter
	nc        net.Conn
	host      string // for the TLS ServerName after STLS
	r         *textwire.Reader
	bw        *bufio.Writer
	debug     io.Writer
	greeting  string
	timestamp string
	caps      Capabilities
	isTLS     bool
	utf8      bool
	broken    error
	pending   *MessageReader
}

// NewClient starts a session over rw, reading the server's greeting.
// When rw is a *tls.Conn the session counts as secure.
func NewClient(rw io.ReadWriter) (*Client, error) {
	return newClient(context.Background(), rw, nil)
}

// NewClientDebug is [NewClient] with a copy of all traffic, both
// directions, written to debug. The copy holds credentials: use it for
// debugging only.
func NewClientDebug(rw io.ReadWriter, debug io.Writer) (*Client, error) {
	return newClient(context.Background(), rw, debug)
}

func newClient(ctx context.Context, rw io.ReadWriter, debug io.Writer) (*Client, error) {
	c := &Client{conn: rw, debug: debug}
	c.nc, _ = rw.(net.Conn)
	_, c.isTLS = rw.(*tls.Conn)
	c.setTransport(rw)
	o, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	text, err := c.readResponse()
	c.end(o, &err)
	if err != nil {
		return nil, err
	}
	c.greeting = text
	// RFC 1939 §7: a server that supports APOP puts a timestamp, a
	// msg-id, in its greeting.
	if i := strings.IndexByte(text, '<'); i >= 0 {
		if j := strings.IndexByte(text[i:], '>'); j > 0 && strings.Contains(text[i:i+j], "@") {
			c.timestamp = text[i : i+j+1]
		}
	}
	return c, nil
}

func (c *Client) setTransport(rw io.ReadWriter) {
	var src io.Reader = rw
	var dst io.Writer = rw
	if c.debug != nil {
		src = io.TeeReader(rw, c.debug)
		dst = io.MultiWriter(rw, c.debug)
	}
	if c.r == nil {
		c.r = textwire.NewReader(src)
		c.r.Ending = textwire.AnyEnding
		c.r.MaxLine = DefaultClientMaxLine
		c.bw = bufio.NewWriter(dst)
	} else {
		c.r.Reset(src)
		c.bw.Reset(dst)
	}
}

// Dial connects to a POP3 server at addr ("host:port", usually port 110)
// and reads its greeting; ctx bounds both.
func Dial(ctx context.Context, addr string) (*Client, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c, err := newClient(ctx, nc, nil)
	if err != nil {
		nc.Close()
		return nil, err
	}
	c.host, _, _ = net.SplitHostPort(addr)
	return c, nil
}

// DialTLS connects to a POP3 server over implicit TLS (port 995, RFC
// 8314) and reads its greeting; ctx bounds both. A nil config uses the
// host of addr as the server name.
func DialTLS(ctx context.Context, addr string, config *tls.Config) (*Client, error) {
	host, _, _ := net.SplitHostPort(addr)
	d := tls.Dialer{Config: tlsConfigFor(config, host)}
	nc, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	c, err := newClient(ctx, nc, nil)
	if err != nil {
		nc.Close()
		return nil, err
	}
	c.host = host
	return c, nil
}

func tlsConfigFor(config *tls.Config, host string) *tls.Config {
	if config == nil {
		config = &tls.Config{}
	}
	if config.ServerName == "" && host != "" {
		config = config.Clone()
		config.ServerName = host
	}
	return config
}

// Greeting returns the text of the server's greeting.
func (c *Client) Greeting() string { return c.greeting }

// IsTLS reports whether the session runs over TLS.
func (c *Client) IsTLS() bool { return c.isTLS }

// Close closes the connection without QUIT: the server deletes nothing.
func (c *Client) Close() error {
	c.broken = ErrClientBroken
	if cl, ok := c.conn.(io.Closer); ok {
		return cl.Close()
	}
	return nil
}

// op is one command in progress, bounded by its context.
type op struct {
	ctx  context.Context
	stop func() bool // stops the context watch; nil without a net.Conn
}

// begin starts a command bounded by ctx. [Client.end] must be called with
// the command's error; an error from an interrupted command breaks the
// client.
func (c *Client) begin(ctx context.Context) (op, error) {
	if c.broken != nil {
		return op{}, c.broken
	}
	if err := ctx.Err(); err != nil {
		return op{}, err
	}
	if c.pending != nil {
		if err := c.pending.Close(); err != nil {
			return op{}, err
		}
	}
	c.r.MaxLine = c.maxLine()
	o := op{ctx: ctx}
	if c.nc != nil {
		if dl, ok := ctx.Deadline(); ok {
			c.nc.SetDeadline(dl)
		}
		if ctx.Done() != nil {
			nc := c.nc
			o.stop = context.AfterFunc(ctx, func() { nc.SetDeadline(time.Unix(1, 0)) })
		}
	}
	return o, nil
}

func (c *Client) end(o op, errp *error) {
	if o.stop != nil {
		o.stop()
	}
	if c.nc != nil {
		c.nc.SetDeadline(time.Time{})
	}
	if *errp == nil {
		return
	}
	if ctxErr := o.ctx.Err(); ctxErr != nil {
		*errp = fmt.Errorf("%w (%w)", ctxErr, *errp)
	}
	var e *Error
	if !errors.As(*errp, &e) && !errors.Is(*errp, ErrInvalidArgument) &&
		!errors.Is(*errp, ErrInsecureAuth) && !errors.Is(*errp, ErrNotSupported) {
		// The stream is in an unknown place: no command can follow.
		c.broken = fmt.Errorf("%w: %w", ErrClientBroken, *errp)
	}
}

// checkArg refuses an argument that would change the command line.
func checkArg(arg string) error {
	if arg == "" {
		return fmt.Errorf("%w: empty", ErrInvalidArgument)
	}
	if strings.ContainsAny(arg, "\r\n\x00") {
		return fmt.Errorf("%w: CR, LF or NUL in %q", ErrInvalidArgument, quote([]byte(arg)))
	}
	return nil
}

// writeCmd writes one command line, buffered.
func (c *Client) writeCmd(verb string, args ...string) {
	c.bw.WriteString(verb)
	for _, a := range args {
		c.bw.WriteByte(' ')
		c.bw.WriteString(a)
	}
	c.bw.WriteString("\r\n")
}

// readResponse reads a +OK or -ERR line; -ERR becomes an *Error.
func (c *Client) readResponse() (string, error) {
	line, err := c.readLine()
	if err != nil {
		return "", err
	}
	return ParseResponse(line)
}

func (c *Client) readLine() ([]byte, error) {
	line, err := c.r.ReadLine()
	if errors.Is(err, textwire.ErrLineTooLong) {
		return nil, fmt.Errorf("%w: response", ErrLineTooLong)
	}
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return line, err
}

// cmd sends one command and reads its single-line response.
func (c *Client) cmd(ctx context.Context, verb string, args ...string) (text string, err error) {
	for _, a := range args {
		if err := checkArg(a); err != nil {
			return "", err
		}
	}
	o, err := c.begin(ctx)
	if err != nil {
		return "", err
	}
	defer c.end(o, &err)
	c.writeCmd(verb, args...)
	if err := c.bw.Flush(); err != nil {
		return "", err
	}
	return c.readResponse()
}

// ParseResponse parses a status line without its CRLF: "+OK text" gives
// text; "-ERR [CODE] text" gives an [*Error]; anything else an error
// wrapping [ErrProtocol].
func ParseResponse(line []byte) (string, error) {
	switch {
	case bytes.HasPrefix(line, []byte("+OK")):
		rest := line[3:]
		if len(rest) > 0 && rest[0] != ' ' {
			break
		}
		return string(bytes.TrimPrefix(rest, []byte(" "))), nil
	case bytes.HasPrefix(line, []byte("-ERR")):
		rest := line[4:]
		if len(rest) > 0 && rest[0] != ' ' {
			break
		}
		text := string(bytes.TrimPrefix(rest, []byte(" ")))
		code, msg := parseRespCode(text)
		return "", &Error{Code: code, Message: msg}
	}
	return "", fmt.Errorf("%w: unexpected response %q", ErrProtocol, quote(line))
}

// parseRespCode splits "[CODE] text" (RFC 2449 §8: resp-code =
// "[" resp-level *("/" resp-level) "]", a level being printable
// characters other than "/", "[" and "]").
func parseRespCode(text string) (code, msg string) {
	if !strings.HasPrefix(text, "[") {
		return "", text
	}
	end := strings.IndexByte(text, ']')
	if end < 2 || end > 100 {
		return "", text
	}
	code = text[1:end]
	for _, level := range strings.Split(code, "/") {
		if level == "" {
			return "", text
		}
		for i := 0; i < len(level); i++ {
			if b := level[i]; b <= ' ' || b >= 0x7f || b == '[' {
				return "", text
			}
		}
	}
	return code, strings.TrimPrefix(text[end+1:], " ")
}

// readListing reads the lines of a multi-line response up to the "."
// line, removing byte-stuffing (RFC 1939 §3), and passes each to fn.
func (c *Client) readListing(fn func(line []byte) error) error {
	max := c.MaxListing
	if max <= 0 {
		max = DefaultMaxListing
	}
	for n := 0; ; n++ {
		line, err := c.readLine()
		if err != nil {
			return err
		}
		if len(line) > 0 && line[0] == '.' {
			if len(line) == 1 {
				return nil
			}
			line = line[1:]
		}
		if n >= max {
			return ErrTooManyMessages
		}
		if err := fn(line); err != nil {
			return err
		}
	}
}

// tlsState returns the TLS connection state, nil without TLS.
func (c *Client) tlsState() *tls.ConnectionState {
	if tc, ok := c.conn.(*tls.Conn); ok {
		cs := tc.ConnectionState()
		return &cs
	}
	return nil
}

func (c *Client) maxLine() int {
	if c.MaxLine > 0 {
		return c.MaxLine
	}
	return DefaultClientMaxLine
}
