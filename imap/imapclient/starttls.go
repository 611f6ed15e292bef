package imapclient

import (
	"crypto/tls"
	"errors"
)

// ErrPlaintextAfterStartTLS is returned when the server sent data after
// its STARTTLS reply and before the TLS handshake: that data could have
// been injected by an attacker (RFC 9051 §6.2.1, the CVE-2011-0411 class).
var ErrPlaintextAfterStartTLS = errors.New("imapclient: server sent data after STARTTLS reply")

// StartTLS sends STARTTLS (RFC 9051 §6.2.1) and upgrades the connection,
// which must be a net.Conn. Capabilities are forgotten; ask again.
func (c *Client) StartTLS(config *tls.Config) error {
	if c.nc == nil {
		return errors.New("imapclient: StartTLS needs a net.Conn")
	}
	if config == nil {
		config = c.opts.TLSConfig
	}
	if config == nil {
		config = &tls.Config{}
	}
	cmd := c.newCommand("STARTTLS", nil)
	c.send(cmd)
	if err := cmd.Wait(); err != nil {
		return err
	}
	// Hold both sides while the stream is swapped.
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.rtok <- struct{}{}
	defer func() { <-c.rtok }()
	if c.br.Buffered() > 0 {
		c.fail(ErrPlaintextAfterStartTLS)
		return ErrPlaintextAfterStartTLS
	}
	tc := tls.Client(c.nc, config)
	if err := tc.Handshake(); err != nil {
		c.fail(err)
		return err
	}
	c.conn, c.nc = tc, tc
	c.setupIO(tc)
	c.mu.Lock()
	c.caps = nil
	c.mu.Unlock()
	return nil
}
