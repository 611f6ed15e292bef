package sasl

import (
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Mechanism names, as they appear in capability lists (RFC 4422 §3.1: SASL
// mechanism names are upper-case; comparisons are case-insensitive).
const (
	Plain           = "PLAIN"              // RFC 4616
	Login           = "LOGIN"              // draft-murchison-sasl-login
	CRAMMD5         = "CRAM-MD5"           // RFC 2195
	ScramSHA1       = "SCRAM-SHA-1"        // RFC 5802
	ScramSHA1Plus   = "SCRAM-SHA-1-PLUS"   // RFC 5802 with channel binding
	ScramSHA256     = "SCRAM-SHA-256"      // RFC 7677
	ScramSHA256Plus = "SCRAM-SHA-256-PLUS" // RFC 7677 with channel binding
	XOAuth2         = "XOAUTH2"            // Google/Microsoft bearer token format
	OAuthBearer     = "OAUTHBEARER"        // RFC 7628
	External        = "EXTERNAL"           // RFC 4422 appendix A
	Anonymous       = "ANONYMOUS"          // RFC 4505
)

// DefaultMaxMessageSize bounds one response a server mechanism accepts and
// one challenge a client mechanism accepts. Change it per exchange with
// [LimitServer] and [LimitClient]. A longer message fails with [ErrMalformed].
const DefaultMaxMessageSize = 64 << 10

// Client is one client-side exchange of one mechanism.
//
// The protocol calls Start once, sends the mechanism name and, if the
// protocol allows it, the initial response. If the protocol cannot carry an
// initial response (or ir is nil), it waits for the server's first challenge;
// when ir is non-nil that first challenge is empty and the protocol answers it
// with ir itself (RFC 4422 §5); passing that empty challenge to Next works
// too, and returns ir. Every later challenge is
// passed to Next. When the server reports success, the protocol calls
// [Finish] so that mechanisms which authenticate the server (SCRAM) can check
// they did.
type Client interface {
	// Start returns the mechanism name and the initial response. ir == nil means
	// "no initial response"; a non-nil empty slice means "an empty initial response".
	Start() (mech string, ir []byte, err error)
	// Next answers one server challenge (already base64-decoded by the protocol).
	Next(challenge []byte) (response []byte, err error)
}

// Server is one server-side exchange of one mechanism.
//
// Every server mechanism of this package also implements [Identity].
type Server interface {
	// Next takes the client's response (nil on the first call if the client sent
	// no initial response) and returns the next challenge, or done=true when the
	// exchange has ended successfully (challenge may then carry final data, e.g.
	// SCRAM's server-final message, which protocols send as "additional data with
	// success" or as a last challenge). An error means authentication failed.
	Next(response []byte) (challenge []byte, done bool, err error)
}

// Identity is implemented by every server mechanism of this package. After
// Next has returned done, Identity reports who logged in: authcid is the
// identity whose credentials were checked, authzid the identity to act as,
// which equals authcid when the client did not ask for another one. Before
// success both are empty. EXTERNAL and ANONYMOUS have no authcid of their
// own: EXTERNAL reports the requested authzid (possibly empty, meaning "the
// identity of the external channel") as both; ANONYMOUS reports "anonymous"
// as authcid and the trace as authzid.
type Identity interface {
	Identity() (authzid, authcid string)
}

// Errors returned by the mechanisms, to be tested with [errors.Is]. Many are
// wrapped in an [*Error] carrying the mechanism name and a reason.
var (
	// ErrAuthFailed: the credentials are wrong (server side) or the server
	// said so (client side). Protocols map it to their "authentication
	// failed" reply.
	ErrAuthFailed = errors.New("sasl: authentication failed")
	// ErrMalformed: the peer sent something that does not parse, or that is
	// larger than the limit.
	ErrMalformed = errors.New("sasl: malformed message")
	// ErrUnexpected: a message arrived after the exchange ended, or out of
	// order.
	ErrUnexpected = errors.New("sasl: unexpected message")
	// ErrCanceled: the client cancelled the exchange ("*" on the wire).
	ErrCanceled = errors.New("sasl: exchange canceled")
	// ErrChannelBinding: channel binding is missing, mismatched or
	// unsupported.
	ErrChannelBinding = errors.New("sasl: channel binding failure")
	// ErrMutualAuth: the server did not prove that it knows the user's
	// credentials (SCRAM's ServerSignature is wrong or missing). The client
	// must treat the login as failed even if the server said it succeeded.
	ErrMutualAuth = errors.New("sasl: server failed to authenticate itself")
	// ErrInvalidCredentials: the credentials given to a client constructor
	// cannot be sent (a NUL where the RFC forbids it, a password that
	// SASLprep rejects, an empty username).
	ErrInvalidCredentials = errors.New("sasl: invalid credentials")
	// ErrUnsupported: the mechanism name is not one this package implements
	// for the constructor it was given to.
	ErrUnsupported = errors.New("sasl: unsupported mechanism")
	// ErrNoMechanism: [Choose] found no mechanism both sides can use.
	ErrNoMechanism = errors.New("sasl: no usable mechanism")
)

// Error is a failed exchange with detail. Err is one of the sentinels above
// (ErrAuthFailed, ErrMalformed...), so errors.Is works on an *Error; Cause,
// if not nil, is the application's own error (from a verify callback or a
// lookup) and is reachable through errors.Is and errors.As too.
type Error struct {
	// Mechanism is the mechanism name, e.g. "SCRAM-SHA-256".
	Mechanism string
	// Reason is a short text for the failure. For SCRAM it is the RFC 5802
	// §7 server-error-value ("invalid-proof", "unknown-user"...), which a
	// server may send to the client; for OAUTHBEARER and XOAUTH2 it is the
	// status from the server's JSON error.
	Reason string
	// Err is the sentinel the failure belongs to.
	Err error
	// Cause is the application's error, if any.
	Cause error
}

// Error implements the error interface.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("sasl: ")
	if e.Mechanism != "" {
		b.WriteString(e.Mechanism)
		b.WriteString(": ")
	}
	if e.Err != nil {
		b.WriteString(strings.TrimPrefix(e.Err.Error(), "sasl: "))
	}
	if e.Reason != "" {
		b.WriteString(": ")
		b.WriteString(e.Reason)
	}
	if e.Cause != nil {
		b.WriteString(": ")
		b.WriteString(e.Cause.Error())
	}
	return b.String()
}

// Unwrap returns the sentinel and the cause.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	if e.Cause != nil {
		errs = append(errs, e.Cause)
	}
	return errs
}

