package smtp

// handleNOOP answers NOOP; its argument is ignored (RFC 5321 §4.1.1.9).
func (c *conn) handleNOOP(arg []byte) { c.writeString(replyOK) }

// handleHELP answers HELP (RFC 5321 §4.1.1.8).
func (c *conn) handleHELP(arg []byte) {
	c.writeString("214 2.0.0 See RFC 5321 and the EHLO reply\r\n")
}
