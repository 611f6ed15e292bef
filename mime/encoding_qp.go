package mime

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

var hexVal = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xFF
	}
	for i := 0; i < 10; i++ {
		t['0'+i] = byte(i)
	}
	for i := 0; i < 6; i++ {
		t['A'+i] = byte(10 + i)
		t['a'+i] = byte(10 + i) // RFC 2045 §6.7: a robust decoder accepts lowercase
	}
	return t
}()

// qpMaxLine is the longest encoded line RFC 2045 §6.7 (5) allows, CRLF excluded.
const qpMaxLine = 76

// A QPReader decodes a quoted-printable body (RFC 2045 §6.7): "=XX"
// escapes, soft line breaks ("=" at the end of a line, even when followed
// by transport whitespace), and the removal of trailing whitespace. Hard
// line breaks are given as they were written (CRLF or LF). A bad escape is
// kept literally and recorded as a [DefectInvalidQuotedPrintable], as is a
// line longer than 76 characters; see [QPReader.Defects].
type QPReader struct {
	src        io.Reader
	buf        []byte
	r, w       int
	err        error
	defects    []Defect
	badEscape  bool
	longLine   bool
	pend       []byte // decoded bytes not yet returned (only for tiny reads)
	pendBuf    [8]byte
	partialLen int // bytes of the current line already decoded (long-line check)
}

// NewQPReader returns a reader that decodes the quoted-printable text read from r.
func NewQPReader(r io.Reader) *QPReader {
	d := &QPReader{}
	d.Reset(r)
	return d
}

// Reset makes d decode from r, keeping its buffer.
func (d *QPReader) Reset(r io.Reader) {
	buf := d.buf
	if buf == nil {
		buf = make([]byte, codecBufSize)
	}
	*d = QPReader{src: r, buf: buf, defects: d.defects[:0]}
}

// Defects returns what was found wrong in the input read so far.
func (d *QPReader) Defects() []Defect { return d.defects }

func (d *QPReader) fill() {
	if d.r > 0 {
		copy(d.buf, d.buf[d.r:d.w])
		d.w -= d.r
		d.r = 0
	}
	for d.err == nil && d.w < len(d.buf) {
		n, err := d.src.Read(d.buf[d.w:])
		d.w += n
		if err != nil {
			d.err = err
		}
		if n > 0 {
			return
		}
	}
}

// Read decodes into p.
// takeBuf empties d, which then reads nothing, and returns its buffer.
func (d *QPReader) takeBuf() []byte {
	b := d.buf
	*d = QPReader{defects: d.defects[:0]}
	return b
}

func (d *QPReader) Read(p []byte) (int, error) {
	if d.buf == nil {
		// The zero value, or a reader whose buffer a [Reader] took back.
		return 0, io.EOF
	}
	if len(d.pend) > 0 {
		n := copy(p, d.pend)
		d.pend = d.pend[n:]
		return n, nil
	}
	if len(p) == 0 {
		return 0, nil
	}
	if len(p) < 4 {
		// An escape plus a line end may need more room than p has.
		n, err := d.Read(d.pendBuf[:])
		d.pend = d.pendBuf[:n]
		if n == 0 {
			return 0, err
		}
		return d.Read(p)
	}
	n := 0
	for {
		n += d.decodeLines(p[n:])
		if n > 0 {
			return n, nil
		}
		if d.err != nil {
			if d.r < d.w {
				continue // the last line, without a line end
			}
			if d.err == io.EOF {
				return 0, io.EOF
			}
			return 0, d.err
		}
		d.fill()
	}
}

