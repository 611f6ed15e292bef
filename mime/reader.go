package mime

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
)

// maxBoundaryLen bounds a boundary parameter. RFC 2046 §5.1.1 allows 70
// characters; longer ones are read, up to what fits on a line.
const maxBoundaryLen = 900

// ReaderOptions configures a [Reader]. The zero value is ready to use.
type ReaderOptions struct {
	// Limits bounds header blocks, nesting and the number of parts.
	Limits Limits
	// DecodeCharset makes [Part.Body] convert text/* bodies from their
	// charset parameter to UTF-8 (see [CharsetReader]). An unknown charset
	// is recorded as [DefectUnknownCharset] and the bytes are given raw.
	DecodeCharset bool
	// MessageGlobal makes the reader descend into message/global parts
	// (RFC 6532 §3.7) as into message/rfc822 ones.
	MessageGlobal bool
	// CountLines makes the reader count the lines of every body, for
	// [Part.BodyLines] (IMAP BODYSTRUCTURE needs them).
	CountLines bool
	// LeafMessages makes message/rfc822 parts leaves: their body, the
	// enclosed message, is read with [Part.Body] (to save it as a file, say)
	// instead of being walked.
	LeafMessages bool
}

// A Part is one entity of a message: the message itself, a part of a
// multipart, or a message enclosed in a message/rfc822 part.
type Part struct {
	// Header is the part's header block.
	Header Header
	// MediaType is the effective content type: the Content-Type field, or
	// the default of RFC 2045 §5.2 (text/plain; charset=us-ascii), or
	// message/rfc822 inside a multipart/digest (RFC 2046 §5.1.5).
	MediaType MediaType
	// Encoding is the Content-Transfer-Encoding, lowercased; "7bit" when
	// absent.
	Encoding string
	// Number is the IMAP part number (RFC 3501 §6.4.5): "" for the top
	// message, "1", "1.2"... for parts of a multipart. A message enclosed
	// in a message/rfc822 part has the number of that part (so its header
	// is BODY[n.HEADER]); see [Part.BodySection] for the leaf body's.
	Number string
	// Depth is the number of multipart and message/rfc822 parts enclosing
	// this one.
	Depth int
	// IsMessage is true for the top message and for messages enclosed in
	// message/rfc822 parts: their headers are RFC 5322 headers.
	IsMessage bool
	// Parent is the enclosing multipart or message/rfc822 part, nil for
	// the top message.
	Parent *Part
	// Defects lists what was found wrong in this part. Defects found in the
	// body (bad base64, a missing close boundary) are added when the body
	// has been read, at the latest when [Reader.Next] moves on.
	Defects []Defect

	// Byte ranges in the input: the header block (including the empty line
	// that ends it) and the body (up to, not including, the line end that
	// belongs to the next boundary). BodySize and BodyLines are known once
	// the body has been read or skipped; for a multipart or an enclosed
	// message, once all its parts have been.
	HeaderOffset, HeaderSize int64
	BodyOffset, BodySize     int64
	// BodyLines counts the LF characters of the body (with
	// [ReaderOptions.CountLines]).
	BodyLines int64

	kind      partKind
	r         *Reader
	gen       int // the Reader's generation while the body is readable
	bodyLines int64
	dec       io.Reader
}

type partKind uint8

const (
	leafPart partKind = iota
	multipartPart
	messagePart // message/rfc822 (or message/global) to descend into
)

// IsMultipart reports whether the reader walks this part's children.
func (p *Part) IsMultipart() bool { return p.kind == multipartPart }

// IsEncapsulated reports whether the part is a message/rfc822 (or, with
// [ReaderOptions.MessageGlobal], message/global) part whose body the reader
// walks as a message.
func (p *Part) IsEncapsulated() bool { return p.kind == messagePart }

// BodySection returns the IMAP section whose BODY[] is this part's body:
// the part's number, except that a non-multipart message (the top message or
// an enclosed one) has its body in part 1 of it ("1", "2.1").
func (p *Part) BodySection() string {
	if p.IsMessage && p.kind != multipartPart {
		if p.Number == "" {
			return "1"
		}
		return p.Number + ".1"
	}
	return p.Number
}

func (p *Part) addDefect(k DefectKind, detail string) {
	p.Defects = append(p.Defects, Defect{Kind: k, Detail: detail})
}

