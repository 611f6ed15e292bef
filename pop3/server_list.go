package pop3

import "strconv"

func (c *conn) handleLIST(arg string) error {
	return c.listing(arg, func(i int) string { return strconv.FormatInt(c.msgs[i].Size, 10) })
}

func (c *conn) handleUIDL(arg string) error {
	return c.listing(arg, func(i int) string { return c.msgs[i].UID })
}

// listing answers LIST and UIDL (RFC 1939 §5, §7): one message, or every
// message not marked deleted as a multi-line response.
func (c *conn) listing(arg string, value func(int) string) error {
	if arg != "" {
		i := c.msgNumber(arg)
		if i >= 0 {
			c.ok(strconv.Itoa(i+1) + " " + value(i))
		}
		return nil
	}
	n, size := c.stat()
	c.ok(strconv.Itoa(n) + " messages (" + strconv.FormatInt(size, 10) + " octets)")
	for i := range c.msgs {
		if !c.deleted[i] {
			c.writeLine(strconv.Itoa(i+1) + " " + value(i))
		}
	}
	c.writeLine(".")
	return nil
}
