package smtp

import (
	"context"
	"fmt"
	"strings"
)

// Verify sends VRFY (RFC 5321 §4.1.1.6) and returns the server's answer:
// usually the mailbox, "Name <local@domain>", for a 250 reply, or the text
// of a 251 or 252 reply (252: cannot verify, but will accept). A refusal
// is an [*Error].
func (c *Client) Verify(ctx context.Context, addr string) (string, error) {
	if err := c.hello(ctx); err != nil {
		return "", err
	}
	if c.state == clientData {
		return "", c.stateErr("VRFY")
	}
	// The argument is a user name or a mailbox (RFC 5321 §3.5.1); refuse
	// anything with spaces or controls, which could start another command.
	if addr == "" || strings.ContainsAny(addr, " \t") || !printableOrUTF8(addr) {
		return "", fmt.Errorf("%w: VRFY %q", ErrForbiddenInput, quote80([]byte(addr)))
	}
	c.startCmd("VRFY ")
	c.buf = append(c.buf, addr...)
	lines, err := c.cmd(ctx, c.replyTimeout(), 2)
	if err != nil {
		return "", err
	}
	return strings.Join(lines, "\n"), nil
}

// printableOrUTF8 reports whether s holds no control bytes.
func printableOrUTF8(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] == 0x7f {
			return false
		}
	}
	return true
}
