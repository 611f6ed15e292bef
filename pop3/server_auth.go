package pop3

import (
	"crypto/tls"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/mailwire/mailwire/internal/saslserve"
	"github.com/mailwire/mailwire/internal/textwire"
	"github.com/mailwire/mailwire/sasl"
)

// saslConfig says which mechanisms the backend makes possible.
func (c *conn) saslConfig() *saslserve.Config {
	b := c.s.Backend
	cfg := (&saslserve.Config{CheckPassword: b.CheckPassword, PlaintextOK: c.insecureOK(), Hostname: c.s.hostname()}).FromBackend(b)
	if c.s.DisableAPOP {
		cfg.Secret = nil
	}
	return cfg
}

// saslMechanisms lists the SASL mechanisms this session can use now,
// strongest first.
func (c *conn) saslMechanisms() []string {
	return saslserve.Mechanisms(c.saslConfig(), c.tlsState())
}

// tlsState is the TLS state of the connection, nil without TLS.
func (c *conn) tlsState() *tls.ConnectionState {
	tc, ok := c.nc.(*tls.Conn)
	if !ok {
		return nil
	}
	cs := tc.ConnectionState()
	return &cs
}

func (c *conn) handleAUTH(arg string) error {
	mech, ir, hasIR := strings.Cut(arg, " ")
	mech = strings.ToUpper(mech)
	if mech == "" {
		// RFC 1734's clients (and Dovecot's) list the mechanisms with a
		// bare AUTH; RFC 5034 leaves it undefined, so answer as they do.
		c.ok("Methods supported")
		for _, m := range c.saslMechanisms() {
			c.writeLine(m)
		}
		c.writeLine(".")
		return nil
	}
	offered := false
	for _, m := range c.saslMechanisms() {
		if m == mech {
			offered = true
		}
	}
	if !offered {
		c.errResp("", "unsupported mechanism")
		return nil
	}
	mechSrv, err := saslserve.NewServer(c.ctx, c.saslConfig(), mech, c.tlsState())
	if err != nil {
		c.backendErr(err, "mechanism unavailable")
		return nil
	}
	srv := sasl.LimitServer(mechSrv, 0)
	var resp []byte
	if hasIR {
		// RFC 5034 §4: "=" is an empty initial response.
		b, err := sasl.DecodeWire([]byte(ir))
		if err != nil {
			c.bad("invalid initial response")
			return nil
		}
		resp = b
	}
	for {
		chal, done, err := srv.Next(resp)
		if err != nil {
			if errors.Is(err, sasl.ErrCanceled) {
				c.errResp("", "authentication canceled")
				return nil
			}
			return c.authFailed(err)
		}
		if done && len(chal) == 0 {
			break
		}
		// RFC 5034 §4: no additional data with +OK, so final data (SCRAM's
		// server-final-message) goes as one more challenge, answered by an
		// empty line.
		c.writeLine("+ " + base64.StdEncoding.EncodeToString(chal))
		if err := c.flush(); err != nil {
			return err
		}
		line, err := c.readAuthLine()
		if err != nil {
			if errors.Is(err, ErrLineTooLong) {
				c.bad("response too long")
				return nil
			}
			return err
		}
		if string(line) == "*" {
			// RFC 5034 §4: the client cancelled; reject the AUTH command.
			c.errResp("", "authentication canceled")
			return nil
		}
		if done {
			if len(line) != 0 {
				return c.authFailed(sasl.ErrUnexpected)
			}
			break
		}
		if resp, err = sasl.DecodeWire(line); err != nil {
			// RFC 5034 §4: a response that is not base64 is rejected.
			c.errResp("", "invalid base64 response")
			return nil
		}
	}
	authzid, ok := saslserve.Username(mechSrv)
	if !ok {
		return c.authFailed(ErrAuth)
	}
	return c.login(authzid)
}

// readAuthLine reads one line of an AUTH exchange, which may be longer
// than a command.
func (c *conn) readAuthLine() ([]byte, error) {
	c.r.MaxLine = c.s.maxAuthLine()
	defer func() { c.r.MaxLine = c.s.maxLine() }()
	line, err := c.r.ReadLine()
	if errors.Is(err, textwire.ErrLineTooLong) {
		if c.r.DiscardLine() != nil {
			return nil, err
		}
		return nil, ErrLineTooLong
	}
	return line, err
}
