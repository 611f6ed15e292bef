package smtp

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"

	"github.com/mailwire/mailwire/sasl"
)

// maxAuthRounds bounds the challenges of one AUTH exchange; the
// mechanisms of package sasl need at most three.
const maxAuthRounds = 16

// maxAuthLine is the longest AUTH command that may carry an initial
// response: RFC 4954 §4 keeps AUTH within the 512-octet command line of
// RFC 5321 §4.5.3.1.4, CRLF included.
const maxAuthLine = 512 - 2

// insecureMechs send a reusable secret.
var insecureMechs = []string{sasl.Plain, sasl.Login, sasl.XOAuth2, sasl.OAuthBearer}

// Auth authenticates with AUTH (RFC 4954) using the mechanism of sc,
// sending its initial response on the command line when it fits (RFC 4954
// §4, "=" for an empty one). A mechanism that sends a reusable secret
// (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER) is refused with [ErrInsecureAuth]
// on a connection that is not TLS unless ClientOptions.AllowInsecureAuth
// is set, whatever the server offers. A refusal is an [*Error]; for a 535
// reply it also matches [sasl.ErrAuthFailed]. After a successful Auth,
// another fails with [ErrClientState] (RFC 4954 §4), as does StartTLS.
func (c *Client) Auth(ctx context.Context, sc sasl.Client) error {
	if err := c.hello(ctx); err != nil {
		return err
	}
	if c.state != clientReady {
		return c.stateErr("AUTH")
	}
	if c.authed {
		// RFC 4954 §4: no AUTH after a successful one.
		return fmt.Errorf("%w: already authenticated", ErrClientState)
	}
	if !c.has("AUTH") {
		return fmt.Errorf("%w: AUTH", ErrExtensionUnsupported)
	}
	mech, ir, err := sc.Start()
	if err != nil {
		return err
	}
	mech = upperASCII(mech)
	if !validParamKeyword(mech) {
		return fmt.Errorf("%w: mechanism %q", ErrForbiddenInput, quote80([]byte(mech)))
	}
	if !c.isTLS && !c.opts.AllowInsecureAuth && containsString(insecureMechs, mech) {
		return fmt.Errorf("%w (%s)", ErrInsecureAuth, mech)
	}
	c.startCmd("AUTH ")
	c.buf = append(c.buf, mech...)
	if ir != nil {
		enc := sasl.EncodeWire(ir)
		if len(c.buf)+1+len(enc) <= maxAuthLine {
			c.buf = append(c.buf, ' ')
			c.buf = append(c.buf, enc...)
			ir = nil
		}
	}
	c.debug("AUTH", "mechanism", mech)
	// The reply is read by exchange, not cmd: 334 continues.
	if err := c.begin(ctx, c.replyTimeout()); err != nil {
		return err
	}
	if err := c.writeCmd(); err != nil {
		return c.end(ctx, err)
	}
	return c.end(ctx, c.authExchange(sc, ir))
}

// authExchange runs the challenges and responses after the AUTH command
// has been written (unflushed). ir is an initial response not yet sent.
func (c *Client) authExchange(sc sasl.Client, ir []byte) error {
	for round := 0; ; round++ {
		if err := c.w.Flush(); err != nil {
			c.fail(err)
			return err
		}
		code, enh, lines, err := c.readReply()
		if err != nil {
			c.fail(err)
			return err
		}
		switch code {
		case 235:
			// RFC 4954 §6: success. SCRAM checks the server here.
			if err := sasl.Finish(sc, nil); err != nil {
				err = fmt.Errorf("smtp: AUTH: %w", err)
				c.fail(err)
				return err
			}
			c.debug("authenticated")
			c.authed = true
			return nil
		case 334:
		default:
			e := replyError(code, enh, lines)
			if code == 535 {
				return fmt.Errorf("%w: %w", sasl.ErrAuthFailed, e)
			}
			return e
		}
		if round == maxAuthRounds {
			return c.cancelAuth(fmt.Errorf("%w: more than %d", ErrTooManyChallenges, maxAuthRounds))
		}
		var resp []byte
		if ir != nil {
			// RFC 4954 §4: the initial response that did not fit goes in
			// answer to the first, empty, challenge.
			resp, ir = ir, nil
		} else {
			text := strings.TrimSpace(strings.Join(lines, ""))
			challenge, err := base64.StdEncoding.DecodeString(text)
			if err != nil {
				return c.cancelAuth(fmt.Errorf("%w: AUTH challenge is not base64", ErrMalformedReply))
			}
			resp, err = sc.Next(challenge)
			if err != nil {
				return c.cancelAuth(err)
			}
		}
		c.buf = base64.StdEncoding.AppendEncode(c.buf[:0], resp)
		c.buf = append(c.buf, '\r', '\n')
		if _, err := c.w.Write(c.buf); err != nil {
			c.fail(err)
			return err
		}
	}
}

// cancelAuth sends "*" (RFC 4954 §4), reads the server's 501 and returns
// cause.
func (c *Client) cancelAuth(cause error) error {
	if _, err := c.w.WriteString("*\r\n"); err != nil {
		c.fail(err)
		return err
	}
	if err := c.w.Flush(); err != nil {
		c.fail(err)
		return err
	}
	if _, _, _, err := c.readReply(); err != nil {
		c.fail(err)
		return err
	}
	return cause
}

// Login authenticates with the strongest mechanism that the server offers
// and creds allow, chosen by [sasl.Choose] (SCRAM with channel binding over
// TLS first). Without TLS, mechanisms that send a reusable secret are left
// out unless ClientOptions.AllowInsecureAuth is set.
func (c *Client) Login(ctx context.Context, creds sasl.Credentials) error {
	if err := c.hello(ctx); err != nil {
		return err
	}
	if !c.has("AUTH") {
		return fmt.Errorf("%w: AUTH", ErrExtensionUnsupported)
	}
	var cs *tls.ConnectionState
	if st, ok := c.TLSConnectionState(); ok {
		cs = &st
	}
	sc, err := sasl.Choose(c.authMechs, creds, cs, c.opts.AllowInsecureAuth)
	if err != nil {
		if errors.Is(err, sasl.ErrNoMechanism) && !c.isTLS && !c.opts.AllowInsecureAuth {
			return fmt.Errorf("%w: %w", err, ErrInsecureAuth)
		}
		return err
	}
	return c.Auth(ctx, sc)
}
