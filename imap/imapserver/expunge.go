package imapserver

// handleEXPUNGE handles EXPUNGE and UID EXPUNGE (RFC 4315 §2.1).
func (c *conn) handleEXPUNGE(tag string, uid bool) error {
	d := &c.dec
	var uids []uint32
	if uid {
		if !d.SP() {
			return nil
		}
		set, ok := d.SeqSet()
		if !ok {
			return nil
		}
		uids = c.uids(set, true)
		if uids == nil {
			uids = []uint32{}
		}
	}
	if !d.CRLF() {
		return nil
	}
	if c.sel.readOnly {
		return no("READ-ONLY", "mailbox is read-only")
	}
	gone, err := c.sel.mbox.Expunge(c.ctx(), uids)
	if err != nil {
		return err
	}
	c.writeExpunged(gone)
	return nil
}

// writeExpunged removes UIDs from the view and sends their EXPUNGE
// responses, each number valid after the ones before (RFC 9051 §7.5.1).
func (c *conn) writeExpunged(gone []uint32) {
	s := c.sel
	var vanished []uint32
	defer func() { c.writeVanished(vanished) }()
	for _, u := range gone {
		seq := s.seqOf(u)
		if seq == 0 {
			if n := len(s.uids); n == 0 || u > s.uids[n-1] {
				s.gone = append(s.gone, u)
			}
			continue
		}
		s.uids = append(s.uids[:seq-1], s.uids[seq:]...)
		s.announced--
		if c.qresync {
			vanished = append(vanished, u)
			continue
		}
		c.untagged("%d EXPUNGE", seq)
	}
}
