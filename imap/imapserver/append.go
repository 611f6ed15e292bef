package imapserver

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// flagList reads "(\Seen $Label)".
func (d *decoder) flagList() ([]string, bool) {
	if !d.Expect('(') {
		return nil, false
	}
	var flags []string
	for !d.Peek(')') {
		if len(flags) > 0 && !d.SP() {
			return nil, false
		}
		f, ok := d.flag()
		if !ok {
			return nil, false
		}
		flags = append(flags, f)
	}
	d.readByte()
	return flags, true
}

// flag reads a flag: "\" atom or a keyword atom. System flags are given
// their canonical case.
func (d *decoder) flag() (string, bool) {
	if d.Peek('\\') {
		d.readByte()
		a, ok := d.Atom()
		if !ok {
			return "", false
		}
		for _, sf := range []string{`\Seen`, `\Answered`, `\Flagged`, `\Deleted`, `\Draft`, `\Recent`} {
			if strings.EqualFold(sf[1:], a) {
				return sf, true
			}
		}
		return `\` + a, true
	}
	return d.Atom()
}

// dateTime reads a quoted date-time (RFC 9051 §9).
func (d *decoder) dateTime() (time.Time, bool) {
	s, ok := d.quoted()
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse("_2-Jan-2006 15:04:05 -0700", s)
	if err != nil {
		return time.Time{}, d.syntax("bad date-time")
	}
	return t, true
}

// handleAPPEND: RFC 9051 §6.3.12 with MULTIAPPEND (RFC 3502), LITERAL+
// (RFC 7888) and APPENDUID (RFC 4315). The message is streamed to the
// backend, never held here.
func (c *conn) handleAPPEND(tag string, uid bool) error {
	d := &c.dec
	var name string
	ok := d.SP()
	if ok {
		name, ok = c.mailboxName()
	}
	if !ok {
		return nil
	}
	var uids []uint32
	var validity uint32
	for d.Peek(' ') {
		d.readByte()
		var opts AppendOptions
		if d.Peek('(') {
			if opts.Flags, ok = d.flagList(); !ok || !d.SP() {
				return nil
			}
		}
		if d.Peek('"') {
			if opts.Time, ok = d.dateTime(); !ok || !d.SP() {
				return nil
			}
		}
		size, ok := d.LiteralHeader()
		if !ok {
			var le *literalError
			if errors.As(d.err, &le) && !le.nonSync {
				// Refused before it was sent: the command ends here.
				d.err = nil
				return no("TOOBIG", fmt.Sprintf("message larger than APPENDLIMIT %d", c.lim.MaxLiteral))
			}
			return nil
		}
		lr := &io.LimitedReader{R: c.reader(), N: size}
		res, err := c.user.Append(c.ctx(), name, lr, size, opts)
		if lr.N > 0 {
			// The backend stopped early: skip the rest of the literal.
			if _, derr := io.CopyN(io.Discard, lr, lr.N); derr != nil {
				return derr
			}
		}
		if err != nil {
			c.skipRestOfCommand()
			if errors.Is(err, ErrNoSuchMailbox) {
				return no("TRYCREATE", "no such mailbox")
			}
			return err
		}
		validity = res.UIDValidity
		uids = append(uids, res.UID)
	}
	if !d.CRLF() {
		return nil
	}
	if len(uids) == 0 {
		d.syntax("missing message literal")
		return nil
	}
	c.okCode = fmt.Sprintf("APPENDUID %d %s", validity, appendUIDSet(nil, uids))
	return nil
}

// skipRestOfCommand reads what is left of a command that already failed,
// literals included, so the next command starts clean.
func (c *conn) skipRestOfCommand() {
	c.dec.syntax("skipped")
	c.dec.skipLine()
	c.dec.err = nil
	c.dec.n = 0
}
