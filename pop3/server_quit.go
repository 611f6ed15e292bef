package pop3

import "strconv"

func (c *conn) handleQUIT(arg string) error {
	if c.state == stateAuthorization {
		// RFC 1939 §4: QUIT in AUTHORIZATION ends the session without
		// UPDATE.
		c.ok(c.s.hostname() + " POP3 server signing off")
		return errClose
	}
	// RFC 1939 §6: QUIT from TRANSACTION enters UPDATE, the only place
	// where messages are removed.
	c.state = stateUpdate
	var deleted []int
	for i, d := range c.deleted {
		if d {
			deleted = append(deleted, i)
		}
	}
	if len(deleted) > 0 {
		if err := c.md.Commit(c.ctx, deleted); err != nil {
			c.log.Warn("pop3: commit failed", "err", err)
			c.errResp("SYS/TEMP", "some deleted messages not removed")
			return errClose
		}
	}
	c.log.Info("pop3: update", "deleted", len(deleted))
	// Unlocked before the answer, so that the client may log in again as
	// soon as it has read it.
	c.release()
	left := "maildrop empty"
	if n := len(c.msgs) - len(deleted); n > 0 {
		left = strconv.Itoa(n) + " messages left"
	}
	c.ok(c.s.hostname() + " POP3 server signing off (" + left + ")")
	return errClose
}
