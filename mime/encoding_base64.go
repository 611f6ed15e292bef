package mime

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// base64 alphabet classes for the tolerant slow path.
const (
	b64Junk  = 0xFF // not in the alphabet: skipped, recorded as a defect
	b64Space = 0xFE // whitespace and line ends: skipped silently (RFC 2045 §6.8)
	b64Pad   = 0xFD // '='
)

var b64Table = func() (t [256]byte) {
	for i := range t {
		t[i] = b64Junk
	}
	const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(alpha); i++ {
		t[alpha[i]] = byte(i)
	}
	for _, c := range " \t\r\n\f\v" {
		t[c] = b64Space
	}
	t['='] = b64Pad
	return t
}()

const codecBufSize = 32 << 10

// A Base64Reader decodes a base64 body (RFC 2045 §6.8). It skips line ends
// and whitespace, and, as the RFC asks of a decoder, ignores characters
// outside the alphabet; each such departure is recorded as a
// [DefectInvalidBase64] (see [Base64Reader.Defects]) and never stops the
// decoding. Clean input is decoded in large blocks.
type Base64Reader struct {
	src io.Reader
	// buf[:nclean] holds alphabet characters not yet decoded;
	// buf[rpos:end] holds raw input not yet cleaned; nclean <= rpos.
	buf          []byte
	nclean       int
	rpos, end    int
	acc          uint32 // slow path: sextets of the current quantum
	nacc         int
	padded       bool // a quantum ended with '='
	out          [3]byte
	outPos, outN int
	err          error // from src
	defects      []Defect
	junkSeen     bool
}

// NewBase64Reader returns a reader that decodes the base64 text read from r.
func NewBase64Reader(r io.Reader) *Base64Reader {
	d := &Base64Reader{}
	d.Reset(r)
	return d
}

// Reset makes d decode from r, keeping its buffer.
func (d *Base64Reader) Reset(r io.Reader) {
	buf := d.buf
	if buf == nil {
		buf = make([]byte, codecBufSize)
	}
	*d = Base64Reader{src: r, buf: buf, defects: d.defects[:0]}
}

// Defects returns what was found wrong in the input read so far.
func (d *Base64Reader) Defects() []Defect { return d.defects }

// takeBuf empties d, which then reads nothing, and returns its buffer.
func (d *Base64Reader) takeBuf() []byte {
	b := d.buf
	*d = Base64Reader{defects: d.defects[:0]}
	return b
}

func (d *Base64Reader) defect(detail string) {
	if len(d.defects) < 8 {
		d.defects = append(d.defects, Defect{Kind: DefectInvalidBase64, Detail: detail})
	}
}

// fill cleans the raw input, reading more from src when none is left.
// It reports false when src is exhausted and nothing is left to clean.
func (d *Base64Reader) fill() bool {
	if cs, ok := d.src.(chunkSource); ok && d.rpos == d.end {
		// Clean straight from the source's buffer: one copy fewer.
		if d.err != nil {
			return false
		}
		chunk, err := cs.peekChunk()
		if err != nil {
			d.err = err
			return false
		}
		if space := len(d.buf) - d.nclean; len(chunk) > space {
			chunk = chunk[:space]
		}
		d.nclean = cleanBase64(d.buf, d.nclean, chunk)
		d.rpos, d.end = d.nclean, d.nclean
		cs.discardChunk(len(chunk))
		return true
	}
	if d.rpos == d.end {
		if d.err != nil {
			return false
		}
		d.rpos, d.end = d.nclean, d.nclean
		n, err := d.src.Read(d.buf[d.end:])
		d.end += n
		if err != nil {
			d.err = err
		}
		if n == 0 {
			return d.err == nil
		}
	}
	// Remove the whitespace at the end of every line; anything else left
	// in (leading spaces, junk) makes the fast decode fail and is then
	// handled byte by byte.
	d.nclean = cleanBase64(d.buf, d.nclean, d.buf[d.rpos:d.end])
	d.rpos, d.end = d.nclean, d.nclean
	return true
}

// cleanBase64 copies raw to buf[w:] without the whitespace at the end of
// each line, and returns the new end. raw may lie in buf at or after w.
func cleanBase64(buf []byte, w int, raw []byte) int {
	for len(raw) > 0 {
		i := bytes.IndexByte(raw, '\n')
		var line []byte
		if i < 0 {
			line, raw = raw, nil
		} else {
			line, raw = raw[:i], raw[i+1:]
		}
		j := len(line)
		for j > 0 && (line[j-1] == '\r' || line[j-1] == ' ' || line[j-1] == '\t') {
			j--
		}
		w += copy(buf[w:], line[:j])
	}
	return w
}

// chunkSource is a reader that lends its buffered bytes, so a decoder can
// read them in place.
type chunkSource interface {
	// peekChunk returns buffered bytes, at least one, or an error
	// (io.EOF at the end).
	peekChunk() ([]byte, error)
	// discardChunk consumes n bytes of what peekChunk returned.
	discardChunk(n int)
}

