package imapserver

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/mailwire/mailwire/mime"
)

// fetchKind is one FETCH data item.
type fetchKind int

const (
	fetchFlags fetchKind = iota
	fetchInternalDate
	fetchSize
	fetchEnvelope
	fetchBodyStructure
	fetchBody // non-extensible BODY
	fetchUID
	fetchModSeq
	fetchSection    // BODY[...], BODY.PEEK[...], RFC822, RFC822.HEADER, RFC822.TEXT
	fetchBinary     // BINARY[...], BINARY.PEEK[...]
	fetchBinarySize // BINARY.SIZE[...]
	fetchPreview    // PREVIEW, RFC 8970
	fetchSaveDate   // SAVEDATE, RFC 8514
	fetchEmailID    // EMAILID, RFC 8474
	fetchThreadID   // THREADID, RFC 8474
)

// fetchItem is a parsed FETCH item (RFC 9051 §6.4.5).
type fetchItem struct {
	kind    fetchKind
	peek    bool
	part    []uint32
	spec    string   // "", HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT, TEXT, MIME
	fields  []string // HEADER.FIELDS (...)
	partial bool
	off     int64
	count   int64
	name    string // the name echoed in the response, "BODY[1.TEXT]"
}

func (c *conn) fetchItems() ([]fetchItem, bool) {
	d := &c.dec
	if d.Peek('(') {
		d.readByte()
		var items []fetchItem
		for !d.Peek(')') {
			if len(items) > 0 && !d.SP() {
				return nil, false
			}
			it, ok := c.fetchItem()
			if !ok {
				return nil, false
			}
			items = append(items, it...)
		}
		d.readByte()
		return items, true
	}
	return c.fetchItem()
}

// fetchItem reads one item; macros expand to several.
func (c *conn) fetchItem() ([]fetchItem, bool) {
	d := &c.dec
	name := strings.ToUpper(string(d.NameBytes()))
	one := func(k fetchKind) ([]fetchItem, bool) { return []fetchItem{{kind: k}}, true }
	switch name {
	case "ALL":
		return []fetchItem{{kind: fetchFlags}, {kind: fetchInternalDate}, {kind: fetchSize}, {kind: fetchEnvelope}}, true
	case "FAST":
		return []fetchItem{{kind: fetchFlags}, {kind: fetchInternalDate}, {kind: fetchSize}}, true
	case "FULL":
		return []fetchItem{{kind: fetchFlags}, {kind: fetchInternalDate}, {kind: fetchSize}, {kind: fetchEnvelope}, {kind: fetchBody}}, true
	case "FLAGS":
		return one(fetchFlags)
	case "INTERNALDATE":
		return one(fetchInternalDate)
	case "RFC822.SIZE":
		return one(fetchSize)
	case "ENVELOPE":
		return one(fetchEnvelope)
	case "BODYSTRUCTURE":
		return one(fetchBodyStructure)
	case "UID":
		return one(fetchUID)
	case "PREVIEW":
		if d.Peek(' ') {
			// PREVIEW (LAZY): computing it is cheap enough to do now.
			if b, _ := d.Bufio().Peek(min(d.Bufio().Buffered(), 2)); len(b) == 2 && b[1] == '(' {
				d.readByte()
				d.readByte()
				a, ok := d.Atom()
				if !ok || !strings.EqualFold(a, "LAZY") || !d.Expect(')') {
					d.syntax("bad PREVIEW modifier")
					return nil, false
				}
			}
		}
		return one(fetchPreview)
	case "SAVEDATE":
		return one(fetchSaveDate)
	case "EMAILID":
		return one(fetchEmailID)
	case "THREADID":
		return one(fetchThreadID)
	case "MODSEQ":
		c.condstore = true // RFC 7162 §3.1: FETCH MODSEQ enables CONDSTORE
		return one(fetchModSeq)
	case "RFC822":
		return []fetchItem{{kind: fetchSection, name: "RFC822"}}, true
	case "RFC822.HEADER":
		return []fetchItem{{kind: fetchSection, peek: true, spec: "HEADER", name: "RFC822.HEADER"}}, true
	case "RFC822.TEXT":
		return []fetchItem{{kind: fetchSection, spec: "TEXT", name: "RFC822.TEXT"}}, true
	case "BODY", "BODY.PEEK", "BINARY", "BINARY.PEEK", "BINARY.SIZE":
		if !d.Peek('[') {
			if name == "BODY" {
				return one(fetchBody)
			}
			d.syntax("expected [")
			return nil, false
		}
		it := fetchItem{kind: fetchSection, peek: strings.HasSuffix(name, ".PEEK")}
		if strings.HasPrefix(name, "BINARY") {
			it.kind = fetchBinary
			if name == "BINARY.SIZE" {
				it.kind = fetchBinarySize
			}
		}
		if !c.sectionSpec(&it) {
			return nil, false
		}
		base := strings.TrimSuffix(name, ".PEEK")
		sec := sectionName(&it)
		if it.kind != fetchSection && it.spec != "" {
			d.syntax("BINARY takes part numbers only")
			return nil, false
		}
		if d.Peek('<') && it.kind != fetchBinarySize {
			d.readByte()
			off, ok := d.Number64()
			if !ok || !d.Expect('.') {
				return nil, false
			}
			n, ok := d.Number64()
			if !ok || !d.Expect('>') {
				return nil, false
			}
			if n == 0 {
				d.syntax("partial length must not be 0")
				return nil, false
			}
			it.partial, it.off, it.count = true, int64(off), int64(n)
		}
		it.name = base + "[" + sec + "]"
		return []fetchItem{it}, true
	}
	d.syntax("unknown FETCH item %q", quoteBack(name))
	return nil, false
}