func newError(mech string, sentinel error, reason string) *Error {
	return &Error{Mechanism: mech, Reason: reason, Err: sentinel}
}

// malformed builds an ErrMalformed error quoting at most 80 bytes of the
// peer's input.
func malformed(mech, what string, input []byte) *Error {
	return newError(mech, ErrMalformed, what+" in "+quote(input))
}

// authFailed wraps an application error from a verify callback.
func authFailed(mech, reason string, cause error) *Error {
	e := newError(mech, ErrAuthFailed, reason)
	e.Cause = cause
	return e
}

// quote renders peer input for an error message, at most 80 bytes of it.
func quote(b []byte) string {
	const max = 80
	if len(b) > max {
		return fmt.Sprintf("%q...", b[:max])
	}
	return fmt.Sprintf("%q", b)
}

// limiter is implemented by the mechanisms of this package so that
// [LimitServer] and [LimitClient] can change their bound.
type limiter interface {
	setMax(n int)
}

// limit holds the size bound shared by every mechanism.
type limit struct {
	max int // 0 means DefaultMaxMessageSize
}

func (l *limit) setMax(n int) { l.max = n }

// check returns an ErrMalformed error if msg is over the bound.
func (l *limit) check(mech string, msg []byte) error {
	max := l.max
	if max <= 0 {
		max = DefaultMaxMessageSize
	}
	if len(msg) > max {
		return newError(mech, ErrMalformed, fmt.Sprintf("message of %d bytes exceeds the limit of %d", len(msg), max))
	}
	return nil
}

// LimitServer sets the largest response s accepts to n bytes (n <= 0 means
// [DefaultMaxMessageSize]) and returns s. For a Server not from this package
// it returns a wrapper that checks the bound before calling s.
func LimitServer(s Server, n int) Server {
	if l, ok := s.(limiter); ok {
		l.setMax(n)
		return s
	}
	w := &limitedServer{s: s}
	w.setMax(n)
	return w
}

// LimitClient sets the largest challenge c accepts to n bytes (n <= 0 means
// [DefaultMaxMessageSize]) and returns c. For a Client not from this package
// it returns a wrapper that checks the bound before calling c.
func LimitClient(c Client, n int) Client {
	if l, ok := c.(limiter); ok {
		l.setMax(n)
		return c
	}
	w := &limitedClient{c: c}
	w.setMax(n)
	return w
}

type limitedServer struct {
	limit
	s Server
}

