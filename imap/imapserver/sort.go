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
	subject   string // base subject
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
		mi.subject = baseSubject(h.Get("Subject"))
		mi.from = firstMailbox(h.Get("From"))
		mi.to = firstMailbox(h.Get("To"))
		mi.cc = firstMailbox(h.Get("Cc"))
		if ids, _ := mime.ParseMessageIDList(h.Get("Message-Id")); len(ids) > 0 {
			mi.messageID = ids[0]
		}
		refs, _ := mime.ParseMessageIDList(h.Get("References"))
		if len(refs) == 0 {
			refs, _ = mime.ParseMessageIDList(h.Get("In-Reply-To"))
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

// baseSubject extracts the base subject (RFC 5256 §2.1), simplified:
// words decoded, blanks collapsed, "Re:", "Fw:", "Fwd:" and "[blob]"
// prefixes and "(fwd)" suffixes removed, case folded.
func baseSubject(s string) string {
	s, _ = mime.DecodeWords(s)
	s = strings.Join(strings.Fields(s), " ")
	for {
		before := s
		for strings.HasSuffix(strings.ToLower(s), "(fwd)") {
			s = strings.TrimSpace(s[:len(s)-5])
		}
		low := strings.ToLower(s)
		for _, p := range []string{"re:", "fw:", "fwd:"} {
			if strings.HasPrefix(low, p) {
				s = strings.TrimSpace(s[len(p):])
				low = strings.ToLower(s)
			}
		}
		if strings.HasPrefix(s, "[") {
			if i := strings.IndexByte(s, ']'); i > 0 && len(s) > i+1 {
				s = strings.TrimSpace(s[i+1:])
			}
		}
		if strings.HasPrefix(strings.ToLower(s), "[fwd:") && strings.HasSuffix(s, "]") {
			s = strings.TrimSpace(s[5 : len(s)-1])
		}
		if s == before {
			return strings.ToLower(s)
		}
	}
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
	root, err, ok := c.charsetAndKeys()
	if !ok || err != nil {
		return err
	}
	msgs, err := c.matching(root)
	if err != nil {
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

// thread is a node of a THREAD response.
type thread struct {
	msg      *msgInfo // nil for a dummy
	children []*thread
	date     time.Time
}

// handleTHREAD: RFC 5256 §4 with ORDEREDSUBJECT and REFERENCES.
func (c *conn) handleTHREAD(tag string, uid bool) error {
	d := &c.dec
	if !d.SP() {
		return nil
	}
	alg, ok := d.Atom()
	if !ok || !d.SP() {
		return nil
	}
	alg = strings.ToUpper(alg)
	if alg != "ORDEREDSUBJECT" && alg != "REFERENCES" {
		return d.bail("unknown threading algorithm")
	}
	root, err, ok := c.charsetAndKeys()
	if !ok || err != nil {
		return err
	}
	msgs, err := c.matching(root)
	if err != nil {
		return err
	}
	sort.SliceStable(msgs, func(i, j int) bool {
		if r := msgs[i].sent.Compare(msgs[j].sent); r != 0 {
			return r < 0
		}
		return msgs[i].seq < msgs[j].seq
	})
	var roots []*thread
	if alg == "ORDEREDSUBJECT" {
		bySubject := map[string]*thread{}
		for _, m := range msgs {
			t := bySubject[m.subject]
			if t == nil {
				t = &thread{msg: m, date: m.sent}
				bySubject[m.subject] = t
				roots = append(roots, t)
				continue
			}
			t.children = append(t.children, &thread{msg: m, date: m.sent})
		}
	} else {
		roots = referencesThreads(msgs)
	}
	b := []byte("* THREAD ")
	for _, t := range roots {
		b = appendThread(b, t, uid)
	}
	c.writer().Write(append(b, "\r\n"...))
	return nil
}

// referencesThreads links messages by Message-ID and References (RFC 5256
// §4 REFERENCES, steps 1 to 4; the subject merging of step 5 is left out).
func referencesThreads(msgs []*msgInfo) []*thread {
	byID := map[string]*thread{}
	node := func(id string) *thread {
		if t := byID[id]; t != nil {
			return t
		}
		t := &thread{}
		byID[id] = t
		return t
	}
	parent := map[*thread]*thread{}
	isAncestor := func(a, b *thread) bool {
		for x := b; x != nil; x = parent[x] {
			if x == a {
				return true
			}
		}
		return false
	}
	link := func(p, ch *thread) {
		if p == ch || parent[ch] != nil || isAncestor(ch, p) {
			return
		}
		parent[ch] = p
	}
	var own []*thread
	for _, m := range msgs {
		var t *thread
		if m.messageID != "" && (byID[m.messageID] == nil || byID[m.messageID].msg == nil) {
			t = node(m.messageID)
		} else {
			t = &thread{} // no or duplicate Message-ID: a thread of its own
		}
		t.msg, t.date = m, m.sent
		own = append(own, t)
		var prev *thread
		for _, r := range m.parents {
			n := node(r)
			if prev != nil {
				link(prev, n)
			}
			prev = n
		}
		if prev != nil {
			delete(parent, t)
			link(prev, t)
		}
	}
	// Build children lists in date order of the messages.
	all := map[*thread]bool{}
	for _, t := range byID {
		all[t] = true
	}
	for _, t := range own {
		all[t] = true
	}
	var roots []*thread
	order := make([]*thread, 0, len(all))
	for t := range all {
		order = append(order, t)
	}
	for _, t := range order {
		if p := parent[t]; p != nil {
			p.children = append(p.children, t)
		} else {
			roots = append(roots, t)
		}
	}
	// Dummies without messages: drop empty ones, promote single children.
	var prune func(ts []*thread) []*thread
	prune = func(ts []*thread) []*thread {
		var out []*thread
		for _, t := range ts {
			t.children = prune(t.children)
			if t.msg == nil {
				if len(t.children) == 0 {
					continue
				}
				if len(t.children) == 1 {
					out = append(out, t.children[0])
					continue
				}
			}
			out = append(out, t)
		}
		sortThreads(out)
		return out
	}
	return prune(roots)
}

// threadDate is a thread's date: its message's, or its earliest child's.
func threadDate(t *thread) (time.Time, uint32) {
	if t.msg != nil {
		return t.msg.sent, t.msg.seq
	}
	if len(t.children) > 0 {
		return threadDate(t.children[0])
	}
	return time.Time{}, 0
}

func sortThreads(ts []*thread) {
	sort.SliceStable(ts, func(i, j int) bool {
		di, si := threadDate(ts[i])
		dj, sj := threadDate(ts[j])
		if r := di.Compare(dj); r != 0 {
			return r < 0
		}
		return si < sj
	})
}

// appendThread writes "(a b (c)(d))": a message followed by its only child
// inline, or by its children as parenthesised subthreads.
func appendThread(b []byte, t *thread, uid bool) []byte {
	b = append(b, '(')
	b = appendThreadBody(b, t, uid)
	return append(b, ')')
}

func appendThreadBody(b []byte, t *thread, uid bool) []byte {
	if t.msg != nil {
		if uid {
			b = appendUint(b, uint64(t.msg.uid))
		} else {
			b = appendUint(b, uint64(t.msg.seq))
		}
	}
	switch len(t.children) {
	case 0:
	case 1:
		if t.msg != nil {
			b = append(b, ' ')
		}
		b = appendThreadBody(b, t.children[0], uid)
	default:
		if t.msg != nil {
			b = append(b, ' ')
		}
		for _, ch := range t.children {
			b = appendThread(b, ch, uid)
		}
	}
	return b
}