func sectionName(it *fetchItem) string {
	var b []byte
	for i, n := range it.part {
		if i > 0 {
			b = append(b, '.')
		}
		b = appendUint(b, uint64(n))
	}
	if it.spec != "" {
		if len(b) > 0 {
			b = append(b, '.')
		}
		b = append(b, it.spec...)
	}
	if it.fields != nil {
		b = append(b, " ("...)
		for i, f := range it.fields {
			if i > 0 {
				b = append(b, ' ')
			}
			b = appendAString(b, f)
		}
		b = append(b, ')')
	}
	return string(b)
}

// sectionSpec reads "[1.2.HEADER.FIELDS (From To)]".
func (c *conn) sectionSpec(it *fetchItem) bool {
	d := &c.dec
	if !d.Expect('[') {
		return false
	}
	for !d.Peek(']') {
		c0, ok := d.peek()
		if !ok {
			return false
		}
		if c0 >= '0' && c0 <= '9' {
			n, ok := d.Number()
			if !ok {
				return false
			}
			if n == 0 {
				return d.syntax("part number 0")
			}
			it.part = append(it.part, n)
			if d.Peek('.') {
				d.readByte()
				continue
			}
			break
		}
		spec := strings.ToUpper(string(d.NameBytes()))
		switch spec {
		case "HEADER", "TEXT":
		case "MIME":
			if len(it.part) == 0 {
				return d.syntax("MIME needs a part number")
			}
		case "HEADER.FIELDS", "HEADER.FIELDS.NOT":
			if !d.SP() || !d.Expect('(') {
				return false
			}
			it.fields = []string{}
			for !d.Peek(')') {
				if len(it.fields) > 0 && !d.SP() {
					return false
				}
				f, ok := d.AString()
				if !ok {
					return false
				}
				it.fields = append(it.fields, strings.ToUpper(f))
			}
			d.readByte()
		default:
			return d.syntax("bad section %q", quoteBack(spec))
		}
		it.spec = spec
		break
	}
	return d.Expect(']')
}

