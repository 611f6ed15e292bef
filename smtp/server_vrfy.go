package smtp

// handleVRFY answers VRFY with 252 (RFC 5321 §3.5.3): the server does not
// reveal whether a mailbox exists, which would help harvesters.
func (c *conn) handleVRFY(arg []byte) {
	if len(trimSpace(arg)) == 0 {
		c.syntaxError(EnhancedCode{5, 5, 4}, "Error: VRFY needs an argument")
		return
	}
	c.writeString("252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery\r\n")
}

// handleEXPN refuses to expand lists (RFC 5321 §3.5.3 allows 502).
func (c *conn) handleEXPN(arg []byte) {
	c.writeString("502 5.5.1 Error: EXPN not available\r\n")
}
