package imapserver

import (
	"sort"
	"strings"

	"github.com/mailwire/mailwire/internal/imapwire"
)

// mailboxName reads a mailbox name: modified UTF-7 unless UTF8=ACCEPT is
// enabled, INBOX in any case meaning INBOX (RFC 9051 §5.1).
func (c *conn) mailboxName() (string, bool) {
	s, ok := c.dec.AString()
	if !ok {
		return "", false
	}
	return c.decodeName(s)
}

func (c *conn) decodeName(s string) (string, bool) {
	if !c.utf8 {
		var err error
		if s, err = decodeMUTF7(s); err != nil {
			return "", c.dec.syntax("mailbox name is not modified UTF-7")
		}
	}
	if strings.EqualFold(s, "INBOX") {
		s = "INBOX"
	} else if len(s) > 6 && strings.EqualFold(s[:6], "INBOX/") {
		s = "INBOX" + s[5:]
	}
	return s, true
}

func (c *conn) appendMailbox(b []byte, name string) []byte {
	if !c.utf8 {
		name = encodeMUTF7(name)
		return appendAString(b, name)
	}
	if quotable(name, true) {
		if imapwire.IsAtom(name) {
			return append(b, name...)
		}
		return appendQuoted(b, name)
	}
	return appendString(b, name)
}