// Read decodes into p.
func (d *Base64Reader) Read(p []byte) (int, error) {
	if d.outPos < d.outN {
		n := copy(p, d.out[d.outPos:d.outN])
		d.outPos += n
		return n, nil
	}
	if d.buf == nil {
		// The zero value, or a reader whose buffer a [Reader] took back.
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	if len(p) < 3 {
		n, err := d.Read(d.out[:])
		d.outPos, d.outN = 0, n
		if n == 0 {
			return 0, err
		}
		return d.Read(p)
	}
	for {
		n := d.decode(p)
		if n > 0 {
			return n, nil
		}
		if !d.fill() {
			return d.finish(p)
		}
	}
}

// decode decodes what is clean into p (len(p) >= 3).
func (d *Base64Reader) decode(p []byte) int {
	n := 0
	for len(p)-n >= 3 {
		k := d.decodeStep(p[n:])
		if k == 0 {
			break
		}
		n += k
	}
	return n
}

func (d *Base64Reader) decodeStep(p []byte) int {
	n := 0
	if d.nacc == 0 {
		q := d.nclean / 4 * 4
		if m := len(p) / 3 * 4; q > m {
			q = m
		}
		if q == 0 {
			return d.slow(p)
		}
		k, used := decodeQuanta(p, d.buf[:q])
		d.consume(used)
		if used == q {
			return k
		}
		n = k
	}
	// Padding, junk or a quantum split by it: byte by byte.
	return n + d.slow(p[n:])
}

// Tables for decodeQuanta: each alphabet character's sextet already
// shifted to its place in a 24-bit quantum; 0xFFFFFFFF for anything else.
var b64d0, b64d1, b64d2, b64d3 = func() (t0, t1, t2, t3 [256]uint32) {
	for c := range t0 {
		v := uint32(b64Table[c])
		if v >= 64 {
			t0[c], t1[c], t2[c], t3[c] = 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF
			continue
		}
		t0[c], t1[c], t2[c], t3[c] = v<<18, v<<12, v<<6, v
	}
	return
}()

// decodeQuanta decodes whole 4-character quanta of src into dst until it
// meets one that is not four alphabet characters (padding, junk). It
// returns the bytes written and the characters used. Two quanta at a time
// are combined into one 8-byte store.
func decodeQuanta(dst, src []byte) (n, used int) {
	for len(src)-used >= 8 && len(dst)-n >= 8 {
		s := src[used : used+8 : used+8]
		x := b64d0[s[0]] | b64d1[s[1]] | b64d2[s[2]] | b64d3[s[3]]
		y := b64d0[s[4]] | b64d1[s[5]] | b64d2[s[6]] | b64d3[s[7]]
		if (x|y)>>24 != 0 {
			break
		}
		binary.BigEndian.PutUint64(dst[n:], uint64(x)<<40|uint64(y)<<16)
		n += 6
		used += 8
	}
	for len(src)-used >= 4 && len(dst)-n >= 3 {
		s := src[used : used+4 : used+4]
		x := b64d0[s[0]] | b64d1[s[1]] | b64d2[s[2]] | b64d3[s[3]]
		if x>>24 != 0 {
			break
		}
		dst[n], dst[n+1], dst[n+2] = byte(x>>16), byte(x>>8), byte(x)
		n += 3
		used += 4
	}
	return n, used
}

func (d *Base64Reader) consume(q int) {
	copy(d.buf, d.buf[q:d.nclean])
	d.nclean -= q
	d.rpos -= q
	d.end -= q
}

// slow decodes the clean buffer byte by byte, tolerating junk and padding
// in the middle of the data; it stops at a quantum boundary once it has
// produced output, so that the fast path can resume.
func (d *Base64Reader) slow(p []byte) int {
	n, i := 0, 0
	for ; i < d.nclean && len(p)-n >= 3; i++ {
		c := d.buf[i]
		v := b64Table[c]
		switch v {
		case b64Space:
			continue
		case b64Junk:
			if !d.junkSeen {
				d.junkSeen = true
				d.defect(fmt.Sprintf("character %q outside the alphabet", c))
			}
			continue
		case b64Pad:
			switch d.nacc {
			case 2:
				p[n] = byte(d.acc >> 4)
				n++
			case 3:
				p[n] = byte(d.acc >> 10)
				p[n+1] = byte(d.acc >> 2)
				n += 2
			case 1:
				d.defect("a single character before padding")
			}
			d.acc, d.nacc = 0, 0
			d.padded = true
			continue
		}
		if d.padded {
			// RFC 2045 §6.8: '=' only ends the data; some mailers
			// concatenate encoded blocks, which is read on.
			d.padded = false
			d.defect("data after padding")
		}
		d.acc = d.acc<<6 | uint32(v)
		d.nacc++
		if d.nacc == 4 {
			p[n] = byte(d.acc >> 16)
			p[n+1] = byte(d.acc >> 8)
			p[n+2] = byte(d.acc)
			n += 3
			d.acc, d.nacc = 0, 0
			if i+1 < d.nclean {
				// Back to the fast path at a quantum boundary.
				i++
				break
			}
		}
	}
	d.consume(i)
	return n
}

// finish flushes a partial quantum at the end of the input.
func (d *Base64Reader) finish(p []byte) (int, error) {
	n := 0
	switch d.nacc {
	case 1:
		d.defect("truncated quantum")
	case 2:
		p[0] = byte(d.acc >> 4)
		n = 1
		d.defect("missing padding")
	case 3:
		p[0] = byte(d.acc >> 10)
		p[1] = byte(d.acc >> 2)
		n = 2
		d.defect("missing padding")
	}
	d.acc, d.nacc = 0, 0
	if n > 0 {
		return n, nil
	}
	if d.err == io.EOF {
		return 0, io.EOF
	}
	return 0, d.err
}

// A Base64Writer encodes what is written to it as base64 (RFC 2045 §6.8)
// in lines of 76 characters ended by CRLF; Close writes the last line.
type Base64Writer struct {
	w    io.Writer
	in   [57]byte // a partial line of input
	nin  int
	out  []byte
	err  error
	done bool
}

// NewBase64Writer returns a writer that encodes to w.
func NewBase64Writer(w io.Writer) *Base64Writer {
	return &Base64Writer{w: w, out: make([]byte, 0, 78*256)}
}

// Reset makes e encode to w, keeping its buffer.
func (e *Base64Writer) Reset(w io.Writer) {
	*e = Base64Writer{w: w, out: e.out[:0]}
}

// Write encodes p.
func (e *Base64Writer) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	if e.done {
		return 0, errors.New("mime: write after close")
	}
	total := len(p)
	if e.nin > 0 {
		k := copy(e.in[e.nin:], p)
		e.nin += k
		p = p[k:]
		if e.nin < 57 {
			return total, nil
		}
		e.line(e.in[:])
		e.nin = 0
	}
	for len(p) >= 57 {
		k := len(p) / 57
		if room := (cap(e.out) - len(e.out)) / 78; k > room {
			k = room
		}
		if k == 0 {
			if e.flush() != nil {
				return total - len(p), e.err
			}
			continue
		}
		e.lines(p[:k*57])
		p = p[k*57:]
	}
	e.nin = copy(e.in[:], p)
	return total, e.err
}

