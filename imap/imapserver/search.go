package imapserver

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/mailwire/mailwire/mime"
)

// searchKey is one node of a parsed search (RFC 9051 §6.4.4).
type searchKey struct {
	op    string // upper-case key name, "AND" for a list, "SEQ", "UIDSET"
	arg   string // string argument; for HEADER the field name
	arg2  string // HEADER value
	num   uint64
	date  time.Time
	set   seqSet
	kids  []*searchKey
	flag  string
	isUID bool
}

// search key names and the arguments they take
var searchArgs = map[string]string{
	"ALL": "", "ANSWERED": "", "DELETED": "", "DRAFT": "", "FLAGGED": "", "NEW": "", "OLD": "",
	"RECENT": "", "SEEN": "", "UNANSWERED": "", "UNDELETED": "", "UNDRAFT": "", "UNFLAGGED": "", "UNSEEN": "",
	"BCC": "s", "BODY": "s", "CC": "s", "FROM": "s", "SUBJECT": "s", "TEXT": "s", "TO": "s",
	"KEYWORD": "f", "UNKEYWORD": "f",
	"BEFORE": "d", "ON": "d", "SINCE": "d", "SENTBEFORE": "d", "SENTON": "d", "SENTSINCE": "d",
	"LARGER": "n", "SMALLER": "n", "OLDER": "n", "YOUNGER": "n",
	"SAVEDBEFORE": "d", "SAVEDON": "d", "SAVEDSINCE": "d", "SAVEDATESUPPORTED": "",
	"EMAILID": "s", "THREADID": "s",
	"HEADER": "ss", "NOT": "k", "OR": "kk", "UID": "u", "MODSEQ": "m",
}

func (c *conn) searchKey(depth int) (*searchKey, bool) {
	d := &c.dec
	if depth > 64 {
		return nil, d.syntax("search nested too deep")
	}
	if d.Peek('(') {
		d.readByte()
		k := &searchKey{op: "AND"}
		for !d.Peek(')') {
			if len(k.kids) > 0 && !d.SP() {
				return nil, false
			}
			kid, ok := c.searchKey(depth + 1)
			if !ok {
				return nil, false
			}
			k.kids = append(k.kids, kid)
		}
		d.readByte()
		return k, true
	}
	b, ok := d.peek()
	if !ok {
		return nil, false
	}
	if b >= '0' && b <= '9' || b == '*' || b == '$' {
		set, ok := d.SeqSet()
		return &searchKey{op: "SEQ", set: set}, ok
	}
	name, ok := d.Atom()
	if !ok {
		return nil, false
	}
	k := &searchKey{op: strings.ToUpper(name)}
	args, known := searchArgs[k.op]
	if !known {
		return nil, d.syntax("unknown search key %q", quoteBack(name))
	}
	for i := 0; i < len(args); i++ {
		if !d.SP() {
			return nil, false
		}
		switch args[i] {
		case 's':
			s, ok := d.AString()
			if !ok {
				return nil, false
			}
			if i == 0 {
				k.arg = s
			} else {
				k.arg2 = s
			}
		case 'f':
			f, ok := d.flag()
			if !ok {
				return nil, false
			}
			k.flag = f
		case 'd':
			s, ok := d.AString()
			if !ok {
				return nil, false
			}
			t, err := time.Parse("_2-Jan-2006", strings.TrimSpace(s))
			if err != nil {
				return nil, d.syntax("bad date")
			}
			k.date = t
		case 'n':
			n, ok := d.Number64()
			if !ok {
				return nil, false
			}
			if n == 0 && (k.op == "OLDER" || k.op == "YOUNGER") {
				// RFC 5032 §4: the interval is an nz-number.
				return nil, d.syntax("%s needs a number of seconds above 0", k.op)
			}
			k.num = n
		case 'k':
			kid, ok := c.searchKey(depth + 1)
			if !ok {
				return nil, false
			}
			k.kids = append(k.kids, kid)
		case 'u':
			set, ok := d.SeqSet()
			if !ok {
				return nil, false
			}
			k.set, k.isUID = set, true
		case 'm':
			// MODSEQ [entry-name entry-type] n (RFC 7162 §3.1.5)
			if d.Peek('"') {
				if _, ok := d.quoted(); !ok || !d.SP() {
					return nil, false
				}
				if _, ok := d.Atom(); !ok || !d.SP() {
					return nil, false
				}
			}
			n, ok := d.Number64()
			if !ok {
				return nil, false
			}
			k.num = n
			c.condstore = true
		}
	}
	return k, true
}

