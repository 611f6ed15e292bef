package smtp

import (
	"strings"
	"time"
)

// handleRCPT adds a recipient: RCPT TO:<forward-path> [params] (RFC 5321
// §4.1.1.3).
func (c *conn) handleRCPT(arg []byte) {
	path, rest, ok := cutCommandPath(arg, "TO:")
	if !ok {
		c.syntaxError(EnhancedCode{5, 5, 2}, "Error: syntax is RCPT TO:<address>")
		return
	}
	to, err := ParseForwardPath(path)
	if err != nil {
		c.syntaxError(EnhancedCode{5, 1, 3}, "Error: bad recipient address syntax")
		return
	}
	if len(c.rcpts) >= c.limits.MaxRecipients {
		// RFC 5321 §4.5.3.1.10: 452 for too many recipients; the client
		// sends the rest in another transaction.
		c.writeString("452 4.5.3 Error: too many recipients\r\n")
		return
	}
	opts := &RcptOptions{}
	if rest != "" {
		if !c.ehlo {
			c.reply(555, EnhancedCode{5, 5, 4}, "Error: parameters need EHLO")
			return
		}
		if !c.rcptParams(rest, opts) {
			return
		}
	}
	if !c.mailOpts.UTF8 && !isASCII(to) {
		c.reply(553, EnhancedCode{5, 6, 7}, "Error: non-ASCII recipient needs SMTPUTF8")
		return
	}
	if err := c.sess.Rcpt(to, opts); err != nil {
		c.writeError(err, &Error{Code: 451, EnhancedCode: EnhancedCode{4, 3, 0}, Message: "Error: recipient not accepted, try again later"})
		return
	}
	c.rcpts = append(c.rcpts, to)
	c.state = stateRcpt
	c.writeString("250 2.1.5 Recipient OK\r\n")
}

// rcptParams parses and checks the RCPT parameters into opts, replying
// and returning false on the first problem.
func (c *conn) rcptParams(s string, opts *RcptOptions) bool {
	params, err := parseParams(s)
	if err != nil {
		c.syntaxError(EnhancedCode{5, 5, 4}, "Error: malformed parameters")
		return false
	}
	opts.Params = params
	for i, p := range params {
		for _, q := range params[:i] {
			if q.Key == p.Key {
				c.syntaxError(EnhancedCode{5, 5, 4}, "Error: duplicate parameter "+p.Key)
				return false
			}
		}
		ok := true
		switch {
		case p.Key == "NOTIFY" && c.srv.EnableDSN:
			opts.Notify, ok = parseNotify(p.Value)
		case p.Key == "ORCPT" && c.srv.EnableDSN:
			// RFC 3461 §4.2: addr-type ";" xtext.
			typ, addr, found := strings.Cut(p.Value, ";")
			var dec string
			if strings.EqualFold(typ, DSNAddressTypeUTF8) {
				// RFC 6533 §3: utf-8-addr-xtext, or utf-8-addr-unitext
				// when the transaction has SMTPUTF8; a Mailbox once
				// decoded.
				dec, err = utf8AddrDecode(addr, c.mailOpts.UTF8)
				ok = found && err == nil && ValidAddress(dec, true)
			} else {
				dec, err = xtextDecode(addr)
				ok = found && validParamKeyword(typ) && err == nil && dec != ""
			}
			opts.OriginalRecipientType, opts.OriginalRecipient = typ, dec
		case p.Key == "RRVS" && c.srv.EnableRRVS:
			opts.RRVS, ok = parseRRVS(p.Value)
		default:
			return c.unknownParam(p.Key)
		}
		if !ok {
			c.syntaxError(EnhancedCode{5, 5, 4}, "Error: bad value for "+p.Key)
			return false
		}
	}
	return true
}

// parseNotify parses NOTIFY=NEVER or a comma list of SUCCESS, FAILURE and
// DELAY (RFC 3461 §4.1).
func parseNotify(v string) ([]DSNNotify, bool) {
	var out []DSNNotify
	for _, f := range strings.Split(v, ",") {
		n := DSNNotify(strings.ToUpper(f))
		switch n {
		case DSNNotifyNever, DSNNotifySuccess, DSNNotifyFailure, DSNNotifyDelayed:
		default:
			return nil, false
		}
		for _, m := range out {
			if m == n {
				return nil, false
			}
		}
		out = append(out, n)
	}
	if len(out) > 1 {
		for _, n := range out {
			if n == DSNNotifyNever {
				// NEVER stands alone.
				return nil, false
			}
		}
	}
	return out, true
}

// parseRRVS parses RRVS=date-time [";" ("C" / "R")] (RFC 7293 §3.1), the
// time in RFC 3339 form.
func parseRRVS(v string) (*RRVSOptions, bool) {
	ts, action, hasAction := strings.Cut(v, ";")
	t, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		return nil, false
	}
	r := &RRVSOptions{Time: t, Action: 'R'}
	if hasAction {
		switch action {
		case "C", "c":
			r.Action = 'C'
		case "R", "r":
		default:
			return nil, false
		}
	}
	return r, true
}
