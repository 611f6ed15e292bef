package imap

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/mailwire/mailwire/internal/imapwire"
)

// Range is a range of sequence numbers or UIDs; 0 stands for "*", the
// largest number in use. Start may be greater than Stop: RFC 9051 §9
// allows the ends in any order.
type Range struct {
	Start, Stop uint32
}

// Contains reports whether n is in the range; "*" is taken as max.
func (r Range) Contains(n, max uint32) bool {
	a, b := r.Start, r.Stop
	if a == 0 {
		a = max
	}
	if b == 0 {
		b = max
	}
	if a > b {
		a, b = b, a
	}
	return n >= a && n <= b
}

// NumSet is a set of message numbers: a [SeqSet], a [UIDSet] or
// [SearchRes] ("$", the saved search result of RFC 5182).
type NumSet interface {
	String() string
	numSet()
}

// SeqSet is a set of message sequence numbers.
type SeqSet []Range

// UIDSet is a set of UIDs.
type UIDSet []Range

// SearchRes is "$", the result saved by SEARCH RETURN (SAVE) (RFC 5182).
type SearchRes struct{}

func (SeqSet) numSet()    {}
func (UIDSet) numSet()    {}
func (SearchRes) numSet() {}

// String returns "$".
func (SearchRes) String() string { return "$" }

// SeqSetNum returns a set of the given numbers.
func SeqSetNum(nums ...uint32) SeqSet {
	var s SeqSet
	for _, n := range nums {
		s.AddNum(n)
	}
	return s
}

// UIDSetNum returns a set of the given UIDs.
func UIDSetNum(uids ...UID) UIDSet {
	var s UIDSet
	for _, n := range uids {
		s.AddNum(uint32(n))
	}
	return s
}

// AddNum adds n, merging with the last range when adjacent.
func (s *SeqSet) AddNum(n uint32) { *s = SeqSet(addNum([]Range(*s), n)) }

// AddRange adds a range.
func (s *SeqSet) AddRange(start, stop uint32) { *s = append(*s, Range{start, stop}) }

// AddNum adds n, merging with the last range when adjacent.
func (s *UIDSet) AddNum(n uint32) { *s = UIDSet(addNum([]Range(*s), n)) }

// AddRange adds a range.
func (s *UIDSet) AddRange(start, stop UID) { *s = append(*s, Range{uint32(start), uint32(stop)}) }

func addNum(rs []Range, n uint32) []Range {
	if k := len(rs); k > 0 {
		last := &rs[k-1]
		if last.Start <= last.Stop && last.Start != 0 && last.Stop != 0 {
			if n == last.Stop+1 {
				last.Stop = n
				return rs
			}
			if n >= last.Start && n <= last.Stop {
				return rs
			}
		}
	}
	return append(rs, Range{n, n})
}

// Contains reports whether n is in the set; max is the value of "*".
func (s SeqSet) Contains(n, max uint32) bool { return contains(s, n, max) }

// Contains reports whether uid is in the set; max is the value of "*".
func (s UIDSet) Contains(uid, max UID) bool { return contains(s, uint32(uid), uint32(max)) }

func contains(rs []Range, n, max uint32) bool {
	for _, r := range rs {
		if r.Contains(n, max) {
			return true
		}
	}
	return false
}

// Nums returns the numbers of a set with no "*", in the set's order.
// It returns false if a range holds "*" (unbounded).
func (s SeqSet) Nums() ([]uint32, bool) { return nums(s) }

// Nums returns the UIDs of a set with no "*".
func (s UIDSet) Nums() ([]UID, bool) {
	n, ok := nums(s)
	out := make([]UID, len(n))
	for i, v := range n {
		out[i] = UID(v)
	}
	return out, ok
}

func nums(rs []Range) ([]uint32, bool) {
	var out []uint32
	for _, r := range rs {
		if r.Start == 0 || r.Stop == 0 {
			return nil, false
		}
		a, b := r.Start, r.Stop
		if a > b {
			a, b = b, a
		}
		if len(out)+int(b-a) > 1<<24 {
			return nil, false
		}
		for n := a; ; n++ {
			out = append(out, n)
			if n == b {
				break
			}
		}
	}
	return out, true
}

// Dynamic reports whether the set uses "*".
func (s SeqSet) Dynamic() bool { return dynamic(s) }

