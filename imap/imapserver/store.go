package imapserver

import (
	"strconv"
	"strings"
)

// handleSTORE handles STORE and UID STORE (RFC 9051 §6.4.6) with
// UNCHANGEDSINCE (RFC 7162 §3.1.3).
func (c *conn) handleSTORE(tag string, uid bool) error {
	d := &c.dec
	if !d.SP() {
		return nil
	}
	set, ok := d.SeqSet()
	if !ok || !d.SP() {
		return nil
	}
	var unchangedSince uint64
	if d.Peek('(') {
		d.readByte()
		a, ok := d.Atom()
		if !ok || !strings.EqualFold(a, "UNCHANGEDSINCE") || !d.SP() {
			return d.bail("expected UNCHANGEDSINCE")
		}
		if unchangedSince, ok = d.Number64(); !ok || !d.Expect(')') || !d.SP() {
			return nil
		}
	}
	item, ok := d.Atom()
	if !ok || !d.SP() {
		return nil
	}
	item = strings.ToUpper(item)
	op := StoreSet
	switch item[0] {
	case '+':
		op, item = StoreAdd, item[1:]
	case '-':
		op, item = StoreRemove, item[1:]
	}
	silent := false
	switch item {
	case "FLAGS":
	case "FLAGS.SILENT":
		silent = true
	default:
		return d.bail("unknown STORE item")
	}
	var flags []string
	if d.Peek('(') {
		if flags, ok = d.flagList(); !ok {
			return nil
		}
	} else {
		for {
			f, ok := d.flag()
			if !ok {
				return nil
			}
			flags = append(flags, f)
			if !d.Peek(' ') {
				break
			}
			d.readByte()
		}
	}
	if !d.CRLF() {
		return nil
	}
	if c.sel.readOnly {
		return no("READ-ONLY", "mailbox is read-only")
	}
	uids := c.uids(set, uid)
	if len(uids) == 0 {
		return nil
	}
	res, err := c.sel.mbox.Store(c.ctx(), uids, op, flags, unchangedSince)
	if err != nil {
		return err
	}
	var failed []uint32
	var b []byte
	for _, r := range res {
		if r.Failed {
			if uid {
				failed = append(failed, r.UID)
			} else if seq := c.sel.seqOf(r.UID); seq > 0 {
				failed = append(failed, uint32(seq))
			}
			continue
		}
		// RFC 7162 §3.1.3: with UNCHANGEDSINCE the MODSEQ is sent even
		// for .SILENT.
		if silent && unchangedSince == 0 {
			continue
		}
		seq := c.sel.seqOf(r.UID)
		if seq == 0 {
			continue
		}
		b = append(b[:0], "* "...)
		b = strconv.AppendInt(b, int64(seq), 10)
		b = append(b, " FETCH ("...)
		sep := ""
		if uid {
			b = append(b, "UID "...)
			b = appendUint(b, uint64(r.UID))
			sep = " "
		}
		if !silent {
			b = append(b, sep...)
			b = append(b, "FLAGS "...)
			b = appendFlags(b, r.Flags)
			sep = " "
		}
		if c.condstore {
			b = append(b, sep...)
			b = append(b, "MODSEQ ("...)
			b = appendUint(b, r.ModSeq)
			b = append(b, ')')
		}
		b = append(b, ")\r\n"...)
		c.writer().Write(b)
	}
	if len(failed) > 0 {
		c.okCode = "MODIFIED " + string(appendUIDSet(nil, failed))
		c.okText = "conditional STORE failed for some messages"
	}
	return nil
}
