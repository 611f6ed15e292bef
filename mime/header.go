package mime

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"io"
	"strings"
	"sync"
	"unicode/utf8"
)

// A Field is one header field.
//
// A line read by [ReadHeader] that is not a field (an mbox "From " line at
// the top of the block, a line with an empty field name, a continuation line
// with no field before it) is kept as a Field with an empty Key, so that
// [Header.WriteTo] re-emits the block unchanged; lookups never match it.
type Field struct {
	Key   string // field name as written (case kept)
	Value string // unfolded value: folding CRLFs removed, leading WSP after the colon and the line end dropped; encoded words NOT decoded
	Raw   []byte // the field's exact bytes as read, folding and line end included; nil for a field added by code
}

// A Header is a header block: its fields in order, duplicates kept. The zero
// value is an empty header ready to use. Keys are compared ASCII
// case-insensitively.
type Header struct {
	fields []Field
}

// Len returns the number of fields.
func (h *Header) Len() int { return len(h.fields) }

// Fields returns the fields in order. The caller must not modify the slice.
func (h *Header) Fields() []Field { return h.fields }

// Get returns the value of the first field named key, or "" if there is none.
func (h *Header) Get(key string) string {
	for i := range h.fields {
		if equalFoldASCII(h.fields[i].Key, key) {
			return h.fields[i].Value
		}
	}
	return ""
}

// Values returns the values of every field named key, in order.
func (h *Header) Values(key string) []string {
	var vs []string
	for i := range h.fields {
		if equalFoldASCII(h.fields[i].Key, key) {
			vs = append(vs, h.fields[i].Value)
		}
	}
	return vs
}

// Has reports whether a field named key is present.
func (h *Header) Has(key string) bool {
	for i := range h.fields {
		if equalFoldASCII(h.fields[i].Key, key) {
			return true
		}
	}
	return false
}

// Add appends a field. Its value is written folded by [Header.WriteTo];
// CR and LF in the value become spaces and the key loses any control
// character, space or colon, so a field can never end early or start
// another; a field whose key is left empty is not written.
func (h *Header) Add(key, value string) {
	h.fields = append(h.fields, Field{Key: key, Value: value})
}

// Set replaces every field named key by one field with value, at the
// position of the first; with no such field it appends one.
func (h *Header) Set(key, value string) {
	out := h.fields[:0]
	done := false
	for _, f := range h.fields {
		if equalFoldASCII(f.Key, key) {
			if done {
				continue
			}
			f = Field{Key: key, Value: value}
			done = true
		}
		out = append(out, f)
	}
	clear(h.fields[len(out):])
	h.fields = out
	if !done {
		h.Add(key, value)
	}
}

// Del removes every field named key.
func (h *Header) Del(key string) {
	out := h.fields[:0]
	for _, f := range h.fields {
		if !equalFoldASCII(f.Key, key) {
			out = append(out, f)
		}
	}
	clear(h.fields[len(out):])
	h.fields = out
}

// Text returns the value of the first field named key with its RFC 2047
// encoded words decoded to UTF-8 (see [DecodeWords]).
func (h *Header) Text(key string) (string, []Defect) {
	return DecodeWords(h.Get(key))
}

// Folding limits, RFC 5322 §2.1.1.
const (
	foldColumn  = 78  // SHOULD: lines no longer than 78 characters
	maxLineSize = 998 // MUST: lines no longer than 998 characters
)

// WriteTo writes the block and the empty line that ends it: a field with Raw
// is written unchanged; others are folded at 78 columns at whitespace and
// never past 998 octets, with CRLF line ends.
func (h *Header) WriteTo(w io.Writer) (int64, error) {
	var b []byte
	for i := range h.fields {
		f := &h.fields[i]
		if f.Raw != nil {
			b = append(b, f.Raw...)
			if !bytes.HasSuffix(f.Raw, []byte("\n")) {
				b = append(b, '\r', '\n')
			}
			continue
		}
		b = appendField(b, f.Key, f.Value)
	}
	b = append(b, '\r', '\n')
	n, err := w.Write(b)
	return int64(n), err
}