// decodeLines decodes whole lines from the buffer into p while they fit.
// A line longer than the buffer is decoded in safe pieces.
func (d *QPReader) decodeLines(p []byte) int {
	n := 0
	for d.r < d.w && len(p)-n >= 4 {
		data := d.buf[d.r:d.w]
		i := bytes.IndexByte(data, '\n')
		var line []byte
		var consumed int
		eol := ""
		if i >= 0 {
			line = data[:i]
			consumed = i + 1
			eol = "\n"
			if len(line) > 0 && line[len(line)-1] == '\r' {
				line = line[:len(line)-1]
				eol = "\r\n"
				if len(line) > 0 && line[len(line)-1] == '\r' {
					line = line[:len(line)-1] // CR CR LF, as some gateways write
				}
			}
		} else if d.err != nil {
			// The last line, ended by the end of the data.
			line = data
			consumed = len(data)
		} else if d.r > 0 || d.w < len(d.buf) {
			return n // read more to see the whole line
		} else {
			// A line longer than the buffer: decode a prefix that cannot
			// be trailing whitespace or a cut escape.
			j := len(data)
			for j > 0 && (data[j-1] == ' ' || data[j-1] == '\t' || data[j-1] == '\r') {
				j--
			}
			if j == 0 {
				j = len(data) - 1 // pathological: a huge run of whitespace
			}
			if j > len(p)-n {
				j = len(p) - n
			}
			if j > 0 && data[j-1] == '=' {
				j--
			} else if j > 1 && data[j-2] == '=' {
				j -= 2
			}
			if j == 0 {
				return n
			}
			n += d.decodeSeg(p[n:], data[:j])
			d.r += j
			d.partialLen += j
			d.noteLong(qpMaxLine + 1)
			continue
		}
		// RFC 2045 §6.7 (3): trailing whitespace is not data.
		t := len(line)
		for t > 0 && (line[t-1] == ' ' || line[t-1] == '\t') {
			t--
		}
		trimmed := line[:t]
		// Output never exceeds input: escapes shrink, line ends stay.
		if len(trimmed)+len(eol) > len(p)-n {
			if n > 0 {
				return n
			}
			// Not even one line fits: decode a prefix of it; whitespace
			// inside the trimmed line is data.
			j := len(p) - n
			if j > len(trimmed) {
				j = len(trimmed)
			}
			if j > 0 && trimmed[j-1] == '=' {
				j--
			} else if j > 1 && trimmed[j-2] == '=' {
				j -= 2
			}
			n += d.decodeSeg(p[n:], trimmed[:j])
			d.r += j
			d.partialLen += j
			continue
		}
		d.noteLong(d.partialLen + len(line))
		d.partialLen = 0
		d.r += consumed
		line = trimmed
		if t > 0 && line[t-1] == '=' {
			// RFC 2045 §6.7 (5): a soft line break.
			n += d.decodeSeg(p[n:], line[:t-1])
			continue
		}
		n += d.decodeSeg(p[n:], line)
		n += copy(p[n:], eol)
	}
	return n
}

func (d *QPReader) noteLong(l int) {
	if l > qpMaxLine && !d.longLine {
		d.longLine = true
		d.defect("line longer than 76 characters")
	}
}

func (d *QPReader) defect(detail string) {
	if len(d.defects) < 8 {
		d.defects = append(d.defects, Defect{Kind: DefectInvalidQuotedPrintable, Detail: detail})
	}
}

// decodeSeg decodes a piece of one line with no line end and no soft break.
func (d *QPReader) decodeSeg(dst, s []byte) int {
	n := 0
	for len(s) > 0 {
		i := bytes.IndexByte(s, '=')
		if i < 0 {
			n += copy(dst[n:], s)
			break
		}
		n += copy(dst[n:], s[:i])
		s = s[i:]
		if len(s) >= 3 {
			hi, lo := hexVal[s[1]], hexVal[s[2]]
			if hi|lo != 0xFF && hi < 16 && lo < 16 {
				dst[n] = hi<<4 | lo
				n++
				s = s[3:]
				continue
			}
		}
		// RFC 2045 §6.7 (1): a bad escape is kept as it is.
		if !d.badEscape {
			d.badEscape = true
			q := s
			if len(q) > 3 {
				q = q[:3]
			}
			d.defect(fmt.Sprintf("bad escape %q", q))
		}
		dst[n] = '='
		n++
		s = s[1:]
	}
	return n
}

