package pop3

import "strconv"

// stat counts the messages not marked deleted and their size.
func (c *conn) stat() (int, int64) {
	n, size := 0, int64(0)
	for i, m := range c.msgs {
		if !c.deleted[i] {
			n++
			size += m.Size
		}
	}
	return n, size
}

func (c *conn) handleSTAT(arg string) error {
	if arg != "" {
		c.bad("STAT takes no argument")
		return nil
	}
	// RFC 1939 §5: "+OK nn mm", messages marked deleted not counted.
	n, size := c.stat()
	c.ok(strconv.Itoa(n) + " " + strconv.FormatInt(size, 10))
	return nil
}
