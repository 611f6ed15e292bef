package pop3

import (
	"context"
	"fmt"
	"strconv"
)

// Dele marks messages deleted (DELE, RFC 1939 §5); the server removes
// them when [Client.Quit] succeeds. Several numbers are sent in one batch
// when the server offers PIPELINING (RFC 2449 §6.6), else one at a time.
// The first -ERR is returned, after every answer has been read.
func (c *Client) Dele(ctx context.Context, nums ...int) (err error) {
	for _, n := range nums {
		if n < 1 {
			return fmt.Errorf("%w: message number %d", ErrInvalidArgument, n)
		}
	}
	if len(nums) <= 1 || !c.has(ctx, "PIPELINING") {
		for _, n := range nums {
			if _, err := c.cmd(ctx, "DELE", strconv.Itoa(n)); err != nil {
				return err
			}
		}
		return nil
	}
	o, err := c.begin(ctx)
	if err != nil {
		return err
	}
	defer c.end(o, &err)
	for _, n := range nums {
		c.writeCmd("DELE", strconv.Itoa(n))
	}
	if err := c.bw.Flush(); err != nil {
		return err
	}
	var first error
	for range nums {
		_, err := c.readResponse()
		if err != nil {
			if _, ok := err.(*Error); !ok {
				return err
			}
			if first == nil {
				first = err
			}
		}
	}
	return first
}

// Rset unmarks every message marked deleted (RSET).
func (c *Client) Rset(ctx context.Context) error {
	_, err := c.cmd(ctx, "RSET")
	return err
}

// Noop does nothing, keeping the session alive (NOOP).
func (c *Client) Noop(ctx context.Context) error {
	_, err := c.cmd(ctx, "NOOP")
	return err
}

// Quit ends the session (QUIT) and closes the connection. After a login,
// the server removes the messages marked deleted; an error says it could
// not (RFC 1939 §6), and then it may have removed some of them.
func (c *Client) Quit(ctx context.Context) error {
	_, err := c.cmd(ctx, "QUIT")
	c.Close()
	return err
}