// handleFETCH: RFC 9051 §6.4.5, with CHANGEDSINCE (RFC 7162 §3.1.4) and
// BINARY (RFC 3516).
func (c *conn) handleFETCH(tag string, uid bool) error {
	d := &c.dec
	if !d.SP() {
		return nil
	}
	set, ok := d.SeqSet()
	if !ok || !d.SP() {
		return nil
	}
	items, ok := c.fetchItems()
	if !ok {
		return nil
	}
	var changedSince uint64
	vanished := false
	if d.Peek(' ') {
		d.readByte()
		if !d.Expect('(') {
			return nil
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
			case "CHANGEDSINCE":
				if !d.SP() {
					return nil
				}
				if changedSince, ok = d.Number64(); !ok {
					return nil
				}
			case "VANISHED":
				vanished = true
			default:
				return d.bail("unknown FETCH modifier")
			}
		}
		d.readByte()
		if changedSince == 0 {
			return d.bail("CHANGEDSINCE is required")
		}
		// RFC 7162 §3.2.6: VANISHED only with UID FETCH and QRESYNC.
		if vanished && (!uid || !c.qresync) {
			return d.bail("VANISHED needs UID FETCH and QRESYNC")
		}
		c.condstore = true
		items = append(items, fetchItem{kind: fetchModSeq})
	}
	if !d.CRLF() {
		return nil
	}
	if vanished {
		if err := c.writeVanishedEarlier(set, changedSince); err != nil {
			return err
		}
	}
	hasUID := false
	setSeen := false
	for _, it := range items {
		hasUID = hasUID || it.kind == fetchUID
		if (it.kind == fetchSection || it.kind == fetchBinary) && !it.peek && !c.sel.readOnly {
			setSeen = true
		}
	}
	if uid && !hasUID {
		// RFC 9051 §6.4.8: UID FETCH always returns the UID.
		items = append([]fetchItem{{kind: fetchUID}}, items...)
	}
	uids := c.uids(set, uid)
	if len(uids) == 0 {
		return nil
	}
	f := fetcher{c: c, items: items}
	if setSeen {
		// RFC 9051 §6.4.5: BODY[] sets \Seen; the FETCH response then
		// carries the new FLAGS of the messages that changed.
		var unseen []uint32
		err := c.sel.mbox.Fetch(c.ctx(), uids, func(m Message) error {
			if !hasFlag(m.Flags(), `\Seen`) {
				unseen = append(unseen, m.UID())
			}
			return nil
		})
		if err != nil {
			return err
		}
		if len(unseen) > 0 {
			_, err := c.sel.mbox.Store(c.ctx(), unseen, StoreAdd, []string{`\Seen`}, 0)
			switch {
			case errors.Is(err, ErrNoPerm):
				// RFC 4314 §4: without the "s" right FETCH leaves \Seen
				// alone.
				unseen = nil
			case err != nil:
				return err
			}
		}
		if len(unseen) > 0 {
			f.seenSet = make(map[uint32]bool, len(unseen))
			for _, u := range unseen {
				f.seenSet[u] = true
			}
		}
	}
	err := c.sel.mbox.Fetch(c.ctx(), uids, func(m Message) error {
		if changedSince > 0 && m.ModSeq() <= changedSince {
			return nil
		}
		return f.write(m)
	})
	if err != nil {
		var we *writeError
		if errors.As(err, &we) {
			return we.err
		}
		return err
	}
	return nil
}

// writeError is a failure to write to the client, kept apart from backend
// errors.
type writeError struct{ err error }

func (e *writeError) Error() string { return e.err.Error() }

type fetcher struct {
	c       *conn
	items   []fetchItem
	seenSet map[uint32]bool // messages whose \Seen this FETCH set
	buf     []byte
}

