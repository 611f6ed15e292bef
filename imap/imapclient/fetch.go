package imapclient

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/internal/imapwire"
)

// internalDateLayout is date-time (RFC 9051 §9).
const internalDateLayout = "_2-Jan-2006 15:04:05 -0700"

// Fetch sends FETCH, or UID FETCH when set is an imap.UIDSet, and returns
// the command whose results stream: call Next until it returns nil, then
// Close (or call Collect).
//
// While messages are being read the command holds the connection's read
// side: other commands' replies are read after it. Results not yet read
// when another command's Wait reads the connection are kept in memory
// for Next, so read them (or Close) before waiting on later commands to
// keep to one message at a time.
func (c *Client) Fetch(set imap.NumSet, opts *imap.FetchOptions) *FetchCommand {
	_, uid := set.(imap.UIDSet)
	return c.fetch(uid, set, opts)
}

// UIDFetch sends UID FETCH whatever the set's type: for "$"
// (imap.SearchRes) holding UIDs.
func (c *Client) UIDFetch(set imap.NumSet, opts *imap.FetchOptions) *FetchCommand {
	return c.fetch(true, set, opts)
}

func (c *Client) fetch(uid bool, set imap.NumSet, opts *imap.FetchOptions) *FetchCommand {
	if len(opts.Items()) == 0 {
		// FETCH needs an item (RFC 9051 §6.4.5): nil or empty opts ask
		// for the UID and the flags, keeping any modifiers.
		o := imap.FetchOptions{}
		if opts != nil {
			o = *opts
		}
		o.UID, o.Flags = true, true
		opts = &o
	}
	cmd := &FetchCommand{uid: uid}
	if ss, ok := set.(imap.SeqSet); ok && !uid {
		cmd.seqs = ss
	}
	if us, ok := set.(imap.UIDSet); ok && uid {
		cmd.uids = us
	}
	cmd.bodies = opts != nil && (len(opts.BodySection) > 0 || len(opts.BinarySection) > 0)
	name := "FETCH"
	if uid {
		name = "UID FETCH"
	}
	cmd.Command = c.newCommand(name, cmd)
	c.enc.SP()
	imap.WriteNumSet(c.enc, set)
	c.enc.SP()
	imap.WriteFetchOptions(c.enc, opts)
	c.send(cmd.Command)
	return cmd
}

// FetchCommand is a FETCH (or STORE) in flight.
type FetchCommand struct {
	*Command
	uid     bool
	msg     FetchMessageData
	cur     *FetchMessageData
	queue   []*FetchMessageBuffer // messages read by another goroutine
	holding bool                  // this command holds the read side
	bodies  bool                  // body or binary sections asked for
	// seqs is the set of a FETCH or STORE by sequence number: a FETCH
	// response for a message outside it is not this command's.
	seqs imap.SeqSet
	// uids is the set of a FETCH or STORE by UID: a FETCH response whose
	// UID item is outside it, or which has none, is not this command's.
	uids imap.UIDSet

	// Vanished holds the UIDs of a VANISHED (EARLIER) response to a UID
	// FETCH with the VANISHED modifier (RFC 7162 §3.2.6), after Close.
	Vanished imap.UIDSet
	// Modified is the MODIFIED response code's set of a STORE with
	// UNCHANGEDSINCE (RFC 7162 §3.1.3), after Close.
	Modified imap.NumSet
}

func (cmd *FetchCommand) wants(kind string) bool { return kind == "FETCH" || kind == "VANISHED" }

func (cmd *FetchCommand) handle(kind string, num uint32) error { return nil }

func (cmd *FetchCommand) take(b *FetchMessageBuffer) {
	cmd.c.mu.Lock()
	cmd.queue = append(cmd.queue, b)
	cmd.c.mu.Unlock()
}

func (cmd *FetchCommand) takeVanished(set imap.UIDSet, earlier bool) {
	cmd.Vanished = append(cmd.Vanished, set...)
}

