package imapclient

import (
	"strings"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/internal/imapwire"
)

// Value is a value of an unknown response or fetch item, parsed
// generically: string (strings and literals), Atom, uint64 (numbers), nil
// (NIL) or []Value (parenthesised lists).
type Value any

// Atom is an atom in a generic Value.
type Atom string

// kinds, as constants so that routing does not allocate.
var knownKinds = []string{
	"OK", "NO", "BAD", "BYE", "PREAUTH", "CAPABILITY", "ENABLED", "FLAGS", "LIST", "LSUB", "XLIST",
	"STATUS", "SEARCH", "ESEARCH", "SORT", "THREAD", "NAMESPACE", "ID", "QUOTA", "QUOTAROOT",
	"ACL", "LISTRIGHTS", "MYRIGHTS", "METADATA", "VANISHED", "EXISTS", "EXPUNGE", "FETCH", "RECENT",
}

func kindOf(b []byte) string {
	for _, k := range knownKinds {
		if len(k) == len(b) && string(b) == k {
			return k
		}
	}
	return upper(string(b))
}

// readOne reads one response. When stream is not nil and the response is
// a FETCH for it, it returns the message positioned on its items, the
// line unfinished.
func (c *Client) readOne(stream *FetchCommand) (*FetchMessageData, error) {
	c.armDeadline()
	d := c.dec
	b, ok := d.PeekByte()
	if !ok {
		return nil, d.Err()
	}
	var err error
	switch b {
	case '*':
		d.Special('*')
		if !d.ExpectSP() {
			break
		}
		var msg *FetchMessageData
		msg, err = c.readUntagged(stream)
		if msg != nil {
			return msg, nil
		}
	case '+':
		d.Special('+')
		d.SP()
		text := d.Text()
		r := contResult{text: append([]byte(nil), text...)}
		if !d.ExpectCRLF() {
			break
		}
		if !c.deliverCont(r) {
			c.logf(protoErr("unexpected continuation request", nil))
		}
		return nil, nil
	default:
		err = c.readTagged()
	}
	if err == nil {
		err = d.Err()
	}
	if err != nil {
		if !imapwire.IsSyntax(err) {
			return nil, err
		}
		// Tolerance: report, skip the rest of the line, go on.
		c.logf(protoErr("skipped malformed response", err))
		if derr := d.DiscardLine(); derr != nil {
			return nil, derr
		}
	}
	return nil, nil
}

func (c *Client) readTagged() error {
	d := c.dec
	tag := d.TagBytes()
	if tag == nil {
		d.Fail(&imapwire.SyntaxError{Want: "tag"})
		return d.Err()
	}
	c.mu.Lock()
	var cmd *Command
	for i, p := range c.pending {
		if p.tag == string(tag) {
			cmd = p
			c.pending = append(c.pending[:i], c.pending[i+1:]...)
			break
		}
	}
	c.mu.Unlock()
	var kind string
	if !d.ExpectSP() || !d.ExpectAtom(&kind) {
		if cmd != nil {
			cmd.finish(protoErr("malformed tagged response", d.Err()))
		}
		return d.Err()
	}
	r := imap.StatusResponse{Type: imap.StatusResponseType(upper(kind))}
	if d.SP() {
		imap.ReadRespText(d, &r)
	}
	if !d.ExpectCRLF() {
		if cmd != nil {
			cmd.finish(protoErr("malformed tagged response", d.Err()))
		}
		return d.Err()
	}
	if cmd == nil {
		c.logf(protoErr("response for unknown tag", nil))
		return nil
	}
	c.handleCode(&r)
	cmd.status = r
	switch r.Type {
	case imap.StatusOK:
		if cmd.onOK != nil {
			cmd.onOK()
		}
	case imap.StatusNO, imap.StatusBAD:
		cmd.err = r.Err()
		if cmd.onFail != nil {
			cmd.onFail()
		}
	default:
		cmd.err = protoErr("tagged "+kind, nil)
	}
	// A writer waiting for "+" gets the refusal instead.
	c.mu.Lock()
	ch := c.cont
	mine := c.contCmd == cmd
	c.mu.Unlock()
	if ch != nil && mine {
		err := cmd.err
		if err == nil {
			err = errCmdDone
		}
		c.deliverCont(contResult{err: err})
	}
	cmd.finish(nil)
	return nil
}