// write writes one message's FETCH response.
func (f *fetcher) write(m Message) error {
	c := f.c
	seq := c.sel.seqOf(m.UID())
	if seq == 0 {
		return nil // not yet announced to this session
	}
	b := append(f.buf[:0], "* "...)
	b = strconv.AppendInt(b, int64(seq), 10)
	b = append(b, " FETCH ("...)
	var st *Structure
	var body io.ReaderAt
	flagsDone := false
	w := c.writer()
	for i := range f.items {
		it := &f.items[i]
		if i > 0 {
			b = append(b, ' ')
		}
		switch it.kind {
		case fetchFlags:
			b = append(b, "FLAGS "...)
			b = appendFlags(b, m.Flags())
			flagsDone = true
		case fetchUID:
			b = append(b, "UID "...)
			b = appendUint(b, uint64(m.UID()))
		case fetchInternalDate:
			b = append(b, "INTERNALDATE "...)
			b = appendDateTime(b, m.InternalDate())
		case fetchSize:
			b = append(b, "RFC822.SIZE "...)
			b = appendUint(b, uint64(m.Size()))
		case fetchPreview:
			if st == nil {
				var err error
				if st, err = structureOf(m); err != nil {
					return err
				}
			}
			if body == nil {
				var err error
				if body, err = m.Body(); err != nil {
					return err
				}
			}
			b = append(b, "PREVIEW "...)
			b = appendNString(b, preview(body, st))
		case fetchSaveDate:
			b = append(b, "SAVEDATE "...)
			if sm, ok := m.(SaveDateMessage); ok && !sm.SaveDate().IsZero() {
				b = appendDateTime(b, sm.SaveDate())
			} else {
				b = append(b, "NIL"...)
			}
		case fetchEmailID, fetchThreadID:
			om, _ := m.(ObjectIDMessage)
			if it.kind == fetchEmailID {
				b = append(b, "EMAILID "...)
			} else {
				b = append(b, "THREADID "...)
			}
			id := ""
			if om != nil {
				if it.kind == fetchEmailID {
					id = om.EmailID()
				} else {
					id = om.ThreadID()
				}
			}
			if id == "" {
				b = append(b, "NIL"...)
			} else {
				b = append(b, '(')
				b = append(b, id...)
				b = append(b, ')')
			}
		case fetchModSeq:
			b = append(b, "MODSEQ ("...)
			b = appendUint(b, m.ModSeq())
			b = append(b, ')')
		case fetchEnvelope, fetchBodyStructure, fetchBody:
			if st == nil {
				var err error
				if st, err = structureOf(m); err != nil {
					return err
				}
			}
			switch it.kind {
			case fetchEnvelope:
				b = append(b, "ENVELOPE "...)
				b = append(b, st.envelope...)
			case fetchBodyStructure:
				b = append(b, "BODYSTRUCTURE "...)
				b = append(b, st.bodyStructure...)
			default:
				b = append(b, "BODY "...)
				b = append(b, st.body...)
			}
		case fetchSection, fetchBinary, fetchBinarySize:
			if body == nil {
				var err error
				if body, err = m.Body(); err != nil {
					return err
				}
			}
			n := m.Size()
			if len(it.part) > 0 || it.spec != "" || it.kind != fetchSection {
				if st == nil {
					var err error
					if st, err = structureOf(m); err != nil {
						return err
					}
				}
			}
			var data io.Reader
			var direct []byte
			if it.kind == fetchSection && len(it.part) == 0 && it.spec == "" {
				data = io.NewSectionReader(body, 0, n)
			} else {
				p := st.findPart(it.part)
				if p == nil {
					data, n = nil, 0
				} else if it.kind != fetchSection {
					dec, n2, err := binaryContent(body, p)
					if err != nil {
						// RFC 3516 §4.2: unknown encoding
						return &respError{"NO", "UNKNOWN-CTE", "cannot decode part"}
					}
					direct, n = dec, n2
				} else {
					var err error
					data, direct, n, err = sectionContent(body, m.Size(), p, it)
					if err != nil {
						return err
					}
				}
			}
			if it.kind == fetchBinarySize {
				b = append(b, "BINARY.SIZE"...)
				b = append(b, it.name[len("BINARY.SIZE"):]...)
				b = append(b, ' ')
				b = appendUint(b, uint64(n))
				continue
			}
			b = append(b, it.name...)
			start, cnt := int64(0), n
			if it.partial {
				b = append(b, '<')
				b = appendUint(b, uint64(it.off))
				b = append(b, '>')
				start = min(it.off, n)
				cnt = min(it.count, n-start)
			}
			b = append(b, ' ')
			if data == nil && direct == nil && n == 0 && !it.partial {
				b = append(b, `""`...)
				continue
			}
			if it.kind == fetchBinary && bytes.IndexByte(direct, 0) >= 0 {
				b = append(b, '~') // literal8, RFC 3516 §4.2
			}
			b = append(b, '{')
			b = appendUint(b, uint64(cnt))
			b = append(b, "}\r\n"...)
			if direct != nil || data == nil {
				b = append(b, direct[start:start+cnt]...)
				continue
			}
			// Stream the literal: flush what is built, copy the range.
			if _, err := w.Write(b); err != nil {
				return &writeError{err}
			}
			b = b[:0]
			if sr, ok := data.(*io.SectionReader); ok {
				ra, base, _ := sr.Outer()
				if err := writeRange(w, ra, base+start, cnt); err != nil {
					return err
				}
				continue
			}
			if start > 0 {
				if _, err := io.CopyN(io.Discard, data, start); err != nil {
					return err
				}
			}
			if _, err := io.CopyN(w, data, cnt); err != nil {
				return &writeError{err}
			}
		}
	}
	if f.seenSet[m.UID()] && !flagsDone {
		b = append(b, " FLAGS "...)
		b = appendFlags(b, m.Flags())
	}
	b = append(b, ")\r\n"...)
	if _, err := w.Write(b); err != nil {
		return &writeError{err}
	}
	f.buf = b
	return nil
}

