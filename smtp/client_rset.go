package smtp

import "context"

// Reset sends RSET (RFC 5321 §4.1.1.5), ending the open transaction if
// there is one.
func (c *Client) Reset(ctx context.Context) error {
	if err := c.hello(ctx); err != nil {
		return err
	}
	if c.state == clientData {
		return c.stateErr("RSET")
	}
	c.startCmd("RSET")
	if _, err := c.cmd(ctx, c.replyTimeout(), 250); err != nil {
		return err
	}
	c.state = clientReady
	c.rcpts = c.rcpts[:0]
	return nil
}
