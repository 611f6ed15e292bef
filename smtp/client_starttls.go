package smtp

import (
	"context"
	"crypto/tls"
	"fmt"
)

// StartTLS upgrades the connection with STARTTLS (RFC 3207) and sends EHLO
// again, as what the server said before TLS no longer holds (§4.2). The
// connection must be a net.Conn. A nil config uses ClientOptions.TLSConfig,
// or verifies the certificate for the host given to Dial. If the server
// sends anything after its 220 reply and before the handshake, StartTLS
// fails with [ErrBufferedAfterStartTLS] and the client is unusable: those
// bytes would otherwise be read as if they came over TLS. StartTLS on a TLS
// connection or after a successful [Client.Auth] fails with
// [ErrClientState] without sending anything.
func (c *Client) StartTLS(ctx context.Context, config *tls.Config) error {
	if err := c.hello(ctx); err != nil {
		return err
	}
	if c.state != clientReady {
		return c.stateErr("STARTTLS")
	}
	if c.isTLS {
		// RFC 3207 §4.2: a client MUST NOT start TLS twice.
		return fmt.Errorf("%w: STARTTLS on a TLS connection", ErrClientState)
	}
	if c.authed {
		// RFC 3207 §4.2: the server would have to forget the login, and
		// servers (this package's among them) refuse STARTTLS after AUTH.
		return fmt.Errorf("%w: STARTTLS after AUTH", ErrClientState)
	}
	if !c.has("STARTTLS") {
		return fmt.Errorf("%w: STARTTLS", ErrExtensionUnsupported)
	}
	if c.conn == nil {
		return fmt.Errorf("smtp: STARTTLS needs a net.Conn")
	}
	if config == nil {
		config = c.opts.tlsConfig()
	}
	if c.addr != "" {
		config = tlsConfigFor(config, c.addr)
	}
	c.startCmd("STARTTLS")
	if _, err := c.cmd(ctx, c.replyTimeout(), 220); err != nil {
		return err
	}
	// RFC 3207 §4.2 and the STARTTLS injection attacks: nothing may come
	// between the 220 and the handshake.
	if c.r.Buffered() != 0 {
		err := fmt.Errorf("%w (%d bytes)", ErrBufferedAfterStartTLS, c.r.Buffered())
		c.fail(err)
		c.Close()
		c.state = clientBroken
		return err
	}
	err := c.begin(ctx, c.replyTimeout())
	if err != nil {
		return err
	}
	tc := tls.Client(c.conn, config)
	if err := c.end(ctx, tc.HandshakeContext(ctx)); err != nil {
		c.fail(err)
		return err
	}
	c.rw, c.conn = tc, tc
	c.setStreams(tc)
	c.isTLS = true
	c.debug("TLS started", "version", tls.VersionName(tc.ConnectionState().Version))
	c.state = clientGreeted
	c.resetExtensions()
	return c.Hello(ctx)
}
