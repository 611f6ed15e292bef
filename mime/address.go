package mime

import (
	"fmt"
	"strings"
)

// An Address is one entry of an address list (RFC 5322 §3.4): a mailbox,
// or a group of mailboxes.
//
// For IMAP's ENVELOPE, a mailbox gives (RawName, Route, Mailbox, Host) and
// a group gives a start marker with Name (or RawName), then its Members,
// then an end marker.
type Address struct {
	Name    string   // display name, RFC 2047 words decoded to UTF-8; for a mailbox without one, the text of its comment ("a@b (Name)")
	RawName string   // display name as written: quoted-strings unquoted, comments dropped, words joined by one space, encoded words not decoded
	Route   []string // obsolete source route (RFC 5322 §4.4 obs-route): its domains, without the "@"
	Mailbox string   // local part, unquoted (UTF-8 allowed, RFC 6532)
	Host    string   // domain; a domain literal keeps its brackets; "" when the address had none
	Group   bool     // this entry is a group: Name is the group's name and Members its mailboxes
	Members []Address
}

// Addr returns the addr-spec "local@host", the local part quoted when it
// is not a dot-atom.
func (a Address) Addr() string {
	var b strings.Builder
	appendLocal(&b, a.Mailbox)
	if a.Host != "" {
		b.WriteByte('@')
		b.WriteString(a.Host)
	}
	return b.String()
}

// String returns the address formatted as by [FormatAddress].
func (a Address) String() string { return FormatAddress(a) }

// maxAddresses bounds the entries (and group members) read from one list.
const maxAddresses = 10000

// ParseAddressList parses an address list (RFC 5322 §3.4, with the
// obsolete syntax of §4.4: empty list elements, routes, CFWS around dots,
// phrases with dots) as found in From, To, Cc, Bcc, Reply-To and Sender.
// Header values are taken as UTF-8 (RFC 6532).
//
// It is tolerant: an entry that does not parse is skipped up to the next
// comma and reported as a [Defect] of kind DefectInvalidAddress, and the
// entries around it are still returned. So are some near misses, each with
// a defect: a local part with no domain, a missing ">" or ";", a local part
// with empty atoms ("a..b").
func ParseAddressList(s string) ([]Address, []Defect) {
	p := addrParser{s: s}
	var out []Address
	for {
		p.skipCFWS()
		if p.i >= len(p.s) {
			break
		}
		if p.s[p.i] == ',' {
			p.i++ // obs-addr-list: empty elements
			continue
		}
		if len(out) >= maxAddresses {
			p.bad("too many addresses")
			break
		}
		start := p.i
		a, ok := p.address(false)
		if ok {
			p.skipCFWS()
			if p.i < len(p.s) && p.s[p.i] != ',' {
				ok = false
			}
		}
		if !ok {
			p.i = start
			p.skipEntry(false)
			p.bad(p.s[start:p.i])
			continue
		}
		out = append(out, a)
	}
	return out, p.defects
}

// ParseAddress parses a single mailbox, strictly: any defect is an error
// wrapping [ErrInvalidAddress].
func ParseAddress(s string) (Address, error) {
	as, ds := ParseAddressList(s)
	if len(ds) > 0 {
		return Address{}, fmt.Errorf("%w: %s", ErrInvalidAddress, ds[0].Detail)
	}
	if len(as) != 1 || as[0].Group {
		return Address{}, fmt.Errorf("%w: want one mailbox: %q", ErrInvalidAddress, quoteDetail(s))
	}
	return as[0], nil
}

type addrParser struct {
	s       string
	i       int
	defects []Defect
	comment string // the first comment seen in the current mailbox
	wbuf    []word
}

func (p *addrParser) bad(detail string) {
	if len(p.defects) < 64 {
		p.defects = append(p.defects, Defect{Kind: DefectInvalidAddress, Detail: quoteDetail(detail)})
	}
}

// isAtext is RFC 5322 §3.2.3 atext, with UTF-8 bytes (RFC 6532 §3.2).
func isAtext(c byte) bool {
	if c >= 0x80 {
		return true
	}
	if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' {
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// skipCFWS skips whitespace and comments, keeping the first comment's text.
// It reports whether it skipped anything.
func (p *addrParser) skipCFWS() bool {
	start := p.i
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		case '(':
			c := p.commentText()
			if p.comment == "" {
				p.comment = c
			}
		default:
			return p.i > start
		}
	}
	return p.i > start
}

