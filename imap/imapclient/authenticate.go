package imapclient

import (
	"crypto/tls"
	"encoding/base64"
	"errors"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/sasl"
)

// Login sends LOGIN (RFC 9051 §6.2.3). Servers refuse it before TLS
// unless configured otherwise (LOGINDISABLED).
func (c *Client) Login(username, password string) *Command {
	cmd := c.newCommand("LOGIN", nil)
	c.enc.SP().AString(username).SP().AString(password)
	cmd.onOK = func() { c.authenticated(&cmd.status) }
	return c.send(cmd)
}

func (c *Client) authenticated(r *imap.StatusResponse) {
	c.mu.Lock()
	c.state = imap.ConnStateAuthenticated
	// RFC 9051 §6.2.3: capabilities may change after login; keep those
	// of a CAPABILITY code, else forget them.
	if r.Code != imap.CodeCapability {
		c.caps = nil
	}
	c.mu.Unlock()
}

// Authenticate runs AUTHENTICATE (RFC 9051 §6.2.2) with a SASL mechanism,
// sending the initial response on the command line when the server has
// SASL-IR (RFC 4959). Use sasl.Choose to pick the mechanism.
func (c *Client) Authenticate(mech sasl.Client) error {
	name, ir, err := mech.Start()
	if err != nil {
		return err
	}
	caps := c.Caps()
	cmd := c.newCommand("AUTHENTICATE", nil)
	c.enc.SP().Atom(name)
	if ir != nil && caps != nil && caps.Has(imap.CapSASLIR) {
		c.enc.SP().Atom(sasl.EncodeWire(ir))
		ir = nil
	}
	c.enc.CRLF()
	if err := c.enc.Flush(); err != nil {
		c.wmu.Unlock()
		c.fail(err)
		return err
	}
	// The write lock stays held through the exchange: no other command may
	// be sent in the middle of it.
	defer c.wmu.Unlock()
	for {
		text, err := c.awaitCont()
		if err != nil {
			var ie *imap.Error
			if errors.As(err, &ie) || err == errCmdDone || cmd.isDone() {
				break // the command ended (done below)
			}
			return err
		}
		var challenge []byte
		if len(text) > 0 {
			challenge, err = base64.StdEncoding.DecodeString(string(text))
			if err != nil {
				// RFC 9051 §6.2.2: cancel with "*".
				c.enc.Raw("*").CRLF().Flush()
				c.wait(bgCtx, cmd)
				return errors.Join(sasl.ErrMalformed, err)
			}
		}
		var resp []byte
		if ir != nil {
			resp, ir = ir, nil
		} else if resp, err = mech.Next(challenge); err != nil {
			c.enc.Raw("*").CRLF().Flush()
			c.wait(bgCtx, cmd)
			return err
		}
		c.enc.Raw(base64.StdEncoding.EncodeToString(resp)).CRLF()
		if err := c.enc.Flush(); err != nil {
			c.fail(err)
			return err
		}
	}
	if err := c.wait(bgCtx, cmd); err != nil {
		return err
	}
	// Success: let mechanisms that check the server (SCRAM) do so.
	var extra []byte
	if err := sasl.Finish(mech, extra); err != nil {
		return err
	}
	c.authenticated(&cmd.status)
	return nil
}

// Unauthenticate sends UNAUTHENTICATE (RFC 8437): back to the not
// authenticated state on the same connection.
func (c *Client) Unauthenticate() *Command {
	cmd := c.simple("UNAUTHENTICATE", nil)
	cmd.onOK = func() {
		c.mu.Lock()
		c.state = imap.ConnStateNotAuthenticated
		c.mailbox = nil
		c.caps = nil
		c.mu.Unlock()
	}
	return cmd
}

// AuthenticateWith picks the strongest mechanism the server offers for
// creds (sasl.Choose: SCRAM with channel binding over TLS first, PLAIN and
// LOGIN only over TLS unless allowInsecure) and runs AUTHENTICATE.
func (c *Client) AuthenticateWith(creds sasl.Credentials, allowInsecure bool) error {
	if c.Caps() == nil {
		if _, err := c.Capability().Wait(); err != nil {
			return err
		}
	}
	var cs *tls.ConnectionState
	if st, ok := c.TLSConnectionState(); ok {
		cs = &st
	}
	mech, err := sasl.Choose(c.Caps().AuthMechanisms(), creds, cs, allowInsecure)
	if err != nil {
		return err
	}
	return c.Authenticate(mech)
}
