package smtp

import (
	"io"
	"net"
	"strings"
	"time"
)

// receivedField formats the trace field the server prepends when
// Server.AddReceivedHeader is set (RFC 5321 §4.4): where the message came
// from, who took it, with which protocol (RFC 3848 names, with RFC 6531's
// UTF8 variants), for whom when there is one recipient, and when.
func (c *conn) receivedField(now time.Time) string {
	var b strings.Builder
	b.WriteString("Received: from ")
	b.WriteString(sanitize(c.helo))
	if c.nc != nil {
		if host, _, err := net.SplitHostPort(c.nc.RemoteAddr().String()); err == nil {
			b.WriteString(" ([")
			if strings.Contains(host, ":") {
				b.WriteString("IPv6:")
			}
			b.WriteString(host)
			b.WriteString("])")
		}
	}
	b.WriteString("\r\n\tby ")
	b.WriteString(c.srv.domain())
	b.WriteString(" with ")
	proto := "ESMTP"
	switch {
	case c.srv.LMTP:
		proto = "LMTP"
	case c.mailOpts != nil && c.mailOpts.UTF8:
		proto = "UTF8SMTP"
	case !c.ehlo:
		proto = "SMTP"
	}
	b.WriteString(proto)
	if c.tls {
		b.WriteByte('S')
	}
	if c.authed {
		b.WriteByte('A')
	}
	if len(c.rcpts) == 1 {
		b.WriteString("\r\n\tfor <")
		b.WriteString(c.rcpts[0])
		b.WriteByte('>')
	}
	b.WriteString("; ")
	b.WriteString(now.Format(time.RFC1123Z))
	b.WriteString("\r\n")
	return b.String()
}

// withReceived prepends the trace field to src when the server adds one.
func (c *conn) withReceived(src io.Reader) io.Reader {
	if !c.srv.AddReceivedHeader {
		return src
	}
	return io.MultiReader(strings.NewReader(c.receivedField(time.Now())), src)
}