// handleSEARCH: RFC 9051 §6.4.4 with ESEARCH (RFC 4731), SEARCHRES
// (RFC 5182), WITHIN (RFC 5032) and MODSEQ (RFC 7162).
func (c *conn) handleSEARCH(tag string, uid bool) error {
	d := &c.dec
	if !d.SP() {
		return nil
	}
	var ret []string
	esearch := false
	if d.Peek('R') || d.Peek('r') {
		b, _ := d.Bufio().Peek(min(d.Bufio().Buffered(), 8))
		if strings.HasPrefix(strings.ToUpper(string(b)), "RETURN ") {
			if !c.returnOptions(&ret) || !d.SP() {
				return nil
			}
			esearch = true
		}
	}
	if d.Peek('C') || d.Peek('c') {
		b, _ := d.Bufio().Peek(min(d.Bufio().Buffered(), 8))
		if strings.HasPrefix(strings.ToUpper(string(b)), "CHARSET ") {
			d.Atom()
			if !d.SP() {
				return nil
			}
			cs, ok := d.AString()
			if !ok || !d.SP() {
				return nil
			}
			if !strings.EqualFold(cs, "UTF-8") && !strings.EqualFold(cs, "US-ASCII") {
				c.skipRestOfCommand()
				return no("BADCHARSET (UTF-8 US-ASCII)", "unsupported charset")
			}
		}
	}
	root := &searchKey{op: "AND"}
	for {
		k, ok := c.searchKey(0)
		if !ok {
			return nil
		}
		root.kids = append(root.kids, k)
		if !d.Peek(' ') {
			break
		}
		d.readByte()
	}
	if !d.CRLF() {
		return nil
	}
	if c.rev2 && !esearch {
		esearch = true
	}
	if esearch && len(ret) == 0 {
		ret = []string{"ALL"}
	}
	s := c.sel
	var found []uint32
	needBody := root.needsBody()
	err := s.mbox.Fetch(c.ctx(), s.uids, func(m Message) error {
		seq := s.seqOf(m.UID())
		if seq == 0 {
			return nil
		}
		ev := evalCtx{c: c, m: m, seq: uint32(seq)}
		if needBody {
			ev.loadHeader()
		}
		if ev.match(root) {
			found = append(found, m.UID())
		}
		return nil
	})
	if err != nil {
		return err
	}
	nums := found
	if !uid {
		nums = make([]uint32, len(found))
		for i, u := range found {
			nums[i] = uint32(s.seqOf(u))
		}
	}
	save := false
	for _, r := range ret {
		save = save || r == "SAVE"
	}
	if save {
		s.saved = found
	}
	if !esearch {
		b := []byte("* SEARCH")
		for _, n := range nums {
			b = append(b, ' ')
			b = appendUint(b, uint64(n))
		}
		c.writer().Write(append(b, "\r\n"...))
		return nil
	}
	if save && len(ret) == 1 {
		return nil // RFC 5182 §2.1: SAVE alone sends no ESEARCH
	}
	c.writeESearch(tag, uid, ret, nums, false)
	return nil
}

// returnOptions reads "RETURN (MIN MAX ALL COUNT SAVE)" (RFC 4731, RFC
// 5182).
func (c *conn) returnOptions(ret *[]string) bool {
	d := &c.dec
	a, ok := d.Atom()
	if !ok {
		return false
	}
	if !strings.EqualFold(a, "RETURN") {
		return d.syntax("expected RETURN")
	}
	if !d.SP() || !d.Expect('(') {
		return false
	}
	for !d.Peek(')') {
		if len(*ret) > 0 && !d.SP() {
			return false
		}
		a, ok := d.Atom()
		if !ok {
			return false
		}
		a = strings.ToUpper(a)
		switch a {
		case "MIN", "MAX", "ALL", "COUNT", "SAVE":
		default:
			return d.syntax("unknown RETURN option")
		}
		*ret = append(*ret, a)
	}
	d.readByte()
	return true
}

