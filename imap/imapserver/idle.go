package imapserver

import (
	"bytes"
	"errors"
	"net"
)

// handleIDLE: RFC 2177 / RFC 9051 §6.3.13. While idling the connection
// gives its buffers back to the pools and holds only a goroutine blocked in
// Read; changes reach it through the backend's wake call, which starts a
// short-lived goroutine to write them (no polling).
func (c *conn) handleIDLE(tag string, uid bool) error {
	if !c.dec.CRLF() {
		return nil
	}
	c.mu.Lock()
	// idling is set before "+ idling" can reach the client: a change made
	// as soon as it has read that line must wake us.
	c.idling.Store(true)
	c.writer().WriteString("+ idling\r\n")
	c.flushSelected(true)
	err := c.flush()
	c.releaseBuffers()
	c.mu.Unlock()
	if err != nil {
		return err
	}
	c.setReadDeadline(c.lim.IDLETimeout)
	verb := c.verb
	c.handoff = func() {
		err := c.waitDONE()
		if c.complete(tag, verb, commands["IDLE"], false, err) {
			c.loop()
		} else {
			c.finish()
		}
	}
	return errHandoff
}

// waitDONE runs in the goroutine that idles: it reads the line that ends
// IDLE.
func (c *conn) waitDONE() error {
	line, rerr := c.readIdleLine()
	c.mu.Lock()
	c.idling.Store(false)
	c.mu.Unlock()
	if rerr != nil {
		var ne net.Error
		if errors.As(rerr, &ne) && ne.Timeout() {
			if c.stopping.Load() {
				return &respError{"BYE", "", "server shutting down"}
			}
			return &respError{"BYE", "", "IDLE timed out"}
		}
		return rerr
	}
	if !bytes.EqualFold(line, []byte("DONE")) {
		return bad("", "expected DONE")
	}
	return nil
}

// maxIdleLine bounds what is read while waiting for DONE.
const maxIdleLine = 64

// readIdleLine reads the line that ends IDLE without a buffered reader,
// keeping bytes read past it for the next command.
func (c *conn) readIdleLine() ([]byte, error) {
	var line []byte
	buf := make([]byte, 16)
	for {
		n, err := c.src.Read(buf)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			line = append(line, buf[:i]...)
			if i+1 < n {
				c.src.pre = append(c.src.pre, buf[i+1:n]...)
			}
			return bytes.TrimSuffix(line, []byte("\r")), nil
		}
		line = append(line, buf[:n]...)
		if len(line) > maxIdleLine {
			return nil, &respError{"BYE", "", "line too long in IDLE"}
		}
		if err != nil {
			return nil, err
		}
	}
}