func (cmd *FetchCommand) startMessage(num uint32) (*FetchMessageData, error) {
	m := &cmd.msg
	*m = FetchMessageData{SeqNum: num, c: cmd.c, sec: m.sec, part: m.part[:0]}
	if !cmd.c.dec.ExpectSpecial('(') {
		return nil, cmd.c.dec.Err()
	}
	return m, nil
}

// Next returns the next message, nil at the end (then see Close for the
// command's result). The message is valid until the next call.
func (cmd *FetchCommand) Next() *FetchMessageData {
	c := cmd.c
	if cmd.cur != nil {
		cmd.cur.finish()
		cmd.cur = nil
	}
	for {
		c.mu.Lock()
		if len(cmd.queue) > 0 {
			b := cmd.queue[0]
			cmd.queue = cmd.queue[1:]
			c.mu.Unlock()
			return b.data()
		}
		c.mu.Unlock()
		if !cmd.holding {
			select {
			case <-cmd.done:
				c.mu.Lock()
				n := len(cmd.queue)
				c.mu.Unlock()
				if n > 0 {
					continue
				}
				return nil
			case c.rtok <- struct{}{}:
				cmd.holding = true
				if cmd.bodies {
					c.growReadBuffer()
				}
			}
		}
		if cmd.isDone() {
			cmd.release()
			continue
		}
		c.armDeadline()
		msg, err := c.readOne(cmd)
		if err != nil {
			cmd.release()
			c.fail(err)
			continue
		}
		if msg != nil {
			cmd.cur = msg
			return msg
		}
	}
}

func (cmd *FetchCommand) release() {
	if cmd.holding {
		cmd.holding = false
		<-cmd.c.rtok
	}
}

// Close reads and drops the messages not yet read and returns the
// command's result.
func (cmd *FetchCommand) Close() error {
	for cmd.Next() != nil {
	}
	cmd.release()
	if cmd.status.Code == imap.CodeModified {
		if set, err := imap.ParseNumSet(cmd.status.CodeArg, cmd.uid); err == nil {
			cmd.Modified = set
		}
	}
	return cmd.Wait()
}

// Collect reads every message into memory.
func (cmd *FetchCommand) Collect() ([]*FetchMessageBuffer, error) {
	var out []*FetchMessageBuffer
	for m := cmd.Next(); m != nil; m = cmd.Next() {
		b, err := m.Collect()
		if err != nil {
			cmd.Close()
			return out, err
		}
		out = append(out, b)
	}
	return out, cmd.Close()
}

// FetchMessageData is one message of a FETCH response, whose items are
// parsed as Next is called.
type FetchMessageData struct {
	SeqNum uint32

	c     *Client
	buf   *FetchMessageBuffer // when read by another goroutine
	items []FetchItemData
	n     int
	done  bool
	err   error

	// storage reused from message to message
	sec  imap.FetchItemBodySection
	part []int
	it   struct {
		flags   FetchItemDataFlags
		env     FetchItemDataEnvelope
		bs      FetchItemDataBodyStructure
		size    FetchItemDataRFC822Size
		uid     FetchItemDataUID
		date    FetchItemDataInternalDate
		modseq  FetchItemDataModSeq
		body    FetchItemDataBodySection
		bin     FetchItemDataBinarySection
		binsize FetchItemDataBinarySectionSize
	}
}

// FetchItemData is one item of a FETCH response: one of the
// *FetchItemData... types. Items are valid until the next call to Next
// (values they point to, such as a Flags slice or an Envelope, stay valid).
type FetchItemData interface {
	fetchItemData()
}

