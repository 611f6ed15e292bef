package mime

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"sync"
	"unsafe"
)

// ErrBoundaryInContent is returned when a part written without a transfer
// encoding holds a line that is the multipart's delimiter.
var ErrBoundaryInContent = errors.New("mime: boundary occurs in part content")

// NewBoundary returns a fresh random boundary. It begins with "=_", which
// neither quoted-printable (where "=" is always followed by two hex digits
// or a line end) nor base64 (which has no "_") can produce, so it cannot
// occur in encoded content; 26 random base32 characters make a clash with
// unencoded content as unlikely as guessing a 128-bit key.
func NewBoundary() string {
	return "=_" + rand.Text()
}

// isText reports whether a media type is text, whose line ends are CRLF in
// canonical form (RFC 2046 §4.1.1).
func isText(mt MediaType) bool { return mt.Type == "text" }

// partHeaderInfo reads what the writer needs from a part header.
func partHeaderInfo(h *Header) (mt MediaType, enc string, err error) {
	mt = defaultMediaType()
	if v := h.Get("Content-Type"); v != "" {
		if m, ok, _ := ParseMediaType(v); ok {
			mt = m
		}
	}
	enc = Encoding7Bit
	if v := h.Get("Content-Transfer-Encoding"); v != "" {
		enc = normalizeEncoding(v)
		if !knownEncoding(enc) {
			return mt, enc, ErrInvalidEncoding
		}
	}
	if (mt.Type == "multipart" || mt.Type == "message" && (mt.Subtype == "rfc822" || mt.Subtype == "global")) &&
		(enc == EncodingBase64 || enc == EncodingQuotedPrintable) {
		// RFC 2046 §5.1 and §5.2.1: only 7bit, 8bit or binary.
		return mt, enc, ErrInvalidEncoding
	}
	return mt, enc, nil
}

// NewPartWriter writes the header h to w and returns a writer for the
// body that applies the transfer encoding h names (base64, quoted-printable;
// 7bit, 8bit and binary write through). For text/* in quoted-printable,
// LF line ends become CRLF; base64 and the unencoded forms write the bytes
// as given. Close ends the body; it does not close w.
func NewPartWriter(w io.Writer, h Header) (io.WriteCloser, error) {
	mt, enc, err := partHeaderInfo(&h)
	if err != nil {
		return nil, err
	}
	if _, err := h.WriteTo(w); err != nil {
		return nil, err
	}
	return NewEncoder(enc, w, isText(mt)), nil
}

// A Writer writes the body of a multipart entity (RFC 2046 §5.1): a
// delimiter line before each part, the close delimiter at the end.
type Writer struct {
	w        io.Writer
	boundary string
	delim    []byte // "--" + boundary
	cur      io.WriteCloser
	child    *Writer
	parts    int
	closed   bool
	nested   bool // inside another multipart: its next delimiter ends the line
	err      error
}

// NewWriter writes the header h of a multipart entity to w and returns a
// writer for its parts. h's Content-Type must be multipart/* or absent
// (then multipart/mixed); a boundary is added when it has none (see
// [NewBoundary]). A transfer encoding other than 7bit, 8bit or binary is
// refused with [ErrInvalidEncoding] (RFC 2046 §5.1).
func NewWriter(w io.Writer, h Header) (*Writer, error) {
	mw, err := newWriter(w, &h)
	if err != nil {
		return nil, err
	}
	if _, err := h.WriteTo(w); err != nil {
		return nil, err
	}
	return mw, nil
}

