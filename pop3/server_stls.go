package pop3

import (
	"context"
	"crypto/tls"
	"time"
)

func (c *conn) handleSTLS(arg string) error {
	if c.tls {
		c.bad("TLS already active")
		return nil
	}
	if c.utf8 {
		// RFC 6856 §2.1: STLS after UTF8 may be rejected.
		c.bad("STLS not allowed after UTF8")
		return nil
	}
	if c.r.Buffered() > 0 {
		// RFC 2595 §4 (and RFC 3207 §4.2's reasoning): anything sent
		// behind STLS in plaintext could have been injected; it must
		// never be executed.
		c.errResp("", "command pipelined behind STLS, closing")
		return errClose
	}
	c.ok("Begin TLS negotiation")
	if err := c.flush(); err != nil {
		return err
	}
	tc := tls.Server(c.nc, c.s.TLSConfig)
	ctx, cancel := context.WithTimeout(c.ctx, c.s.timeout())
	defer cancel()
	c.nc.SetDeadline(time.Now().Add(c.s.timeout()))
	if err := tc.HandshakeContext(ctx); err != nil {
		c.log.Info("pop3: TLS handshake failed", "err", err)
		return errClose
	}
	c.tmu.Lock()
	c.nc, c.rw, c.tls = tc, tc, true
	c.tmu.Unlock()
	// RFC 2595 §4: the server discards what it knew from before TLS; the
	// session starts over in AUTHORIZATION.
	c.user = ""
	c.setTransport(tc)
	return nil
}
