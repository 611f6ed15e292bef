package textwire

import (
	"bufio"
	"bytes"
	"io"
)

// BarePolicy says what a [DotReader] does with a CR not followed by LF or a
// LF not preceded by CR inside the data.
type BarePolicy int

const (
	// RejectBare, the zero value, stops with ErrBareCR or ErrBareLF at the
	// first one. Drain then skips to the end of the data, so that the
	// caller can answer and go on with the next command.
	RejectBare BarePolicy = iota
	// AcceptBare passes them through unchanged. A dot after one is
	// unstuffed, as a lenient peer may have treated it as a line start,
	// but it never ends the data.
	AcceptBare
	// NormalizeBare turns each into CRLF.
	NormalizeBare
)

// Decoder states for DotReader, one per position in the grammar. The zero
// state is the initial one: data begins at the start of a line.
const (
	dotBeginLine = iota // after CRLF, or at the start: "." may end the data
	dotBeginSoft        // after a bare CR or LF: "." is unstuffed, never the end
	dotDot              // after "." at a true line start
	dotDotSoft          // after "." at a soft line start
	dotDotCR            // after "." CR at a true line start
	dotData             // inside a line
	dotCR               // after a CR inside a line (or after "." at a soft start)
	dotEOF              // the terminator has been read
)

// DotReader reads dot-stuffed data (RFC 5321 §4.5.2, RFC 1939 §3) up to
// the terminating line, removes the stuffed dots and returns the data with
// its line ends as they came (CRLF). It reads through the same buffer as
// the [Reader] it came from, so the line after the terminator is left for
// that Reader.
type DotReader struct {
	br     *bufio.Reader
	policy BarePolicy
	state  int
	n      int64 // bytes consumed from br, terminator included
	err    error // sticky: a bare CR/LF under RejectBare, or a read error

	pend  [3]byte // bytes decoded but not yet returned
	npend int
	ppos  int
}

// DotReader returns a reader for one block of dot-stuffed data that
// starts at the current position.
func (r *Reader) DotReader(policy BarePolicy) *DotReader {
	return NewDotReader(r.br, policy)
}

// NewDotReader returns a DotReader reading from br.
func NewDotReader(br *bufio.Reader, policy BarePolicy) *DotReader {
	return &DotReader{br: br, policy: policy}
}

// Consumed reports how many bytes the reader has taken from its source,
// the terminating line included: the size of the data on the wire.
func (d *DotReader) Consumed() int64 { return d.n }

// Read implements io.Reader. It returns io.EOF after the terminating
// line, io.ErrUnexpectedEOF if the source ends before it, and under
// RejectBare ErrBareCR or ErrBareLF at the first bare line-end byte.
func (d *DotReader) Read(p []byte) (int, error) {
	n := 0
	// Bytes decoded by a previous call come first.
	for d.ppos < d.npend && n < len(p) {
		p[n] = d.pend[d.ppos]
		n++
		d.ppos++
	}
	if d.ppos == d.npend {
		d.npend, d.ppos = 0, 0
	}
	for n < len(p) && d.npend == 0 {
		if d.err != nil {
			return n, d.err
		}
		if d.state == dotEOF {
			return n, io.EOF
		}
		buf, err := d.peek()
		if err != nil {
			d.err = err
			return n, err
		}
		i := 0
		for i < len(buf) && n < len(p) && d.npend == 0 && d.err == nil && d.state != dotEOF {
			if d.state == dotBeginLine {
				// Fast path: whole clean lines (no leading dot, no bare
				// CR or LF) copied in one go.
				if m := cleanLines(buf[i:], len(p)-n); m > 0 {
					copy(p[n:], buf[i:i+m])
					n += m
					i += m
					continue
				}
			}
			if d.state == dotData {
				// Fast path: copy up to the next CR or LF in one go.
				rest := buf[i:]
				j := bytes.IndexByte(rest, '\n')
				if j < 0 {
					j = len(rest)
				}
				if k := bytes.IndexByte(rest[:j], '\r'); k >= 0 {
					j = k
				}
				m := copy(p[n:], rest[:j])
				n += m
				i += m
				if m < j || i == len(buf) {
					continue
				}
			}
			if d.step(buf[i], p, &n) {
				i++
			}
		}
		d.br.Discard(i)
		d.n += int64(i)
	}
	if n == 0 && d.err != nil {
		return 0, d.err
	}
	return n, nil
}

