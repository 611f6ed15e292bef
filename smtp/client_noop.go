package smtp

import "context"

// Noop sends NOOP (RFC 5321 §4.1.1.9), to check that the connection is
// alive.
func (c *Client) Noop(ctx context.Context) error {
	if c.state == clientData {
		return c.stateErr("NOOP")
	}
	c.startCmd("NOOP")
	_, err := c.cmd(ctx, c.replyTimeout(), 250)
	return err
}
