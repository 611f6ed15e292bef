package smtp

import (
	"context"
	"fmt"
)

// readLMTPReplies reads the replies after the data in LMTP: one per
// recipient accepted, in the order of the RCPT commands (RFC 2033 §4.2).
// It returns a [*RecipientsError] when some failed.
func (c *Client) readLMTPReplies(ctx context.Context) error {
	var failed []RcptError
	var accepted []string
	for _, r := range c.rcpts {
		code, enh, lines, err := c.readReply()
		if err != nil {
			if ctx.Err() != nil {
				err = fmt.Errorf("%w (%v)", ctx.Err(), err)
			}
			c.fail(err)
			return err
		}
		c.debugReply("end of data", code)
		if code == 250 {
			accepted = append(accepted, r)
		} else {
			failed = append(failed, RcptError{Rcpt: r, Err: replyError(code, enh, lines)})
		}
	}
	c.state = clientReady
	if len(failed) > 0 {
		return &RecipientsError{Accepted: accepted, Failed: failed}
	}
	return nil
}