// writeESearch writes an ESEARCH response (RFC 4731 §3.1). For a sort
// (RFC 5267 §3.1) MIN and MAX are the first and last in sort order and ALL
// keeps that order, with ranges only where numbers ascend by one.
func (c *conn) writeESearch(tag string, uid bool, ret []string, nums []uint32, sorted bool) {
	b := []byte(`* ESEARCH (TAG `)
	b = appendQuoted(b, tag)
	b = append(b, ')')
	if uid {
		b = append(b, " UID"...)
	}
	for _, r := range ret {
		switch r {
		case "MIN":
			if len(nums) > 0 {
				b = append(b, " MIN "...)
				b = appendUint(b, uint64(nums[0]))
			}
		case "MAX":
			if len(nums) > 0 {
				b = append(b, " MAX "...)
				b = appendUint(b, uint64(nums[len(nums)-1]))
			}
		case "ALL":
			if len(nums) > 0 {
				b = append(b, " ALL "...)
				b = appendUIDSet(b, nums) // runs ascend by one in either case
			}
		case "COUNT":
			b = append(b, " COUNT "...)
			b = strconv.AppendInt(b, int64(len(nums)), 10)
		}
	}
	_ = sorted
	c.writer().Write(append(b, "\r\n"...))
}

func (k *searchKey) needsBody() bool {
	switch k.op {
	case "BCC", "BODY", "CC", "FROM", "SUBJECT", "TEXT", "TO", "HEADER", "SENTBEFORE", "SENTON", "SENTSINCE":
		return true
	}
	for _, kid := range k.kids {
		if kid.needsBody() {
			return true
		}
	}
	return false
}

type evalCtx struct {
	c   *conn
	m   Message
	seq uint32
	hdr *mime.Header
}

func (e *evalCtx) loadHeader() {
	body, err := e.m.Body()
	if err != nil {
		e.hdr = &mime.Header{}
		return
	}
	h, _, _ := mime.ReadHeader(bufioReader(io.NewSectionReader(body, 0, e.m.Size())), mime.Limits{})
	e.hdr = &h
}

