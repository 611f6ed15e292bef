package pop3

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"slices"
	"strings"

	"github.com/mailwire/mailwire/internal/textwire"
	"github.com/mailwire/mailwire/sasl"
)

// saslMechanisms lists the SASL mechanisms this session can use now,
// strongest first.
func (c *conn) saslMechanisms() []string {
	var mechs []string
	if _, ok := c.s.Backend.(ScramBackend); ok {
		mechs = append(mechs, sasl.ScramMechanisms(c.channelBinding())...)
	}
	if _, ok := c.s.Backend.(APOPBackend); ok && !c.s.DisableAPOP {
		mechs = append(mechs, sasl.CRAMMD5)
	}
	if c.insecureOK() {
		mechs = append(mechs, sasl.Plain, sasl.Login)
	}
	if sb, ok := c.s.Backend.(SASLBackend); ok {
		for _, m := range sb.SASLMechanisms(c.tlsState()) {
			if m = strings.ToUpper(m); !slices.Contains(mechs, m) && checkArgServer(m) {
				mechs = append(mechs, m)
			}
		}
	}
	return mechs
}

// checkArgServer reports whether a mechanism name can go in CAPA.
func checkArgServer(m string) bool {
	return m != "" && !strings.ContainsAny(m, " \r\n")
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

// channelBinding is the tls-exporter binding of the TLS connection, nil
// without TLS or when it cannot be exported.
func (c *conn) channelBinding() *sasl.ChannelBinding {
	cs := c.tlsState()
	if cs == nil {
		return nil
	}
	cb, err := sasl.ChannelBindingFromTLS(cs, sasl.TLSExporter)
	if err != nil {
		return nil
	}
	return cb
}

func (c *conn) newSASLServer(mech string) (sasl.Server, error) {
	ctx := c.ctx
	b := c.s.Backend
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(authzid, user, pass string) error {
			if authzid != "" && authzid != user {
				return errors.New("acting as another user is not supported")
			}
			return b.CheckPassword(ctx, user, pass)
		}), nil
	case sasl.Login:
		return sasl.NewLoginServer(func(user, pass string) error {
			return b.CheckPassword(ctx, user, pass)
		}), nil
	case sasl.CRAMMD5:
		ab := b.(APOPBackend)
		return sasl.NewCRAMMD5Server(c.s.hostname(), func(user string) (string, error) {
			return ab.Secret(ctx, user)
		}), nil
	}
	if sb, ok := b.(ScramBackend); ok && strings.HasPrefix(mech, "SCRAM-") {
		hash := "SHA-1"
		if strings.HasPrefix(mech, "SCRAM-SHA-256") {
			hash = "SHA-256"
		}
		return sasl.NewScramServer(mech, func(user string) (sasl.ScramCredentials, error) {
			return sb.ScramCredentials(context.WithoutCancel(ctx), user, hash)
		}, c.channelBinding(), nil), nil
	}
	if sb, ok := b.(SASLBackend); ok {
		return sb.NewSASLServer(ctx, mech, c.tlsState())
	}
	return nil, errors.New("pop3: no server for " + mech)
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
	mechSrv, err := c.newSASLServer(mech)
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
	id, ok := mechSrv.(sasl.Identity)
	if !ok {
		return c.authFailed(ErrAuth)
	}
	authzid, authcid := id.Identity()
	if authzid == "" {
		authzid = authcid
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