// Body returns a reader of the part's body with the transfer encoding
// undone (and the charset, with [ReaderOptions.DecodeCharset]). It is
// valid until the next call of [Reader.Next]. A multipart part's body is
// read through its children: Body returns an empty reader, as it does for
// an enclosed message (walk on with Next).
func (p *Part) Body() io.Reader {
	if p.r == nil || p.gen != p.r.gen || p.kind != leafPart {
		return eofReader{}
	}
	if p.dec != nil {
		return p.dec
	}
	r := p.r
	raw := io.Reader(bodyReader{r, p.gen})
	var dec io.Reader
	switch p.Encoding {
	case EncodingBase64:
		if r.b64 == nil {
			r.b64 = &Base64Reader{}
		}
		if r.b64.buf == nil {
			r.b64.buf = getCodecBuf()
		}
		r.b64.Reset(raw)
		dec = r.b64
	case EncodingQuotedPrintable:
		if r.qp == nil {
			r.qp = &QPReader{}
		}
		if r.qp.buf == nil {
			r.qp.buf = getCodecBuf()
		}
		r.qp.Reset(raw)
		dec = r.qp
	default:
		dec = raw
	}
	if r.opts.DecodeCharset && p.MediaType.Type == "text" {
		if cs := p.MediaType.Params.Get("charset"); cs != "" {
			cr, err := CharsetReader(cs, dec)
			if err != nil {
				p.addDefect(DefectUnknownCharset, quoteShort(cs))
			}
			dec = cr
		}
	}
	p.dec = dec
	return dec
}

// RawBody returns a reader of the part's body as it is in the message,
// transfer encoding included. It is valid until the next call of
// [Reader.Next], and cannot be mixed with [Part.Body].
func (p *Part) RawBody() io.Reader {
	if p.r == nil || p.gen != p.r.gen || p.kind != leafPart {
		return eofReader{}
	}
	return bodyReader{p.r, p.gen}
}

// bodyReader reads a part's body from the scanner, and nothing once the
// reader has moved on to another part.
type bodyReader struct {
	mr  *Reader
	gen int
}

func (b bodyReader) Read(p []byte) (int, error) {
	if b.gen != b.mr.gen {
		return 0, io.EOF
	}
	return b.mr.sc.read(p)
}

func (b bodyReader) peekChunk() ([]byte, error) {
	if b.gen != b.mr.gen {
		return nil, io.EOF
	}
	return sectionReader{&b.mr.sc}.peekChunk()
}

func (b bodyReader) discardChunk(n int) { b.mr.sc.advance(b.mr.sc.r + n) }

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// frame is an open multipart or enclosed message.
type frame struct {
	part   *Part
	bound  int // index in scanner.bounds; -1 for an enclosed message
	count  int // parts read so far
	closed bool
}

// A Reader walks the entities of a message depth first: the message, then
// each part of a multipart in order, descending into nested multiparts and
// message/rfc822 parts. It reads its input once, holding one buffer, never
// a whole part.
type Reader struct {
	opts   ReaderOptions
	sc     scanner
	br     *bufio.Reader
	stack  []frame
	cur    *Part
	root   *Part
	gen    int
	nparts int
	err    error
	b64    *Base64Reader
	qp     *QPReader
}

// NewReader returns a reader of the message read from r. opts may be nil.
func NewReader(r io.Reader, opts *ReaderOptions) *Reader {
	mr := &Reader{}
	mr.Reset(r, opts)
	return mr
}

// NewReaderBytes returns a reader of the message msg, which it reads in
// place: no copy of the message is made, and msg must not change while
// the reader is in use. opts may be nil.
func NewReaderBytes(msg []byte, opts *ReaderOptions) *Reader {
	mr := &Reader{}
	mr.ResetBytes(msg, opts)
	return mr
}

// Reset makes mr read a new message from r, keeping its buffers.
func (mr *Reader) Reset(r io.Reader, opts *ReaderOptions) {
	mr.reset(opts)
	mr.sc.reset(r)
	mr.sc.countLines = mr.opts.CountLines
}

// ResetBytes makes mr read the message msg in place, as [NewReaderBytes].
func (mr *Reader) ResetBytes(msg []byte, opts *ReaderOptions) {
	mr.reset(opts)
	mr.sc.resetBytes(msg)
	mr.sc.countLines = mr.opts.CountLines
}