// route finds the pending command that takes responses of kind.
func (c *Client) route(kind string) untaggedHandler {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.pending {
		if p.h != nil && p.h.wants(kind) {
			return p.h
		}
	}
	return nil
}

// routeFetch finds the pending command an untagged FETCH of message num
// answers (RFC 9051 §7.5.2): the oldest FETCH or STORE whose set holds
// num. For a command by UID it looks ahead in the read buffer for the
// response's UID item (a UID command's FETCH responses carry one, RFC
// 9051 §6.4.9): a response whose UID is outside the command's set, or
// which has none, is not the command's. When the look-ahead cannot tell
// (a literal larger than the buffer comes before the UID) the command
// takes it. None: the response is unilateral (another session changed
// flags, say) and goes to the UnilateralDataHandler.
func (c *Client) routeFetch(num uint32) untaggedHandler {
	// The look-ahead may wait for more of the response; not under c.mu.
	var uid uint32
	look := lookUnknown
	if c.uidFetchPending() {
		uid, look = c.lookAheadUID()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	max := num
	if c.mailbox != nil && c.mailbox.NumMessages > max {
		max = c.mailbox.NumMessages
	}
	for _, p := range c.pending {
		if p.h == nil || !p.h.wants("FETCH") {
			continue
		}
		if fc, ok := p.h.(*FetchCommand); ok {
			if fc.seqs != nil && !fc.seqs.Contains(num, max) {
				continue
			}
			if fc.uids != nil && (look == lookFound && !uidSetHolds(fc.uids, uid) || look == lookNone) {
				continue
			}
		}
		return p.h
	}
	return nil
}

// uidFetchPending reports whether a FETCH or STORE by UID is pending.
func (c *Client) uidFetchPending() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.pending {
		if fc, ok := p.h.(*FetchCommand); ok && fc.uids != nil {
			return true
		}
	}
	return false
}

// lookAheadUID scans the FETCH response next in the read buffer for its
// UID, reading more of the response while the answer is not in the
// buffer and the buffer has room: the response is on its way whole, so
// the wait is one the decoder would have had anyway.
func (c *Client) lookAheadUID() (uint32, lookResult) {
	br := c.dec.Bufio()
	for {
		b, _ := br.Peek(br.Buffered())
		uid, look := scanFetchUID(b)
		if look != lookMore {
			return uid, look
		}
		if br.Buffered() >= br.Size() {
			return 0, lookUnknown
		}
		if _, err := br.Peek(br.Buffered() + 1); err != nil {
			return 0, lookUnknown // the decoder meets the error
		}
	}
}

// uidSetHolds reports whether set holds uid. "*" is the mailbox's highest
// UID, which the client does not know: "n:*" holds every UID from n, and
// "*" alone any.
func uidSetHolds(set imap.UIDSet, uid uint32) bool {
	for _, r := range set {
		a, b := r.Start, r.Stop
		switch {
		case a == 0 && b == 0:
			return true
		case a == 0:
			a = 0xffffffff
		case b == 0:
			b = 0xffffffff
		}
		if a > b {
			a, b = b, a
		}
		if uid >= a && uid <= b {
			return true
		}
	}
	return false
}

// lookResult is what a look ahead for a FETCH response's UID found.
type lookResult uint8

const (
	lookUnknown lookResult = iota // cannot tell: malformed, or too big
	lookMore                      // the buffer ends before the answer
	lookFound                     // a UID item
	lookNone                      // the whole list, and no UID in it
)

