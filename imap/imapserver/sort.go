package imapserver

import (
	"sort"
	"strings"
	"time"

	"github.com/mailwire/mailwire/mime"
)

// msgInfo is what SORT and THREAD compare (RFC 5256 §3).
type msgInfo struct {
	uid, seq  uint32
	arrival   time.Time
	sent      time.Time
	size      int64
	subject   string // base subject, case folded (RFC 5256 §2.1)
	replyFwd  bool   // the subject marks a reply or forward (§3 REFERENCES)
	from      string
	to, cc    string
	messageID string
	parents   []string // References then In-Reply-To
}

// sortCriteria reads "(REVERSE DATE SUBJECT)".
func (c *conn) sortCriteria() ([]string, bool) {
	d := &c.dec
	if !d.Expect('(') {
		return nil, false
	}
	var crit []string
	for !d.Peek(')') {
		if len(crit) > 0 && !d.SP() {
			return nil, false
		}
		a, ok := d.Atom()
		if !ok {
			return nil, false
		}
		a = strings.ToUpper(a)
		switch a {
		case "ARRIVAL", "CC", "DATE", "FROM", "REVERSE", "SIZE", "SUBJECT", "TO":
		default:
			return nil, d.syntax("unknown sort key %q", quoteBack(a))
		}
		crit = append(crit, a)
	}
	d.readByte()
	if len(crit) == 0 || crit[len(crit)-1] == "REVERSE" {
		return nil, d.syntax("empty sort key")
	}
	return crit, true
}

// charsetAndKeys reads "charset SP search-key *(SP search-key)" for SORT
// and THREAD.
func (c *conn) charsetAndKeys() (*searchKey, error, bool) {
	d := &c.dec
	cs, ok := d.AString()
	if !ok || !d.SP() {
		return nil, nil, false
	}
	if !strings.EqualFold(cs, "UTF-8") && !strings.EqualFold(cs, "US-ASCII") {
		c.skipRestOfCommand()
		return nil, no("BADCHARSET (UTF-8 US-ASCII)", "unsupported charset"), true
	}
	root := &searchKey{op: "AND"}
	for {
		k, ok := c.searchKey(0)
		if !ok {
			return nil, nil, false
		}
		root.kids = append(root.kids, k)
		if !d.Peek(' ') {
			break
		}
		d.readByte()
	}
	if !d.CRLF() {
		return nil, nil, false
	}
	return root, nil, true
}

// matching returns the messages that match root, with what SORT and
// THREAD need.
// matchingArgs reads the charset and search keys that end SORT and THREAD
// and returns what the selected mailbox has that matches them; ok is false
// on a syntax error, already answered.
func (c *conn) matchingArgs() (msgs []*msgInfo, ok bool, err error) {
	root, err, ok := c.charsetAndKeys()
	if !ok || err != nil {
		return nil, ok, err
	}
	msgs, err = c.matching(root)
	return msgs, true, err
}

func (c *conn) matching(root *searchKey) ([]*msgInfo, error) {
	s := c.sel
	var out []*msgInfo
	err := s.mbox.Fetch(c.ctx(), s.uids, func(m Message) error {
		seq := s.seqOf(m.UID())
		if seq == 0 {
			return nil
		}
		ev := evalCtx{c: c, m: m, seq: uint32(seq)}
		ev.loadHeader()
		if !ev.match(root) {
			return nil
		}
		h := ev.hdr
		mi := &msgInfo{uid: m.UID(), seq: uint32(seq), arrival: m.InternalDate(), size: m.Size()}
		// RFC 5256 §3: DATE is the sent date, or the internal date when
		// the Date field cannot be parsed.
		if t, err := mime.ParseDateLenient(h.Get("Date")); err == nil {
			mi.sent = t
		} else {
			mi.sent = mi.arrival
		}
		mi.subject, mi.replyFwd = baseSubject(h.Get("Subject"))
		mi.from = firstMailbox(h.Get("From"))
		mi.to = firstMailbox(h.Get("To"))
		mi.cc = firstMailbox(h.Get("Cc"))
		if ids := validMessageIDs(h.Get("Message-Id")); len(ids) > 0 {
			mi.messageID = ids[0]
		}
		// RFC 5256 §3 REFERENCES: the References ids, or else the first
		// valid id of In-Reply-To as the only parent.
		refs := validMessageIDs(h.Get("References"))
		if len(refs) == 0 {
			if irt := validMessageIDs(h.Get("In-Reply-To")); len(irt) > 0 {
				refs = irt[:1]
			}
		}
		mi.parents = refs
		out = append(out, mi)
		return nil
	})
	return out, err
}

func firstMailbox(v string) string {
	list, _ := mime.ParseAddressList(v)
	if len(list) == 0 {
		return ""
	}
	a := list[0]
	if a.Group && len(a.Members) > 0 {
		a = a.Members[0]
	}
	return strings.ToLower(a.Mailbox)
}

func compareKey(a, b *msgInfo, key string) int {
	cmpStr := func(x, y string) int { return strings.Compare(x, y) }
	switch key {
	case "ARRIVAL":
		return a.arrival.Compare(b.arrival)
	case "DATE":
		return a.sent.Compare(b.sent)
	case "SIZE":
		switch {
		case a.size < b.size:
			return -1
		case a.size > b.size:
			return 1
		}
		return 0
	case "SUBJECT":
		return cmpStr(a.subject, b.subject)
	case "FROM":
		return cmpStr(a.from, b.from)
	case "TO":
		return cmpStr(a.to, b.to)
	case "CC":
		return cmpStr(a.cc, b.cc)
	}
	return 0
}

// handleSORT: RFC 5256 §3 SORT and UID SORT.
func (c *conn) handleSORT(tag string, uid bool) error {
	d := &c.dec
	if !d.SP() {
		return nil
	}
	// ESORT (RFC 5267 §3.1): SORT RETURN (...) answers with ESEARCH.
	var ret []string
	esort := false
	if d.Peek('R') || d.Peek('r') {
		if !c.returnOptions(&ret) || !d.SP() {
			return nil
		}
		esort = true
	}
	crit, ok := c.sortCriteria()
	if !ok || !d.SP() {
		return nil
	}
	msgs, ok, err := c.matchingArgs()
	if !ok || err != nil {
		return err
	}
	sort.SliceStable(msgs, func(i, j int) bool {
		for k := 0; k < len(crit); k++ {
			rev := false
			if crit[k] == "REVERSE" {
				rev = true
				k++
			}
			r := compareKey(msgs[i], msgs[j], crit[k])
			if rev {
				r = -r
			}
			if r != 0 {
				return r < 0
			}
		}
		// RFC 5256 §3: ties go by sequence number.
		return msgs[i].seq < msgs[j].seq
	})
	nums := make([]uint32, len(msgs))
	for i, m := range msgs {
		nums[i] = m.seq
		if uid {
			nums[i] = m.uid
		}
	}
	if esort {
		if len(ret) == 0 {
			ret = []string{"ALL"}
		}
		c.writeESearch(tag, uid, ret, nums, true)
		return nil
	}
	b := []byte("* SORT")
	for _, n := range nums {
		b = append(b, ' ')
		b = appendUint(b, uint64(n))
	}
	c.writer().Write(append(b, "\r\n"...))
	return nil
}