func (mr *Reader) reset(opts *ReaderOptions) {
	if opts != nil {
		mr.opts = *opts
	} else {
		mr.opts = ReaderOptions{}
	}
	mr.opts.Limits = mr.opts.Limits.withDefaults()
	if mr.br == nil {
		mr.br = headerReaders.Get().(*bufio.Reader)
	}
	mr.br.Reset(sectionReader{&mr.sc})
	mr.stack = mr.stack[:0]
	mr.cur, mr.root = nil, nil
	mr.gen++
	mr.nparts = 0
	mr.err = nil
}

// Next returns the next entity; the first call returns the message itself.
// It returns io.EOF after the last part. The previous part's body is
// skipped if it was not read to the end.
//
// Crossing [Limits.MaxParts] returns [ErrTooManyParts] (and records
// [DefectTooManyParts] on the message): the parts returned before stay
// valid, the rest is not read. A header block crossing MaxHeaderBytes or
// MaxHeaderFields is returned with the part and the error
// ([ErrHeaderTooLarge], [ErrTooManyFields]); calling Next again goes on
// with the next part. Nesting deeper than MaxDepth is not an error: the
// part is given as a leaf with [DefectTooDeep].
func (mr *Reader) Next() (*Part, error) {
	p, err := mr.next()
	if mr.err != nil {
		mr.release()
	}
	return p, err
}

// Buffers shared by the Readers: a Reader takes them when it starts and
// gives them back when its walk ends (io.EOF or a failed input), so that
// parsing many messages one after another allocates them once, not once a
// message.
var (
	codecBufs     = sync.Pool{New: func() any { return new([codecBufSize]byte) }}
	headerReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, headerBufSize) }}
)

func getCodecBuf() []byte { return codecBufs.Get().(*[codecBufSize]byte)[:] }

// release gives the buffers back once the walk has ended. The parts
// handed out are invalidated first (their Body reads nothing, as after any
// later Next), so no reader of a part can still use a buffer.
func (mr *Reader) release() {
	mr.gen++
	if mr.b64 != nil && mr.b64.buf != nil {
		codecBufs.Put((*[codecBufSize]byte)(mr.b64.takeBuf()))
	}
	if mr.qp != nil && mr.qp.buf != nil {
		codecBufs.Put((*[codecBufSize]byte)(mr.qp.takeBuf()))
	}
	if mr.br != nil {
		mr.br.Reset(nil)
		headerReaders.Put(mr.br)
		mr.br = nil
	}
}

func (mr *Reader) next() (*Part, error) {
	if mr.err != nil {
		return nil, mr.err
	}
	if mr.cur == nil {
		p, err := mr.readPart(nil, "", true)
		mr.root = p
		return p, err
	}
	p := mr.cur
	switch p.kind {
	case leafPart:
		mr.finishLeaf(p)
	case multipartPart:
		// readPart opened the frame. The preamble (RFC 2046 §5.1.1) is
		// not part of any entity.
		mr.sc.skip()
	case messagePart:
		mr.stack = append(mr.stack, frame{part: p, bound: -1})
		num := p.Number
		if num == "" {
			num = "1"
		}
		return mr.readPart(p, num, true)
	}
	return mr.afterSection()
}

// finishLeaf skips what is left of a leaf body and records its size.
func (mr *Reader) finishLeaf(p *Part) {
	if p.dec != nil {
		// Read the decoder to the end so that its defects are complete.
		io.Copy(io.Discard, p.dec)
	}
	mr.sc.skip()
	mr.endBody(p)
	mr.collectDecoderDefects(p)
	mr.gen++
}

func (mr *Reader) endBody(p *Part) {
	end := mr.sc.pos(mr.sc.secEnd)
	p.BodySize = end - p.BodyOffset
	if mr.opts.CountLines {
		p.BodyLines = mr.sc.lines - p.bodyLines
	}
}

func (mr *Reader) collectDecoderDefects(p *Part) {
	switch p.Encoding {
	case EncodingBase64:
		if p.dec != nil && mr.b64 != nil {
			p.Defects = append(p.Defects, mr.b64.Defects()...)
		}
	case EncodingQuotedPrintable:
		if p.dec != nil && mr.qp != nil {
			p.Defects = append(p.Defects, mr.qp.Defects()...)
		}
	}
}

