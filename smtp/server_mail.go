package smtp

import (
	"strconv"
	"strings"
	"time"
)

// handleMAIL starts a transaction: MAIL FROM:<reverse-path> [params]
// (RFC 5321 §4.1.1.2).
func (c *conn) handleMAIL(arg []byte) {
	path, rest, ok := cutCommandPath(arg, "FROM:")
	if !ok {
		c.syntaxError(EnhancedCode{5, 5, 2}, "Error: syntax is MAIL FROM:<address>")
		return
	}
	from, err := ParseReversePath(path)
	if err != nil {
		c.syntaxError(EnhancedCode{5, 1, 7}, "Error: bad sender address syntax")
		return
	}
	opts := &MailOptions{}
	if rest != "" {
		if !c.ehlo {
			// RFC 5321 §4.1.1.2: parameters come with EHLO's extensions.
			c.reply(555, EnhancedCode{5, 5, 4}, "Error: parameters need EHLO")
			return
		}
		if !c.mailParams(rest, opts) {
			return
		}
	}
	if !opts.UTF8 && !isASCII(from) {
		// RFC 6531 §3.4: non-ASCII addresses only with SMTPUTF8.
		c.reply(553, EnhancedCode{5, 6, 7}, "Error: non-ASCII sender needs SMTPUTF8")
		return
	}
	if err := c.sess.Mail(from, opts); err != nil {
		c.writeError(err, &Error{Code: 451, EnhancedCode: EnhancedCode{4, 3, 0}, Message: "Error: sender not accepted, try again later"})
		return
	}
	c.from = from
	c.mailOpts = opts
	c.state = stateMail
	c.writeString("250 2.1.0 Sender OK\r\n")
}

// cutCommandPath takes "FROM:<path> params" (or "TO:"), the keyword in any
// case, tolerating spaces after the colon as many clients send them, and
// returns the path and the parameter text.
func cutCommandPath(arg []byte, keyword string) (path, params string, ok bool) {
	if len(arg) < len(keyword) || !strings.EqualFold(string(arg[:len(keyword)]), keyword) {
		return "", "", false
	}
	s := string(arg[len(keyword):])
	s = strings.TrimLeft(s, " ")
	path, rest, ok := cutPath(s)
	if !ok {
		return "", "", false
	}
	if rest != "" && rest[0] != ' ' {
		return "", "", false
	}
	return path, strings.TrimLeft(rest, " "), true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// mailParams parses and checks the MAIL parameters into opts, replying
// and returning false on the first problem.
func (c *conn) mailParams(s string, opts *MailOptions) bool {
	params, err := parseParams(s)
	if err != nil {
		c.syntaxError(EnhancedCode{5, 5, 4}, "Error: malformed parameters")
		return false
	}
	opts.Params = params
	srv := c.srv
	for i, p := range params {
		for _, q := range params[:i] {
			if q.Key == p.Key {
				c.syntaxError(EnhancedCode{5, 5, 4}, "Error: duplicate parameter "+p.Key)
				return false
			}
		}
		ok := true
		switch p.Key {
		case "SIZE":
			// RFC 1870 §6.
			n, err := strconv.ParseInt(p.Value, 10, 64)
			if err != nil || n < 0 || p.Value[0] == '+' {
				ok = false
				break
			}
			if n > c.limits.MaxMessageBytes {
				c.reply(552, EnhancedCode{5, 3, 4}, "Error: message size exceeds fixed maximum message size")
				return false
			}
			opts.Size = n
		case "BODY":
			switch BodyType(strings.ToUpper(p.Value)) {
			case Body7Bit:
				opts.Body = Body7Bit
			case Body8BitMIME:
				opts.Body = Body8BitMIME
			case BodyBinaryMIME:
				if !srv.EnableBINARYMIME || srv.DisableChunking {
					ok = false
				}
				opts.Body = BodyBinaryMIME
			default:
				ok = false
			}
		case "SMTPUTF8":
			if !srv.EnableSMTPUTF8 {
				return c.unknownParam(p.Key)
			}
			ok = p.Value == ""
			opts.UTF8 = true
		case "REQUIRETLS":
			if !srv.EnableREQUIRETLS || !c.tls {
				return c.unknownParam(p.Key)
			}
			ok = p.Value == ""
			opts.RequireTLS = true
		case "RET":
			if !srv.EnableDSN {
				return c.unknownParam(p.Key)
			}
			switch DSNReturn(strings.ToUpper(p.Value)) {
			case DSNReturnFull:
				opts.Return = DSNReturnFull
			case DSNReturnHeaders:
				opts.Return = DSNReturnHeaders
			default:
				ok = false
			}
		case "ENVID":
			if !srv.EnableDSN {
				return c.unknownParam(p.Key)
			}
			// RFC 3461 §4.4: at most 100 characters of xtext.
			v, err := xtextDecode(p.Value)
			ok = err == nil && len(p.Value) <= 100
			opts.EnvelopeID = v
		case "AUTH":
			if _, has := c.sess.(AuthSession); !has {
				return c.unknownParam(p.Key)
			}
			// RFC 4954 §5: AUTH=<> or an xtext mailbox.
			v := ""
			if p.Value != "<>" {
				v, err = xtextDecode(p.Value)
				ok = err == nil
			}
			opts.Auth = &v
		case "BY":
			if !srv.EnableDELIVERBY {
				return c.unknownParam(p.Key)
			}
			opts.DeliverBy, ok = parseDeliverBy(p.Value)
		case "MT-PRIORITY":
			if !srv.EnableMTPRIORITY {
				return c.unknownParam(p.Key)
			}
			// RFC 6710 §3: an integer from -9 to 9.
			n, err := strconv.Atoi(p.Value)
			ok = err == nil && n >= -9 && n <= 9 && len(p.Value) <= 2
			opts.MTPriority = &n
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

// unknownParam replies 555 (RFC 5321 §4.1.1.11) for a parameter the server
// does not offer.
func (c *conn) unknownParam(key string) bool {
	c.reply(555, EnhancedCode{5, 5, 4}, "Error: unsupported parameter "+key)
	return false
}

// parseDeliverBy parses by-value = by-time ";" by-mode [by-trace] (RFC
// 2852 §4): by-time is ["-" / "+"] 1*9DIGIT seconds, by-mode "N" or "R",
// by-trace "T". A negative time is only valid with N (§4).
func parseDeliverBy(v string) (*DeliverByOptions, bool) {
	t, m, ok := strings.Cut(v, ";")
	if !ok || len(m) < 1 || len(m) > 2 {
		return nil, false
	}
	digits := strings.TrimLeft(t, "+-")
	if len(digits) == 0 || len(digits) > 9 || len(t)-len(digits) > 1 {
		return nil, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return nil, false
		}
	}
	n, _ := strconv.ParseInt(digits, 10, 64)
	if t[0] == '-' {
		n = -n
	}
	d := &DeliverByOptions{Time: time.Duration(n) * time.Second}
	switch m[0] {
	case 'N', 'n':
		d.Mode = DeliverByNotify
	case 'R', 'r':
		d.Mode = DeliverByReturn
		if n <= 0 {
			return nil, false
		}
	default:
		return nil, false
	}
	if len(m) == 2 {
		if m[1] != 'T' && m[1] != 't' {
			return nil, false
		}
		d.Trace = true
	}
	return d, true
}
