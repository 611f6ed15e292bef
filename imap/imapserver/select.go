package imapserver

import (
	"errors"
	"strings"
)

// handleSELECT handles SELECT and EXAMINE (RFC 9051 §6.3.2, §6.3.3), with
// the CONDSTORE parameter (RFC 7162 §3.1.8).
func (c *conn) handleSELECT(tag string, uid bool) error {
	d := &c.dec
	var name string
	var qr *qresyncParams
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
			switch strings.ToUpper(a) {
			case "CONDSTORE":
				c.condstore = true
			case "QRESYNC":
				// RFC 7162 §3.2.5: (uidvalidity modseq [known-uids
				// [seq-match-data]]), only once QRESYNC is enabled.
				if !c.qresync {
					return d.bail("QRESYNC is not enabled")
				}
				qr = &qresyncParams{}
				if !d.SP() || !d.Expect('(') {
					return nil
				}
				if qr.validity, ok = d.Number(); !ok || !d.SP() {
					return nil
				}
				if qr.modseq, ok = d.Number64(); !ok {
					return nil
				}
				if d.Peek(' ') {
					d.readByte()
					if !d.Peek('(') {
						set, ok := d.SeqSet()
						if !ok {
							return nil
						}
						qr.known = &set
						if d.Peek(' ') {
							d.readByte()
						}
					}
					if d.Peek('(') {
						// seq-match-data: only a hint, not needed here.
						d.readByte()
						if _, ok := d.SeqSet(); !ok || !d.SP() {
							return nil
						}
						if _, ok := d.SeqSet(); !ok || !d.Expect(')') {
							return nil
						}
					}
				}
				if !d.Expect(')') {
					return nil
				}
			default:
				return d.bail("unknown SELECT parameter")
			}
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
	if qr != nil && qr.validity == info.UIDValidity {
		if err := c.resync(qr); err != nil {
			return err
		}
	}
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
		// RFC 4314 §4: without the "e" right CLOSE closes, expunging
		// nothing, and says OK.
		if _, err := s.mbox.Expunge(c.ctx(), nil); err != nil && !errors.Is(err, ErrNoPerm) {
			return err
		}
	}
	s.mbox.Close()
	c.sel = nil
	c.state = stateAuth
	return nil
}

// qresyncParams are SELECT's QRESYNC parameters (RFC 7162 §3.2.5).
type qresyncParams struct {
	validity uint32
	modseq   uint64
	known    *seqSet
}

// resync tells a client what changed since its modseq: the UIDs expunged
// (VANISHED (EARLIER)) and the messages whose flags changed (RFC 7162
// §3.2.5.1).
func (c *conn) resync(qr *qresyncParams) error {
	known := qr.known
	if known == nil {
		known = &seqSet{ranges: []seqRange{{1, 0}}}
	}
	if err := c.writeVanishedEarlier(*known, qr.modseq); err != nil {
		return err
	}
	var b []byte
	return c.sel.mbox.Fetch(c.ctx(), c.sel.uids, func(m Message) error {
		if m.ModSeq() <= qr.modseq {
			return nil
		}
		seq := c.sel.seqOf(m.UID())
		b = append(b[:0], "* "...)
		b = appendUint(b, uint64(seq))
		b = append(b, " FETCH (UID "...)
		b = appendUint(b, uint64(m.UID()))
		b = append(b, " FLAGS "...)
		b = appendFlags(b, m.Flags())
		b = append(b, " MODSEQ ("...)
		b = appendUint(b, m.ModSeq())
		b = append(b, "))\r\n"...)
		_, err := c.writer().Write(b)
		return err
	})
}
