package smtp

import (
	"strconv"
)

// handleEHLO answers EHLO (RFC 5321 §4.1.1.1) and, in LMTP mode, LHLO
// (RFC 2033 §4.1) with the extensions usable on this connection.
func (c *conn) handleEHLO(arg []byte) {
	if !c.hello(arg) {
		return
	}
	c.ehlo = true
	// Written straight into the reply buffer: clients that say EHLO again
	// after every RSET pay for no allocation.
	c.writeString("250-")
	c.writeString(c.srv.domain())
	c.writeString(" Hello ")
	c.writeString(c.helo)
	c.writeString("\r\n")
	c.extensions()
	c.writeString("250 HELP\r\n")
}

// ehloLine writes one "250-" line of the EHLO reply: a keyword and its
// parameters.
func (c *conn) ehloLine(words ...string) {
	c.writeString("250-")
	for i, w := range words {
		if i > 0 {
			c.writeString(" ")
		}
		c.writeString(w)
	}
	c.writeString("\r\n")
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
	name := trimSpace(arg)
	if i := indexByte(name, ' '); i >= 0 {
		name = name[:i]
	}
	if !plausibleHelloName(name) {
		c.syntaxError(EnhancedCode{5, 5, 4}, "Error: a domain or address literal is required")
		return false
	}
	c.resetTransaction()
	if c.helo != string(name) {
		c.helo = string(name)
	}
	c.state = stateReady
	return true
}

// extensions writes the EHLO keywords offered on this connection, with
// their parameters: each only when it can be used.
func (c *conn) extensions() {
	s := c.srv
	c.ehloLine("PIPELINING")
	c.ehloLine("8BITMIME")
	c.ehloLine("ENHANCEDSTATUSCODES")
	if !s.DisableChunking {
		c.ehloLine("CHUNKING")
		if s.EnableBINARYMIME {
			c.ehloLine("BINARYMIME")
		}
	}
	c.writeString("250-SIZE ")
	c.scratch = strconv.AppendInt(c.scratch[:0], c.limits.MaxMessageBytes, 10)
	c.bw.Write(c.scratch)
	c.writeString("\r\n")
	if c.offerStartTLS() {
		c.ehloLine("STARTTLS")
	}
	if c.hasAuth() && !c.authed {
		if mechs := c.sess.(AuthSession).AuthMechanisms(); len(mechs) > 0 {
			c.ehloLine(append([]string{"AUTH"}, mechs...)...)
		}
	}
	if s.EnableSMTPUTF8 {
		c.ehloLine("SMTPUTF8")
	}
	if s.EnableDSN {
		c.ehloLine("DSN")
	}
	if s.EnableREQUIRETLS && c.tls {
		// RFC 8689 §4.1: offered only over TLS.
		c.ehloLine("REQUIRETLS")
	}
	if s.EnableDELIVERBY {
		if s.DeliverByMin > 0 {
			c.ehloLine("DELIVERBY", strconv.FormatInt(int64(s.DeliverByMin.Seconds()), 10))
		} else {
			c.ehloLine("DELIVERBY")
		}
	}
	if s.EnableMTPRIORITY {
		c.ehloLine("MT-PRIORITY")
	}
	if s.EnableRRVS {
		c.ehloLine("RRVS")
	}
	if s.AdvertiseLimits {
		c.ehloLine("LIMITS", "RCPTMAX="+strconv.Itoa(c.limits.MaxRecipients))
	}
	if c.hasXCLIENT() {
		c.ehloLine(append([]string{"XCLIENT"}, xclientAttrs...)...)
	}
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
func plausibleHelloName(s []byte) bool {
	if len(s) == 0 || len(s) > 255 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '!' || s[i] == 0x7f {
			return false
		}
	}
	return true
}