func hasFlag(flags []string, f string) bool {
	for _, x := range flags {
		if strings.EqualFold(x, f) {
			return true
		}
	}
	return false
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

func (e *evalCtx) headerHas(field, sub string) bool {
	for _, v := range e.hdr.Values(field) {
		if containsFold(v, sub) {
			return true
		}
		if dec, _ := mime.DecodeWords(v); containsFold(dec, sub) {
			return true
		}
	}
	return false
}

func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

func (e *evalCtx) sentDate() (time.Time, bool) {
	t, err := mime.ParseDateLenient(e.hdr.Get("Date"))
	return day(t), err == nil
}

func (e *evalCtx) match(k *searchKey) bool {
	m := e.m
	switch k.op {
	case "AND":
		for _, kid := range k.kids {
			if !e.match(kid) {
				return false
			}
		}
		return true
	case "ALL":
		return true
	case "NOT":
		return !e.match(k.kids[0])
	case "OR":
		return e.match(k.kids[0]) || e.match(k.kids[1])
	case "SEQ", "UID":
		s := e.c.sel
		if k.set.saved {
			for _, u := range s.saved {
				if u == m.UID() {
					return true
				}
			}
			return false
		}
		n := e.seq
		max := uint32(len(s.uids))
		if k.isUID {
			n = m.UID()
			if len(s.uids) > 0 {
				max = s.uids[len(s.uids)-1]
			}
		}
		for _, r := range k.set.ranges {
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
			if n >= lo && n <= hi {
				return true
			}
		}
		return false
	case "ANSWERED", "DELETED", "DRAFT", "FLAGGED", "SEEN", "RECENT":
		return hasFlag(m.Flags(), `\`+k.op)
	case "UNANSWERED", "UNDELETED", "UNDRAFT", "UNFLAGGED", "UNSEEN":
		return !hasFlag(m.Flags(), `\`+k.op[2:])
	case "NEW":
		return hasFlag(m.Flags(), `\Recent`) && !hasFlag(m.Flags(), `\Seen`)
	case "OLD":
		return !hasFlag(m.Flags(), `\Recent`)
	case "KEYWORD":
		return hasFlag(m.Flags(), k.flag)
	case "UNKEYWORD":
		return !hasFlag(m.Flags(), k.flag)
	case "LARGER":
		return uint64(m.Size()) > k.num
	case "SMALLER":
		return uint64(m.Size()) < k.num
	case "BEFORE":
		return day(m.InternalDate()).Before(k.date)
	case "ON":
		return day(m.InternalDate()).Equal(k.date)
	case "SINCE":
		return !day(m.InternalDate()).Before(k.date)
	case "OLDER":
		return time.Since(m.InternalDate()) >= time.Duration(k.num)*time.Second
	case "YOUNGER":
		return time.Since(m.InternalDate()) <= time.Duration(k.num)*time.Second
	case "MODSEQ":
		return m.ModSeq() >= k.num
	case "SAVEDATESUPPORTED":
		_, ok := m.(SaveDateMessage)
		return ok
	case "SAVEDBEFORE", "SAVEDON", "SAVEDSINCE":
		sm, ok := m.(SaveDateMessage)
		if !ok {
			// RFC 8514 §4.3: without save dates the internal date is used.
			sm = nil
		}
		t := m.InternalDate()
		if sm != nil && !sm.SaveDate().IsZero() {
			t = sm.SaveDate()
		}
		t = day(t)
		switch k.op {
		case "SAVEDBEFORE":
			return t.Before(k.date)
		case "SAVEDON":
			return t.Equal(k.date)
		}
		return !t.Before(k.date)
	case "EMAILID", "THREADID":
		om, ok := m.(ObjectIDMessage)
		if !ok {
			return false
		}
		if k.op == "EMAILID" {
			return om.EmailID() == k.arg
		}
		return om.ThreadID() != "" && om.ThreadID() == k.arg
	case "SENTBEFORE", "SENTON", "SENTSINCE":
		t, ok := e.sentDate()
		if !ok {
			return false
		}
		switch k.op {
		case "SENTBEFORE":
			return t.Before(k.date)
		case "SENTON":
			return t.Equal(k.date)
		}
		return !t.Before(k.date)
	case "BCC", "CC", "FROM", "SUBJECT", "TO":
		return e.headerHas(k.op, k.arg)
	case "HEADER":
		if k.arg2 == "" {
			return e.hdr.Has(k.arg)
		}
		return e.headerHas(k.arg, k.arg2)
	case "BODY", "TEXT":
		body, err := m.Body()
		if err != nil {
			return false
		}
		return bodyContains(io.NewSectionReader(body, 0, m.Size()), k.arg, k.op == "TEXT")
	}
	return false
}

// errFound stops a walk once the text is found.
var errFound = errors.New("found")

// bodyContains looks for sub in the decoded text of the message's parts
// (transfer encodings undone, charsets converted to UTF-8), and with
// header in the header fields too (SEARCH TEXT).
func bodyContains(r io.Reader, sub string, header bool) bool {
	err := mime.Walk(r, &mime.ReaderOptions{DecodeCharset: true}, func(p *mime.Part) error {
		if header {
			for _, f := range p.Header.Fields() {
				if containsFold(f.Value, sub) {
					return errFound
				}
				if dec, _ := mime.DecodeWords(f.Value); containsFold(dec, sub) {
					return errFound
				}
			}
		}
		if p.IsMultipart() || p.IsEncapsulated() {
			return nil // their parts come next
		}
		if p.MediaType.Type == "text" || p.Parent == nil || p.IsMessage {
			if readerContainsFold(p.Body(), sub) {
				return errFound
			}
		}
		return nil
	})
	return err == errFound
}

// readerContainsFold looks for sub in r, ASCII case-insensitively, reading
// in chunks.
func readerContainsFold(r io.Reader, sub string) bool {
	if sub == "" {
		return true
	}
	needle := bytes.ToLower([]byte(sub))
	buf := make([]byte, 32<<10)
	keep := 0
	for {
		n, err := r.Read(buf[keep:])
		total := keep + n
		if bytes.Contains(bytes.ToLower(buf[:total]), needle) {
			return true
		}
		if err != nil {
			return false
		}
		keep = min(len(needle)-1, total)
		copy(buf, buf[total-keep:total])
	}
}