func (c *conn) handleCREATE(tag string, uid bool) error {
	d := &c.dec
	var name, use string
	ok := d.SP()
	if ok {
		name, ok = c.mailboxName()
	}
	if !ok {
		return nil
	}
	// RFC 6154 §3: CREATE name (USE (\Sent))
	if d.Peek(' ') {
		d.readByte()
		if !d.Expect('(') {
			return nil
		}
		a, ok := d.Atom()
		if !ok || !strings.EqualFold(a, "USE") || !d.SP() || !d.Expect('(') {
			return d.bail("expected USE")
		}
		for !d.Peek(')') {
			if use != "" && !d.SP() {
				return nil
			}
			if !d.Expect('\\') {
				return nil
			}
			a, ok := d.Atom()
			if !ok {
				return nil
			}
			if use != "" {
				return no("USEATTR", "one special-use attribute at most")
			}
			use = `\` + a
		}
		// the USE list's and the parameter list's
		if !d.Expect(')') {
			return nil
		}
		if !d.Expect(')') {
			return nil
		}
	}
	if !d.CRLF() {
		return nil
	}
	name = strings.TrimSuffix(name, "/")
	if name == "INBOX" {
		return no("ALREADYEXISTS", "INBOX always exists")
	}
	if use != "" && !specialUse[strings.ToLower(use)] {
		return no("USEATTR", "unknown special-use attribute")
	}
	return c.user.CreateMailbox(c.ctx(), name, use)
}

var specialUse = map[string]bool{`\all`: true, `\archive`: true, `\drafts`: true, `\flagged`: true, `\junk`: true, `\sent`: true, `\trash`: true}

func (c *conn) handleDELETE(tag string, uid bool) error {
	d := &c.dec
	var name string
	ok := d.SP()
	if ok {
		name, ok = c.mailboxName()
	}
	if !ok || !d.CRLF() {
		return nil
	}
	if name == "INBOX" {
		return no("CANNOT", "INBOX cannot be deleted")
	}
	return c.user.DeleteMailbox(c.ctx(), name)
}

func (c *conn) handleRENAME(tag string, uid bool) error {
	d := &c.dec
	var from, to string
	ok := d.SP()
	if ok {
		from, ok = c.mailboxName()
	}
	if ok && d.SP() {
		to, ok = c.mailboxName()
	}
	if !ok || !d.CRLF() {
		return nil
	}
	return c.user.RenameMailbox(c.ctx(), from, to)
}

// handleSUBSCRIBE handles SUBSCRIBE and UNSUBSCRIBE.
func (c *conn) handleSUBSCRIBE(tag string, uid bool) error {
	d := &c.dec
	var name string
	ok := d.SP()
	if ok {
		name, ok = c.mailboxName()
	}
	if !ok || !d.CRLF() {
		return nil
	}
	return c.user.SetSubscribed(c.ctx(), name, c.verbIs("SUBSCRIBE"))
}

// statusItems reads "(MESSAGES UIDNEXT ...)".
func (c *conn) statusItems() ([]string, bool) {
	d := &c.dec
	if !d.Expect('(') {
		return nil, false
	}
	var items []string
	for !d.Peek(')') {
		if len(items) > 0 && !d.SP() {
			return nil, false
		}
		a, ok := d.Atom()
		if !ok {
			return nil, false
		}
		a = strings.ToUpper(a)
		switch a {
		case "MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "DELETED", "SIZE", "HIGHESTMODSEQ":
		default:
			return nil, d.syntax("unknown status item %q", quoteBack(a))
		}
		items = append(items, a)
	}
	d.readByte()
	return items, true
}

func appendStatus(b []byte, st MailboxStatus, items []string) []byte {
	b = append(b, '(')
	for i, it := range items {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, it...)
		b = append(b, ' ')
		switch it {
		case "MESSAGES":
			b = appendUint(b, uint64(st.Messages))
		case "RECENT":
			b = appendUint(b, uint64(st.Recent))
		case "UIDNEXT":
			b = appendUint(b, uint64(st.UIDNext))
		case "UIDVALIDITY":
			b = appendUint(b, uint64(st.UIDValidity))
		case "UNSEEN":
			b = appendUint(b, uint64(st.Unseen))
		case "DELETED":
			b = appendUint(b, uint64(st.Deleted))
		case "SIZE":
			b = appendUint(b, uint64(st.Size))
		case "HIGHESTMODSEQ":
			b = appendUint(b, st.HighestModSeq)
		}
	}
	return append(b, ')')
}

func (c *conn) handleSTATUS(tag string, uid bool) error {
	d := &c.dec
	var name string
	var items []string
	ok := d.SP()
	if ok {
		name, ok = c.mailboxName()
	}
	if ok && d.SP() {
		items, ok = c.statusItems()
	}
	if !ok || !d.CRLF() {
		return nil
	}
	st, err := c.user.Status(c.ctx(), name)
	if err != nil {
		return err
	}
	c.writeStatus(name, st, items)
	return nil
}

func (c *conn) writeStatus(name string, st MailboxStatus, items []string) {
	b := append([]byte(nil), "* STATUS "...)
	b = c.appendMailbox(b, name)
	b = append(b, ' ')
	b = appendStatus(b, st, items)
	b = append(b, "\r\n"...)
	c.writer().Write(b)
}

// handleLIST handles LIST (with LIST-EXTENDED, RFC 5258, LIST-STATUS,
// RFC 5819 and SPECIAL-USE, RFC 6154) and LSUB.
func (c *conn) handleLIST(tag string, uid bool) error {
	d := &c.dec
	lsub := c.verbIs("LSUB")
	var selSubscribed, selSpecial, retSubscribed, retChildren, retSpecial bool
	var statusItems []string
	if !d.SP() {
		return nil
	}
	if !lsub && d.Peek('(') {
		d.readByte()
		for i := 0; !d.Peek(')'); i++ {
			if i > 0 && !d.SP() {
				return nil
			}
			a, ok := d.Atom()
			if !ok {
				return nil
			}
			switch strings.ToUpper(a) {
			case "SUBSCRIBED":
				selSubscribed, retSubscribed = true, true
			case "SPECIAL-USE":
				selSpecial, retSpecial = true, true
			case "RECURSIVEMATCH", "REMOTE":
			default:
				return d.bail("unknown selection option")
			}
		}
		d.readByte()
		if !d.SP() {
			return nil
		}
	}
	ref, ok := d.AString()
	if !ok || !d.SP() {
		return nil
	}
	var patterns []string
	if d.Peek('(') {
		d.readByte()
		for i := 0; !d.Peek(')'); i++ {
			if i > 0 && !d.SP() {
				return nil
			}
			p, ok := d.ListMailbox()
			if !ok {
				return nil
			}
			patterns = append(patterns, p)
		}
		d.readByte()
	} else {
		p, ok := d.ListMailbox()
		if !ok {
			return nil
		}
		patterns = append(patterns, p)
	}
	if !lsub && d.Peek(' ') {
		d.readByte()
		a, ok := d.Atom()
		if !ok || !strings.EqualFold(a, "RETURN") || !d.SP() || !d.Expect('(') {
			return d.bail("expected RETURN")
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
			case "SUBSCRIBED":
				retSubscribed = true
			case "CHILDREN":
				retChildren = true
			case "SPECIAL-USE":
				retSpecial = true
			case "STATUS":
				if !d.SP() {
					return nil
				}
				if statusItems, ok = c.statusItems(); !ok {
					return nil
				}
			default:
				return d.bail("unknown return option")
			}
		}
		d.readByte()
	}
	if !d.CRLF() {
		return nil
	}
	_ = retChildren // \HasChildren and \HasNoChildren are always sent
	refName, ok := c.decodeName(ref)
	if !ok {
		return nil
	}
	if len(patterns) == 1 && patterns[0] == "" && !lsub {
		// RFC 9051 §6.3.9: the hierarchy delimiter and root.
		c.untagged(`LIST (\Noselect) "/" ""`)
		return nil
	}
	boxes, err := c.user.ListMailboxes(c.ctx())
	if err != nil {
		return err
	}
	sort.Slice(boxes, func(i, j int) bool { return boxes[i].Name < boxes[j].Name })
	names := map[string]bool{}
	for _, mb := range boxes {
		names[mb.Name] = true
	}
	hasChildren := func(name string) bool {
		for _, mb := range boxes {
			if strings.HasPrefix(mb.Name, name+"/") {
				return true
			}
		}
		return false
	}
	var pats []string
	for _, p := range patterns {
		p, ok := c.decodeName(p)
		if !ok {
			return nil
		}
		pats = append(pats, refName+p)
	}
	verb := "LIST"
	if lsub {
		verb = "LSUB"
	}
	var b []byte
	for _, mb := range boxes {
		matched := false
		for _, p := range pats {
			if matchMailbox(p, mb.Name) {
				matched = true
				break
			}
		}
		if !matched {
			continue
		}
		if (lsub || selSubscribed) && !mb.Subscribed {
			continue
		}
		var attrs []string
		isSpecial := false
		for _, a := range mb.Attrs {
			if specialUse[strings.ToLower(a)] {
				isSpecial = true
				if !retSpecial && lsub {
					continue
				}
			}
			attrs = append(attrs, a)
		}
		if selSpecial && !isSpecial {
			continue
		}
		if hasChildren(mb.Name) {
			attrs = append(attrs, `\HasChildren`)
		} else {
			attrs = append(attrs, `\HasNoChildren`)
		}
		if retSubscribed && mb.Subscribed {
			attrs = append(attrs, `\Subscribed`)
		}
		b = append(b[:0], "* "...)
		b = append(b, verb...)
		b = append(b, ' ')
		b = appendFlags(b, attrs)
		b = append(b, ` "/" `...)
		b = c.appendMailbox(b, mb.Name)
		b = append(b, "\r\n"...)
		c.writer().Write(b)
		if statusItems != nil {
			if st, err := c.user.Status(c.ctx(), mb.Name); err == nil {
				c.writeStatus(mb.Name, st, statusItems)
			}
		}
	}
	return nil
}

// matchMailbox matches a LIST pattern: "*" matches anything, "%" anything
// but the delimiter (RFC 9051 §6.3.9). Dynamic programming keeps it
// linear in len(pattern)*len(name) whatever the wildcards.
func matchMailbox(pattern, name string) bool {
	// cur[j]: pattern[:i] matches name[:j]
	cur := make([]bool, len(name)+1)
	next := make([]bool, len(name)+1)
	cur[0] = true
	for i := 0; i < len(pattern); i++ {
		pc := pattern[i]
		for j := range next {
			next[j] = false
		}
		for j := 0; j <= len(name); j++ {
			switch pc {
			case '*', '%':
				// next[j] if cur[k] for some k<=j with name[k:j] allowed
				if cur[j] || (j > 0 && next[j-1] && (pc == '*' || name[j-1] != '/')) {
					next[j] = true
				}
			default:
				if j > 0 && cur[j-1] && name[j-1] == pc {
					next[j] = true
				}
			}
		}
		cur, next = next, cur
	}
	return cur[len(name)]
}
