package smtp

import "strings"

// xclientAttrs are the XCLIENT attributes the server accepts (Postfix's
// XCLIENT_README).
var xclientAttrs = []string{"NAME", "ADDR", "PORT", "PROTO", "HELO", "LOGIN", "DESTADDR", "DESTPORT"}

// handleXCLIENT takes the real client's attributes from a trusted proxy:
// XCLIENT attribute=value... On success the conversation restarts with a
// new greeting, as Postfix does.
func (c *conn) handleXCLIENT(arg []byte) {
	fields := strings.Fields(string(arg))
	if len(fields) == 0 {
		c.syntaxError(EnhancedCode{5, 5, 4}, "Error: XCLIENT needs attributes")
		return
	}
	attrs := make(map[string]string, len(fields))
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		k = upperASCII(k)
		known := false
		for _, a := range xclientAttrs {
			known = known || a == k
		}
		if !ok || !known {
			c.syntaxError(EnhancedCode{5, 5, 4}, "Error: bad XCLIENT attribute")
			return
		}
		dec, err := xtextDecode(v)
		if err != nil {
			c.syntaxError(EnhancedCode{5, 5, 4}, "Error: bad XCLIENT value")
			return
		}
		attrs[k] = dec
	}
	if err := c.sess.(XCLIENTSession).XCLIENT(attrs); err != nil {
		c.writeError(err, &Error{Code: 550, EnhancedCode: EnhancedCode{5, 7, 0}, Message: "Error: insufficient authorization"})
		return
	}
	c.resetTransaction()
	c.state = stateInit
	c.helo = ""
	c.ehlo = false
	c.greet()
}
