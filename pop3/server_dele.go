package pop3

import "strconv"

func (c *conn) handleDELE(arg string) error {
	i := c.msgNumber(arg)
	if i < 0 {
		return nil
	}
	// RFC 1939 §5: only marked; removed in the UPDATE state.
	c.deleted[i] = true
	c.ok("message " + strconv.Itoa(i+1) + " deleted")
	return nil
}

func (c *conn) handleRSET(arg string) error {
	if arg != "" {
		c.bad("RSET takes no argument")
		return nil
	}
	clear(c.deleted)
	n, size := c.stat()
	c.ok("maildrop has " + strconv.Itoa(n) + " messages (" + strconv.FormatInt(size, 10) + " octets)")
	return nil
}

func (c *conn) handleNOOP(arg string) error {
	if arg != "" {
		c.bad("NOOP takes no argument")
		return nil
	}
	c.ok("")
	return nil
}
