package imapserver

import (
	"sort"
	"strings"

	"github.com/mailwire/mailwire/mime"
)

// thread is a node of a THREAD response.
type thread struct {
	msg      *msgInfo // nil for a dummy
	children []*thread
	parent   *thread
}

// handleTHREAD: RFC 5256 §3 with ORDEREDSUBJECT and REFERENCES.
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
	msgs, ok, err := c.matchingArgs()
	if !ok || err != nil {
		return err
	}
	var roots []*thread
	if alg == "ORDEREDSUBJECT" {
		roots = orderedSubjectThreads(msgs)
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

// orderedSubjectThreads is RFC 5256 §3 ORDEREDSUBJECT: one thread per base
// subject, the earliest message at the root and the others as its
// children, threads in the order of their first messages.
func orderedSubjectThreads(msgs []*msgInfo) []*thread {
	msgs = append([]*msgInfo(nil), msgs...)
	sort.SliceStable(msgs, func(i, j int) bool { return sentBefore(msgs[i], msgs[j]) })
	var roots []*thread
	bySubject := map[string]*thread{}
	for _, m := range msgs {
		t := bySubject[m.subject]
		if t == nil {
			t = &thread{msg: m}
			bySubject[m.subject] = t
			roots = append(roots, t)
			continue
		}
		t.children = append(t.children, &thread{msg: m, parent: t})
	}
	return roots
}

// sentBefore orders by sent date (RFC 5256 §2.2), then by sequence number.
func sentBefore(a, b *msgInfo) bool {
	if r := a.sent.Compare(b.sent); r != 0 {
		return r < 0
	}
	return a.seq < b.seq
}

// referencesThreads is RFC 5256 §3 REFERENCES, its six steps.
func referencesThreads(msgs []*msgInfo) []*thread {
	// Step 1 goes through the messages by sequence number: of messages
	// sharing a Message ID only the first keeps it.
	msgs = append([]*msgInfo(nil), msgs...)
	sort.Slice(msgs, func(i, j int) bool { return msgs[i].seq < msgs[j].seq })

	byID := map[string]*thread{}
	var all []*thread // every container, messages and dummies
	container := func(id string) *thread {
		if t := byID[id]; t != nil {
			return t
		}
		t := &thread{}
		byID[id] = t
		all = append(all, t)
		return t
	}
	for _, m := range msgs {
		var t *thread
		if m.messageID != "" && (byID[m.messageID] == nil || byID[m.messageID].msg == nil) {
			t = container(m.messageID)
		} else {
			// No Message ID, or a duplicate: a unique one of its own.
			t = &thread{}
			all = append(all, t)
		}
		t.msg = m
		// 1.A: link the references in a chain, first reference the
		// parent of the second, never changing an existing parent and
		// never making a loop.
		var prev *thread
		for _, r := range m.parents {
			n := container(r)
			if prev != nil && n.parent == nil && prev != n && !isDescendant(prev, n) {
				setParent(n, prev)
			}
			prev = n
		}
		// 1.B: the last reference is the parent, replacing whatever
		// link an earlier (perhaps truncated) References line made.
		if t.parent != nil {
			unlink(t)
		}
		if prev != nil && prev != t && !isDescendant(prev, t) {
			setParent(t, prev)
		}
	}

	// Step 2: everything without a parent goes under the root.
	var roots []*thread
	for _, t := range all {
		if t.parent == nil {
			roots = append(roots, t)
		}
	}
	// Step 3: prune dummies.
	roots = pruneDummies(roots, true)
	// Step 4: sort the root's children by date; a dummy sorts by its
	// earliest child.
	for _, t := range roots {
		if t.msg == nil {
			sortSiblings(t.children)
		}
	}
	sortSiblings(roots)
	// Step 5: gather threads with the same base subject.
	roots = mergeSubjects(roots)
	// Step 6: sort every set of siblings, the deepest first.
	sortTree(roots)
	return roots
}

// isDescendant reports whether a is b or lies below b.
func isDescendant(a, b *thread) bool {
	for x := a; x != nil; x = x.parent {
		if x == b {
			return true
		}
	}
	return false
}

func setParent(ch, p *thread) {
	ch.parent = p
	p.children = append(p.children, ch)
}

func unlink(t *thread) {
	p := t.parent
	for i, ch := range p.children {
		if ch == t {
			p.children = append(p.children[:i], p.children[i+1:]...)
			break
		}
	}
	t.parent = nil
}

// pruneDummies is step 3: a dummy without children goes; a dummy with
// children is replaced by them, except at the root, where it stays when it
// has more than one child.
func pruneDummies(ts []*thread, atRoot bool) []*thread {
	out := ts[:0:0]
	for _, t := range ts {
		t.children = pruneDummies(t.children, false)
		for _, ch := range t.children {
			ch.parent = t
		}
		if t.msg != nil {
			out = append(out, t)
			continue
		}
		switch {
		case len(t.children) == 0:
		case !atRoot || len(t.children) == 1:
			for _, ch := range t.children {
				ch.parent = t.parent
			}
			out = append(out, t.children...)
		default:
			out = append(out, t)
		}
	}
	return out
}

// firstMsg is the message a thread sorts by: its own, or its first child's
// for a dummy.
func firstMsg(t *thread) *msgInfo {
	for t != nil && t.msg == nil {
		if len(t.children) == 0 {
			return nil
		}
		t = t.children[0]
	}
	if t == nil {
		return nil
	}
	return t.msg
}

func sortSiblings(ts []*thread) {
	sort.SliceStable(ts, func(i, j int) bool {
		a, b := firstMsg(ts[i]), firstMsg(ts[j])
		if a == nil || b == nil {
			return a != nil
		}
		return sentBefore(a, b)
	})
}

func sortTree(ts []*thread) {
	for _, t := range ts {
		sortTree(t.children)
	}
	sortSiblings(ts)
}

// threadSubject is step 5.B.i: the base subject of the message, or of the
// first child of a dummy.
func threadSubject(t *thread) string {
	if m := firstMsg(t); m != nil {
		return m.subject
	}
	return ""
}

// mergeSubjects is step 5.
func mergeSubjects(roots []*thread) []*thread {
	// 5.B: one thread per subject, preferring a dummy, then a message
	// that is not a reply or forward.
	table := map[string]*thread{}
	for _, t := range roots {
		subj := threadSubject(t)
		if subj == "" {
			continue
		}
		old := table[subj]
		switch {
		case old == nil:
			table[subj] = t
		case old.msg != nil && (t.msg == nil || (old.msg.replyFwd && !t.msg.replyFwd)):
			table[subj] = t
		}
	}
	// 5.C: merge the others into it.
	gone := map[*thread]bool{}
	replaced := map[*thread]*thread{} // root message -> dummy in its place
	for _, t := range append([]*thread(nil), roots...) {
		subj := threadSubject(t)
		if subj == "" {
			continue
		}
		head := table[subj]
		if head == t {
			continue
		}
		switch {
		case head.msg == nil && t.msg == nil:
			for _, ch := range t.children {
				ch.parent = head
			}
			head.children = append(head.children, t.children...)
			t.children = nil
			gone[t] = true
		case head.msg == nil:
			setParent(t, head)
			gone[t] = true
		case t.msg != nil && t.msg.replyFwd && !head.msg.replyFwd:
			setParent(t, head)
			gone[t] = true
		default:
			// head is a message at the root (a table entry is never
			// merged away); a new dummy takes its place there.
			d := &thread{}
			setParent(head, d)
			setParent(t, d)
			gone[t] = true
			replaced[head] = d
			table[subj] = d
		}
	}
	out := roots[:0:0]
	for _, t := range roots {
		if gone[t] {
			continue
		}
		if d, ok := replaced[t]; ok {
			out = append(out, d)
			continue
		}
		out = append(out, t)
	}
	return out
}

// baseSubject returns the base subject of RFC 5256 §2.1, case folded for
// comparison, and whether extracting it removed a reply or forward marker
// (a subj-refwd, a "(fwd)" trailer or a "[fwd: ...]" wrapper), which is
// what makes a message a reply or forward for REFERENCES (§3). §2.1 says
// every server MUST use exactly this algorithm.
func baseSubject(s string) (string, bool) {
	// (1) encoded words decoded, tabs and line breaks made spaces, runs of
	// spaces made one.
	s, _ = mime.DecodeWords(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\t' || c == '\r' || c == '\n' {
			c = ' '
		}
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteByte(c)
	}
	s = b.String()
	replyFwd := false
	for {
		// (2) subj-trailer: "(fwd)" or WSP at the end, repeatedly.
		for {
			if strings.HasSuffix(s, " ") {
				s = s[:len(s)-1]
			} else if len(s) >= 5 && strings.EqualFold(s[len(s)-5:], "(fwd)") {
				s = s[:len(s)-5]
				replyFwd = true
			} else {
				break
			}
		}
		// (3), (4), (5): leaders and blobs at the front.
		for {
			before := s
			for {
				if strings.HasPrefix(s, " ") {
					s = s[1:]
					continue
				}
				if n := subjRefwdLeader(s); n > 0 {
					s = s[n:]
					replyFwd = true
					continue
				}
				break
			}
			if n := subjBlob(s); n > 0 && n < len(s) {
				s = s[n:]
			}
			if s == before {
				break
			}
		}
		// (6) "[fwd:" ... "]" around the whole: strip and start again.
		if len(s) >= 6 && strings.EqualFold(s[:5], "[fwd:") && s[len(s)-1] == ']' {
			s = s[5 : len(s)-1]
			replyFwd = true
			continue
		}
		return strings.ToLower(s), replyFwd
	}
}

