package imapserver

import "sort"

// seqRange is one range of a sequence set; 0 stands for "*".
type seqRange struct{ lo, hi uint32 }

// seqSet is a parsed sequence-set (RFC 9051 §9), or "$" (RFC 5182).
type seqSet struct {
	ranges []seqRange
	saved  bool // "$"
}

// SeqSet reads a sequence-set.
func (d *decoder) SeqSet() (seqSet, bool) {
	var s seqSet
	if d.Peek('$') {
		d.readByte()
		s.saved = true
		return s, true
	}
	for {
		lo, ok := d.seqNumber()
		if !ok {
			return s, false
		}
		hi := lo
		if d.Peek(':') {
			d.readByte()
			if hi, ok = d.seqNumber(); !ok {
				return s, false
			}
		}
		s.ranges = append(s.ranges, seqRange{lo, hi})
		if !d.Peek(',') {
			return s, true
		}
		d.readByte()
	}
}

func (d *decoder) seqNumber() (uint32, bool) {
	if d.Peek('*') {
		d.readByte()
		return 0, true
	}
	n, ok := d.Number()
	if ok && n == 0 {
		return 0, d.syntax("0 is not a valid sequence number")
	}
	return n, ok
}

// resolve returns the numbers of the set that are in 1..max, ascending and
// without duplicates; "*" is max.
func (s seqSet) resolve(max uint32) []uint32 {
	var out []uint32
	for _, r := range s.ranges {
		lo, hi := r.lo, r.hi
		if lo == 0 {
			lo = max
		}
		if hi == 0 {
			hi = max
		}
		if lo > hi {
			lo, hi = hi, lo
		}
		if lo == 0 {
			lo = 1
		}
		if hi > max {
			hi = max
		}
		for n := lo; n <= hi && n != 0; n++ {
			out = append(out, n)
		}
	}
	return sortUnique(out)
}

// uids turns a set into the UIDs of the view: by sequence number, or, for
// a UID command, the UIDs of the set that exist ("*" is the largest UID,
// RFC 9051 §6.4.8).
func (c *conn) uids(set seqSet, uid bool) []uint32 {
	s := c.sel
	if set.saved {
		if !uid {
			var out []uint32
			for _, u := range s.saved {
				if s.seqOf(u) > 0 {
					out = append(out, u)
				}
			}
			return out
		}
		return s.saved
	}
	if !uid {
		seqs := set.resolve(uint32(len(s.uids)))
		out := make([]uint32, len(seqs))
		for i, n := range seqs {
			out[i] = s.uids[n-1]
		}
		return out
	}
	if len(s.uids) == 0 {
		return nil
	}
	maxUID := s.uids[len(s.uids)-1]
	var out []uint32
	for _, r := range set.ranges {
		lo, hi := r.lo, r.hi
		if lo == 0 {
			lo = maxUID
		}
		if hi == 0 {
			hi = maxUID
		}
		if lo > hi {
			lo, hi = hi, lo
		}
		i := sort.Search(len(s.uids), func(i int) bool { return s.uids[i] >= lo })
		for ; i < len(s.uids) && s.uids[i] <= hi; i++ {
			out = append(out, s.uids[i])
		}
	}
	return sortUnique(out)
}

func sortUnique(a []uint32) []uint32 {
	if sort.SliceIsSorted(a, func(i, j int) bool { return a[i] < a[j] }) {
		// common case: one ascending range
	} else {
		sort.Slice(a, func(i, j int) bool { return a[i] < a[j] })
	}
	out := a[:0]
	for _, v := range a {
		if len(out) == 0 || v != out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}

// formatUIDSet writes a compact uid-set ("1:3,7").
func appendUIDSet(b []byte, uids []uint32) []byte {
	for i := 0; i < len(uids); {
		j := i
		for j+1 < len(uids) && uids[j+1] == uids[j]+1 {
			j++
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = appendUint(b, uint64(uids[i]))
		if j > i {
			b = append(b, ':')
			b = appendUint(b, uint64(uids[j]))
		}
		i = j + 1
	}
	return b
}

// containsUID reports whether a UID set holds u; "*" counts as any UID
// from its range's lower end up.
func (s seqSet) containsUID(u uint32) bool {
	for _, r := range s.ranges {
		lo, hi := r.lo, r.hi
		if lo == 0 || hi == 0 {
			if lo == 0 {
				lo = hi
			}
			if u >= lo {
				return true
			}
			continue
		}
		if lo > hi {
			lo, hi = hi, lo
		}
		if u >= lo && u <= hi {
			return true
		}
	}
	return false
}
