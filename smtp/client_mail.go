package smtp

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Mail starts a transaction with MAIL FROM (RFC 5321 §4.1.1.2). from is the
// reverse-path mailbox, "" for the null path "<>". The address and the
// parameters are checked before anything is written; a server refusal is
// an [*Error].
//
// Each parameter of opts is sent only when the server announced its
// extension. Where leaving it out would change what the caller asked for
// (UTF8, Body 8BITMIME or BINARYMIME, RequireTLS, DeliverBy in return
// mode) Mail fails with [ErrExtensionUnsupported] instead. A Size larger
// than the server's SIZE fails with [ErrMessageExceedsSize] (RFC 1870 §6);
// RequireTLS also needs a TLS connection (RFC 8689 §4.2.1); EnvelopeID
// and Auth are sent as xtext. opts.Params are sent after them, as given,
// for extensions this package has no field for; see [MailOptions.Params]
// for what is refused.
func (c *Client) Mail(ctx context.Context, from string, opts *MailOptions) error {
	if err := c.hello(ctx); err != nil {
		return err
	}
	if c.state != clientReady {
		return c.stateErr("MAIL")
	}
	if c.mailMax > 0 && c.mails >= c.mailMax {
		return ErrSessionLimit
	}
	if err := c.buildMail(from, opts); err != nil {
		return err
	}
	if _, err := c.cmd(ctx, c.replyTimeout(), 250); err != nil {
		return err
	}
	c.startTransaction(opts)
	return nil
}

// startTransaction records a MAIL the server accepted.
func (c *Client) startTransaction(opts *MailOptions) {
	c.state = clientMail
	c.mails++
	c.rcpts = c.rcpts[:0]
	c.txUTF8 = opts != nil && opts.UTF8
	c.txBinary = opts != nil && opts.Body == BodyBinaryMIME
}

func (c *Client) stateErr(verb string) error {
	switch c.state {
	case clientBroken, clientClosed:
		return c.brokenErr()
	case clientData:
		return fmt.Errorf("%w: %s while the message data is being written", ErrClientState, verb)
	case clientMail:
		return fmt.Errorf("%w: %s inside a mail transaction", ErrClientState, verb)
	}
	return fmt.Errorf("%w: %s outside a mail transaction", ErrClientState, verb)
}