// subjBlob is the length of a subj-blob at the start of s: "[" *BLOBCHAR
// "]" *WSP, or 0.
func subjBlob(s string) int {
	if !strings.HasPrefix(s, "[") {
		return 0
	}
	i := 1
	for i < len(s) && s[i] != '[' && s[i] != ']' {
		i++
	}
	if i == len(s) || s[i] != ']' {
		return 0
	}
	i++
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

// subjRefwdLeader is the length of "*subj-blob subj-refwd" at the start of
// s, or 0; subj-refwd = ("re" / ("fw" ["d"])) *WSP [subj-blob] ":".
func subjRefwdLeader(s string) int {
	i := 0
	for {
		n := subjBlob(s[i:])
		if n == 0 {
			break
		}
		i += n
	}
	low := strings.ToLower(s[i:min(len(s), i+3)])
	switch {
	case strings.HasPrefix(low, "re"):
		i += 2
	case strings.HasPrefix(low, "fwd"):
		i += 3
	case strings.HasPrefix(low, "fw"):
		i += 2
	default:
		return 0
	}
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	i += subjBlob(s[i:])
	if i < len(s) && s[i] == ':' {
		return i + 1
	}
	return 0
}

// validMessageIDs returns the msg-ids of a header field that hold an "@",
// normalised as RFC 5256 §3 REFERENCES requires: a quoted local part is
// unquoted, so <"a.b"@x> and <a.b@x> are the same Message ID.
func validMessageIDs(v string) []string {
	if v == "" {
		return nil
	}
	ids, _ := mime.ParseMessageIDList(v)
	out := ids[:0]
	for _, id := range ids {
		at := strings.LastIndexByte(id, '@')
		if at <= 0 || at == len(id)-1 {
			continue
		}
		if left := id[:at]; len(left) >= 2 && left[0] == '"' && left[len(left)-1] == '"' {
			var b strings.Builder
			for i := 1; i < len(left)-1; i++ {
				if left[i] == '\\' && i+1 < len(left)-1 {
					i++
				}
				b.WriteByte(left[i])
			}
			id = b.String() + id[at:]
		}
		out = append(out, id)
	}
	return out
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