// scanFetchUID looks in b, the start of a FETCH response's item list from
// its "(", for a UID item at the list's top level. Quoted strings, nested
// lists, section names (which may hold spaces and parentheses) and
// literals are skipped.
func scanFetchUID(b []byte) (uint32, lookResult) {
	if len(b) == 0 {
		return 0, lookMore
	}
	if b[0] != '(' {
		return 0, lookUnknown
	}
	i := 1
	for {
		for i < len(b) && b[i] == ' ' {
			i++
		}
		if i >= len(b) {
			return 0, lookMore
		}
		if b[i] == ')' {
			return 0, lookNone
		}
		start, depth := i, 0
		for i < len(b) && (depth > 0 || b[i] != ' ' && b[i] != ')') {
			switch b[i] {
			case '[':
				depth++
			case ']':
				depth--
			case '\r', '\n':
				return 0, lookUnknown
			}
			i++
		}
		if i >= len(b) {
			return 0, lookMore
		}
		if b[i] == ')' {
			return 0, lookUnknown // a name with no value
		}
		name := b[start:i]
		i++ // SP
		if len(name) == 3 && name[0]|0x20 == 'u' && name[1]|0x20 == 'i' && name[2]|0x20 == 'd' {
			var n uint64
			j := i
			for j < len(b) && b[j] >= '0' && b[j] <= '9' && n <= 0xffffffff {
				n = n*10 + uint64(b[j]-'0')
				j++
			}
			switch {
			case j >= len(b):
				return 0, lookMore
			case j == i || n > 0xffffffff || b[j] != ' ' && b[j] != ')':
				return 0, lookUnknown
			}
			return uint32(n), lookFound
		}
		var look lookResult
		if i, look = skipFetchValue(b, i); look != lookFound {
			return 0, look
		}
	}
}