// commentText reads a (nested) comment and returns its text, trimmed, with
// quoted-pairs undone. An unterminated comment runs to the end.
func (p *addrParser) commentText() string {
	depth := 0
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch c {
		case '\\':
			if p.i < len(p.s) {
				b.WriteByte(p.s[p.i])
				p.i++
			}
			continue
		case '(':
			depth++
			if depth == 1 {
				continue
			}
		case ')':
			depth--
			if depth == 0 {
				return strings.TrimSpace(b.String())
			}
		case '\r', '\n':
			continue
		}
		b.WriteByte(c)
	}
	p.bad("unterminated comment")
	return strings.TrimSpace(b.String())
}

// quoted reads a quoted-string at p.i, undoing quoted-pairs and unfolding.
func (p *addrParser) quoted() (string, bool) {
	p.i++
	// The common case, with nothing to undo, costs no copy.
	for k := p.i; k < len(p.s); k++ {
		if c := p.s[k]; c == '"' {
			v := p.s[p.i:k]
			p.i = k + 1
			return v, true
		} else if c == '\\' || c == '\r' || c == '\n' {
			break
		}
	}
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch c {
		case '"':
			return b.String(), true
		case '\\':
			if p.i < len(p.s) {
				c = p.s[p.i]
				p.i++
			}
			if c == '\r' || c == '\n' {
				continue // a quoted CR or LF cannot be written back
			}
		case '\r', '\n':
			continue // RFC 5322 §3.2.4: FWS inside is unfolded
		}
		b.WriteByte(c)
	}
	return b.String(), false
}

type wordKind int

const (
	wordAtom wordKind = iota
	wordQuoted
	wordDot
)

type word struct {
	text  string
	kind  wordKind
	space bool // whitespace or a comment came before it
}

// words reads a run of atoms, quoted-strings and dots with CFWS between:
// the start of a phrase or of a local part.
func (p *addrParser) words() ([]word, bool) {
	// The buffer is reused: callers are done with one run of words before
	// they read the next.
	ws := p.wbuf[:0]
	defer func() { p.wbuf = ws[:0] }()
	for {
		sp := p.skipCFWS()
		if p.i >= len(p.s) {
			return ws, true
		}
		c := p.s[p.i]
		switch {
		case c == '"':
			t, ok := p.quoted()
			if !ok {
				p.bad("unterminated quoted-string")
				return ws, false
			}
			ws = append(ws, word{t, wordQuoted, sp})
		case c == '.':
			p.i++
			ws = append(ws, word{".", wordDot, sp})
		case isAtext(c):
			start := p.i
			for p.i < len(p.s) && isAtext(p.s[p.i]) {
				p.i++
			}
			ws = append(ws, word{p.s[start:p.i], wordAtom, sp})
		default:
			return ws, true
		}
	}
}

// phraseText joins words as a display name: one space where the source
// had whitespace or a comment, none around dots written tight.
func phraseText(ws []word) string {
	if len(ws) == 1 {
		return ws[0].text
	}
	var b strings.Builder
	for i, w := range ws {
		if i > 0 && w.space {
			b.WriteByte(' ')
		}
		b.WriteString(w.text)
	}
	return b.String()
}

// localText joins words as a local part: word *("." word).
func (p *addrParser) localText(ws []word) string {
	if len(ws) == 1 && ws[0].kind != wordDot {
		return ws[0].text
	}
	var b strings.Builder
	prevDot := true
	for _, w := range ws {
		if w.kind == wordDot {
			if prevDot {
				p.bad("empty atom in local part")
			}
			prevDot = true
		} else {
			if !prevDot {
				p.bad("words without a dot in local part")
				b.WriteByte(' ')
			}
			prevDot = false
		}
		b.WriteString(w.text)
	}
	if prevDot && len(ws) > 0 {
		p.bad("local part ends with a dot")
	}
	return b.String()
}

// address reads one mailbox or (outside a group) one group.
func (p *addrParser) address(inGroup bool) (Address, bool) {
	p.comment = ""
	ws, ok := p.words()
	if !ok {
		return Address{}, false
	}
	if p.i >= len(p.s) {
		return p.bareLocal(ws)
	}
	switch p.s[p.i] {
	case '<':
		var a Address
		a.RawName = phraseText(ws)
		if !p.angleAddr(&a) {
			return Address{}, false
		}
		p.skipCFWS()
		p.setName(&a)
		return a, true
	case ':':
		if inGroup || len(ws) == 0 {
			return Address{}, false
		}
		p.i++
		return p.group(phraseText(ws))
	case '@':
		var a Address
		a.Mailbox = p.localText(ws)
		if len(ws) == 0 {
			return Address{}, false
		}
		p.i++
		h, ok := p.domain()
		if !ok {
			return Address{}, false
		}
		a.Host = h
		p.skipCFWS()
		p.setName(&a)
		return a, true
	case ',', ';':
		return p.bareLocal(ws)
	}
	return Address{}, false
}