// appendField appends "key: value" CRLF, folded. The value's own CR and LF
// become spaces: a code-added field must not be able to start another one.
func appendField(b []byte, key, value string) []byte {
	start := len(b)
	for i := 0; i < len(key); i++ {
		if c := key[i]; c > ' ' && c != 0x7f && c != ':' {
			b = append(b, c)
		}
	}
	if len(b) == start {
		return b // no name left: the field cannot be written
	}
	b = append(b, ':')
	col := len(b) - start
	// Split the value into tokens: a run of whitespace followed by a run of
	// other bytes. A fold goes before a token's whitespace (RFC 5322 §2.2.3).
	i := 0
	first := true
	for i < len(value) {
		j := i
		for j < len(value) && isWSPorNL(value[j]) {
			j++
		}
		k := j
		for k < len(value) && !isWSPorNL(value[k]) {
			k++
		}
		ws, word := value[i:j], value[j:k]
		i = k
		if first {
			first = false
			b = append(b, ' ')
			col++
			ws = ""
		}
		if ws != "" && col+len(ws)+len(word) > foldColumn && col > len(key)+2 {
			b = append(b, '\r', '\n')
			col = 0
		}
		for n := 0; n < len(ws); n++ {
			if col >= maxLineSize {
				// Whitespace follows, so this is a fold like any other.
				b = append(b, '\r', '\n')
				col = 0
			}
			if ws[n] == '\t' {
				b = append(b, '\t')
			} else {
				b = append(b, ' ')
			}
			col++
		}
		// A word too long for one line is cut (RFC 5322 §2.1.1 MUST).
		for len(word) > 0 {
			room := maxLineSize - col
			if room <= 0 {
				b = append(b, '\r', '\n', ' ')
				col = 1
				continue
			}
			n := min(room, len(word))
			// Not inside a UTF-8 sequence: both halves would be
			// invalid, and the space the reader puts between them
			// would land inside a character.
			for cut := n; n < len(word) && n > 0 && cut-n < 3 && !utf8.RuneStart(word[n]); {
				n--
			}
			if n < len(word) && !utf8.RuneStart(word[n]) {
				n = min(room, len(word)) // not UTF-8 there: cut where it is
			}
			if n == 0 {
				b = append(b, '\r', '\n', ' ')
				col = 1
				continue
			}
			b = append(b, word[:n]...)
			col += n
			word = word[n:]
		}
	}
	if first {
		b = append(b, ' ')
	}
	return append(b, '\r', '\n')
}