// Fetch item data.
type (
	FetchItemDataFlags         struct{ Flags []imap.Flag }
	FetchItemDataEnvelope      struct{ Envelope *imap.Envelope }
	FetchItemDataRFC822Size    struct{ Size int64 }
	FetchItemDataUID           struct{ UID imap.UID }
	FetchItemDataInternalDate  struct{ Time time.Time }
	FetchItemDataModSeq        struct{ ModSeq uint64 }
	FetchItemDataEmailID       struct{ EmailID string }
	FetchItemDataThreadID      struct{ ThreadID string }
	FetchItemDataSaveDate      struct{ Time time.Time } // zero for NIL
	FetchItemDataPreview       struct{ Preview string }
	FetchItemDataGmailMsgID    struct{ ID uint64 }
	FetchItemDataGmailThrID    struct{ ID uint64 }
	FetchItemDataGmailLabels   struct{ Labels []string }
	FetchItemDataBodyStructure struct {
		BodyStructure *imap.BodyStructure
		Extended      bool // BODYSTRUCTURE rather than BODY
	}
	// FetchItemDataBodySection is BODY[...] (or RFC822, RFC822.HEADER,
	// RFC822.TEXT): Literal streams its content and must be read before the
	// next call to Next; it is nil when the server sent NIL.
	FetchItemDataBodySection struct {
		Section *imap.FetchItemBodySection
		Size    int64
		Literal io.Reader
	}
	// FetchItemDataBinarySection is BINARY[...] (RFC 3516).
	FetchItemDataBinarySection struct {
		Part    []int
		Offset  int64 // -1 when no partial was given
		Size    int64
		Literal io.Reader
	}
	FetchItemDataBinarySectionSize struct {
		Part []int
		Size uint32
	}
	// FetchItemDataOther is an item the client does not know, kept as a
	// generic value (the extension hook).
	FetchItemDataOther struct {
		Name  string
		Value Value
	}
)

func (*FetchItemDataFlags) fetchItemData()             {}
func (*FetchItemDataEnvelope) fetchItemData()          {}
func (*FetchItemDataRFC822Size) fetchItemData()        {}
func (*FetchItemDataUID) fetchItemData()               {}
func (*FetchItemDataInternalDate) fetchItemData()      {}
func (*FetchItemDataModSeq) fetchItemData()            {}
func (*FetchItemDataEmailID) fetchItemData()           {}
func (*FetchItemDataThreadID) fetchItemData()          {}
func (*FetchItemDataSaveDate) fetchItemData()          {}
func (*FetchItemDataPreview) fetchItemData()           {}
func (*FetchItemDataGmailMsgID) fetchItemData()        {}
func (*FetchItemDataGmailThrID) fetchItemData()        {}
func (*FetchItemDataGmailLabels) fetchItemData()       {}
func (*FetchItemDataBodyStructure) fetchItemData()     {}
func (*FetchItemDataBodySection) fetchItemData()       {}
func (*FetchItemDataBinarySection) fetchItemData()     {}
func (*FetchItemDataBinarySectionSize) fetchItemData() {}
func (*FetchItemDataOther) fetchItemData()             {}

// Err returns the error that stopped the message's parsing, if any.
func (m *FetchMessageData) Err() error { return m.err }

// Next returns the next item, nil after the last.
func (m *FetchMessageData) Next() FetchItemData {
	if m.done {
		return nil
	}
	if m.buf != nil {
		if m.n < len(m.items) {
			m.n++
			return m.items[m.n-1]
		}
		m.done = true
		return nil
	}
	d := m.c.dec
	if m.n > 0 {
		if d.Special(')') {
			m.end()
			return nil
		}
		if !d.ExpectSP() {
			m.fail()
			return nil
		}
		if d.Lenient && d.Special(')') {
			m.end()
			return nil
		}
	} else if d.Special(')') { // "FETCH ()"
		m.end()
		return nil
	}
	m.n++
	item := m.readItem()
	if item == nil {
		m.fail()
	}
	return item
}

func (m *FetchMessageData) end() {
	m.done = true
	if !m.c.dec.ExpectCRLF() {
		m.fail()
	}
}

func (m *FetchMessageData) fail() {
	m.done = true
	d := m.c.dec
	m.err = d.Err()
	if m.err == nil {
		m.err = &imapwire.SyntaxError{Want: "fetch item"}
	}
	if imapwire.IsSyntax(m.err) {
		m.c.logf(protoErr(fmt.Sprintf("skipped rest of FETCH for message %d", m.SeqNum), m.err))
		d.DiscardLine()
	}
}

// finish skips the items not read.
func (m *FetchMessageData) finish() {
	for m.Next() != nil {
	}
}