func newWriter(w io.Writer, h *Header) (*Writer, error) {
	mt := MediaType{Type: "multipart", Subtype: "mixed"}
	if v := h.Get("Content-Type"); v != "" {
		m, ok, _ := ParseMediaType(v)
		if !ok || m.Type != "multipart" {
			return nil, errors.New("mime: NewWriter needs a multipart Content-Type")
		}
		mt = m
	}
	if v := h.Get("Content-Transfer-Encoding"); v != "" {
		switch normalizeEncoding(v) {
		case Encoding7Bit, Encoding8Bit, EncodingBinary:
		default:
			return nil, ErrInvalidEncoding
		}
	}
	b := mt.Params.Get("boundary")
	if b == "" {
		b = NewBoundary()
		mt.Params = append(mt.Params, Param{Name: "boundary", Value: b})
		h.Set("Content-Type", FormatMediaType(mt))
	}
	return &Writer{w: w, boundary: b, delim: []byte("--" + b)}, nil
}

// Boundary returns the boundary the writer uses.
func (mw *Writer) Boundary() string { return mw.boundary }

// endPart closes the part being written, if any.
func (mw *Writer) endPart() error {
	if mw.child != nil {
		if err := mw.child.Close(); err != nil && mw.err == nil {
			mw.err = err
		}
		mw.child = nil
	}
	if mw.cur != nil {
		if err := mw.cur.Close(); err != nil && mw.err == nil {
			mw.err = err
		}
		mw.cur = nil
	}
	return mw.err
}

func (mw *Writer) writeDelimiter() error {
	if err := mw.endPart(); err != nil {
		return err
	}
	if mw.closed {
		return errors.New("mime: part created after Close")
	}
	var b []byte
	if mw.parts > 0 {
		// RFC 2046 §5.1.1: the CRLF before "--" belongs to the delimiter.
		b = append(b, '\r', '\n')
	}
	b = append(b, mw.delim...)
	b = append(b, '\r', '\n')
	mw.parts++
	_, err := mw.w.Write(b)
	if err != nil {
		mw.err = err
	}
	return err
}

// CreatePart starts a new part with header h and returns a writer for its
// body, which applies the transfer encoding h names as [NewPartWriter]
// does. The part ends with the next CreatePart, CreateMultipart or Close.
// A part written without encoding that holds the delimiter makes the
// writer fail with [ErrBoundaryInContent].
func (mw *Writer) CreatePart(h Header) (io.Writer, error) {
	mt, enc, err := partHeaderInfo(&h)
	if err != nil {
		return nil, err
	}
	if err := mw.writeDelimiter(); err != nil {
		return nil, err
	}
	if _, err := h.WriteTo(mw.w); err != nil {
		mw.err = err
		return nil, err
	}
	switch enc {
	case EncodingBase64, EncodingQuotedPrintable:
		mw.cur = NewEncoder(enc, mw.w, isText(mt))
	default:
		mw.cur = &delimGuard{w: mw.w, delim: mw.delim, matching: true}
	}
	return mw.cur, nil
}

// CreateMultipart starts a nested multipart part with header h (whose
// Content-Type must be multipart/*, given a boundary when it has none) and
// returns a writer for its parts. The nested writer is closed by the next
// part of mw, or by mw's Close, if not before.
func (mw *Writer) CreateMultipart(h Header) (*Writer, error) {
	child, err := newWriter(mw.w, &h)
	if err != nil {
		return nil, err
	}
	if err := mw.writeDelimiter(); err != nil {
		return nil, err
	}
	if _, err := h.WriteTo(mw.w); err != nil {
		mw.err = err
		return nil, err
	}
	child.nested = true
	mw.child = child
	return child, nil
}

// Close ends the last part and writes the close delimiter. It does not
// close the underlying writer.
func (mw *Writer) Close() error {
	if mw.closed {
		return mw.err
	}
	if err := mw.endPart(); err != nil {
		return err
	}
	mw.closed = true
	b := make([]byte, 0, len(mw.delim)+6)
	if mw.parts > 0 {
		b = append(b, '\r', '\n')
	}
	b = append(b, mw.delim...)
	b = append(b, '-', '-')
	if !mw.nested {
		b = append(b, '\r', '\n')
	}
	if _, err := mw.w.Write(b); err != nil {
		mw.err = err
	}
	return mw.err
}

