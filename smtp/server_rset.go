package smtp

// handleRSET aborts the transaction (RFC 5321 §4.1.1.5).
func (c *conn) handleRSET(arg []byte) {
	if len(trimSpace(arg)) != 0 {
		c.syntaxError(EnhancedCode{5, 5, 4}, "Error: RSET takes no argument")
		return
	}
	c.resetTransaction()
	c.writeString(replyOK)
}
