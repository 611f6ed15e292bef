package smtp

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Rcpt adds a recipient to the transaction with RCPT TO (RFC 5321
// §4.1.1.3). A refusal is an [*Error] and leaves the transaction open for
// other recipients.
//
// The DSN parameters of opts (Notify; ORCPT as type ";" xtext, the type
// "rfc822" when empty, or "utf-8" for an address that is not ASCII, which
// is sent as RFC 6533 §3 utf-8-addr-unitext in an SMTPUTF8 transaction
// and utf-8-addr-xtext otherwise) are sent when the server offers DSN. RRVS is sent
// when the server offers it; without it, an RRVS with Action 'C' is left
// out and one with Action 'R' (the default) fails with
// [ErrExtensionUnsupported], as RFC 7293 §3.3 forbids passing such a
// message on unchecked. opts.Params are sent after them, as given; see
// [RcptOptions.Params] for what is refused.
func (c *Client) Rcpt(ctx context.Context, to string, opts *RcptOptions) error {
	if c.state != clientMail {
		return c.stateErr("RCPT")
	}
	if err := c.buildRcpt(to, opts); err != nil {
		return err
	}
	if _, err := c.cmd(ctx, c.replyTimeout(), 2); err != nil {
		return err
	}
	c.rcpts = append(c.rcpts, to)
	return nil
}

// buildRcpt writes the RCPT command line into c.buf, or says why it cannot
// be sent.
func (c *Client) buildRcpt(to string, opts *RcptOptions) error {
	var o RcptOptions
	if opts != nil {
		o = *opts
	}
	if !ValidAddress(to, c.txUTF8) && !(to == "Postmaster" || to == "postmaster") {
		return fmt.Errorf("%w: forward-path %q", ErrForbiddenInput, quote80([]byte(to)))
	}
	c.startCmd("RCPT TO:<")
	c.buf = append(c.buf, to...)
	c.buf = append(c.buf, '>')
	dsn := c.has("DSN")
	if len(o.Notify) > 0 {
		never := false
		for i, n := range o.Notify {
			switch n {
			case DSNNotifyNever:
				never = true
			case DSNNotifySuccess, DSNNotifyFailure, DSNNotifyDelayed:
			default:
				return fmt.Errorf("%w: NOTIFY %q", ErrForbiddenInput, quote80([]byte(n)))
			}
			for _, m := range o.Notify[:i] {
				if m == n {
					return fmt.Errorf("%w: NOTIFY %s twice", ErrForbiddenInput, string(n))
				}
			}
		}
		// RFC 3461 §4.1: NEVER cannot be combined with the others.
		if never && len(o.Notify) > 1 {
			return fmt.Errorf("%w: NOTIFY=NEVER with other values", ErrForbiddenInput)
		}
		if dsn {
			c.buf = append(c.buf, " NOTIFY="...)
			for i, n := range o.Notify {
				if i > 0 {
					c.buf = append(c.buf, ',')
				}
				c.buf = append(c.buf, string(n)...)
			}
		}
	}
	if orig := o.OriginalRecipient; orig != "" {
		typ := o.OriginalRecipientType
		if typ == "" {
			typ = DSNAddressTypeRFC822
			if !isASCII(orig) {
				typ = DSNAddressTypeUTF8
			}
		}
		if !validParamKeyword(typ) {
			return fmt.Errorf("%w: ORCPT type %q", ErrForbiddenInput, quote80([]byte(typ)))
		}
		utf8Type := strings.EqualFold(typ, DSNAddressTypeUTF8)
		if utf8Type && !ValidAddress(orig, true) {
			// RFC 6533 §3: utf-8-address is a Mailbox of RFC 6531.
			return fmt.Errorf("%w: ORCPT address %q", ErrForbiddenInput, quote80([]byte(orig)))
		}
		if dsn {
			c.buf = append(c.buf, " ORCPT="...)
			c.buf = append(c.buf, typ...)
			c.buf = append(c.buf, ';')
			if utf8Type {
				// RFC 6533 §3: unitext only where SMTPUTF8 is in
				// effect, the 7-bit xtext form elsewhere.
				c.buf = append(c.buf, utf8AddrEncode(orig, c.txUTF8)...)
			} else {
				c.buf = append(c.buf, xtextEncode(orig)...)
			}
		}
	}
	if rv := o.RRVS; rv != nil {
		action := rv.Action
		switch action {
		case 0:
			action = 'R'
		case 'R', 'C':
		default:
			return fmt.Errorf("%w: RRVS action %q", ErrForbiddenInput, rune(action))
		}
		if rv.Time.IsZero() {
			return fmt.Errorf("%w: RRVS without a time", ErrForbiddenInput)
		}
		if c.has("RRVS") {
			// RFC 7293 §3.1: RRVS=date-time [";" ("C" / "R")], with
			// date-time as in RFC 3339.
			c.buf = append(c.buf, " RRVS="...)
			c.buf = rv.Time.UTC().AppendFormat(c.buf, time.RFC3339)
			c.buf = append(c.buf, ';', action)
		} else if action == 'R' {
			return fmt.Errorf("%w: RRVS", ErrExtensionUnsupported)
		}
	}
	return c.appendParams(o.Params, rcptTypedParams, c.txUTF8)
}
