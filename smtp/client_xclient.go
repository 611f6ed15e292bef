package smtp

import (
	"context"
	"fmt"
	"sort"
	"strings"
)

// XClient sends Postfix's XCLIENT command, with which a trusted proxy tells
// the server about the client it relays for: attributes such as NAME,
// ADDR, PORT, PROTO, HELO, LOGIN, DESTADDR, DESTPORT, each of which the
// server must have listed in its XCLIENT keyword. Values are sent as
// xtext; "[UNAVAILABLE]" and "[TEMPUNAVAIL]" are the special values
// Postfix defines. On success the server starts a new session with a 220
// greeting, and XClient sends EHLO again.
func (c *Client) XClient(ctx context.Context, attrs map[string]string) error {
	if err := c.hello(ctx); err != nil {
		return err
	}
	if c.state != clientReady {
		return c.stateErr("XCLIENT")
	}
	params, ok := c.ext["XCLIENT"]
	if !ok {
		return fmt.Errorf("%w: XCLIENT", ErrExtensionUnsupported)
	}
	if len(attrs) == 0 {
		return fmt.Errorf("%w: XCLIENT without attributes", ErrForbiddenInput)
	}
	offered := strings.Fields(upperASCII(params))
	names := make([]string, 0, len(attrs))
	for k := range attrs {
		names = append(names, k)
	}
	sort.Slice(names, func(i, j int) bool { return upperASCII(names[i]) < upperASCII(names[j]) })
	c.startCmd("XCLIENT")
	for _, k := range names {
		key := upperASCII(k)
		if !validParamKeyword(key) {
			return fmt.Errorf("%w: XCLIENT attribute %q", ErrForbiddenInput, quote80([]byte(k)))
		}
		if !containsString(offered, key) {
			return fmt.Errorf("%w: XCLIENT %s", ErrExtensionUnsupported, key)
		}
		c.buf = append(c.buf, ' ')
		c.buf = append(c.buf, key...)
		c.buf = append(c.buf, '=')
		c.buf = append(c.buf, xtextEncode(attrs[k])...)
	}
	if len(c.buf) > 510 {
		return fmt.Errorf("%w: XCLIENT command longer than 512 octets; send the attributes in several commands", ErrForbiddenInput)
	}
	lines, err := c.cmd(ctx, c.replyTimeout(), 220)
	if err != nil {
		return err
	}
	c.greeting = strings.Join(lines, "\n")
	c.state = clientGreeted
	c.resetExtensions()
	return c.Hello(ctx)
}