// delimGuard writes unencoded content through, failing if a line begins
// with the delimiter.
type delimGuard struct {
	w        io.Writer
	delim    []byte
	tail     []byte // the start of the current line, while it matches delim
	matching bool
	err      error
}

func (g *delimGuard) Write(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	if g.found(p) {
		g.err = ErrBoundaryInContent
		return 0, g.err
	}
	return g.w.Write(p)
}

// found reports whether a line begun in what was written before, or in p,
// begins with the delimiter.
func (g *delimGuard) found(p []byte) bool {
	if g.matching {
		k := min(len(g.delim)-len(g.tail), len(p))
		g.tail = append(g.tail, p[:k]...)
		switch {
		case !bytes.HasPrefix(g.delim, g.tail):
			g.matching = false
		case len(g.tail) == len(g.delim):
			return true
		}
	}
	for i := 0; ; {
		j := bytes.IndexByte(p[i:], '\n')
		if j < 0 {
			return false
		}
		i += j + 1
		rest := p[i:]
		if len(rest) >= len(g.delim) {
			if bytes.Equal(rest[:len(g.delim)], g.delim) {
				return true
			}
		} else if bytes.HasPrefix(g.delim, rest) {
			g.tail = append(g.tail[:0], rest...)
			g.matching = true
		}
	}
}

func (g *delimGuard) Close() error { return g.err }

// crlfWriter turns bare LF into CRLF: the canonical form of text (RFC 2046
// §4.1.1) that 7bit, 8bit and base64 text bodies need.
type crlfWriter struct {
	w      io.Writer
	lastCR bool
}

func (c *crlfWriter) Write(p []byte) (int, error) {
	total := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			c.lastCR = p[len(p)-1] == '\r'
			if _, err := c.w.Write(p); err != nil {
				return 0, err
			}
			break
		}
		prevCR := c.lastCR
		if i > 0 {
			prevCR = p[i-1] == '\r'
		}
		if prevCR {
			if _, err := c.w.Write(p[:i+1]); err != nil {
				return 0, err
			}
		} else {
			if _, err := c.w.Write(p[:i]); err != nil {
				return 0, err
			}
			if _, err := c.w.Write([]byte("\r\n")); err != nil {
				return 0, err
			}
		}
		c.lastCR = false
		p = p[i+1:]
	}
	return total, nil
}

// An Attachment is a file carried by a [Message].
type Attachment struct {
	// ContentType is the media type ("image/png"); "" means
	// application/octet-stream. Parameters may be included. A
	// message/rfc822 attachment is written unencoded, its line ends made
	// CRLF (RFC 2046 §5.2.1); if it needs 8bit or binary and Options do
	// not allow them, it goes as application/octet-stream in base64.
	ContentType string
	// Filename is the file's name, any Unicode (written with RFC 2231).
	Filename string
	// ContentID, without angle brackets, lets HTML refer to an inline part
	// as "cid:...".
	ContentID string
	// Data is the content, written so that it is read back exactly.
	Data []byte
}

// A Message is a message to build: a text and/or HTML body, inline parts
// for the HTML (multipart/related), and attachments (multipart/mixed).
// [Message.WriteTo] picks the structure and each part's transfer encoding.
type Message struct {
	// Header holds the message fields (From, To, Subject, Date,
	// Message-ID...), which the caller formats with [FormatAddressList],
	// [EncodeWords], [FormatDate]. Content-* fields and MIME-Version are
	// set by WriteTo.
	Header Header
	// Text and HTML are the body. Their line ends are written as CRLF
	// (the canonical form of text, RFC 2046 §4.1.1), so a reader gets
	// back CRLF where they have LF.
	Text, HTML string
	// Inline parts go with the HTML in a multipart/related.
	Inline []Attachment
	// Attachments follow the body in a multipart/mixed.
	Attachments []Attachment
	// Options allow 8bit or binary where the transport does.
	Options EncodingOptions
}

// bodyPart is one leaf part ready to be written.
type bodyPart struct {
	header Header
	data   []byte
	enc    string
	text   bool
}