// setName fills Name from RawName, or both from a comment ("a@b (Name)").
func (p *addrParser) setName(a *Address) {
	if a.RawName == "" && p.comment != "" {
		a.RawName = p.comment
	}
	if a.RawName != "" {
		var ds []Defect
		a.Name, ds = DecodeWords(a.RawName)
		p.defects = append(p.defects, ds...)
	}
}

// bareLocal takes "postmaster" (no domain) as a mailbox, with a defect.
func (p *addrParser) bareLocal(ws []word) (Address, bool) {
	if len(ws) == 0 {
		return Address{}, false
	}
	for _, w := range ws {
		if w.kind == wordDot && len(ws) == 1 {
			return Address{}, false
		}
	}
	a := Address{Mailbox: p.localText(ws)}
	p.bad("address without a domain: " + a.Mailbox)
	p.setName(&a)
	return a, true
}

// angleAddr reads "<" [obs-route] addr-spec ">" at p.i.
func (p *addrParser) angleAddr(a *Address) bool {
	p.i++
	p.skipCFWS()
	// RFC 5322 §4.4 obs-route: obs-domain-list ":".
	if p.i < len(p.s) && (p.s[p.i] == '@' || p.s[p.i] == ',') {
		for {
			p.skipCFWS()
			if p.i >= len(p.s) {
				return false
			}
			c := p.s[p.i]
			if c == ',' {
				p.i++
				continue
			}
			if c == ':' {
				p.i++
				break
			}
			if c != '@' {
				return false
			}
			p.i++
			d, ok := p.domain()
			if !ok {
				return false
			}
			a.Route = append(a.Route, d)
		}
	}
	ws, ok := p.words()
	if !ok {
		return false
	}
	if p.i < len(p.s) && p.s[p.i] == '>' && len(ws) == 0 {
		return false // "<>" is no address
	}
	a.Mailbox = p.localText(ws)
	if p.i < len(p.s) && p.s[p.i] == '@' && len(ws) > 0 {
		p.i++
		h, ok := p.domain()
		if !ok {
			return false
		}
		a.Host = h
	} else if len(ws) > 0 {
		p.bad("address without a domain: " + a.Mailbox)
	} else {
		return false
	}
	p.skipCFWS()
	if p.i < len(p.s) && p.s[p.i] == '>' {
		p.i++
		return true
	}
	p.bad("missing '>'")
	return p.i >= len(p.s) || p.s[p.i] == ',' || p.s[p.i] == ';'
}

// domain reads dot-atom, a domain literal, or obs-domain.
func (p *addrParser) domain() (string, bool) {
	p.skipCFWS()
	if p.i >= len(p.s) {
		return "", false
	}
	if p.s[p.i] == '[' {
		var b strings.Builder
		b.WriteByte('[')
		p.i++
		for p.i < len(p.s) {
			c := p.s[p.i]
			p.i++
			switch c {
			case ']':
				b.WriteByte(']')
				return b.String(), true
			case '[':
				return "", false
			case '\\':
				if p.i < len(p.s) {
					c = p.s[p.i]
					p.i++
					if c == '[' || c == ']' || c == '\\' {
						// Cannot be written back inside a literal without the escape.
						b.WriteByte('\\')
					}
				}
			case '\r', '\n':
				continue
			}
			b.WriteByte(c)
		}
		return "", false
	}
	first, clean := p.i, true // clean: no CFWS inside, so a substring will do
	for {
		start := p.i
		for p.i < len(p.s) && isAtext(p.s[p.i]) {
			p.i++
		}
		if p.i == start {
			return "", false
		}
		save := p.i
		if p.skipCFWS() {
			clean = false
		}
		if p.i < len(p.s) && p.s[p.i] == '.' {
			p.i++
			if p.skipCFWS() {
				clean = false
			}
			continue
		}
		p.i = save
		if clean {
			return p.s[first:p.i], true
		}
		return cleanID(p.s[first:p.i]), true // obs-domain: CFWS around the dots
	}
}