func (m *FetchMessageData) readItem() FetchItemData {
	d := m.c.dec
	name := d.NameBytes()
	if name == nil {
		return nil
	}
	switch {
	case equalFold(name, "FLAGS"):
		it := &m.it.flags
		it.Flags = nil
		if !d.ExpectSP() || !imap.ReadFlagList(d, &it.Flags) {
			return nil
		}
		return it
	case equalFold(name, "UID"):
		var n uint32
		if !d.ExpectSP() || !d.ExpectNumber(&n) {
			return nil
		}
		m.it.uid.UID = imap.UID(n)
		return &m.it.uid
	case equalFold(name, "RFC822.SIZE"):
		if !d.ExpectSP() || !d.ExpectNumber64(&m.it.size.Size) {
			return nil
		}
		return &m.it.size
	case equalFold(name, "ENVELOPE"):
		env := new(imap.Envelope)
		if !d.ExpectSP() || !imap.ReadEnvelope(d, env) {
			return nil
		}
		m.it.env.Envelope = env
		return &m.it.env
	case equalFold(name, "BODYSTRUCTURE"), equalFold(name, "BODY") && !peekIs(d, '['):
		ext := len(name) > 4
		bs := new(imap.BodyStructure)
		if !d.ExpectSP() || !imap.ReadBodyStructure(d, bs) {
			return nil
		}
		m.it.bs = FetchItemDataBodyStructure{BodyStructure: bs, Extended: ext}
		return &m.it.bs
	case equalFold(name, "INTERNALDATE"):
		var s string
		if !d.ExpectSP() || !d.ExpectNString(&s) {
			return nil
		}
		t, err := time.Parse(internalDateLayout, s)
		if err != nil {
			m.c.logf(protoErr("bad INTERNALDATE", err))
		}
		m.it.date.Time = t
		return &m.it.date
	case equalFold(name, "MODSEQ"):
		if !d.ExpectSP() || !d.ExpectSpecial('(') || !d.ModSeq(&m.it.modseq.ModSeq) || !d.ExpectSpecial(')') {
			return nil
		}
		return &m.it.modseq
	case equalFold(name, "BODY"), equalFold(name, "RFC822"), equalFold(name, "RFC822.HEADER"), equalFold(name, "RFC822.TEXT"):
		sec := &m.sec
		*sec = imap.FetchItemBodySection{Part: m.part[:0]}
		switch {
		case equalFold(name, "RFC822.HEADER"):
			sec.Specifier = imap.PartSpecifierHeader
		case equalFold(name, "RFC822.TEXT"):
			sec.Specifier = imap.PartSpecifierText
		case equalFold(name, "BODY"):
			if !imap.ReadSection(d, sec) {
				return nil
			}
			m.part = sec.Part
			if d.Special('<') {
				var off int64
				if !d.ExpectNumber64(&off) || !d.ExpectSpecial('>') {
					return nil
				}
				sec.Partial = &imap.SectionPartial{Offset: off, Size: -1}
			}
		}
		if !d.ExpectSP() {
			return nil
		}
		it := &m.it.body
		*it = FetchItemDataBodySection{Section: sec}
		if !m.readNLiteral(&it.Literal, &it.Size) {
			return nil
		}
		return it
	case equalFold(name, "BINARY"):
		it := &m.it.bin
		*it = FetchItemDataBinarySection{Offset: -1}
		if !m.readPart(&it.Part) {
			return nil
		}
		if d.Special('<') {
			if !d.ExpectNumber64(&it.Offset) || !d.ExpectSpecial('>') {
				return nil
			}
		}
		if !d.ExpectSP() || !m.readNLiteral(&it.Literal, &it.Size) {
			return nil
		}
		return it
	case equalFold(name, "BINARY.SIZE"):
		it := &m.it.binsize
		*it = FetchItemDataBinarySectionSize{}
		if !m.readPart(&it.Part) || !d.ExpectSP() || !d.ExpectNumber(&it.Size) {
			return nil
		}
		return it
	case equalFold(name, "EMAILID"), equalFold(name, "THREADID"):
		var id string
		isEmail := equalFold(name, "EMAILID")
		if !d.ExpectSP() {
			return nil
		}
		if !d.NIL() {
			if !d.ExpectList(func() error { d.ExpectAString(&id); return nil }) {
				return nil
			}
		}
		if isEmail {
			return &FetchItemDataEmailID{EmailID: id}
		}
		return &FetchItemDataThreadID{ThreadID: id}
	case equalFold(name, "SAVEDATE"):
		var s string
		if !d.ExpectSP() || !d.ExpectNString(&s) {
			return nil
		}
		it := &FetchItemDataSaveDate{}
		if s != "" {
			it.Time, _ = time.Parse(internalDateLayout, s)
		}
		return it
	case equalFold(name, "PREVIEW"):
		var s string
		if !d.ExpectSP() || !d.ExpectNString(&s) {
			return nil
		}
		return &FetchItemDataPreview{Preview: s}
	case equalFold(name, "X-GM-MSGID"), equalFold(name, "X-GM-THRID"):
		var v uint64
		isMsg := equalFold(name, "X-GM-MSGID")
		if !d.ExpectSP() || !d.ModSeq(&v) {
			return nil
		}
		if isMsg {
			return &FetchItemDataGmailMsgID{ID: v}
		}
		return &FetchItemDataGmailThrID{ID: v}
	case equalFold(name, "X-GM-LABELS"):
		it := &FetchItemDataGmailLabels{}
		if !d.ExpectSP() || !d.ExpectList(func() error {
			var s string
			if d.Special('\\') {
				var a string
				d.ExpectAtom(&a)
				s = `\` + a
			} else {
				d.ExpectAString(&s)
			}
			if s != "" {
				if dec, err := imap.DecodeMailboxName(s); err == nil {
					s = dec
				}
			}
			it.Labels = append(it.Labels, s)
			return nil
		}) {
			return nil
		}
		return it
	}
	// Unknown: keep it (the extension hook).
	it := &FetchItemDataOther{Name: string(name)}
	if c, _ := d.PeekByte(); c == '[' {
		var sb strings.Builder
		sb.WriteString(it.Name)
		readRawSection(d, &sb)
		it.Name = sb.String()
	}
	if !d.ExpectSP() {
		return nil
	}
	v, ok := readValue(d, 0)
	if !ok {
		return nil
	}
	it.Value = v
	return it
}

func (m *FetchMessageData) readPart(part *[]int) bool {
	d := m.c.dec
	if !d.ExpectSpecial('[') {
		return false
	}
	for {
		var n uint32
		if !d.Number(&n) {
			break
		}
		*part = append(*part, int(n))
		if !d.Special('.') {
			break
		}
	}
	return d.ExpectSpecial(']')
}

// readNLiteral reads an nstring whose content is exposed as a reader.
func (m *FetchMessageData) readNLiteral(r *io.Reader, size *int64) bool {
	d := m.c.dec
	c, ok := d.PeekByte()
	if !ok {
		return false
	}
	switch c {
	case '{', '~':
		info, lr, ok := d.Literal()
		if !ok {
			return false
		}
		*r, *size = lr, info.Size
		return true
	case '"':
		b, ok := d.QuotedBytes()
		if !ok {
			return false
		}
		b = append([]byte(nil), b...)
		*r, *size = bytes.NewReader(b), int64(len(b))
		return true
	}
	if d.NIL() {
		return true
	}
	return d.ExpectNString(new(string))
}

func peekIs(d *imapwire.Decoder, b byte) bool {
	c, ok := d.PeekByte()
	return ok && c == b
}

func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x := b[i]
		if 'a' <= x && x <= 'z' {
			x -= 32
		}
		if x != s[i] {
			return false
		}
	}
	return true
}

// FetchMessageBuffer is a message's FETCH data held in memory.
type FetchMessageBuffer struct {
	SeqNum            uint32
	UID               imap.UID
	Flags             []imap.Flag
	Envelope          *imap.Envelope
	BodyStructure     *imap.BodyStructure
	RFC822Size        int64
	InternalDate      time.Time
	ModSeq            uint64
	BodySection       []FetchBodySectionBuffer
	BinarySection     []FetchBinarySectionBuffer
	BinarySectionSize []FetchItemDataBinarySectionSize
	EmailID, ThreadID string
	SaveDate          time.Time
	Preview           string
	GmailMsgID        uint64
	GmailThrID        uint64
	GmailLabels       []string
	// Other holds items the client does not know, by name.
	Other map[string]Value

	hasFlags bool
}

// FetchBodySectionBuffer is a BODY[...] item held in memory.
type FetchBodySectionBuffer struct {
	Section *imap.FetchItemBodySection
	Bytes   []byte // nil for NIL
}

// FetchBinarySectionBuffer is a BINARY[...] item held in memory.
type FetchBinarySectionBuffer struct {
	Part   []int
	Offset int64
	Bytes  []byte
}

// FindBodySection returns the content of the section matching s (by
// part, specifier and header fields), nil if absent.
func (b *FetchMessageBuffer) FindBodySection(s *imap.FetchItemBodySection) []byte {
	want := s.ResponseName()
	for _, x := range b.BodySection {
		if equalNames(x.Section.ResponseName(), want) {
			return x.Bytes
		}
	}
	return nil
}

func equalNames(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	return equalFold([]byte(a), upper(b)) || a == b
}

// Collect reads the message's remaining items into memory.
func (m *FetchMessageData) Collect() (*FetchMessageBuffer, error) {
	if m.buf != nil && m.n == 0 {
		m.done = true
		return m.buf, nil
	}
	b := &FetchMessageBuffer{SeqNum: m.SeqNum}
	for item := m.Next(); item != nil; item = m.Next() {
		if err := b.add(item); err != nil {
			return b, err
		}
	}
	return b, m.err
}

func (b *FetchMessageBuffer) add(item FetchItemData) error {
	switch it := item.(type) {
	case *FetchItemDataFlags:
		b.Flags, b.hasFlags = it.Flags, true
	case *FetchItemDataEnvelope:
		b.Envelope = it.Envelope
	case *FetchItemDataBodyStructure:
		b.BodyStructure = it.BodyStructure
	case *FetchItemDataRFC822Size:
		b.RFC822Size = it.Size
	case *FetchItemDataUID:
		b.UID = it.UID
	case *FetchItemDataInternalDate:
		b.InternalDate = it.Time
	case *FetchItemDataModSeq:
		b.ModSeq = it.ModSeq
	case *FetchItemDataBodySection:
		sec := *it.Section
		sec.Part = append([]int(nil), sec.Part...)
		x := FetchBodySectionBuffer{Section: &sec}
		if it.Literal != nil {
			x.Bytes = make([]byte, it.Size)
			if _, err := io.ReadFull(it.Literal, x.Bytes); err != nil {
				return err
			}
		}
		b.BodySection = append(b.BodySection, x)
	case *FetchItemDataBinarySection:
		x := FetchBinarySectionBuffer{Part: append([]int(nil), it.Part...), Offset: it.Offset}
		if it.Literal != nil {
			x.Bytes = make([]byte, it.Size)
			if _, err := io.ReadFull(it.Literal, x.Bytes); err != nil {
				return err
			}
		}
		b.BinarySection = append(b.BinarySection, x)
	case *FetchItemDataBinarySectionSize:
		b.BinarySectionSize = append(b.BinarySectionSize, FetchItemDataBinarySectionSize{Part: append([]int(nil), it.Part...), Size: it.Size})
	case *FetchItemDataEmailID:
		b.EmailID = it.EmailID
	case *FetchItemDataThreadID:
		b.ThreadID = it.ThreadID
	case *FetchItemDataSaveDate:
		b.SaveDate = it.Time
	case *FetchItemDataPreview:
		b.Preview = it.Preview
	case *FetchItemDataGmailMsgID:
		b.GmailMsgID = it.ID
	case *FetchItemDataGmailThrID:
		b.GmailThrID = it.ID
	case *FetchItemDataGmailLabels:
		b.GmailLabels = it.Labels
	case *FetchItemDataOther:
		if b.Other == nil {
			b.Other = make(map[string]Value)
		}
		b.Other[it.Name] = it.Value
	}
	return nil
}

// data turns a buffer back into a message to iterate.
func (b *FetchMessageBuffer) data() *FetchMessageData {
	m := &FetchMessageData{SeqNum: b.SeqNum, buf: b}
	if b.UID != 0 {
		m.items = append(m.items, &FetchItemDataUID{UID: b.UID})
	}
	if b.hasFlags {
		m.items = append(m.items, &FetchItemDataFlags{Flags: b.Flags})
	}
	if b.RFC822Size != 0 {
		m.items = append(m.items, &FetchItemDataRFC822Size{Size: b.RFC822Size})
	}
	if !b.InternalDate.IsZero() {
		m.items = append(m.items, &FetchItemDataInternalDate{Time: b.InternalDate})
	}
	if b.Envelope != nil {
		m.items = append(m.items, &FetchItemDataEnvelope{Envelope: b.Envelope})
	}
	if b.BodyStructure != nil {
		m.items = append(m.items, &FetchItemDataBodyStructure{BodyStructure: b.BodyStructure, Extended: true})
	}
	if b.ModSeq != 0 {
		m.items = append(m.items, &FetchItemDataModSeq{ModSeq: b.ModSeq})
	}
	for _, s := range b.BodySection {
		it := &FetchItemDataBodySection{Section: s.Section, Size: int64(len(s.Bytes))}
		if s.Bytes != nil {
			it.Literal = bytes.NewReader(s.Bytes)
		}
		m.items = append(m.items, it)
	}
	for _, s := range b.BinarySection {
		it := &FetchItemDataBinarySection{Part: s.Part, Offset: s.Offset, Size: int64(len(s.Bytes))}
		if s.Bytes != nil {
			it.Literal = bytes.NewReader(s.Bytes)
		}
		m.items = append(m.items, it)
	}
	for i := range b.BinarySectionSize {
		m.items = append(m.items, &b.BinarySectionSize[i])
	}
	if b.EmailID != "" {
		m.items = append(m.items, &FetchItemDataEmailID{EmailID: b.EmailID})
	}
	if b.ThreadID != "" {
		m.items = append(m.items, &FetchItemDataThreadID{ThreadID: b.ThreadID})
	}
	if b.Preview != "" {
		m.items = append(m.items, &FetchItemDataPreview{Preview: b.Preview})
	}
	if b.GmailMsgID != 0 {
		m.items = append(m.items, &FetchItemDataGmailMsgID{ID: b.GmailMsgID})
	}
	if b.GmailThrID != 0 {
		m.items = append(m.items, &FetchItemDataGmailThrID{ID: b.GmailThrID})
	}
	if b.GmailLabels != nil {
		m.items = append(m.items, &FetchItemDataGmailLabels{Labels: b.GmailLabels})
	}
	for k, v := range b.Other {
		m.items = append(m.items, &FetchItemDataOther{Name: k, Value: v})
	}
	return m
}

// readFetchBuffer reads a whole FETCH response (after "FETCH SP") into
// memory: for FETCH data no command streams.
func (c *Client) readFetchBuffer(num uint32) (*FetchMessageBuffer, error) {
	m := &FetchMessageData{SeqNum: num, c: c}
	if !c.dec.ExpectSpecial('(') {
		return nil, c.dec.Err()
	}
	b, err := m.Collect()
	if err != nil && !imapwire.IsSyntax(err) {
		return nil, err
	}
	if m.err == nil && !m.done {
		m.finish()
	}
	return b, nil
}

func (c *Client) unilateralFetch(b *FetchMessageBuffer) {
	if b.ModSeq != 0 {
		c.mu.Lock()
		if c.mailbox != nil && b.ModSeq > c.mailbox.HighestModSeq {
			c.mailbox.HighestModSeq = b.ModSeq
		}
		c.mu.Unlock()
	}
	if u := c.opts.UnilateralDataHandler; u != nil && u.Fetch != nil {
		u.Fetch(b)
	}
}