func textPart(subtype, s string, opts EncodingOptions) *bodyPart {
	// The text is only read: share the string's bytes rather than copy
	// a body that may be megabytes long.
	data := unsafe.Slice(unsafe.StringData(s), len(s))
	enc := ChooseEncoding(data, true, opts)
	var h Header
	h.Add("Content-Type", FormatMediaType(MediaType{Type: "text", Subtype: subtype, Params: Params{{Name: "charset", Value: "utf-8"}}}))
	h.Add("Content-Transfer-Encoding", enc)
	return &bodyPart{header: h, data: data, enc: enc, text: true}
}

func attachmentPart(a *Attachment, disposition string, opts EncodingOptions) *bodyPart {
	mt := MediaType{Type: "application", Subtype: "octet-stream"}
	if a.ContentType != "" {
		if m, ok, _ := ParseMediaType(a.ContentType); ok && m.Type != "multipart" {
			mt = m
		}
	}
	enc := ChooseEncoding(a.Data, false, opts)
	text := false
	if mt.Type == "message" {
		// RFC 2046 §5.2.1: a message/rfc822 body is never encoded. A
		// message that the transport cannot carry as it is goes as
		// application/octet-stream.
		enc = ChooseEncoding(a.Data, true, opts)
		text = true
		if enc == EncodingBase64 || enc == EncodingQuotedPrintable {
			mt, enc, text = MediaType{Type: "application", Subtype: "octet-stream"}, ChooseEncoding(a.Data, false, opts), false
		}
	}
	if a.Filename != "" && mt.Params.Get("name") == "" && mt.Type != "message" {
		// Not in any RFC since 1341, but what many readers look at.
		mt.Params = append(mt.Params, Param{Name: "name", Value: a.Filename})
	}
	var h Header
	h.Add("Content-Type", FormatMediaType(mt))
	d := Disposition{Type: disposition}
	if a.Filename != "" {
		d.Params = Params{{Name: "filename", Value: a.Filename}}
	}
	h.Add("Content-Disposition", FormatDisposition(d))
	if a.ContentID != "" {
		h.Add("Content-ID", "<"+a.ContentID+">")
	}
	h.Add("Content-Transfer-Encoding", enc)
	return &bodyPart{header: h, data: a.Data, enc: enc, text: text}
}

// encoders are the buffers one WriteTo call uses, kept between calls.
type encoders struct {
	bw   *bufio.Writer
	qp   *QPWriter
	b64  *Base64Writer
	crlf crlfWriter
}

var encodersPool = sync.Pool{New: func() any {
	return &encoders{
		bw:  bufio.NewWriterSize(nil, 32<<10),
		qp:  NewQPWriter(nil, QPText),
		b64: NewBase64Writer(nil),
	}
}}

func (bp *bodyPart) write(w io.Writer, es *encoders) error {
	var enc io.Writer
	var closer io.Closer
	switch bp.enc {
	case EncodingQuotedPrintable:
		mode := QPBinary
		if bp.text {
			mode = QPText
		}
		es.qp.Reset(w, mode)
		enc, closer = es.qp, es.qp
	case EncodingBase64:
		es.b64.Reset(w)
		enc, closer = es.b64, es.b64
		if bp.text {
			es.crlf = crlfWriter{w: es.b64}
			enc = &es.crlf
		}
	default:
		enc = w
		if bp.text {
			es.crlf = crlfWriter{w: w}
			enc = &es.crlf
		}
	}
	if _, err := enc.Write(bp.data); err != nil {
		return err
	}
	if closer != nil {
		return closer.Close()
	}
	return nil
}

// node is a part of the tree WriteTo builds.
type node struct {
	leaf     *bodyPart
	subtype  string // multipart subtype
	children []*node
	boundary string
}

