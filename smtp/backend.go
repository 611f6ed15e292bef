package smtp

import (
	"crypto/tls"
	"io"
	"net"
	"time"

	"github.com/mailwire/mailwire/sasl"
)

// Backend is what a [Server] delivers to. It opens one [Session] per
// connection.
type Backend interface {
	// NewSession is called once a client has connected, before the
	// greeting. An *Error refuses the connection with that reply (RFC 5321
	// §3.1 allows 554 in place of the greeting); any other error with 421.
	NewSession(c *Conn) (Session, error)
}

// BackendFunc turns a function into a [Backend].
type BackendFunc func(c *Conn) (Session, error)

// NewSession calls f.
func (f BackendFunc) NewSession(c *Conn) (Session, error) { return f(c) }

// Session is one client's conversation with the backend. A method that
// returns an *[Error] sends that reply unchanged; any other error sends a
// default reply for the command (451 4.3.0 for a transient failure of
// MAIL, RCPT or DATA, as the server cannot tell it is permanent).
//
// Methods are called one at a time: from the connection's goroutine, except
// Data for a message sent with BDAT, which runs on a goroutine of its own
// while the connection reads the chunks.
type Session interface {
	// Mail starts a transaction (MAIL FROM). from is "" for the null
	// reverse-path. opts is never nil.
	Mail(from string, opts *MailOptions) error
	// Rcpt adds a recipient (RCPT TO). opts is never nil.
	Rcpt(to string, opts *RcptOptions) error
	// Data receives the message content of DATA or of a BDAT sequence as
	// a stream, with dot-stuffing removed. The server acknowledges the
	// message only after Data has returned nil having read r to io.EOF; if r
	// returns any other error (connection lost, size limit, a bare CR or
	// LF), the message must not be delivered, and the server replies with
	// its own error whatever Data returns.
	Data(r io.Reader) error
	// Reset aborts the current transaction (RSET, EHLO, a new STARTTLS,
	// or the end of a message).
	Reset()
	// Logout is called once when the connection ends.
	Logout() error
}

// AuthSession is a [Session] that supports AUTH (RFC 4954).
type AuthSession interface {
	Session
	// AuthMechanisms lists the SASL mechanisms to advertise. It may
	// depend on the connection (see [Conn.TLS]).
	AuthMechanisms() []string
	// Auth starts an exchange for mech, one of AuthMechanisms. The
	// server runs the exchange; when it ends successfully the session is
	// authenticated and [Conn.Identity] reports who logged in. Failures
	// of the returned [sasl.Server] are reported as 535 5.7.8.
	Auth(mech string) (sasl.Server, error)
}

// LMTPSession is a [Session] that can give one result per recipient after
// DATA in LMTP mode (RFC 2033 §4.2). Without it, the result of Data is
// used for every recipient.
type LMTPSession interface {
	Session
	// LMTPData is Data with a [StatusCollector] for per-recipient
	// results. A recipient that has no status set gets the result of
	// LMTPData.
	LMTPData(r io.Reader, status StatusCollector) error
}

// StatusCollector records the delivery result of each recipient in LMTP
// mode.
type StatusCollector interface {
	// SetStatus records err (nil for success) for rcpt, as given to
	// Session.Rcpt.
	SetStatus(rcpt string, err error)
}

// XCLIENTSession is a [Session] that accepts Postfix's XCLIENT command,
// with which a trusted proxy passes on the real client's attributes. The
// server advertises XCLIENT only when the session implements this.
type XCLIENTSession interface {
	Session
	// XCLIENT receives the attributes (NAME, ADDR, PORT, PROTO, HELO,
	// LOGIN, DESTADDR, DESTPORT; values xtext-decoded, "[UNAVAILABLE]" and
	// "[TEMPUNAVAIL]" as sent). An error refuses the command (default 550
	// 5.7.0); the session must refuse clients it does not trust. On
	// success the server restarts the conversation with a new greeting.
	XCLIENT(attrs map[string]string) error
}

// BodyType is the BODY parameter of MAIL (RFC 6152, RFC 3030).
type BodyType string

// Body types.
const (
	Body7Bit       BodyType = "7BIT"
	Body8BitMIME   BodyType = "8BITMIME"
	BodyBinaryMIME BodyType = "BINARYMIME"
)

// DSNReturn is the RET parameter of MAIL (RFC 3461 §4.3).
type DSNReturn string

// Values of RET.
const (
	DSNReturnFull    DSNReturn = "FULL"
	DSNReturnHeaders DSNReturn = "HDRS"
)

// DSNNotify is one value of the NOTIFY parameter of RCPT (RFC 3461 §4.1).
type DSNNotify string

// Values of NOTIFY.
const (
	DSNNotifyNever   DSNNotify = "NEVER"
	DSNNotifySuccess DSNNotify = "SUCCESS"
	DSNNotifyFailure DSNNotify = "FAILURE"
	DSNNotifyDelayed DSNNotify = "DELAY"
)

// Address types of ORCPT (RcptOptions.OriginalRecipientType).
const (
	DSNAddressTypeRFC822 = "rfc822" // RFC 3461 §4.2, an xtext address
	DSNAddressTypeUTF8   = "utf-8"  // RFC 6533 §3, a Mailbox of RFC 6531
)

