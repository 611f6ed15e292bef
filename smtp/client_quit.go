package smtp

import (
	"context"
	"errors"
	"io"
)

// Quit sends QUIT (RFC 5321 §4.1.1.10), waits for the 221 reply and closes
// the connection. It may be called in any state, even inside a
// transaction, which the server then abandons.
func (c *Client) Quit(ctx context.Context) error {
	if c.state == clientBroken || c.state == clientClosed {
		c.Close()
		return c.brokenErr()
	}
	if c.state == clientData {
		// QUIT would be taken as message data; hang up instead.
		c.Close()
		return c.stateErr("QUIT")
	}
	c.startCmd("QUIT")
	_, err := c.cmd(ctx, c.replyTimeout(), 221)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		// A server closing without its 221 has still ended the session.
		err = nil
	}
	// The session is over once the 221 is in; an error closing the
	// connection is not a failure.
	c.state = clientClosed
	c.Close()
	return err
}