// skipFetchValue returns the index just past the value at b[i:], with
// lookFound; or lookMore when b ends first, lookUnknown when the value is
// not one the look-ahead understands.
func skipFetchValue(b []byte, i int) (int, lookResult) {
	depth := 0
	for i < len(b) {
		switch c := b[i]; {
		case c == '(':
			depth++
			i++
		case c == ')':
			if depth == 0 {
				return i, lookFound
			}
			depth--
			i++
			if depth == 0 {
				return i, lookFound
			}
		case c == ' ':
			if depth == 0 {
				return i, lookFound
			}
			i++
		case c == '"':
			i++
			for i < len(b) && b[i] != '"' {
				if b[i] == '\r' || b[i] == '\n' {
					return 0, lookUnknown
				}
				if b[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(b) {
				return 0, lookMore
			}
			i++
			if depth == 0 {
				return i, lookFound
			}
		case c == '{' || c == '~' && i+1 < len(b) && b[i+1] == '{':
			if c == '~' {
				i++
			}
			j := i + 1
			var n int64
			for j < len(b) && b[j] >= '0' && b[j] <= '9' && n < 1<<40 {
				n = n*10 + int64(b[j]-'0')
				j++
			}
			if j < len(b) && (b[j] == '+' || b[j] == '-') {
				j++
			}
			if j+2 >= len(b) {
				return 0, lookMore
			}
			if j == i+1 || b[j] != '}' || b[j+1] != '\r' || b[j+2] != '\n' {
				return 0, lookUnknown
			}
			j += 3
			if int64(len(b)-j) < n {
				return 0, lookMore
			}
			i = j + int(n)
			if depth == 0 {
				return i, lookFound
			}
		case c == '\r' || c == '\n':
			return 0, lookUnknown
		default:
			i++
			if depth == 0 {
				if i >= len(b) {
					return 0, lookMore
				}
				if b[i] == ' ' || b[i] == ')' {
					return i, lookFound
				}
			}
		}
	}
	return 0, lookMore
}

func (c *Client) readUntagged(stream *FetchCommand) (*FetchMessageData, error) {
	d := c.dec
	var num uint32
	hasNum := d.Number(&num)
	if hasNum && !d.ExpectSP() {
		return nil, d.Err()
	}
	name := d.AtomBytes()
	if name == nil {
		d.Fail(&imapwire.SyntaxError{Want: "response name"})
		return nil, d.Err()
	}
	kind := kindOf(name)
	sp := d.SP()
	if hasNum {
		switch kind {
		case "FETCH":
			h := c.routeFetch(num)
			if fc, ok := h.(*FetchCommand); ok && fc == stream {
				return fc.startMessage(num)
			}
			buf, err := c.readFetchBuffer(num)
			if err != nil {
				return nil, err
			}
			if h != nil {
				h.(fetchSink).take(buf)
			} else {
				c.unilateralFetch(buf)
			}
			return nil, nil // the message read its CRLF
		case "EXISTS":
			c.mu.Lock()
			if c.mailbox != nil {
				c.mailbox.NumMessages = num
			}
			c.mu.Unlock()
			if h := c.route("EXISTS"); h != nil {
				h.handle(kind, num)
			} else if u := c.opts.UnilateralDataHandler; u != nil && u.Mailbox != nil {
				n := num
				u.Mailbox(&UnilateralDataMailbox{NumMessages: &n})
			}
		case "EXPUNGE":
			c.mu.Lock()
			if c.mailbox != nil && c.mailbox.NumMessages > 0 {
				c.mailbox.NumMessages--
			}
			c.mu.Unlock()
			if h := c.route("EXPUNGE"); h != nil {
				h.handle(kind, num)
			} else if u := c.opts.UnilateralDataHandler; u != nil && u.Expunge != nil {
				u.Expunge(num)
			}
		case "RECENT":
			// IMAP4rev1 only; nothing to keep.
		default:
			c.other(kind, num, sp)
		}
		return nil, c.endLine()
	}
	switch kind {
	case "OK", "NO", "BAD", "BYE", "PREAUTH":
		r := imap.StatusResponse{Type: imap.StatusResponseType(kind)}
		if sp {
			imap.ReadRespText(d, &r)
		}
		if err := c.endLine(); err != nil {
			return nil, err
		}
		c.handleCode(&r)
		if h := c.route("status:" + string(r.Code)); h != nil {
			h.(statusSink).takeStatus(&r)
		}
		if r.Type == imap.StatusBYE {
			c.mu.Lock()
			c.state = imap.ConnStateLogout
			c.bye = &r
			c.mu.Unlock()
		}
		return nil, nil
	case "CAPABILITY":
		caps := readCaps(d)
		c.mu.Lock()
		c.caps = caps
		c.mu.Unlock()
		if h := c.route(kind); h != nil {
			h.handle(kind, 0)
		}
	case "FLAGS":
		var flags []imap.Flag
		if imap.ReadFlagList(d, &flags) {
			c.mu.Lock()
			if c.mailbox != nil {
				c.mailbox.Flags = flags
			}
			c.mu.Unlock()
			if h := c.route(kind); h == nil {
				if u := c.opts.UnilateralDataHandler; u != nil && u.Mailbox != nil {
					u.Mailbox(&UnilateralDataMailbox{Flags: flags})
				}
			}
		}
	case "VANISHED":
		earlier := false
		if d.Special('(') {
			var s string
			d.ExpectAtom(&s)
			d.ExpectSpecial(')')
			d.ExpectSP()
			earlier = true
		}
		set, ok := imap.ReadUIDSet(d)
		if ok {
			if h := c.route(kind); h != nil {
				h.(vanishedSink).takeVanished(set, earlier)
			} else {
				if !earlier {
					c.mu.Lock()
					if c.mailbox != nil {
						if n, ok := set.Nums(); ok && uint32(len(n)) <= c.mailbox.NumMessages {
							c.mailbox.NumMessages -= uint32(len(n))
						}
					}
					c.mu.Unlock()
				}
				if u := c.opts.UnilateralDataHandler; u != nil && u.Vanished != nil {
					u.Vanished(set, earlier)
				}
			}
		}
	case "LIST", "LSUB", "XLIST", "STATUS", "METADATA":
		if h := c.route(kind); h != nil {
			if err := h.handle(kind, 0); err != nil {
				return nil, err
			}
			break
		}
		c.unilateralMailboxData(kind)
	case "ESEARCH":
		if h := c.route(kind); h != nil {
			h.handle(kind, 0)
			break
		}
		var sd imap.SearchData
		if imap.ReadESearchResponse(d, &sd) {
			c.searchUpdate(&sd)
		}
	default:
		if h := c.route(kind); h != nil {
			if err := h.handle(kind, 0); err != nil {
				return nil, err
			}
			break
		}
		c.other(kind, 0, sp)
	}
	return nil, c.endLine()
}

func (c *Client) endLine() error {
	if c.dec.Err() != nil {
		return c.dec.Err()
	}
	if !c.dec.ExpectCRLF() {
		return c.dec.Err()
	}
	return nil
}

func (c *Client) unilateralMailboxData(kind string) {
	d := c.dec
	u := c.opts.UnilateralDataHandler
	utf8 := c.utf8()
	switch kind {
	case "STATUS":
		var st imap.StatusData
		if imap.ReadStatusData(d, &st, utf8) && u != nil && u.Status != nil {
			u.Status(&st)
		}
	case "METADATA":
		var mbox string
		var entries []string
		if imap.ReadMailbox(d, &mbox, utf8) && d.ExpectSP() {
			if !d.List(func() error {
				var e string
				d.ExpectAString(&e)
				entries = append(entries, e)
				// unsolicited METADATA lists entry names only (RFC 5464 §4.4.2)
				if d.SP() {
					d.SkipValue()
				}
				return nil
			}) {
				var e string
				for d.AString(&e) {
					entries = append(entries, e)
					if !d.SP() {
						break
					}
				}
			}
		}
		if u != nil && u.Metadata != nil {
			u.Metadata(mbox, entries)
		}
	default:
		var l imap.ListData
		if imap.ReadListData(d, &l, utf8) && u != nil && u.List != nil {
			u.List(&l)
		}
	}
}

func (c *Client) other(kind string, num uint32, sp bool) {
	var args []Value
	if sp {
		args = readValues(c.dec)
	}
	if u := c.opts.UnilateralDataHandler; u != nil && u.Other != nil {
		u.Other(kind, num, args)
	}
}

func (c *Client) utf8() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.utf8On
}

// handleCode keeps the client's state current from a response code.
func (c *Client) handleCode(r *imap.StatusResponse) {
	switch r.Code {
	case imap.CodeCapability:
		caps := imap.NewCapSet()
		for _, f := range strings.Fields(r.CodeArg) {
			caps.Add(imap.Cap(f))
		}
		c.mu.Lock()
		c.caps = caps
		c.mu.Unlock()
	case imap.CodeAlert:
		if u := c.opts.UnilateralDataHandler; u != nil && u.Alert != nil {
			u.Alert(r.Text)
		}
	case imap.CodeUIDNext, imap.CodeUIDValidity, imap.CodeHighestModSeq, imap.CodePermanentFlags:
		c.mu.Lock()
		if m := c.mailbox; m != nil {
			switch r.Code {
			case imap.CodeUIDNext:
				if n, err := imap.ParseCodeNumber(r.CodeArg); err == nil {
					m.UIDNext = imap.UID(n)
				}
			case imap.CodeUIDValidity:
				if n, err := imap.ParseCodeNumber(r.CodeArg); err == nil {
					m.UIDValidity = n
				}
			case imap.CodeHighestModSeq:
				if n, err := imap.ParseCodeNumber64(r.CodeArg); err == nil {
					m.HighestModSeq = n
				}
			}
		}
		c.mu.Unlock()
	case imap.CodeReadOnly:
		c.mu.Lock()
		if c.mailbox != nil {
			c.mailbox.ReadOnly = true
		}
		c.mu.Unlock()
	case imap.CodeClosed:
		// RFC 7162 §3.2.11: the previous mailbox is closed.
	}
}

func readCaps(d *imapwire.Decoder) imap.CapSet {
	caps := imap.NewCapSet()
	for {
		t := d.AtomBytes()
		if t == nil {
			break
		}
		caps.Add(imap.Cap(t))
		if !d.SP() {
			break
		}
	}
	return caps
}

// readValues reads the rest of a line as generic values.
func readValues(d *imapwire.Decoder) []Value {
	var out []Value
	for !d.AtEOL() && d.Err() == nil {
		v, ok := readValue(d, 0)
		if !ok {
			break
		}
		out = append(out, v)
		if !d.SP() {
			break
		}
	}
	return out
}

func readValue(d *imapwire.Decoder, depth int) (Value, bool) {
	if depth > 100 {
		return nil, d.Fail(&imapwire.SyntaxError{Want: "lists nested at most 100 deep"})
	}
	c, ok := d.PeekByte()
	if !ok {
		return nil, false
	}
	switch c {
	case '(':
		list := []Value{}
		ok := d.List(func() error {
			v, ok := readValue(d, depth+1)
			if ok {
				list = append(list, v)
			}
			return nil
		})
		return list, ok
	case '"', '{', '~':
		if b, err := d.Bufio().Peek(2); c != '~' || err == nil && b[1] == '{' {
			b, ok := d.StringBytes()
			return string(b), ok
		}
	}
	if c >= '0' && c <= '9' {
		var n uint64
		if d.ModSeq(&n) {
			if x, _ := d.PeekByte(); x == ' ' || x == ')' || x == '\r' || x == '\n' {
				return n, true
			}
			// a sequence set such as 1:4
			rest := d.AtomBytes()
			return Atom(formatUint(n) + string(rest)), true
		}
	}
	if d.NIL() {
		return nil, true
	}
	b := d.AtomBytes()
	if b == nil {
		if d.Special('\\') {
			t := d.AtomBytes()
			if d.Special('*') {
				return Atom(`\*`), true
			}
			return Atom(`\` + string(t)), true
		}
		return nil, d.ExpectAtom(new(string))
	}
	s := string(b)
	if c, _ := d.PeekByte(); c == '[' {
		// an item name with a section: BODY[...]<n>
		var sb strings.Builder
		sb.WriteString(s)
		readRawSection(d, &sb)
		s = sb.String()
	}
	return Atom(s), true
}

func readRawSection(d *imapwire.Decoder, sb *strings.Builder) {
	depth := 0
	for {
		c, ok := d.PeekByte()
		if !ok || c == '\r' || c == '\n' {
			return
		}
		if c == '"' {
			q, _ := d.QuotedBytes()
			sb.WriteString(`"` + string(q) + `"`)
			continue
		}
		d.Special(c)
		sb.WriteByte(c)
		switch c {
		case '[':
			depth++
		case ']':
			depth--
			if depth == 0 {
				if x, _ := d.PeekByte(); x == '<' {
					for {
						y, ok := d.PeekByte()
						if !ok || y == '\r' {
							return
						}
						d.Special(y)
						sb.WriteByte(y)
						if y == '>' {
							return
						}
					}
				}
				return
			}
		}
	}
}

func formatUint(n uint64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return string(b[i:])
}

// statusSink takes untagged status responses with a given code.
type statusSink interface {
	takeStatus(r *imap.StatusResponse)
}

// fetchSink takes buffered FETCH data.
type fetchSink interface {
	take(*FetchMessageBuffer)
}

// vanishedSink takes VANISHED data.
type vanishedSink interface {
	takeVanished(set imap.UIDSet, earlier bool)
}
