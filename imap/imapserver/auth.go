package imapserver

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"time"

	"github.com/mailwire/mailwire/internal/saslserve"
	"github.com/mailwire/mailwire/sasl"
)

// insecureAuthRefused: RFC 9051 §6.2.3 and DESIGN.md: no plaintext password
// before TLS unless AllowInsecureAuth.
func (c *conn) insecureAuthRefused() bool { return !c.isTLS && !c.srv.AllowInsecureAuth }

func (c *conn) handleLOGIN(tag string, uid bool) error {
	d := &c.dec
	var user, pass string
	ok := d.SP()
	if ok {
		user, ok = d.AString()
	}
	if ok && d.SP() {
		pass, ok = d.AString()
	}
	if !ok || !d.CRLF() {
		return nil
	}
	if c.insecureAuthRefused() {
		return no("PRIVACYREQUIRED", "LOGIN is disabled before STARTTLS")
	}
	return c.login(user, pass)
}

// login asks the backend, delaying the answer to a failure more after each
// one, and moves to the authenticated state.
func (c *conn) login(user, pass string) error {
	u, err := c.srv.Backend.Login(c.ctx(), user, pass)
	if err != nil {
		return c.loginFailed(err)
	}
	return c.enter(user, u)
}

// loginFailed answers a failed LOGIN or AUTHENTICATE after a delay that
// doubles with each failure on the connection (up to 16 times the first),
// and says BYE at Limits.MaxFailedLogins (DESIGN.md: a growing delay, then
// disconnect).
func (c *conn) loginFailed(err error) error {
	c.failures++
	if delay := c.lim.FailedLoginDelay; delay > 0 {
		c.srv.pause(delay << min(c.failures-1, 4))
	}
	if c.failures >= c.lim.MaxFailedLogins {
		return &respError{"BYE", "", "too many failed logins"}
	}
	var re *respError
	switch {
	case errors.Is(err, ErrAuthFailed), errors.Is(err, sasl.ErrAuthFailed):
		return no("AUTHENTICATIONFAILED", "invalid credentials")
	case errors.As(err, &re):
		return err
	}
	var se *sasl.Error
	if errors.As(err, &se) {
		// A malformed or refused exchange (RFC 5530): tell no more.
		return no("AUTHENTICATIONFAILED", "authentication failed")
	}
	return err
}

// enter moves to the authenticated state as user.
func (c *conn) enter(user string, u User) error {
	if !c.srv.acquire(&c.srv.perUser, user, c.lim.MaxConnsPerUser) {
		u.Logout()
		return no("LIMIT", "too many sessions for this user")
	}
	c.user, c.username = u, user
	c.state = stateAuth
	c.okCode = "CAPABILITY " + c.capabilities()
	c.okText = "logged in"
	return nil
}

// tlsState is the TLS state of the connection, nil without TLS.
func (c *conn) tlsState() *tls.ConnectionState {
	tc, ok := c.nc.(*tls.Conn)
	if !ok || !c.isTLS {
		return nil
	}
	cs := tc.ConnectionState()
	return &cs
}

// saslConfig says which mechanisms the backend makes possible. PLAIN and
// LOGIN log in through Backend.Login (the User is stored in *loggedIn);
// the others need a SASLUserBackend.
func (c *conn) saslConfig(loggedIn *User) *saslserve.Config {
	cfg := &saslserve.Config{
		PlaintextOK: !c.insecureAuthRefused(),
		Hostname:    "imap",
		CheckPassword: func(ctx context.Context, user, pass string) error {
			u, err := c.srv.Backend.Login(ctx, user, pass)
			if err == nil && loggedIn != nil {
				*loggedIn = u
			}
			return err
		},
	}
	return cfg.FromBackend(c.srv.Backend)
}

// saslMechanisms lists the AUTHENTICATE mechanisms usable now, strongest
// first.
func (c *conn) saslMechanisms() []string {
	return saslserve.Mechanisms(c.saslConfig(nil), c.tlsState())
}