// copyBufs and bigCopyBufs are the buffers writeRange copies through:
// 256 KiB for a literal larger than 32 KiB, which then leaves in one or a
// few large writes.
var (
	copyBufs    = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}
	bigCopyBufs = sync.Pool{New: func() any { b := make([]byte, 256<<10); return &b }}
)

// writeRange writes n bytes of ra from off to w through a pooled buffer. A
// read error is returned as it is, a write error as a *writeError.
//
// The buffer is reused, not allocated per message as io.Copy would: on a
// virtual machine, memory the process touches for the first time costs a
// page fault, and the kernel's first read of each page of a message held
// in memory can cost one more; bytes copied through a warm buffer avoid
// both (the shared harness's body FETCH went from 750 to over 2,000 MB/s).
func writeRange(w io.Writer, ra io.ReaderAt, off, n int64) error {
	pool := &copyBufs
	if n > 32<<10 {
		pool = &bigCopyBufs
	}
	bp := pool.Get().(*[]byte)
	defer pool.Put(bp)
	for n > 0 {
		p := (*bp)[:min(int64(len(*bp)), n)]
		k, err := ra.ReadAt(p, off)
		if k < len(p) {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
		if _, err := w.Write(p); err != nil {
			return &writeError{err}
		}
		off += int64(k)
		n -= int64(k)
	}
	return nil
}

func structureOf(m Message) (*Structure, error) {
	if sm, ok := m.(StructuredMessage); ok {
		return sm.Structure()
	}
	body, err := m.Body()
	if err != nil {
		return nil, err
	}
	return ParseStructure(io.NewSectionReader(body, 0, m.Size()))
}

// sectionContent resolves a BODY section on part p. It returns either a
// reader of n bytes or the bytes themselves.
func sectionContent(body io.ReaderAt, size int64, p *part, it *fetchItem) (io.Reader, []byte, int64, error) {
	switch it.spec {
	case "":
		return io.NewSectionReader(body, p.bodyOff, p.bodySize), nil, p.bodySize, nil
	case "MIME":
		return io.NewSectionReader(body, p.headerOff, p.headerSize), nil, p.headerSize, nil
	}
	// HEADER and TEXT address a message: the top one, or the one enclosed
	// in a message/rfc822 part.
	msg := p
	if len(it.part) > 0 {
		if p.msg == nil {
			return nil, nil, 0, nil
		}
		msg = p.msg
	}
	switch it.spec {
	case "TEXT":
		return io.NewSectionReader(body, msg.bodyOff, msg.bodySize), nil, msg.bodySize, nil
	case "HEADER":
		return io.NewSectionReader(body, msg.headerOff, msg.headerSize), nil, msg.headerSize, nil
	}
	hdr := make([]byte, msg.headerSize)
	if _, err := body.ReadAt(hdr, msg.headerOff); err != nil && err != io.EOF {
		return nil, nil, 0, err
	}
	out := filterHeader(hdr, it.fields, it.spec == "HEADER.FIELDS.NOT")
	return nil, out, int64(len(out)), nil
}

// filterHeader keeps (or drops, with not) the fields named, exactly as
// written, and ends with the empty line (RFC 9051 §6.4.5).
func filterHeader(hdr []byte, names []string, not bool) []byte {
	out := []byte{}
	for len(hdr) > 0 {
		// one field: a line and its continuation lines
		end := 0
		for {
			i := bytes.IndexByte(hdr[end:], '\n')
			if i < 0 {
				end = len(hdr)
				break
			}
			end += i + 1
			if end >= len(hdr) || (hdr[end] != ' ' && hdr[end] != '\t') {
				break
			}
		}
		field := hdr[:end]
		hdr = hdr[end:]
		colon := bytes.IndexByte(field, ':')
		if colon <= 0 {
			continue // the empty line, or not a field
		}
		name := strings.TrimRight(string(field[:colon]), " \t")
		match := false
		for _, n := range names {
			if strings.EqualFold(n, name) {
				match = true
				break
			}
		}
		if match != not {
			out = append(out, field...)
			if !bytes.HasSuffix(field, []byte("\n")) {
				out = append(out, "\r\n"...)
			}
		}
	}
	return append(out, "\r\n"...)
}

// binaryContent decodes a part's content-transfer-encoding (RFC 3516).
func binaryContent(body io.ReaderAt, p *part) ([]byte, int64, error) {
	if p.multipart || p.msg != nil {
		b := make([]byte, p.bodySize)
		_, err := body.ReadAt(b, p.bodyOff)
		if err != nil && err != io.EOF {
			return nil, 0, err
		}
		return b, int64(len(b)), nil
	}
	r, ok := mime.NewDecoder(p.enc, io.NewSectionReader(body, p.bodyOff, p.bodySize))
	if !ok {
		return nil, 0, errors.New("unknown encoding")
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, 0, err
	}
	if b == nil {
		b = []byte{}
	}
	return b, int64(len(b)), nil
}

// maxPreview is the longest preview sent (RFC 8970 §3: at most 256
// characters).
const maxPreview = 200

// preview is the start of the first text part, decoded, with blanks
// collapsed (RFC 8970); HTML tags are dropped.
func preview(body io.ReaderAt, st *Structure) string {
	var find func(p *part) *part
	find = func(p *part) *part {
		if p.msg != nil && !p.multipart {
			return nil // do not look into enclosed messages
		}
		if p.multipart {
			for _, c := range p.children {
				if f := find(c); f != nil {
					return f
				}
			}
			return nil
		}
		if p.typ == "text" && (p.subtype == "plain" || p.subtype == "html") {
			return p
		}
		return nil
	}
	p := find(st.root)
	if p == nil {
		return ""
	}
	var r io.Reader = io.NewSectionReader(body, p.bodyOff, min(p.bodySize, 16<<10))
	if dec, ok := mime.NewDecoder(p.enc, r); ok {
		r = dec
	}
	if p.charset != "" {
		if cr, err := mime.CharsetReader(p.charset, r); err == nil {
			r = cr
		}
	}
	raw, _ := io.ReadAll(io.LimitReader(r, 8<<10))
	text := string(bytes.ToValidUTF8(raw, []byte("\uFFFD")))
	if p.subtype == "html" {
		var sb strings.Builder
		in := false
		for _, c := range text {
			switch {
			case c == '<':
				in = true
			case c == '>':
				in = false
				sb.WriteByte(' ')
			case !in:
				sb.WriteRune(c)
			}
		}
		text = sb.String()
	}
	text = strings.Join(strings.Fields(text), " ")
	if n := 0; len(text) > maxPreview {
		for i := range text {
			if n == maxPreview {
				text = text[:i]
				break
			}
			n++
		}
	}
	return text
}