// DeliverByMode is the mode of the BY parameter (RFC 2852 §4).
type DeliverByMode byte

// Modes of BY.
const (
	DeliverByNotify DeliverByMode = 'N'
	DeliverByReturn DeliverByMode = 'R'
)

// DeliverByOptions is the BY parameter of MAIL (RFC 2852).
type DeliverByOptions struct {
	Time  time.Duration // by-time, may be negative in mode N
	Mode  DeliverByMode
	Trace bool // the "T" modifier
}

// MailOptions holds the parameters of MAIL FROM.
type MailOptions struct {
	Body       BodyType  // "" when absent (7BIT)
	Size       int64     // SIZE (RFC 1870), 0 when absent
	UTF8       bool      // SMTPUTF8 (RFC 6531)
	RequireTLS bool      // REQUIRETLS (RFC 8689)
	Return     DSNReturn // RET (RFC 3461), "" when absent
	EnvelopeID string    // ENVID (RFC 3461), xtext-decoded
	// Auth is the AUTH parameter (RFC 4954 §5), xtext-decoded: nil when
	// absent, "" for "<>".
	Auth       *string
	DeliverBy  *DeliverByOptions // BY (RFC 2852)
	MTPriority *int              // MT-PRIORITY (RFC 6710), -9 to 9
	// Params, on the server, lists every parameter as sent, keywords
	// upper case. On the client, it holds extra parameters (a vendor's
	// extension) sent after the typed ones, as given: each must follow
	// RFC 5321 §4.1.2 (esmtp-keyword, and an esmtp-value with no space,
	// "=" or control byte, UTF-8 only with UTF8), and a keyword that
	// has a field above (SIZE, BODY...) or comes twice is refused with
	// ErrForbiddenInput before anything is sent. A relay passing on a
	// server's MailOptions must clear Params, which repeat the fields.
	Params []Param
}

// RRVSOptions is the RRVS parameter of RCPT (RFC 7293).
type RRVSOptions struct {
	Time time.Time
	// Action is 'R' (reject, the default) or 'C' (continue).
	Action byte
}

// RcptOptions holds the parameters of RCPT TO.
type RcptOptions struct {
	Notify []DSNNotify // NOTIFY (RFC 3461), nil when absent
	// OriginalRecipientType and OriginalRecipient are ORCPT (RFC 3461
	// §4.2): the type as sent (compare it with strings.EqualFold), the
	// address decoded from xtext, or for the type "utf-8" from the
	// utf-8-addr-xtext or utf-8-addr-unitext of RFC 6533 §3 (the latter
	// only under SMTPUTF8). A client leaving the type empty sends
	// "rfc822", or "utf-8" for an address that is not ASCII.
	OriginalRecipientType string
	OriginalRecipient     string
	RRVS                  *RRVSOptions // RRVS (RFC 7293)
	// Params, on the server, lists every parameter as sent, keywords
	// upper case. On the client, extra parameters sent after the typed
	// ones, checked as MailOptions.Params are (NOTIFY, ORCPT and RRVS
	// are refused there: use the fields).
	Params []Param
}

// Conn describes one client connection to a [Session].
type Conn struct {
	c *conn
}

// Server returns the server the connection belongs to.
func (c *Conn) Server() *Server { return c.c.srv }

// Hostname returns the name the client gave in EHLO, HELO or LHLO, or "".
func (c *Conn) Hostname() string { return c.c.helo }

// RemoteAddr returns the client's address when the connection is a
// net.Conn, else nil.
func (c *Conn) RemoteAddr() net.Addr {
	if nc, ok := c.c.rw.(net.Conn); ok {
		return nc.RemoteAddr()
	}
	return nil
}

// TLS returns the TLS state, or nil when the connection is not encrypted.
func (c *Conn) TLS() *tls.ConnectionState {
	if tc, ok := c.c.rw.(*tls.Conn); ok {
		cs := tc.ConnectionState()
		return &cs
	}
	return nil
}

// Identity returns the identities a successful AUTH established (empty
// strings before that, or if the mechanism gives none).
func (c *Conn) Identity() (authzid, authcid string) { return c.c.authzid, c.c.authcid }

// Authenticated reports whether AUTH has succeeded on this connection.
func (c *Conn) Authenticated() bool { return c.c.authed }

// Replies a backend can return, for common cases.
var (
	// ErrAuthRequired is 530 5.7.0 (RFC 4954 §6).
	ErrAuthRequired = &Error{Code: 530, EnhancedCode: EnhancedCode{5, 7, 0}, Message: "Authentication required"}
	// ErrAuthFailed is 535 5.7.8 (RFC 4954 §6).
	ErrAuthFailed = &Error{Code: 535, EnhancedCode: EnhancedCode{5, 7, 8}, Message: "Authentication credentials invalid"}
	// ErrNoSuchUser is 550 5.1.1.
	ErrNoSuchUser = &Error{Code: 550, EnhancedCode: EnhancedCode{5, 1, 1}, Message: "No such user here"}
)
