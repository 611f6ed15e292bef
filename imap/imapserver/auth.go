package imapserver

import (
	"bufio"
	"crypto/tls"
	"errors"
	"strings"
	"time"

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
		c.failures++
		if delay := c.lim.FailedLoginDelay; delay > 0 {
			time.Sleep(delay << min(c.failures-1, 4))
		}
		if errors.Is(err, ErrAuthFailed) {
			return no("AUTHENTICATIONFAILED", "invalid credentials")
		}
		return err
	}
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

// handleAUTHENTICATE: RFC 9051 §6.2.2 with SASL-IR (RFC 4959); PLAIN only,
// checked through Backend.Login.
func (c *conn) handleAUTHENTICATE(tag string, uid bool) error {
	d := &c.dec
	if !d.SP() {
		return nil
	}
	mech, ok := d.Atom()
	if !ok {
		return nil
	}
	var ir []byte
	hasIR := false
	if d.Peek(' ') {
		d.readByte()
		s, ok := d.AString()
		if !ok {
			return nil
		}
		hasIR = true
		b, err := sasl.DecodeWire([]byte(s))
		if err != nil {
			d.CRLF()
			if errors.Is(err, sasl.ErrCanceled) {
				return bad("", "authentication canceled")
			}
			return bad("", "invalid base64")
		}
		ir = b
	}
	if !d.CRLF() {
		return nil
	}
	if !strings.EqualFold(mech, "PLAIN") && !strings.EqualFold(mech, "LOGIN") {
		return no("CANNOT", "unsupported mechanism")
	}
	if c.insecureAuthRefused() {
		return no("PRIVACYREQUIRED", "authentication is disabled before STARTTLS")
	}
	var loginErr error
	var srv sasl.Server
	if strings.EqualFold(mech, "PLAIN") {
		srv = sasl.NewPlainServer(func(authzid, user, pass string) error {
			if authzid != "" && authzid != user {
				return errors.New("authorization identity not allowed")
			}
			loginErr = c.login(user, pass)
			return loginErr
		})
	} else {
		srv = sasl.NewLoginServer(func(user, pass string) error {
			loginErr = c.login(user, pass)
			return loginErr
		})
	}
	resp := ir
	if !hasIR {
		resp = nil
	}
	for {
		chal, done, err := srv.Next(resp)
		if err != nil {
			if loginErr != nil {
				return loginErr
			}
			return no("AUTHENTICATIONFAILED", "authentication failed")
		}
		if done {
			return nil
		}
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
		resp, err = sasl.DecodeWire(line)
		if errors.Is(err, sasl.ErrCanceled) {
			return bad("", "authentication canceled")
		}
		if err != nil {
			return bad("", "invalid base64")
		}
	}
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