// handleAUTHENTICATE: RFC 9051 §6.2.2 with SASL-IR (RFC 4959), for every
// mechanism the backend makes possible (see saslConfig).
func (c *conn) handleAUTHENTICATE(tag string, uid bool) error {
	d := &c.dec
	if !d.SP() {
		return nil
	}
	mech, ok := d.Atom()
	if !ok {
		return nil
	}
	var resp []byte
	if d.Peek(' ') {
		d.readByte()
		s, ok := d.AString()
		if !ok {
			return nil
		}
		// RFC 4959 §3: "=" is an empty initial response.
		b, err := sasl.DecodeWire([]byte(s))
		if err != nil {
			d.CRLF()
			if errors.Is(err, sasl.ErrCanceled) {
				return bad("", "authentication canceled")
			}
			return bad("", "invalid base64")
		}
		resp = b
	}
	if !d.CRLF() {
		return nil
	}
	var passUser User
	mechSrv, err := saslserve.NewServer(c.ctx(), c.saslConfig(&passUser), mech, c.tlsState())
	if errors.Is(err, saslserve.ErrNotOffered) {
		if c.insecureAuthRefused() && (strings.EqualFold(mech, sasl.Plain) || strings.EqualFold(mech, sasl.Login)) {
			return no("PRIVACYREQUIRED", "authentication is disabled before STARTTLS")
		}
		return no("CANNOT", "unsupported mechanism")
	}
	if err != nil {
		return err
	}
	srv := sasl.LimitServer(mechSrv, 0)
	for {
		chal, done, err := srv.Next(resp)
		if err != nil {
			return c.loginFailed(err)
		}
		if done && len(chal) == 0 {
			break
		}
		// Data sent with success (SCRAM's server-final-message) goes as
		// one more continuation, answered by an empty line, as RFC 3501
		// clients expect (RFC 9051 §6.2.2 allows either).
		w := c.writer()
		w.WriteString("+ ")
		if len(chal) > 0 {
			w.WriteString(sasl.EncodeWire(chal))
		}
		w.WriteString("\r\n")
		if err := c.flush(); err != nil {
			return err
		}
		line, err := c.readAuthLine()
		if err != nil {
			return err
		}
		if string(line) == "*" {
			return bad("", "authentication canceled")
		}
		if done {
			if len(line) != 0 {
				return c.loginFailed(sasl.ErrUnexpected)
			}
			break
		}
		if resp, err = sasl.DecodeWire(line); err != nil {
			return bad("", "invalid base64")
		}
	}
	user, ok := saslserve.Username(mechSrv)
	if !ok {
		return c.loginFailed(ErrAuthFailed)
	}
	if passUser != nil {
		return c.enter(user, passUser)
	}
	ub, ok := c.srv.Backend.(SASLUserBackend)
	if !ok {
		return c.loginFailed(ErrAuthFailed)
	}
	u, err := ub.UserFor(c.ctx(), user)
	if err != nil {
		return c.loginFailed(err)
	}
	return c.enter(user, u)
}

// readAuthLine reads one line of an AUTHENTICATE exchange.
func (c *conn) readAuthLine() ([]byte, error) {
	br := c.reader()
	var line []byte
	for {
		b, err := br.ReadSlice('\n')
		line = append(line, b...)
		if err == nil {
			break
		}
		if err != bufio.ErrBufferFull || len(line) > c.lim.MaxLine {
			return nil, &respError{"BYE", "", "authentication line too long"}
		}
	}
	line = []byte(strings.TrimRight(string(line), "\r\n"))
	return line, nil
}

// handleSTARTTLS: RFC 9051 §6.2.1. Anything pipelined after the command
// was sent in plaintext and is refused (RFC 9051 §11.1 / DESIGN.md).
func (c *conn) handleSTARTTLS(tag string, uid bool) error {
	if !c.dec.CRLF() {
		return nil
	}
	if c.srv.TLSConfig == nil || c.nc == nil || c.isTLS {
		return no("CANNOT", "STARTTLS not available")
	}
	if c.br != nil && c.br.Buffered() > 0 || len(c.src.pre) > 0 {
		return &respError{"BYE", "", "commands pipelined after STARTTLS"}
	}
	c.writeResp(tag, "OK", "", "begin TLS negotiation now")
	if err := c.flush(); err != nil {
		return err
	}
	tc := tls.Server(c.nc, c.srv.TLSConfig)
	c.nc.SetDeadline(time.Now().Add(c.lim.AuthTimeout))
	if err := tc.Handshake(); err != nil {
		return &respError{"BYE", "", "TLS handshake failed"}
	}
	c.nc.SetDeadline(time.Time{})
	c.nc = tc
	c.isTLS = true
	c.releaseBuffers()
	c.setIO(tc)
	c.suppressOK = true
	return nil
}

// handleUNAUTHENTICATE: RFC 8437, back to the not-authenticated state.
func (c *conn) handleUNAUTHENTICATE(tag string, uid bool) error {
	if !c.dec.CRLF() {
		return nil
	}
	c.logout()
	c.state = stateNotAuth
	return nil
}
