package smtp

import (
	"strconv"
	"strings"
)

// handleEHLO answers EHLO (RFC 5321 §4.1.1.1) and, in LMTP mode, LHLO
// (RFC 2033 §4.1) with the extensions usable on this connection.
func (c *conn) handleEHLO(arg []byte) {
	if !c.hello(arg) {
		return
	}
	c.ehlo = true
	var b strings.Builder
	b.WriteString("250-")
	b.WriteString(c.srv.domain())
	b.WriteString(" Hello ")
	b.WriteString(c.helo)
	b.WriteString("\r\n")
	for _, ext := range c.extensions() {
		b.WriteString("250-")
		b.WriteString(ext)
		b.WriteString("\r\n")
	}
	b.WriteString("250 HELP\r\n")
	c.writeString(b.String())
}

// handleHELO answers HELO: no extensions.
func (c *conn) handleHELO(arg []byte) {
	if !c.hello(arg) {
		return
	}
	c.ehlo = false
	c.writeLine("250 " + c.srv.domain())
}

// hello checks the argument of EHLO, HELO or LHLO and resets the state
// (RFC 5321 §4.1.4: EHLO in a transaction acts as RSET).
func (c *conn) hello(arg []byte) bool {
	name, _, _ := strings.Cut(string(trimSpace(arg)), " ")
	if !plausibleHelloName(name) {
		c.syntaxError(EnhancedCode{5, 5, 4}, "Error: a domain or address literal is required")
		return false
	}
	c.resetTransaction()
	c.helo = name
	c.state = stateReady
	return true
}

// extensions lists the EHLO keywords offered on this connection: each only
// when it can be used.
func (c *conn) extensions() []string {
	s := c.srv
	exts := []string{"PIPELINING", "8BITMIME", "ENHANCEDSTATUSCODES"}
	if !s.DisableChunking {
		exts = append(exts, "CHUNKING")
		if s.EnableBINARYMIME {
			exts = append(exts, "BINARYMIME")
		}
	}
	exts = append(exts, "SIZE "+strconv.FormatInt(c.limits.MaxMessageBytes, 10))
	if c.canStartTLS() {
		exts = append(exts, "STARTTLS")
	}
	if c.hasAuth() && !c.authed {
		if mechs := c.sess.(AuthSession).AuthMechanisms(); len(mechs) > 0 {
			exts = append(exts, "AUTH "+strings.Join(mechs, " "))
		}
	}
	if s.EnableSMTPUTF8 {
		exts = append(exts, "SMTPUTF8")
	}
	if s.EnableDSN {
		exts = append(exts, "DSN")
	}
	if s.EnableREQUIRETLS && c.tls {
		// RFC 8689 §4.1: offered only over TLS.
		exts = append(exts, "REQUIRETLS")
	}
	if s.EnableDELIVERBY {
		if s.DeliverByMin > 0 {
			exts = append(exts, "DELIVERBY "+strconv.FormatInt(int64(s.DeliverByMin.Seconds()), 10))
		} else {
			exts = append(exts, "DELIVERBY")
		}
	}
	if s.EnableMTPRIORITY {
		exts = append(exts, "MT-PRIORITY")
	}
	if s.EnableRRVS {
		exts = append(exts, "RRVS")
	}
	if s.AdvertiseLimits {
		exts = append(exts, "LIMITS RCPTMAX="+strconv.Itoa(c.limits.MaxRecipients))
	}
	if c.hasXCLIENT() {
		exts = append(exts, "XCLIENT "+strings.Join(xclientAttrs, " "))
	}
	return exts
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// plausibleHelloName accepts the argument of EHLO/HELO/LHLO. RFC 5321
// §4.1.1.1 asks for a domain or an address literal, but many clients send
// host names with underscores and the like, and §4.1.4 lets a server
// proceed anyway; only an empty name, control bytes or an absurd length are
// refused.
func plausibleHelloName(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '!' || s[i] == 0x7f {
			return false
		}
	}
	return true
}