// QPMode says how a [QPWriter] treats line ends.
type QPMode int

const (
	// QPText treats CRLF and a bare LF as line breaks, written as CRLF
	// (RFC 2045 §6.7 (4)); a bare CR is escaped. Use it for text/*.
	QPText QPMode = iota
	// QPBinary escapes every CR and LF, so that any bytes come back
	// exactly as they were.
	QPBinary
)

// qp output classes
const (
	qpLit = iota // written as it is
	qpEsc        // always =XX
	qpWS         // space or tab: literal unless at the end of a line
	qpCR         // CR
	qpLF         // LF
	qpDot        // '.': escaped at the start of a line
	qpF          // 'F': escaped at the start of a line before "rom "
)

var qpClass = func() (t [256]byte) {
	for i := range t {
		switch {
		case i >= 33 && i <= 126 && i != '=':
			t[i] = qpLit
		default:
			t[i] = qpEsc
		}
	}
	t[' '], t['\t'] = qpWS, qpWS
	t['\r'], t['\n'] = qpCR, qpLF
	t['.'] = qpDot
	t['F'] = qpF
	return t
}()

const upperHex = "0123456789ABCDEF"

// A QPWriter encodes what is written to it as quoted-printable (RFC 2045
// §6.7): lines of at most 76 characters with soft breaks, "=XX" for
// non-ASCII bytes, "=", and whitespace at a line end, and, so the output
// passes unharmed through SMTP and mbox, for a "." or "From " at the start
// of a line. Close ends the data (it does not close the underlying writer).
type QPWriter struct {
	w      io.Writer
	mode   QPMode
	out    []byte
	col    int
	pendWS byte // a space or tab held back until we know what follows
	pendCR bool // text mode: a CR held back to see whether LF follows
	err    error
	done   bool
}

// NewQPWriter returns a writer that encodes to w.
func NewQPWriter(w io.Writer, mode QPMode) *QPWriter {
	return &QPWriter{w: w, mode: mode, out: make([]byte, 0, 16<<10)}
}

// Reset makes e encode to w in the given mode, keeping its buffer.
func (e *QPWriter) Reset(w io.Writer, mode QPMode) {
	*e = QPWriter{w: w, mode: mode, out: e.out[:0]}
}

// ensure makes room for at least k more output bytes.
func (e *QPWriter) ensure(k int) {
	if cap(e.out)-len(e.out) < k {
		e.flush()
	}
}

func (e *QPWriter) flush() {
	if e.err == nil && len(e.out) > 0 {
		_, e.err = e.w.Write(e.out)
	}
	e.out = e.out[:0]
}

func (e *QPWriter) softBreak() {
	e.out = append(e.out, '=', '\r', '\n')
	e.col = 0
}

func (e *QPWriter) lit(c byte) {
	if e.col+1 > qpMaxLine-1 {
		e.softBreak()
	}
	e.out = append(e.out, c)
	e.col++
}

func (e *QPWriter) esc(c byte) {
	if e.col+3 > qpMaxLine-1 {
		e.softBreak()
	}
	e.out = append(e.out, '=', upperHex[c>>4], upperHex[c&15])
	e.col += 3
}

func (e *QPWriter) hardBreak() {
	e.out = append(e.out, '\r', '\n')
	e.col = 0
}

// flushWS writes the held-back whitespace; atEOL says whether a line end
// or the end of the data follows it.
func (e *QPWriter) flushWS(atEOL bool) {
	if e.pendWS == 0 {
		return
	}
	c := e.pendWS
	e.pendWS = 0
	if atEOL {
		e.esc(c) // RFC 2045 §6.7 (3): no literal whitespace at a line end
	} else {
		e.lit(c)
	}
}

// Write encodes p.
func (e *QPWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	if e.done {
		return 0, errors.New("mime: write after close")
	}
	total := len(p)
	for len(p) > 0 {
		chunk := p
		if len(chunk) > 2048 {
			chunk = chunk[:2048]
		}
		e.ensure(len(chunk)*6 + 16)
		e.encode(chunk)
		p = p[len(chunk):]
	}
	if len(e.out) > cap(e.out)/2 {
		e.flush()
	}
	return total, e.err
}