func isWSPorNL(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// equalFoldASCII compares ASCII case-insensitively without allocating.
func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// fieldPos locates a field in the block being read, by offsets in the raw
// bytes. A folded field's value is unfolded by finish, after the raw bytes
// in the one string that holds the block.
type fieldPos struct {
	rawStart, rawEnd int
	keyEnd           int // key is raw[rawStart:keyEnd]; keyEnd == rawStart for a non-field line
	valStart, valEnd int
	folded           bool // the value spans lines: raw[valStart:valEnd] holds line ends
	highBytes        bool // the value has bytes above 0x7f
}

// posPool recycles the field offsets of ReadHeader, which outlive no call.
var posPool = sync.Pool{New: func() any { s := make([]fieldPos, 0, 32); return &s }}

// headerReader holds the state of one ReadHeader call.
type headerReader struct {
	r       *bufio.Reader
	lim     Limits
	raw     []byte // every byte of the block, as read
	pos     []fieldPos
	defects []Defect
	seen    uint64 // bit per DefectKind already recorded once
}

func (hr *headerReader) once(k DefectKind, detail string) {
	if k < 64 {
		if hr.seen&(1<<uint(k)) != 0 {
			return
		}
		hr.seen |= 1 << uint(k)
	}
	hr.defects = append(hr.defects, Defect{Kind: k, Detail: quoteDetail(detail)})
}

// ReadHeader reads one header block up to and including the empty line that ends
// it (or up to EOF, or up to a line that cannot be a field: then
// DefectMissingHeaderBodySeparator and that line stays unread for the body).
// Crossing lim.MaxHeaderBytes / MaxHeaderFields returns ErrHeaderTooLarge / ErrTooManyFields.
// It accepts CRLF, LF and CR CR LF line ends (recording defects for the odd ones).
//
// End of input ends the block without an error, even with nothing read.
// With an error, the Header holds the fields read completely before it, and
// r is left inside the block. Field names may be followed by whitespace
// before the colon (RFC 5322 §4.5 obs-optional). The fields share one
// buffer: reading a block costs a few allocations, not one per field.
func ReadHeader(r *bufio.Reader, lim Limits) (Header, []Defect, error) {
	hr := headerReader{r: r, lim: lim.withDefaults()}
	pp := posPool.Get().(*[]fieldPos)
	hr.pos = (*pp)[:0]
	hr.raw = make([]byte, 0, hr.sizeHint())
	err := hr.read()
	h := hr.finish()
	if cap(hr.pos) <= 1024 {
		*pp = hr.pos[:0]
		posPool.Put(pp)
	}
	return h, hr.defects, err
}

func (hr *headerReader) read() error {
	r := hr.r
	for {
		p, err := r.Peek(1)
		if len(p) == 0 {
			if err == io.EOF {
				return nil
			}
			return err
		}
		switch c := p[0]; c {
		case '\r', '\n':
			end, ok := hr.peekEmptyLine()
			if ok {
				if len(hr.raw)+end > hr.lim.MaxHeaderBytes {
					return ErrHeaderTooLarge
				}
				if end == 1 {
					hr.once(DefectBareLF, "")
				} else if end == 3 {
					hr.once(DefectBareCR, "CR CR LF")
				}
				hr.raw, _ = appendDiscard(hr.raw, r, end)
				return nil
			}
			hr.once(DefectMissingHeaderBodySeparator, "")
			return nil
		case ' ', '\t':
			if len(hr.pos) == 0 {
				// A continuation with nothing to continue.
				if err := hr.readOther(DefectMalformedHeaderLine); err != nil {
					return err
				}
				continue
			}
			if err := hr.readContinuation(); err != nil {
				return err
			}
		default:
			keyLen, nameEnd, high := hr.peekName()
			switch {
			case nameEnd > 0:
				if err := hr.readField(keyLen, nameEnd, high); err != nil {
					return err
				}
			case nameEnd == 0:
				// ":value" has an empty field name.
				if err := hr.readOther(DefectMalformedHeaderLine); err != nil {
					return err
				}
			case len(hr.pos) == 0 && hr.startsWith("From "):
				if err := hr.readOther(DefectMboxFromLine); err != nil {
					return err
				}
			default:
				hr.once(DefectMissingHeaderBodySeparator, "")
				return nil
			}
		}
	}
}

func (hr *headerReader) startsWith(s string) bool {
	p, _ := hr.r.Peek(len(s))
	return string(p) == s
}

// peekEmptyLine reports whether the next line is empty, and its length.
func (hr *headerReader) peekEmptyLine() (int, bool) {
	// Peek no further than needed: on a live stream the byte after the
	// empty line may not have been sent yet.
	p, _ := hr.r.Peek(1)
	if len(p) == 1 && p[0] == '\n' {
		return 1, true
	}
	if p, _ = hr.r.Peek(2); len(p) == 2 && p[1] == '\n' {
		return 2, true
	}
	p, _ = hr.r.Peek(3)
	switch {
	case len(p) >= 1 && p[0] == '\n':
		return 1, true
	case len(p) >= 2 && p[0] == '\r' && p[1] == '\n':
		return 2, true
	case len(p) >= 3 && p[0] == '\r' && p[1] == '\r' && p[2] == '\n':
		return 3, true
	case len(p) == 1 && p[0] == '\r':
		return 1, true // a lone CR at the very end of input
	}
	return 0, false
}

func appendDiscard(b []byte, r *bufio.Reader, n int) ([]byte, error) {
	p, err := r.Peek(n)
	b = append(b, p...)
	_, _ = r.Discard(len(p))
	return b, err
}

// peekName looks at the start of the next line for a field name and colon.
// It returns the name's length without trailing whitespace, the offset of
// the colon (0 for an empty name), or -1 when the line is not a field.
func (hr *headerReader) peekName() (keyLen, colon int, high bool) {
	r := hr.r
	n := r.Buffered()
	i := 0
	keyLen = -1
	for {
		p, err := r.Peek(n)
		for ; i < len(p); i++ {
			c := p[i]
			switch {
			case c == ':':
				if keyLen < 0 {
					keyLen = i
				}
				return keyLen, i, high
			case c == ' ' || c == '\t':
				if keyLen < 0 {
					keyLen = i
				}
			case c < ' ' || c == 0x7f:
				return 0, -1, false
			case keyLen >= 0:
				return 0, -1, false // "name x:" is not a field
			case c >= 0x80:
				high = true
			}
		}
		if err != nil || n >= r.Size() {
			return 0, -1, false
		}
		n = min(max(2*n, 64), r.Size())
	}
}

// readLine appends the next line to raw and returns where its content ends
// (before the line end). It enforces the byte limit before appending.
func (hr *headerReader) readLine() (contentEnd int, err error) {
	start := len(hr.raw)
	for {
		piece, err := hr.r.ReadSlice('\n')
		if len(hr.raw)+len(piece) > hr.lim.MaxHeaderBytes {
			return 0, ErrHeaderTooLarge
		}
		hr.raw = hr.grow(len(piece))
		hr.raw = append(hr.raw, piece...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil && err != io.EOF {
			return 0, err
		}
		break
	}
	line := hr.raw[start:]
	end := len(line)
	if end > 0 && line[end-1] == '\n' {
		end--
		if end > 0 && line[end-1] == '\r' {
			end--
			if end > 0 && line[end-1] == '\r' {
				end--
				hr.once(DefectBareCR, "CR CR LF")
			}
		} else {
			hr.once(DefectBareLF, "")
		}
	}
	if end > maxLineSize {
		hr.once(DefectHeaderLineTooLong, string(line[:min(end, 80)]))
	}
	return start + end, nil
}

// sizeHint guesses the block's size from what r has buffered, so that the
// raw buffer is allocated once: up to the first empty line if it is there.
func (hr *headerReader) sizeHint() int {
	if hr.r.Buffered() == 0 {
		hr.r.Peek(1)
	}
	p, _ := hr.r.Peek(hr.r.Buffered())
	n := len(p)
	for off := 0; off < len(p); {
		i := bytes.IndexByte(p[off:], '\n')
		if i < 0 {
			break
		}
		i += off
		if i+1 < len(p) && p[i+1] == '\n' {
			n = i + 2
			break
		}
		if i+2 < len(p) && p[i+1] == '\r' && p[i+2] == '\n' {
			n = i + 3
			break
		}
		off = i + 1
	}
	return min(max(n, 64), hr.lim.MaxHeaderBytes)
}

// grow makes room for n more raw bytes, never past the byte limit, so a
// huge line costs at most about twice the limit in allocations.
func (hr *headerReader) grow(n int) []byte {
	need := len(hr.raw) + n
	if need <= cap(hr.raw) {
		return hr.raw
	}
	c := min(max(2*cap(hr.raw), need, 512), hr.lim.MaxHeaderBytes)
	b := make([]byte, len(hr.raw), c)
	copy(b, hr.raw)
	return b
}

// scanLine reports whether b holds a byte above 0x7f and whether it holds a
// CR, eight bytes at a time.
func scanLine(b []byte) (high, cr bool) {
	const lo, hi8, crs = 0x0101010101010101, 0x8080808080808080, 0x0d0d0d0d0d0d0d0d
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		if x&hi8 != 0 {
			high = true
		}
		y := x ^ crs
		if (y-lo)&^y&hi8 != 0 {
			cr = true
		}
		if high && cr {
			return
		}
	}
	for ; i < len(b); i++ {
		if b[i] >= 0x80 {
			high = true
		} else if b[i] == '\r' {
			cr = true
		}
	}
	return
}

func (hr *headerReader) newField() error {
	if len(hr.pos) >= hr.lim.MaxHeaderFields {
		return ErrTooManyFields
	}
	return nil
}

func (hr *headerReader) readField(keyLen, colon int, highName bool) error {
	if err := hr.newField(); err != nil {
		return err
	}
	start := len(hr.raw)
	end, err := hr.readLine()
	if err != nil {
		hr.raw = hr.raw[:start]
		return err
	}
	if highName {
		hr.once(DefectMalformedHeaderLine, string(hr.raw[start:start+min(keyLen, 80)]))
	}
	v := start + colon + 1
	for v < end && (hr.raw[v] == ' ' || hr.raw[v] == '\t') {
		v++
	}
	high, cr := scanLine(hr.raw[v:end])
	if cr {
		hr.once(DefectBareCR, "")
	}
	hr.pos = append(hr.pos, fieldPos{
		rawStart: start, rawEnd: len(hr.raw),
		keyEnd:   start + keyLen,
		valStart: v, valEnd: end,
		highBytes: high,
	})
	return nil
}

// readOther keeps a line that is not a field as a Field with no key.
func (hr *headerReader) readOther(k DefectKind) error {
	if err := hr.newField(); err != nil {
		return err
	}
	start := len(hr.raw)
	end, err := hr.readLine()
	if err != nil {
		hr.raw = hr.raw[:start]
		return err
	}
	hr.defects = append(hr.defects, Defect{Kind: k, Detail: quoteDetail(string(hr.raw[start:end]))})
	high, _ := scanLine(hr.raw[start:end])
	hr.pos = append(hr.pos, fieldPos{
		rawStart: start, rawEnd: len(hr.raw), keyEnd: start,
		valStart: start, valEnd: end, highBytes: high,
	})
	return nil
}

// readContinuation appends a folded line to the last field, unfolding its
// value into unf (RFC 5322 §2.2.3: unfolding removes the CRLF only).
func (hr *headerReader) readContinuation() error {
	start := len(hr.raw)
	end, err := hr.readLine()
	if err != nil {
		hr.raw = hr.raw[:start]
		return err
	}
	p := &hr.pos[len(hr.pos)-1]
	high, cr := scanLine(hr.raw[start:end])
	if cr {
		hr.once(DefectBareCR, "")
	}
	p.highBytes = p.highBytes || high
	p.folded = true
	p.valEnd = end
	p.rawEnd = len(hr.raw)
	return nil
}

// unfold appends a folded value, raw[start:end], without its line ends
// (RFC 5322 §2.2.3: unfolding removes the CRLF only), and without the
// leading whitespace when the value began on a continuation line.
func unfold(b *strings.Builder, raw []byte) {
	lead := true
	for len(raw) > 0 {
		line := raw
		next := len(raw)
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line, next = raw[:i], i+1
			// The line end is LF, CR LF or CR CR LF.
			for k := 0; k < 2 && len(line) > 0 && line[len(line)-1] == '\r'; k++ {
				line = line[:len(line)-1]
			}
		}
		raw = raw[next:]
		if lead {
			line = bytes.TrimLeft(line, " \t")
			lead = len(line) == 0
		}
		b.Write(line)
	}
}

func (hr *headerReader) finish() Header {
	if len(hr.pos) == 0 {
		return Header{}
	}
	folded := 0
	for _, p := range hr.pos {
		if p.folded {
			folded += p.valEnd - p.valStart
		}
	}
	var sb strings.Builder
	sb.Grow(len(hr.raw) + folded)
	sb.Write(hr.raw)
	for i := range hr.pos {
		p := &hr.pos[i]
		if p.folded {
			s := sb.Len()
			unfold(&sb, hr.raw[p.valStart:p.valEnd])
			p.valStart, p.valEnd = s, sb.Len()
		}
	}
	s := sb.String()
	fields := make([]Field, len(hr.pos))
	for i, p := range hr.pos {
		f := &fields[i]
		f.Raw = hr.raw[p.rawStart:p.rawEnd:p.rawEnd]
		f.Key = s[p.rawStart:p.keyEnd]
		f.Value = s[p.valStart:p.valEnd]
		if p.highBytes && !utf8.ValidString(f.Value) {
			hr.once(DefectNonASCIIHeader, f.Key)
		}
	}
	return Header{fields: fields}
}
