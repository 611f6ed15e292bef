package imapserver

import (
	"errors"
	"fmt"
)

// handleCOPY handles COPY and MOVE (RFC 6851) and their UID forms, with
// COPYUID (RFC 4315 §3).
func (c *conn) handleCOPY(tag string, uid bool) error {
	d := &c.dec
	if !d.SP() {
		return nil
	}
	set, ok := d.SeqSet()
	if !ok || !d.SP() {
		return nil
	}
	dest, ok := c.mailboxName()
	if !ok || !d.CRLF() {
		return nil
	}
	move := c.verbIs("MOVE")
	if move && c.sel.readOnly {
		return no("READ-ONLY", "mailbox is read-only")
	}
	uids := c.uids(set, uid)
	if len(uids) == 0 {
		if !uid {
			return no("", "no such messages")
		}
		return nil
	}
	var res CopyResult
	var err error
	if move {
		res, err = c.sel.mbox.Move(c.ctx(), uids, dest)
	} else {
		res, err = c.sel.mbox.Copy(c.ctx(), uids, dest)
	}
	if errors.Is(err, ErrNoSuchMailbox) {
		return no("TRYCREATE", "no such mailbox")
	}
	if err != nil {
		return err
	}
	code := ""
	if len(res.SourceUIDs) > 0 {
		code = fmt.Sprintf("COPYUID %d %s %s", res.UIDValidity, appendUIDSet(nil, res.SourceUIDs), appendUIDSet(nil, res.DestUIDs))
	}
	if !move {
		c.okCode = code
		return nil
	}
	// RFC 6851 §4.3: COPYUID goes in an untagged OK before the expunges.
	if code != "" {
		c.untagged("OK [%s] moved", code)
	}
	c.writeExpunged(res.SourceUIDs)
	return nil
}
