package smtp

import "context"

// Reset sends RSET (RFC 5321 §4.1.1.5), ending the open transaction if
// there is one. When no transaction is open and the server offers
// PIPELINING, the RSET is queued and goes out with the next command, as
// RFC 2920 §3.1 allows it anywhere in a group; a failure of it is then
// reported by that command.
func (c *Client) Reset(ctx context.Context) error {
	if err := c.hello(ctx); err != nil {
		return err
	}
	if c.state == clientData {
		return c.stateErr("RSET")
	}
	if c.state == clientReady && c.has("PIPELINING") {
		c.resetQueued = true
		return nil
	}
	c.startCmd("RSET")
	if _, err := c.cmd(ctx, c.replyTimeout(), 250); err != nil {
		return err
	}
	c.state = clientReady
	c.rcpts = c.rcpts[:0]
	return nil
}