func (w *limitedServer) Next(resp []byte) ([]byte, bool, error) {
	if err := w.check("", resp); err != nil {
		return nil, false, err
	}
	return w.s.Next(resp)
}

// Identity forwards to the wrapped server, if it has one.
func (w *limitedServer) Identity() (authzid, authcid string) {
	if id, ok := w.s.(Identity); ok {
		return id.Identity()
	}
	return "", ""
}

type limitedClient struct {
	limit
	c Client
}

func (w *limitedClient) Start() (string, []byte, error) { return w.c.Start() }

func (w *limitedClient) Next(ch []byte) ([]byte, error) {
	if err := w.check("", ch); err != nil {
		return nil, err
	}
	return w.c.Next(ch)
}

func (w *limitedClient) finish() error { return Finish(w.c, nil) }

// irReplay lets a client answer an empty first challenge with its initial
// response, for protocols that pass that challenge to Next instead of
// sending the initial response themselves (RFC 4422 §5).
type irReplay struct {
	ir     []byte
	nexted bool
}

// replay reports whether ch is the empty first challenge that asks for ir.
func (r *irReplay) replay(ch []byte) bool {
	first := !r.nexted
	r.nexted = true
	return first && len(ch) == 0 && r.ir != nil
}

// finisher is implemented by client mechanisms that must see the end of the
// exchange before a success from the server can be trusted.
type finisher interface {
	finish() error
}

// Finish is called by a protocol client when the server reports success.
// additional is the data the server sent with its success, if any (nil when
// none); Finish passes it to c.Next. It then returns nil if c has completed
// its side of the exchange, or an error (for SCRAM, [ErrMutualAuth] when the
// server never proved its identity) that the protocol must treat as a failed
// login.
func Finish(c Client, additional []byte) error {
	if additional != nil {
		if _, err := c.Next(additional); err != nil {
			return err
		}
	}
	if f, ok := c.(finisher); ok {
		return f.finish()
	}
	return nil
}

// DecodeWire decodes one base64 line of an AUTH exchange as SMTP (RFC 4954),
// POP3 (RFC 5034) and IMAP (RFC 9051 §6.2.2) send it: "*" is the client's
// cancellation and returns [ErrCanceled]; "=" is an empty message and returns
// a non-nil empty slice; anything else must be standard padded base64, else
// [ErrMalformed]. The line must not include its CRLF.
func DecodeWire(line []byte) ([]byte, error) {
	switch string(line) {
	case "*":
		return nil, ErrCanceled
	case "=", "":
		return []byte{}, nil
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(line)))
	n, err := base64.StdEncoding.Strict().Decode(out, line)
	if err != nil {
		// Not quoted: the line may hold a password.
		return nil, newError("", ErrMalformed, fmt.Sprintf("invalid base64 in a line of %d bytes", len(line)))
	}
	return out[:n], nil
}

// EncodeWire encodes a message for the wire: standard base64, and "=" for an
// empty initial response (RFC 4954 §4, RFC 4959 §3). Challenges and later
// responses that are empty are sent as an empty line instead, so protocols
// should use EncodeWire for initial responses and base64 for the rest.
func EncodeWire(msg []byte) string {
	if len(msg) == 0 {
		return "="
	}
	return base64.StdEncoding.EncodeToString(msg)
}

// validUTF8NoNUL reports whether s is UTF-8 without a NUL.
func validUTF8NoNUL(s string) bool {
	return utf8.ValidString(s) && strings.IndexByte(s, 0) < 0
}

// SecretEqual compares two secrets in constant time (for a given length), for
// verify functions that hold plaintext passwords.
func SecretEqual(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// oneMessage is the state of a server mechanism whose client sends a single
// message (PLAIN, EXTERNAL, ANONYMOUS): as the initial response, or after
// the empty challenge the server sends when there was none (RFC 4422 §5).
type oneMessage struct {
	limit
	state int // 0: initial; 1: empty challenge sent; 2: done; 3: failed
}

// receive returns wait=true when the empty challenge must be sent first;
// otherwise it takes the client's message, marking the exchange failed
// until succeed is called, and checks its size.
func (m *oneMessage) receive(mech string, resp []byte) (wait bool, err error) {
	switch m.state {
	case 0:
		if resp == nil {
			m.state = 1
			return true, nil
		}
	case 1:
	default:
		return false, newError(mech, ErrUnexpected, "exchange has ended")
	}
	m.state = 3
	return false, m.check(mech, resp)
}

func (m *oneMessage) succeed() { m.state = 2 }

func (m *oneMessage) done() bool { return m.state == 2 }