// cleanLines returns the length of the longest run of complete lines at
// the start of b, at most max bytes, that decode to themselves: each ends
// in CRLF, holds no other CR or LF and does not start with a dot. b starts
// at a true line start.
func cleanLines(b []byte, max int) int {
	if len(b) > max {
		b = b[:max]
	}
	end := 0
	for end < len(b) && b[end] != '.' {
		j := bytes.IndexByte(b[end:], '\n')
		if j < 1 || b[end+j-1] != '\r' || bytes.IndexByte(b[end:end+j-1], '\r') >= 0 {
			break
		}
		end += j + 1
	}
	return end
}

// peek returns the buffered input, reading more when there is none.
func (d *DotReader) peek() ([]byte, error) {
	if d.br.Buffered() == 0 {
		if _, err := d.br.Peek(1); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	return d.br.Peek(d.br.Buffered())
}

// emit appends b to p, or to the pending bytes once p is full.
func (d *DotReader) emit(p []byte, n *int, b ...byte) {
	for _, c := range b {
		if *n < len(p) {
			p[*n] = c
			*n++
		} else {
			d.pend[d.npend] = c
			d.npend++
		}
	}
}

// bare handles a bare CR or LF under the reader's policy and reports
// whether decoding goes on. what is the byte itself.
func (d *DotReader) bare(p []byte, n *int, what byte) bool {
	switch d.policy {
	case AcceptBare:
		d.emit(p, n, what)
	case NormalizeBare:
		d.emit(p, n, '\r', '\n')
	default:
		if what == '\r' {
			d.err = ErrBareCR
		} else {
			d.err = ErrBareLF
		}
		return false
	}
	d.state = dotBeginSoft
	return true
}

// step decodes one byte c and reports whether it was consumed; a byte that
// ends a pending CR is looked at again in the state that follows.
func (d *DotReader) step(c byte, p []byte, n *int) bool {
	switch d.state {
	case dotBeginLine, dotBeginSoft:
		switch c {
		case '.':
			if d.state == dotBeginLine {
				d.state = dotDot
			} else {
				d.state = dotDotSoft
			}
		case '\r':
			d.state = dotCR
		case '\n':
			return d.bare(p, n, '\n')
		default:
			d.emit(p, n, c)
			d.state = dotData
		}
		return true
	case dotDot:
		switch c {
		case '\r':
			d.state = dotDotCR
			return true
		case '.':
			// RFC 5321 §4.5.2: the first of two leading dots is removed.
			d.emit(p, n, '.')
			d.state = dotData
			return true
		}
		// RFC 5321 §4.5.2: a leading period followed by other
		// characters is deleted.
		d.state = dotData
		return false
	case dotDotSoft:
		// A dot after a bare line end: the same rule, as a lenient
		// sender took it for a line start and stuffed it.
		d.state = dotData
		return false
	case dotDotCR:
		if c == '\n' {
			// CRLF "." CRLF: the only end of the data.
			d.state = dotEOF
			return true
		}
		// "." CR then something else: the dot goes, the CR is bare.
		d.state = dotCR
		return false
	case dotData:
		switch c {
		case '\r':
			d.state = dotCR
		case '\n':
			return d.bare(p, n, '\n')
		default:
			d.emit(p, n, c)
		}
		return true
	case dotCR:
		if c == '\n' {
			d.emit(p, n, '\r', '\n')
			d.state = dotBeginLine
			return true
		}
		// A bare CR; c is decoded again at a soft line start.
		d.bare(p, n, '\r')
		return false
	}
	return false
}

// Drain skips the rest of the data up to and including the terminating
// line, whatever it holds, so that the next command can be read. It
// returns an error only when the source fails or ends first.
func (d *DotReader) Drain() error {
	if d.err == ErrBareCR || d.err == ErrBareLF {
		d.err = nil
		d.policy = AcceptBare
		// The bare byte that stopped decoding was not consumed: step
		// over it as data so that it cannot start a terminator.
		if d.state == dotCR || d.state == dotDotCR {
			d.state = dotBeginSoft
		} else {
			d.state = dotData
		}
	}
	d.npend, d.ppos = 0, 0
	var scratch [512]byte
	for {
		_, err := d.Read(scratch[:])
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