func (m *Message) tree() *node {
	opts := m.Options
	var body *node
	switch {
	case m.Text != "" && m.HTML != "":
		body = &node{subtype: "alternative", children: []*node{
			{leaf: textPart("plain", m.Text, opts)},
			{leaf: textPart("html", m.HTML, opts)},
		}}
	case m.HTML != "":
		body = &node{leaf: textPart("html", m.HTML, opts)}
	case m.Text != "" || len(m.Attachments) == 0 && len(m.Inline) == 0:
		body = &node{leaf: textPart("plain", m.Text, opts)}
	}
	if len(m.Inline) > 0 {
		rel := &node{subtype: "related"}
		if body != nil {
			rel.children = append(rel.children, body)
		}
		for i := range m.Inline {
			rel.children = append(rel.children, &node{leaf: attachmentPart(&m.Inline[i], "inline", opts)})
		}
		body = rel
	}
	if len(m.Attachments) > 0 {
		mixed := &node{subtype: "mixed"}
		if body != nil {
			mixed.children = append(mixed.children, body)
		}
		for i := range m.Attachments {
			mixed.children = append(mixed.children, &node{leaf: attachmentPart(&m.Attachments[i], "attachment", opts)})
		}
		body = mixed
	}
	return body
}

// chooseBoundaries gives every multipart a boundary that no unencoded
// leaf below it contains.
func (n *node) chooseBoundaries() {
	if n.leaf != nil {
		return
	}
	for {
		n.boundary = NewBoundary()
		if !n.boundaryInContent([]byte("--" + n.boundary)) {
			break
		}
	}
	for _, c := range n.children {
		c.chooseBoundaries()
	}
}

func (n *node) boundaryInContent(delim []byte) bool {
	if n.leaf != nil {
		if n.leaf.enc == EncodingBase64 || n.leaf.enc == EncodingQuotedPrintable {
			return false
		}
		return bytes.Contains(n.leaf.data, delim)
	}
	for _, c := range n.children {
		if c.boundaryInContent(delim) {
			return true
		}
	}
	return false
}

func (n *node) header() Header {
	if n.leaf != nil {
		return n.leaf.header
	}
	var h Header
	h.Add("Content-Type", FormatMediaType(MediaType{Type: "multipart", Subtype: n.subtype, Params: Params{{Name: "boundary", Value: n.boundary}}}))
	return h
}

func (n *node) writeBody(w io.Writer, es *encoders, nested bool) error {
	if n.leaf != nil {
		return n.leaf.write(w, es)
	}
	mw := &Writer{w: w, boundary: n.boundary, delim: []byte("--" + n.boundary), nested: nested}
	for _, c := range n.children {
		if err := mw.writeDelimiter(); err != nil {
			return err
		}
		h := c.header()
		if _, err := h.WriteTo(w); err != nil {
			return err
		}
		if err := c.writeBody(w, es, true); err != nil {
			return err
		}
	}
	return mw.Close()
}

// WriteTo writes the message to w: the header (with MIME-Version and the
// Content-* fields of the top part) and the body.
func (m *Message) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: w}
	es := encodersPool.Get().(*encoders)
	defer func() {
		// Keep no reference to the caller's writer.
		es.bw.Reset(nil)
		es.qp.Reset(nil, QPText)
		es.b64.Reset(nil)
		es.crlf = crlfWriter{}
		encodersPool.Put(es)
	}()
	bw := es.bw
	bw.Reset(cw)
	root := m.tree()
	root.chooseBoundaries()
	var h Header
	for _, f := range m.Header.Fields() {
		switch {
		case equalFoldASCII(f.Key, "MIME-Version"), hasPrefixFold(f.Key, "Content-"):
			continue
		}
		h.Add(f.Key, f.Value)
	}
	h.Add("MIME-Version", "1.0")
	rh := root.header()
	for _, f := range rh.Fields() {
		h.Add(f.Key, f.Value)
	}
	if _, err := h.WriteTo(bw); err != nil {
		return cw.n, err
	}
	if err := root.writeBody(bw, es, false); err != nil {
		return cw.n, err
	}
	err := bw.Flush()
	return cw.n, err
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && equalFoldASCII(s[:len(prefix)], prefix)
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