func (e *QPWriter) encode(p []byte) {
	text := e.mode == QPText
	for i := 0; i < len(p); i++ {
		if e.pendCR {
			e.pendCR = false
			if p[i] == '\n' {
				e.flushWS(true)
				e.hardBreak()
				continue
			}
			e.flushWS(false)
			e.esc('\r')
		}
		if e.pendWS != 0 && !(text && (p[i] == '\n' || p[i] == '\r')) {
			e.flushWS(false)
		}
		// The common cases, without per-byte calls: literals, escapes
		// that fit on the line, whitespace followed by a literal, and
		// hard line breaks.
		i = e.fast(p, i, text)
		if i == len(p) {
			return
		}
		c := p[i]
		switch qpClass[c] {
		case qpLit:
			e.lit(c) // at the end of a line: a soft break first
		case qpWS:
			e.flushWS(false)
			e.pendWS = c
		case qpEsc:
			e.esc(c)
		case qpCR:
			if text {
				e.pendCR = true
				continue
			}
			e.esc(c)
		case qpLF:
			if text {
				e.flushWS(true)
				e.hardBreak()
				continue
			}
			e.flushWS(false)
			e.esc(c)
		case qpDot:
			if e.col >= qpMaxLine-1 {
				e.softBreak()
			}
			if e.col == 0 {
				e.esc(c)
			} else {
				e.lit(c)
			}
		case qpF:
			if e.col >= qpMaxLine-1 {
				e.softBreak()
			}
			if e.col == 0 {
				// "From " at a line start is mangled by mbox writers.
				rest := p[i+1:]
				if len(rest) >= 4 && !bytes.HasPrefix(rest, []byte("rom ")) {
					e.lit(c)
				} else {
					e.esc(c)
				}
			} else {
				e.lit(c)
			}
		}
	}
}

// fast encodes from p[i] while nothing is held back and no soft break,
// line-start escape or look-ahead past p is needed; it returns where it
// stopped.
func (e *QPWriter) fast(p []byte, i int, text bool) int {
	if e.pendWS != 0 || e.pendCR {
		return i
	}
	out := e.out[:cap(e.out)]
	o, col := len(e.out), e.col
loop:
	for i < len(p) {
		c := p[i]
		switch qpClass[c] {
		case qpLit:
			if col >= qpMaxLine-1 {
				break loop
			}
			out[o] = c
			o++
			col++
			i++
		case qpWS:
			// Not at a line end when a literal follows.
			if col >= qpMaxLine-1 || i+1 >= len(p) || qpClass[p[i+1]] != qpLit {
				break loop
			}
			out[o] = c
			o++
			col++
			i++
		case qpEsc:
			if col+3 > qpMaxLine-1 {
				break loop
			}
			out[o], out[o+1], out[o+2] = '=', upperHex[c>>4], upperHex[c&15]
			o += 3
			col += 3
			i++
		case qpLF:
			if !text {
				break loop
			}
			out[o], out[o+1] = '\r', '\n'
			o += 2
			col = 0
			i++
		case qpCR:
			if !text || i+1 >= len(p) || p[i+1] != '\n' {
				break loop
			}
			out[o], out[o+1] = '\r', '\n'
			o += 2
			col = 0
			i += 2
		default: // '.' and 'F', escaped at a line start
			if col == 0 || col >= qpMaxLine-1 {
				break loop
			}
			out[o] = c
			o++
			col++
			i++
		}
	}
	e.out, e.col = out[:o], col
	return i
}

// Close writes what is held back and ends the data.
func (e *QPWriter) Close() error {
	if e.done {
		return e.err
	}
	e.done = true
	e.ensure(16)
	if e.pendCR {
		e.pendCR = false
		e.flushWS(false)
		e.esc('\r')
	}
	e.flushWS(true)
	e.flush()
	return e.err
}
