package smtp

// handleQUIT says goodbye and ends the connection (RFC 5321 §4.1.1.10).
func (c *conn) handleQUIT(arg []byte) {
	c.writeString("221 2.0.0 Bye\r\n")
	c.quit = true
}
