package imapserver

import (
	"sort"
	"strconv"
)

// selected is a session's view of its selected mailbox: its own message
// sequence numbers, which change only when this session is told of a change
// (RFC 9051 §2.3.1.2), and the changes it has yet to be told of.
type selected struct {
	name     string
	mbox     Mailbox
	readOnly bool
	uids     []uint32 // uids[seq-1]
	// announced is the message count the client was last told (EXISTS).
	announced int
	// held are expunges not yet allowed on the wire (RFC 9051 §7.5.1).
	held []Update
	// gone are UIDs this session expunged (or moved) before it was told
	// they exist: their pending EXISTS must not add them.
	gone []uint32
	// saved is the result of SEARCH RETURN (SAVE) (RFC 5182), as UIDs.
	saved []uint32
}

// seqOf returns the sequence number of uid, 0 if it is not in the view.
func (s *selected) seqOf(uid uint32) int {
	i := sort.Search(len(s.uids), func(i int) bool { return s.uids[i] >= uid })
	if i < len(s.uids) && s.uids[i] == uid {
		return i + 1
	}
	return 0
}

// flushUpdates tells the client of the changes other sessions made, as
// unilateral EXISTS, EXPUNGE and FETCH responses. Expunges are held back
// when allowExpunge is false (during FETCH, STORE, SEARCH and COPY:
// RFC 9051 §7.5.1).
func (c *conn) flushUpdates(allowExpunge bool) {
	s := c.sel
	if s == nil {
		return
	}
	ups := s.mbox.Updates()
	if allowExpunge && len(s.held) > 0 {
		ups = append(s.held, ups...)
		s.held = nil
	}
	if len(ups) == 0 {
		return
	}
	var vanished []uint32
	// VANISHED goes out before any response that carries a sequence
	// number computed after it.
	flushVanished := func() {
		c.writeVanished(vanished)
		vanished = nil
	}
	announce := func() {
		flushVanished()
		if s.announced != len(s.uids) {
			s.announced = len(s.uids)
			c.untagged("%d EXISTS", s.announced)
		}
	}
	var b []byte
	for _, u := range ups {
		switch u.Kind {
		case UpdateExists:
			if n := len(s.uids); n > 0 && u.UID <= s.uids[n-1] {
				continue
			}
			if s.forget(u.UID) {
				continue
			}
			s.uids = append(s.uids, u.UID)
		case UpdateExpunge:
			if !allowExpunge {
				s.held = append(s.held, u)
				continue
			}
			seq := s.seqOf(u.UID)
			if seq == 0 {
				continue
			}
			if !c.qresync {
				announce()
			} else if s.announced != len(s.uids) {
				announce()
			}
			s.uids = append(s.uids[:seq-1], s.uids[seq:]...)
			s.announced--
			if c.qresync {
				// RFC 7162 §3.2.10: VANISHED replaces EXPUNGE.
				vanished = append(vanished, u.UID)
				continue
			}
			c.untagged("%d EXPUNGE", seq)
		case UpdateFlags:
			seq := s.seqOf(u.UID)
			if seq == 0 {
				continue
			}
			if n := c.ntf; n != nil && n.selected && n.selEvents&evFlagChange == 0 {
				// RFC 5465 §5: NOTIFY left FlagChange out for the
				// selected mailbox.
				continue
			}
			announce()
			b = append(b[:0], "* "...)
			b = strconv.AppendInt(b, int64(seq), 10)
			b = append(b, " FETCH (UID "...)
			b = appendUint(b, uint64(u.UID))
			b = append(b, " FLAGS "...)
			b = appendFlags(b, u.Flags)
			if c.condstore {
				b = append(b, " MODSEQ ("...)
				b = appendUint(b, u.ModSeq)
				b = append(b, ')')
			}
			b = append(b, ")\r\n"...)
			c.writer().Write(b)
		}
	}
	announce()
}

// writeVanished sends "* VANISHED uids" (RFC 7162 §3.2.10).
func (c *conn) writeVanished(uids []uint32) {
	if len(uids) == 0 {
		return
	}
	sortUnique(uids)
	b := append([]byte("* VANISHED "), appendUIDSet(nil, uids)...)
	c.writer().Write(append(b, "\r\n"...))
}

// writeVanishedEarlier sends "* VANISHED (EARLIER) uids" for the UIDs of
// set expunged after modseq (RFC 7162 §3.2.6).
func (c *conn) writeVanishedEarlier(set seqSet, modseq uint64) error {
	vm, ok := c.sel.mbox.(VanishedMailbox)
	if !ok {
		return nil
	}
	gone, err := vm.Vanished(c.ctx(), modseq)
	if err != nil {
		return err
	}
	var out []uint32
	for _, u := range gone {
		if set.containsUID(u) {
			out = append(out, u)
		}
	}
	if len(out) > 0 {
		b := append([]byte("* VANISHED (EARLIER) "), appendUIDSet(nil, out)...)
		c.writer().Write(append(b, "\r\n"...))
	}
	return nil
}

// forget reports whether uid was expunged by this session before it
// appeared in the view, and forgets it.
func (s *selected) forget(uid uint32) bool {
	for i, g := range s.gone {
		if g == uid {
			s.gone = append(s.gone[:i], s.gone[i+1:]...)
			return true
		}
	}
	return false
}

// wake is the function a backend calls when updates are waiting. Outside
// IDLE they wait for the end of the next command, unless NOTIFY is on and
// the connection is between commands; in IDLE, or then, a goroutine is
// started to write them at once.
func (c *conn) wake() {
	if (c.idling.Load() || c.between.Load()) && c.flushQueued.CompareAndSwap(false, true) {
		go c.idleFlush()
	}
}

func (c *conn) idleFlush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.flushQueued.Store(false)
	idling := c.idling.Load()
	if !idling && !c.between.Load() {
		return
	}
	if idling {
		c.flushSelected(true)
	} else {
		// Between commands only what NOTIFY asked for the selected
		// mailbox goes out; with SELECTED-DELAYED expunges wait for a
		// command that allows them (RFC 5465 §6.1.2).
		if c.ntf != nil && c.ntf.selected {
			c.flushSelected(!c.ntf.delayed)
		} else {
			c.drainNotify()
		}
	}
	c.flush()
	if idling {
		c.releaseWriter()
	}
}

// flushSelected sends the selected mailbox's updates, the FETCH that
// NOTIFY's MessageNew asks for new messages, and the NOTIFY events of other
// mailboxes.
func (c *conn) flushSelected(allowExpunge bool) {
	if c.state == stateSelected && c.sel != nil {
		var last uint32
		if n := len(c.sel.uids); n > 0 {
			last = c.sel.uids[n-1]
		}
		c.flushUpdates(allowExpunge)
		c.notifyNewMessages(last)
	}
	c.drainNotify()
}

func (c *conn) releaseWriter() {
	if c.bw != nil && c.bw.Buffered() == 0 {
		c.bw.Reset(nil)
		writerPool.Put(c.bw)
		c.bw = nil
	}
}
