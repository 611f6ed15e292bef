package imapserver

import (
	"strings"
)

// handleSELECT handles SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3), with
// the CONDSTORE parameter (RFC 7162 §3.1.8).
func (c *conn) handleSELECT(tag string, uid bool) error {
	d := &c.dec
	var name string
	ok := d.SP()
	if ok {
		name, ok = c.mailboxName()
	}
	if !ok {
		return nil
	}
	if d.Peek(' ') {
		d.readByte()
		if !d.Expect('(') {
			return nil
		}
		for i := 0; !d.Peek(')'); i++ {
			if i > 0 && !d.SP() {
				return nil
			}
			a, ok := d.Atom()
			if !ok {
				return nil
			}
			if !strings.EqualFold(a, "CONDSTORE") {
				return d.bail("unknown SELECT parameter")
			}
			c.condstore = true
		}
		d.readByte()
	}
	if !d.CRLF() {
		return nil
	}
	readOnly := c.verbIs("EXAMINE")
	if c.sel != nil {
		c.sel.mbox.Close()
		c.sel = nil
		c.state = stateAuth
		// RFC 9051 §6.3.2: the previous mailbox is closed first.
		c.untagged("OK [CLOSED] previous mailbox closed")
	}
	mbox, err := c.user.Open(c.ctx(), name, readOnly, c.wake)
	if err != nil {
		return err
	}
	info := mbox.Info()
	s := &selected{name: name, mbox: mbox, readOnly: readOnly || info.ReadOnly}
	s.uids = append([]uint32(nil), info.UIDs...)
	s.announced = len(s.uids)
	c.untagged("%d EXISTS", len(s.uids))
	if !c.rev2 {
		c.untagged("0 RECENT")
		if info.FirstUnseen > 0 {
			c.untagged("OK [UNSEEN %d] first unseen", info.FirstUnseen)
		}
	}
	c.untagged("OK [UIDVALIDITY %d] UIDs valid", info.UIDValidity)
	c.untagged("OK [UIDNEXT %d] predicted next UID", info.UIDNext)
	c.untagged("FLAGS %s", appendFlags(nil, info.Flags))
	if s.readOnly {
		c.untagged("OK [PERMANENTFLAGS ()] read-only mailbox")
	} else {
		c.untagged("OK [PERMANENTFLAGS %s] flags permitted", appendFlags(nil, info.PermanentFlags))
	}
	if c.condstore {
		if info.HighestModSeq == 0 {
			c.untagged("OK [NOMODSEQ] no modseq")
		} else {
			c.untagged("OK [HIGHESTMODSEQ %d] highest", info.HighestModSeq)
		}
	}
	if c.rev2 {
		b := append([]byte("* LIST () \"/\" "), c.appendMailbox(nil, name)...)
		c.writer().Write(append(b, "\r\n"...))
	}
	c.sel = s
	c.state = stateSelected
	if s.readOnly {
		c.okCode = "READ-ONLY"
	} else {
		c.okCode = "READ-WRITE"
	}
	return nil
}

// handleCLOSE handles CLOSE (which expunges silently, RFC 9051 §6.4.1) and
// UNSELECT (which does not, RFC 3691).
func (c *conn) handleCLOSE(tag string, uid bool) error {
	if !c.dec.CRLF() {
		return nil
	}
	s := c.sel
	if c.verbIs("CLOSE") && !s.readOnly {
		if _, err := s.mbox.Expunge(c.ctx(), nil); err != nil {
			return err
		}
	}
	s.mbox.Close()
	c.sel = nil
	c.state = stateAuth
	return nil
}