// afterSection goes on from the end of a section: a delimiter or the end
// of the input.
func (mr *Reader) afterSection() (*Part, error) {
	for {
		d, ok := mr.sc.consumeDelimPeek()
		if err := mr.sc.ioErr(); err != nil && !ok {
			// The input failed: no more parts can be read.
			mr.err = err
			return nil, err
		}
		if !ok {
			// The end of the input closes everything.
			for len(mr.stack) > 0 {
				mr.popFrame()
			}
			mr.err = io.EOF
			return nil, io.EOF
		}
		// Frames opened after the one this delimiter belongs to end here,
		// their close delimiters missing.
		for len(mr.stack) > 0 {
			top := mr.stack[len(mr.stack)-1]
			if top.bound == d.level {
				break
			}
			mr.popFrame()
		}
		if len(mr.stack) == 0 {
			mr.err = io.EOF // cannot happen: the boundary has a frame
			return nil, io.EOF
		}
		f := &mr.stack[len(mr.stack)-1]
		if f.closed {
			// The epilogue holds this boundary again: still epilogue.
			mr.sc.consumeDelim()
			mr.sc.skip()
			continue
		}
		mr.sc.consumeDelim()
		if d.close {
			f.closed = true
			mr.sc.skip() // the epilogue
			continue
		}
		f.count++
		num := strconv.Itoa(f.count)
		if f.part.Number != "" {
			num = f.part.Number + "." + num
		}
		return mr.readPart(f.part, num, false)
	}
}

// popFrame closes the innermost multipart or enclosed message, at the
// end of the current section.
func (mr *Reader) popFrame() {
	f := mr.stack[len(mr.stack)-1]
	mr.stack = mr.stack[:len(mr.stack)-1]
	if f.bound >= 0 {
		mr.sc.bounds = mr.sc.bounds[:f.bound]
		switch {
		case f.count == 0:
			f.part.addDefect(DefectMissingStartBoundary, "")
		case !f.closed:
			f.part.addDefect(DefectMissingCloseBoundary, "")
		}
	}
	mr.endBody(f.part)
	if sc := &mr.sc; sc.eofEnd && sc.eofTrim > 0 {
		// The line end a leaf left out is inside the enclosing entity.
		f.part.BodySize += int64(sc.eofTrim)
		if mr.opts.CountLines {
			f.part.BodyLines++
		}
	}
}

// readPart reads a header block at the start of a section and returns
// the part it begins.
func (mr *Reader) readPart(parent *Part, num string, isMessage bool) (*Part, error) {
	lim := mr.opts.Limits
	mr.nparts++
	if mr.nparts > lim.MaxParts {
		if mr.root != nil {
			mr.root.addDefect(DefectTooManyParts, "")
		}
		mr.err = ErrTooManyParts
		return nil, ErrTooManyParts
	}
	p := &Part{Number: num, IsMessage: isMessage, Parent: parent, r: mr}
	if parent != nil {
		p.Depth = parent.Depth + 1
	}
	sc := &mr.sc
	p.HeaderOffset = sc.pos(sc.r)
	mr.br.Reset(sectionReader{sc})
	h, defects, herr := ReadHeader(mr.br, lim)
	// Give the look-ahead back to the scanner: the body is read from it
	// directly.
	sc.rewind(mr.br.Buffered())
	mr.br.Reset(sectionReader{sc})
	p.Header = h
	p.Defects = defects
	p.BodyOffset = sc.pos(sc.r)
	p.HeaderSize = p.BodyOffset - p.HeaderOffset
	p.bodyLines = sc.lines
	mr.classify(p, parent)
	mr.cur = p
	p.gen = mr.gen
	if herr == nil && p.kind == multipartPart {
		mr.openMultipart(p)
	}
	if herr != nil {
		if !errors.Is(herr, ErrHeaderTooLarge) && !errors.Is(herr, ErrTooManyFields) {
			// The input failed.
			mr.err = herr
			return nil, herr
		}
		// The rest of this part is skipped by the next call.
		p.kind = leafPart
		p.addDefect(DefectHeaderTooLarge, herr.Error())
		return p, herr
	}
	return p, nil
}

