package smtp

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Hello sends EHLO (LHLO in LMTP mode) with the options' LocalName and
// records the extensions the server lists. If the server rejects EHLO with
// a 5xx reply, it falls back to HELO (RFC 5321 §4.1.4) and the session has
// no extensions. Other methods call Hello themselves when it was not
// called; call it again only after StartTLS or XCLIENT, which do so too.
func (c *Client) Hello(ctx context.Context) error {
	if c.state != clientGreeted && c.state != clientReady {
		if c.state == clientBroken || c.state == clientClosed {
			return c.brokenErr()
		}
		return fmt.Errorf("%w: EHLO inside a mail transaction", ErrClientState)
	}
	name := c.opts.LocalName
	if name == "" {
		name = DefaultLocalName
	}
	// RFC 5321 §4.1.1.1: Domain or address-literal.
	if strings.HasPrefix(name, "[") && !validAddressLiteral(name) || !strings.HasPrefix(name, "[") && !validDomain(name, true) {
		return fmt.Errorf("%w: local name %q", ErrForbiddenInput, quote80([]byte(name)))
	}
	verb := "EHLO "
	if c.opts.LMTP {
		verb = "LHLO "
	}
	c.resetExtensions()
	c.startCmd(verb)
	c.buf = append(c.buf, name...)
	lines, err := c.cmd(ctx, c.replyTimeout(), 250)
	if err != nil {
		if e, ok := err.(*Error); ok && e.Code >= 500 && !c.opts.LMTP {
			// RFC 5321 §4.1.4: a server that does not know EHLO answers
			// 500 or 502; then HELO, and no extensions.
			c.startCmd("HELO ")
			c.buf = append(c.buf, name...)
			if _, err := c.cmd(ctx, c.replyTimeout(), 250); err != nil {
				return err
			}
			c.state = clientReady
			return nil
		}
		return err
	}
	c.esmtp = true
	for _, l := range lines[1:] {
		c.addExtension(l)
	}
	c.state = clientReady
	return nil
}

func (c *Client) resetExtensions() {
	c.esmtp = false
	c.ext = nil
	c.authMechs = nil
	c.maxSize, c.rcptMax, c.mailMax = 0, 0, 0
}

// addExtension records one line of an EHLO reply: ehlo-keyword *( SP
// ehlo-param ) (RFC 5321 §4.1.1.1).
func (c *Client) addExtension(line string) {
	line = strings.TrimSpace(line)
	kw, params, _ := strings.Cut(line, " ")
	// Some old servers announce "AUTH=LOGIN PLAIN" for clients of an early
	// draft; treat it as AUTH.
	if k, p, ok := strings.Cut(kw, "="); ok && strings.EqualFold(k, "AUTH") {
		kw, params = k, strings.TrimSpace(p+" "+params)
	}
	if !validParamKeyword(kw) {
		return
	}
	kw = upperASCII(kw)
	params = strings.TrimSpace(params)
	if c.ext == nil {
		c.ext = make(map[string]string)
	}
	if old, ok := c.ext[kw]; ok && kw == "AUTH" {
		params = strings.TrimSpace(old + " " + params)
	}
	c.ext[kw] = params
	switch kw {
	case "AUTH":
		c.authMechs = c.authMechs[:0]
		for _, m := range strings.Fields(params) {
			m = upperASCII(m)
			if !containsString(c.authMechs, m) {
				c.authMechs = append(c.authMechs, m)
			}
		}
	case "SIZE":
		// RFC 1870 §4: SIZE with no value or 0 means no fixed limit.
		if n, err := strconv.ParseInt(params, 10, 64); err == nil && n > 0 {
			c.maxSize = n
		} else {
			c.maxSize = 0
		}
	case "LIMITS":
		// RFC 9422 §3: limit-name "=" limit-value, separated by spaces.
		for _, f := range strings.Fields(params) {
			k, v, _ := strings.Cut(f, "=")
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				continue
			}
			switch upperASCII(k) {
			case "RCPTMAX":
				c.rcptMax = n
			case "MAILMAX":
				c.mailMax = n
			}
		}
	}
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// hello sends EHLO if it was not sent yet.
func (c *Client) hello(ctx context.Context) error {
	if c.state == clientGreeted {
		return c.Hello(ctx)
	}
	return nil
}

// Extension reports whether the server announced the extension (a keyword
// such as "PIPELINING", any case) in its EHLO reply, and its parameters.
// It sends EHLO first if that was not done, and reports false if that
// fails.
func (c *Client) Extension(name string) (params string, ok bool) {
	if c.hello(context.Background()) != nil {
		return "", false
	}
	params, ok = c.ext[upperASCII(name)]
	return params, ok
}

func (c *Client) has(kw string) bool {
	_, ok := c.ext[kw]
	return ok
}

// Extensions returns the EHLO keywords and their parameters, nil before
// Hello or after a HELO fallback. The map must not be modified.
func (c *Client) Extensions() map[string]string { return c.ext }

// AuthMechanisms returns the SASL mechanisms the server announced with
// AUTH (RFC 4954 §3), upper case.
func (c *Client) AuthMechanisms() []string { return c.authMechs }

// MaxMessageSize returns the SIZE limit the server announced (RFC 1870),
// and false when it announced none or 0 (no fixed limit).
func (c *Client) MaxMessageSize() (int64, bool) { return c.maxSize, c.maxSize > 0 }

// Limits returns the RCPTMAX and MAILMAX values of the server's LIMITS
// extension (RFC 9422), 0 when not announced.
func (c *Client) Limits() (rcptMax, mailMax int) { return c.rcptMax, c.mailMax }