// buildMail writes the MAIL command line into c.buf, or says why it cannot
// be sent.
func (c *Client) buildMail(from string, opts *MailOptions) error {
	var o MailOptions
	if opts != nil {
		o = *opts
	}
	if from != "" && !ValidAddress(from, o.UTF8) {
		return fmt.Errorf("%w: reverse-path %q", ErrForbiddenInput, quote80([]byte(from)))
	}
	c.startCmd("MAIL FROM:<")
	c.buf = append(c.buf, from...)
	c.buf = append(c.buf, '>')
	if o.Size < 0 {
		return fmt.Errorf("%w: negative SIZE", ErrForbiddenInput)
	}
	if o.Size > 0 && c.has("SIZE") {
		// RFC 1870 §6: a client should not send a message the server
		// already said is too big.
		if c.maxSize > 0 && o.Size > c.maxSize {
			return fmt.Errorf("%w: %d > %d", ErrMessageExceedsSize, o.Size, c.maxSize)
		}
		c.buf = append(c.buf, " SIZE="...)
		c.buf = strconv.AppendInt(c.buf, o.Size, 10)
	}
	switch o.Body {
	case "":
	case Body7Bit:
		if c.has("8BITMIME") {
			c.buf = append(c.buf, " BODY=7BIT"...)
		}
	case Body8BitMIME:
		// RFC 6152 §3: BODY=8BITMIME only to a server that offers it.
		if !c.has("8BITMIME") {
			return fmt.Errorf("%w: 8BITMIME", ErrExtensionUnsupported)
		}
		c.buf = append(c.buf, " BODY=8BITMIME"...)
	case BodyBinaryMIME:
		// RFC 3030 §3: BINARYMIME needs CHUNKING as well.
		if !c.has("BINARYMIME") || !c.has("CHUNKING") {
			return fmt.Errorf("%w: BINARYMIME", ErrExtensionUnsupported)
		}
		c.buf = append(c.buf, " BODY=BINARYMIME"...)
	default:
		return fmt.Errorf("%w: BODY=%q", ErrForbiddenInput, quote80([]byte(o.Body)))
	}
	if o.UTF8 {
		// RFC 6531 §3.4: the parameter only to a server that offers it.
		if !c.has("SMTPUTF8") {
			return fmt.Errorf("%w: SMTPUTF8", ErrExtensionUnsupported)
		}
		c.buf = append(c.buf, " SMTPUTF8"...)
	}
	if o.RequireTLS {
		// RFC 8689 §4.2.1: only over TLS, to a server that offers it.
		if !c.has("REQUIRETLS") || !c.isTLS {
			return fmt.Errorf("%w: REQUIRETLS", ErrExtensionUnsupported)
		}
		c.buf = append(c.buf, " REQUIRETLS"...)
	}
	switch o.Return {
	case "", DSNReturnFull, DSNReturnHeaders:
	default:
		return fmt.Errorf("%w: RET=%q", ErrForbiddenInput, quote80([]byte(o.Return)))
	}
	if len(o.EnvelopeID) > 100 || !printableASCII(o.EnvelopeID) {
		// RFC 3461 §4.4: at most 100 printable US-ASCII characters.
		return fmt.Errorf("%w: ENVID", ErrForbiddenInput)
	}
	if c.has("DSN") {
		if o.Return != "" {
			c.buf = append(c.buf, " RET="...)
			c.buf = append(c.buf, o.Return...)
		}
		if o.EnvelopeID != "" {
			c.buf = append(c.buf, " ENVID="...)
			c.buf = append(c.buf, xtextEncode(o.EnvelopeID)...)
		}
	}
	if o.Auth != nil {
		// RFC 4954 §5: AUTH=<> or the xtext of the mailbox.
		a := *o.Auth
		if a != "" && !ValidAddress(a, o.UTF8) {
			return fmt.Errorf("%w: AUTH=%q", ErrForbiddenInput, quote80([]byte(a)))
		}
		if c.has("AUTH") {
			c.buf = append(c.buf, " AUTH="...)
			if a == "" {
				c.buf = append(c.buf, "<>"...)
			} else {
				c.buf = append(c.buf, xtextEncode(a)...)
			}
		}
	}
	if by := o.DeliverBy; by != nil {
		mode := by.Mode
		switch mode {
		case 0:
			mode = DeliverByNotify
		case DeliverByNotify, DeliverByReturn:
		default:
			return fmt.Errorf("%w: BY mode %q", ErrForbiddenInput, rune(mode))
		}
		secs := int64(by.Time / time.Second)
		// RFC 2852 §4: in return mode the time must be positive.
		if mode == DeliverByReturn && secs <= 0 {
			return fmt.Errorf("%w: BY time must be positive with mode R", ErrForbiddenInput)
		}
		if c.has("DELIVERBY") {
			c.buf = append(c.buf, " BY="...)
			c.buf = strconv.AppendInt(c.buf, secs, 10)
			c.buf = append(c.buf, ';', byte(mode))
			if by.Trace {
				c.buf = append(c.buf, 'T')
			}
		} else if mode == DeliverByReturn {
			return fmt.Errorf("%w: DELIVERBY", ErrExtensionUnsupported)
		}
	}
	if o.MTPriority != nil {
		p := *o.MTPriority
		if p < -9 || p > 9 {
			return fmt.Errorf("%w: MT-PRIORITY %d", ErrForbiddenInput, p)
		}
		if c.has("MT-PRIORITY") {
			c.buf = append(c.buf, " MT-PRIORITY="...)
			c.buf = strconv.AppendInt(c.buf, int64(p), 10)
		}
	}
	return c.appendParams(o.Params, mailTypedParams, o.UTF8)
}

// The MAIL and RCPT parameters that have a field of their own in
// MailOptions and RcptOptions; Params may not repeat them.
var (
	mailTypedParams = []string{"SIZE", "BODY", "SMTPUTF8", "REQUIRETLS", "RET", "ENVID", "AUTH", "BY", "MT-PRIORITY"}
	rcptTypedParams = []string{"NOTIFY", "ORCPT", "RRVS"}
)

// appendParams appends the caller's extra parameters to the command line
// in c.buf, each checked against RFC 5321 §4.1.2: esmtp-keyword, and
// esmtp-value (printable US-ASCII but "=", so no space, CR, LF or other
// control byte), with UTF-8 in the value only when the transaction has
// SMTPUTF8 (RFC 6531 §3.3). A keyword that has a typed field, or that
// comes twice, is refused too: the server would see the parameter twice,
// and RFC 5321 §4.1.1.11 leaves what it does then undefined.
func (c *Client) appendParams(params []Param, typed []string, utf8 bool) error {
	for i, p := range params {
		if !validParamKeyword(p.Key) {
			return fmt.Errorf("%w: parameter keyword %q", ErrForbiddenInput, quote80([]byte(p.Key)))
		}
		if p.Value != "" && (!validParamValue(p.Value) || !utf8 && !isASCII(p.Value)) {
			return fmt.Errorf("%w: value of parameter %s", ErrForbiddenInput, p.Key)
		}
		for _, k := range typed {
			if strings.EqualFold(k, p.Key) {
				return fmt.Errorf("%w: parameter %s has its own field", ErrForbiddenInput, k)
			}
		}
		for _, q := range params[:i] {
			if strings.EqualFold(q.Key, p.Key) {
				return fmt.Errorf("%w: parameter %s twice", ErrForbiddenInput, p.Key)
			}
		}
		c.buf = append(c.buf, ' ')
		c.buf = append(c.buf, p.Key...)
		if p.Value != "" {
			c.buf = append(c.buf, '=')
			c.buf = append(c.buf, p.Value...)
		}
	}
	return nil
}

// printableASCII reports whether s holds only printable US-ASCII and
// spaces.
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
