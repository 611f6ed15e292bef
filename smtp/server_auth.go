package smtp

import (
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"github.com/mailwire/mailwire/internal/textwire"
	"github.com/mailwire/mailwire/sasl"
)

// handleAUTH runs a SASL exchange: AUTH mechanism [initial-response] (RFC
// 4954 §4).
func (c *conn) handleAUTH(arg []byte) {
	if c.authed {
		// RFC 4954 §4: only one successful AUTH per session.
		c.badCommand("503 5.5.1 Error: already authenticated\r\n")
		return
	}
	mech, ir, hasIR := strings.Cut(string(trimSpace(arg)), " ")
	mech = upperASCII(mech)
	as := c.sess.(AuthSession)
	known := false
	for _, m := range as.AuthMechanisms() {
		if strings.EqualFold(m, mech) {
			known = true
			break
		}
	}
	if mech == "" || !known {
		c.badCommand("504 5.5.4 Error: unrecognized authentication type\r\n")
		return
	}
	srv, err := as.Auth(mech)
	if err != nil {
		c.writeError(err, &Error{Code: 454, EnhancedCode: EnhancedCode{4, 7, 0}, Message: "Error: temporary authentication failure"})
		return
	}
	srv = sasl.LimitServer(srv, 0)
	var resp []byte
	if hasIR {
		// RFC 4954 §4: "=" is an empty initial response.
		resp, err = sasl.DecodeWire([]byte(ir))
		if err != nil {
			c.authDecodeError(err)
			return
		}
	}
	for {
		chal, done, err := srv.Next(resp)
		if err != nil {
			c.authFailed(err)
			return
		}
		if done && len(chal) == 0 {
			break
		}
		// A last challenge with done (additional data with success) is
		// sent as a 334 and answered by an empty line (RFC 4954 §4).
		c.writeString("334 " + base64.StdEncoding.EncodeToString(chal) + "\r\n")
		if c.flush() != nil {
			return
		}
		c.setReadDeadline(c.limits.CommandTimeout)
		c.r.MaxLine = c.limits.MaxAuthLineLength
		line, err := c.r.ReadLine()
		if err != nil {
			if errors.Is(err, textwire.ErrLineTooLong) {
				if c.r.DiscardLine() == nil {
					c.badCommand("500 5.5.6 Error: authentication exchange line too long\r\n")
					return
				}
			}
			if errors.Is(err, textwire.ErrBareLF) || errors.Is(err, textwire.ErrBareCR) {
				c.badCommand(replyBareInCmd)
				return
			}
			c.readFailed = err
			return
		}
		resp, err = sasl.DecodeWire(line)
		if err != nil {
			c.authDecodeError(err)
			return
		}
		if done {
			if len(resp) != 0 {
				c.authFailed(sasl.ErrMalformed)
				return
			}
			break
		}
	}
	c.authed = true
	if id, ok := srv.(sasl.Identity); ok {
		c.authzid, c.authcid = id.Identity()
	}
	c.logger().Info("smtp: authenticated", "mechanism", mech, "user", c.authcid)
	c.writeString("235 2.7.0 Authentication successful\r\n")
}

func (c *conn) authDecodeError(err error) {
	if errors.Is(err, sasl.ErrCanceled) {
		// RFC 4954 §4: the client cancelled with "*".
		c.writeString("501 5.0.0 Authentication cancelled\r\n")
		return
	}
	c.badCommand("501 5.5.2 Error: cannot decode response\r\n")
}

// authFailed answers a failed exchange after a delay that grows with each
// failure, and closes the connection once the limit is reached.
func (c *conn) authFailed(err error) {
	c.authFails++
	c.logger().Info("smtp: authentication failed", "failures", c.authFails)
	c.flush()
	c.srv.sleepFor(c.limits.AuthFailureDelay * time.Duration(c.authFails))
	if c.authFails >= c.limits.MaxAuthFailures {
		c.writeString("421 4.7.0 Error: too many authentication failures, closing connection\r\n")
		c.quit = true
		return
	}
	var e *Error
	if errors.As(err, &e) {
		c.writeError(e, nil)
		return
	}
	if errors.Is(err, sasl.ErrMalformed) {
		c.writeString("501 5.5.2 Error: malformed authentication response\r\n")
		return
	}
	c.writeError(ErrAuthFailed, nil)
}