// openMultipart starts walking a multipart's body. When the buffered input
// shows that the body ends before any delimiter of the multipart (the
// start boundary is missing), the part is read as text instead, so that
// its body stays readable; a preamble longer than the buffer is not
// looked past, and such a multipart gets no parts.
func (mr *Reader) openMultipart(p *Part) {
	sc := &mr.sc
	sc.bounds = append(sc.bounds, []byte("--"+p.MediaType.Params.Get("boundary")))
	level := len(sc.bounds) - 1
	sc.rescan(true)
	if sc.lookahead() && (sc.eofEnd || sc.d.level != level) {
		sc.bounds = sc.bounds[:level]
		sc.rescan(true)
		p.kind = leafPart
		p.MediaType = defaultMediaType()
		p.addDefect(DefectMissingStartBoundary, "")
		return
	}
	mr.stack = append(mr.stack, frame{part: p, bound: level})
}

// classify sets the part's media type, encoding and kind.
func (mr *Reader) classify(p *Part, parent *Part) {
	h := &p.Header
	p.Encoding = Encoding7Bit
	if v := h.Get("Content-Transfer-Encoding"); v != "" {
		p.Encoding = normalizeEncoding(v)
		if !knownEncoding(p.Encoding) {
			p.addDefect(DefectUnknownTransferEncoding, quoteShort(v))
		}
	}
	ct := h.Get("Content-Type")
	ok := false
	if ct != "" {
		var defects []Defect
		p.MediaType, ok, defects = ParseMediaType(ct)
		p.Defects = append(p.Defects, defects...)
	}
	if !ok {
		if parent != nil && parent.kind == multipartPart && parent.MediaType.Subtype == "digest" {
			p.MediaType = MediaType{Type: "message", Subtype: "rfc822"}
		} else {
			p.MediaType = defaultMediaType()
		}
	}
	p.kind = leafPart
	switch p.MediaType.Type {
	case "multipart":
		b := p.MediaType.Params.Get("boundary")
		switch {
		case b == "" || len(b) > maxBoundaryLen:
			p.addDefect(DefectMissingBoundary, "")
			// RFC 2046 §5.1.1 makes the boundary mandatory: without one
			// the body is text (RFC 2045 §5.2).
			p.MediaType = defaultMediaType()
			return
		case mr.boundaryOpen(b):
			p.addDefect(DefectBoundaryReused, quoteShort(b))
			return
		}
		if p.Encoding != Encoding7Bit && p.Encoding != Encoding8Bit && p.Encoding != EncodingBinary {
			// RFC 2046 §5.1: read on as if the encoding were 7bit.
			p.addDefect(DefectForbiddenEncoding, p.Encoding)
		}
		p.kind = multipartPart
	case "message":
		if mr.opts.LeafMessages || p.MediaType.Subtype != "rfc822" && !(p.MediaType.Subtype == "global" && mr.opts.MessageGlobal) {
			return
		}
		if p.Encoding != Encoding7Bit && p.Encoding != Encoding8Bit && p.Encoding != EncodingBinary {
			// RFC 2046 §5.2.1 forbids it; the body is not walkable.
			if p.MediaType.Subtype == "rfc822" {
				p.addDefect(DefectForbiddenEncoding, p.Encoding)
			}
			return
		}
		p.kind = messagePart
	default:
		return
	}
	if p.Depth >= mr.opts.Limits.MaxDepth {
		p.addDefect(DefectTooDeep, fmt.Sprintf("depth %d", p.Depth))
		p.kind = leafPart
	}
}

func defaultMediaType() MediaType {
	return MediaType{Type: "text", Subtype: "plain", Params: Params{{Name: "charset", Value: "us-ascii"}}}
}

func (mr *Reader) boundaryOpen(b string) bool {
	for _, ob := range mr.sc.bounds {
		if string(ob[2:]) == b {
			return true
		}
	}
	return false
}

func quoteShort(s string) string {
	if len(s) > 80 {
		s = s[:80]
	}
	return strconv.Quote(s)
}

// consumeDelimPeek returns the delimiter that ended the section without
// consuming it.
func (s *scanner) consumeDelimPeek() (delim, bool) {
	s.skip()
	if s.eofEnd {
		return delim{}, false
	}
	return s.d, true
}

// Walk calls fn for every part of the message read from r, depth first.
// It stops at the first error fn returns and returns it; defects never
// stop it.
func Walk(r io.Reader, opts *ReaderOptions, fn func(p *Part) error) error {
	mr := NewReader(r, opts)
	for {
		p, err := mr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil && p == nil {
			return err // ErrTooManyParts
		}
		if err := fn(p); err != nil {
			return err
		}
	}
}
