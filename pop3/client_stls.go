package pop3

import (
	"context"
	"crypto/tls"
	"fmt"
)

// StartTLS upgrades the connection with STLS (RFC 2595 §4) and asks CAPA
// again. It needs the client to run over a net.Conn. A nil config uses
// the host given to [Dial] as the server name.
func (c *Client) StartTLS(ctx context.Context, config *tls.Config) (err error) {
	if c.isTLS {
		return fmt.Errorf("%w: TLS is already active", ErrNotSupported)
	}
	if c.utf8 {
		// RFC 6856 §2.1: clients MUST NOT issue STLS after UTF8.
		return fmt.Errorf("%w: STLS after UTF8", ErrNotSupported)
	}
	if c.nc == nil {
		return fmt.Errorf("%w: STLS needs a net.Conn", ErrNotSupported)
	}
	if _, err := c.cmd(ctx, "STLS"); err != nil {
		return err
	}
	o, err := c.begin(ctx)
	if err != nil {
		return err
	}
	defer c.end(o, &err)
	tc := tls.Client(c.nc, tlsConfigFor(config, c.host))
	if err := tc.HandshakeContext(ctx); err != nil {
		return err
	}
	// RFC 2595 §4: the client MUST discard what it knew from the server
	// before TLS, what it read but had not used included.
	c.conn, c.nc, c.isTLS = tc, tc, true
	c.setTransport(tc)
	c.caps = nil
	c.end(o, &err)
	_, err = c.Capabilities(ctx)
	return err
}