// lines encodes whole 57-byte lines straight into the output buffer.
func (e *Base64Writer) lines(in []byte) {
	o := len(e.out)
	e.out = e.out[:o+len(in)/57*78]
	for len(in) >= 57 {
		dst := e.out[o : o+78 : o+78]
		encodeQuanta(dst[:76], in[:57])
		dst[76], dst[77] = '\r', '\n'
		in = in[57:]
		o += 78
	}
}

// b64Pairs maps 12 bits to their two base64 characters.
var b64Pairs = func() (t [4096]uint16) {
	const alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for v := range t {
		t[v] = uint16(alpha[v>>6])<<8 | uint16(alpha[v&63])
	}
	return t
}()

// encodeQuanta encodes src, whose length is a multiple of 3, into dst:
// six bytes at a time through the pair table, with one 8-byte store.
func encodeQuanta(dst, src []byte) {
	i, j := 0, 0
	for ; len(src)-i >= 8 && len(dst)-j >= 8; i, j = i+6, j+8 {
		x := binary.BigEndian.Uint64(src[i:])
		binary.BigEndian.PutUint64(dst[j:], uint64(b64Pairs[x>>52])<<48|
			uint64(b64Pairs[(x>>40)&0xFFF])<<32|
			uint64(b64Pairs[(x>>28)&0xFFF])<<16|
			uint64(b64Pairs[(x>>16)&0xFFF]))
	}
	for ; len(src)-i >= 3 && len(dst)-j >= 4; i, j = i+3, j+4 {
		x := uint(src[i])<<16 | uint(src[i+1])<<8 | uint(src[i+2])
		binary.BigEndian.PutUint16(dst[j:], b64Pairs[x>>12])
		binary.BigEndian.PutUint16(dst[j+2:], b64Pairs[x&0xFFF])
	}
}

func (e *Base64Writer) line(in []byte) {
	if cap(e.out)-len(e.out) < 78 {
		e.flush()
	}
	o := len(e.out)
	e.out = e.out[:o+base64.StdEncoding.EncodedLen(len(in))+2]
	base64.StdEncoding.Encode(e.out[o:], in)
	e.out[len(e.out)-2] = '\r'
	e.out[len(e.out)-1] = '\n'
}

func (e *Base64Writer) flush() error {
	if e.err == nil && len(e.out) > 0 {
		_, e.err = e.w.Write(e.out)
	}
	e.out = e.out[:0]
	return e.err
}

// Close writes the last, partial line. It does not close the underlying
// writer.
func (e *Base64Writer) Close() error {
	if e.done {
		return e.err
	}
	e.done = true
	if e.nin > 0 {
		e.line(e.in[:e.nin])
		e.nin = 0
	}
	return e.flush()
}
