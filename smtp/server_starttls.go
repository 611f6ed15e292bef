package smtp

import (
	"context"
	"crypto/tls"
	"time"
)

// handleSTARTTLS negotiates TLS (RFC 3207).
func (c *conn) handleSTARTTLS(arg []byte) {
	if c.tls {
		// RFC 3207 §4.2: a client MUST NOT start TLS twice (and the
		// server no longer offers it).
		c.badCommand("503 5.5.1 Error: TLS already active\r\n")
		return
	}
	if c.authed {
		// RFC 3207 §4.2 has the server forget, after the handshake,
		// whatever it learnt outside TLS, a login included; RFC 4954 §4
		// allows one successful AUTH per session. The backend's session
		// cannot be told to forget the login, so STARTTLS is refused.
		c.badCommand("503 5.5.1 Error: already authenticated\r\n")
		return
	}
	if len(trimSpace(arg)) != 0 {
		c.syntaxError(EnhancedCode{5, 5, 4}, "Error: STARTTLS takes no argument")
		return
	}
	c.writeString("220 2.0.0 Ready to start TLS\r\n")
	if c.flush() != nil {
		return
	}
	if n := c.r.Buffered(); n > 0 {
		// RFC 3207 §4.2 and the STARTTLS command injection attacks
		// (CVE-2011-0411): whatever the client sent in plaintext behind
		// STARTTLS is dropped, never executed after the handshake.
		c.logger().Warn("smtp: plaintext pipelined after STARTTLS discarded", "bytes", n)
	}
	tc := tls.Server(c.nc, c.srv.TLSConfig)
	ctx, cancel := context.WithTimeout(context.Background(), c.limits.CommandTimeout)
	defer cancel()
	if err := tc.HandshakeContext(ctx); err != nil {
		c.logger().Info("smtp: TLS handshake", "err", err)
		c.quit = true
		return
	}
	src, dst := c.transport(tc)
	c.fr.src = src
	c.r.Reset(&c.fr)
	c.bw.Reset(dst)
	c.deadline, c.deadlineFor, c.wdeadline = time.Time{}, 0, time.Time{} // set on the new transport
	c.tls = true
	// RFC 3207 §4.2: the server forgets what it learnt from the client
	// before TLS; the client starts again with EHLO.
	c.resetTransaction()
	c.state = stateInit
	c.helo = ""
	c.ehlo = false
}