// group reads the rest of a group after its ":".
func (p *addrParser) group(name string) (Address, bool) {
	g := Address{Group: true, RawName: name}
	var ds []Defect
	g.Name, ds = DecodeWords(name)
	p.defects = append(p.defects, ds...)
	for {
		p.skipCFWS()
		if p.i >= len(p.s) {
			p.bad("group without ';': " + name)
			return g, true
		}
		switch p.s[p.i] {
		case ';':
			p.i++
			p.comment = ""
			return g, true
		case ',':
			p.i++
			continue
		}
		if len(g.Members) >= maxAddresses {
			return Address{}, false
		}
		start := p.i
		m, ok := p.address(true)
		if ok {
			p.skipCFWS()
			if p.i < len(p.s) && p.s[p.i] != ',' && p.s[p.i] != ';' {
				ok = false
			}
		}
		if !ok {
			p.i = start
			p.skipEntry(true)
			p.bad(p.s[start:p.i])
			continue
		}
		g.Members = append(g.Members, m)
	}
}

// skipEntry moves past a bad entry to the next ',' (or ';' in a group)
// outside quotes, comments and angle brackets.
func (p *addrParser) skipEntry(inGroup bool) {
	angle := false
	for p.i < len(p.s) {
		switch c := p.s[p.i]; c {
		case '"':
			p.quoted()
			continue
		case '(':
			p.commentText()
			continue
		case '<':
			angle = true
		case '>':
			angle = false
		case ',':
			if !angle {
				return
			}
		case ';':
			if inGroup && !angle {
				return
			}
		}
		p.i++
	}
}

// FormatAddressList formats addresses as an address list, ", " between
// entries; [ParseAddressList] reads it back to the same addresses (Name,
// Route, Mailbox, Host, Group, Members; RawName becomes the name as
// formatted).
func FormatAddressList(as []Address) string {
	var b strings.Builder
	for i, a := range as {
		if i > 0 {
			b.WriteString(", ")
		}
		appendAddress(&b, a)
	}
	return b.String()
}

// FormatAddress formats one mailbox or group: display names that are not
// plain ASCII words are quoted, or RFC 2047-encoded (UTF-8) when they are
// not ASCII; local parts are quoted when needed; UTF-8 local parts and
// domains are written as they are (RFC 6532).
func FormatAddress(a Address) string {
	var b strings.Builder
	appendAddress(&b, a)
	return b.String()
}

func appendAddress(b *strings.Builder, a Address) {
	if a.Group {
		appendPhrase(b, a.Name)
		b.WriteByte(':')
		for i, m := range a.Members {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteByte(' ')
			appendAddress(b, m)
		}
		b.WriteByte(';')
		return
	}
	if a.Name == "" && len(a.Route) == 0 {
		b.WriteString(a.Addr())
		return
	}
	if a.Name != "" {
		appendPhrase(b, a.Name)
		b.WriteByte(' ')
	}
	b.WriteByte('<')
	for i, r := range a.Route {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('@')
		b.WriteString(r)
	}
	if len(a.Route) > 0 {
		b.WriteByte(':')
	}
	b.WriteString(a.Addr())
	b.WriteByte('>')
}

// appendPhrase writes a display name: atoms as they are, other printable
// ASCII as a quoted-string, anything else as RFC 2047 words (§5 (3)).
func appendPhrase(b *strings.Builder, name string) {
	atoms, printable := true, true
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c < ' ' || c >= 0x7f:
			printable, atoms = false, false
		case c == ' ':
			if i == 0 || i == len(name)-1 || name[i-1] == ' ' {
				atoms = false
			}
		case !isAtext(c):
			atoms = false
		}
	}
	if name == "" {
		b.WriteString(`""`)
		return
	}
	if printable && !strings.Contains(name, "=?") {
		if atoms {
			b.WriteString(name)
			return
		}
		writeQuoted(b, name)
		return
	}
	writeEncoded(b, name)
}

// appendLocal writes a local part: as a dot-atom when it is one, else as a
// quoted-string.
func appendLocal(b *strings.Builder, local string) {
	dotAtom := local != ""
	prevDot := true
	for i := 0; i < len(local) && dotAtom; i++ {
		c := local[i]
		switch {
		case c == '.':
			if prevDot {
				dotAtom = false
			}
			prevDot = true
		case isAtext(c):
			prevDot = false
		default:
			dotAtom = false
		}
	}
	if dotAtom && !prevDot {
		b.WriteString(local)
		return
	}
	writeQuoted(b, local)
}