// Dynamic reports whether the set uses "*".
func (s UIDSet) Dynamic() bool { return dynamic(s) }

func dynamic(rs []Range) bool {
	for _, r := range rs {
		if r.Start == 0 || r.Stop == 0 {
			return true
		}
	}
	return false
}

// String formats the set ("1:4,7,9:*").
func (s SeqSet) String() string { return formatRanges(s) }

// String formats the set ("1:4,7,9:*").
func (s UIDSet) String() string { return formatRanges(s) }

func formatRanges(rs []Range) string {
	var b []byte
	for i, r := range rs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendNum(b, r.Start)
		if r.Stop != r.Start {
			b = append(b, ':')
			b = appendNum(b, r.Stop)
		}
	}
	return string(b)
}

func appendNum(b []byte, n uint32) []byte {
	if n == 0 {
		return append(b, '*')
	}
	return strconv.AppendUint(b, uint64(n), 10)
}

var errBadSet = errors.New("imap: malformed sequence set")

// ParseSeqSet parses a sequence-set ("1:4,7,9:*").
func ParseSeqSet(s string) (SeqSet, error) {
	rs, err := parseRanges(s)
	return SeqSet(rs), err
}

// ParseUIDSet parses a set of UIDs.
func ParseUIDSet(s string) (UIDSet, error) {
	rs, err := parseRanges(s)
	return UIDSet(rs), err
}

// ParseNumSet parses a sequence-set, or "$" (RFC 5182), as a SeqSet or,
// when uid is set, a UIDSet.
func ParseNumSet(s string, uid bool) (NumSet, error) {
	if s == "$" {
		return SearchRes{}, nil
	}
	rs, err := parseRanges(s)
	if err != nil {
		return nil, err
	}
	if uid {
		return UIDSet(rs), nil
	}
	return SeqSet(rs), nil
}

func parseRanges(s string) ([]Range, error) {
	if s == "" {
		return nil, errBadSet
	}
	rs := make([]Range, 0, strings.Count(s, ",")+1)
	for len(s) > 0 {
		var part string
		if i := strings.IndexByte(s, ','); i >= 0 {
			part, s = s[:i], s[i+1:]
			if s == "" {
				return nil, errBadSet
			}
		} else {
			part, s = s, ""
		}
		a, b, isRange := strings.Cut(part, ":")
		start, err := parseSeqNum(a)
		if err != nil {
			return nil, err
		}
		stop := start
		if isRange {
			if stop, err = parseSeqNum(b); err != nil {
				return nil, err
			}
		}
		rs = append(rs, Range{start, stop})
	}
	return rs, nil
}

// parseSeqNum: RFC 9051 §9 seq-number = nz-number / "*".
func parseSeqNum(s string) (uint32, error) {
	if s == "*" {
		return 0, nil
	}
	n, err := parseUint32(s)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%w: %q", errBadSet, s)
	}
	return n, nil
}

func parseUint32(s string) (uint32, error) {
	if s == "" || len(s) > 10 {
		return 0, fmt.Errorf("imap: bad number %q", s)
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("imap: bad number %q", s)
		}
		n = n*10 + uint64(s[i]-'0')
	}
	if n > 1<<32-1 {
		return 0, fmt.Errorf("imap: number out of range %q", s)
	}
	return uint32(n), nil
}

// ReadNumSet reads a sequence-set or "$" from the wire.
func ReadNumSet(dec *imapwire.Decoder, uid bool) (NumSet, bool) {
	if dec.Special('$') {
		return SearchRes{}, true
	}
	t := dec.AtomBytes()
	if t == nil {
		return nil, dec.ExpectAtom(new(string))
	}
	set, err := ParseNumSet(string(t), uid)
	if err != nil {
		return nil, dec.Fail(err)
	}
	return set, true
}

// ReadUIDSet reads a set of UIDs (no "$").
func ReadUIDSet(dec *imapwire.Decoder) (UIDSet, bool) {
	t := dec.AtomBytes()
	if t == nil {
		return nil, dec.ExpectAtom(new(string))
	}
	set, err := ParseUIDSet(string(t))
	if err != nil {
		return nil, dec.Fail(err)
	}
	return set, true
}

// WriteNumSet writes a set.
func WriteNumSet(enc *imapwire.Encoder, s NumSet) {
	enc.Atom(s.String())
}
