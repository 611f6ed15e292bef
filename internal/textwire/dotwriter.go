package textwire

import (
	"bufio"
	"bytes"
	"io"
)

// Encoder states for DotWriter; the zero state is the initial one.
const (
	wBeginLine = iota // after CRLF, or at the start of the data
	wBeginSoft        // after a bare CR or LF written raw
	wData             // inside a line
	wCR               // after a CR whose LF has not been seen yet
)

// DotWriter dot-stuffs data (RFC 5321 §4.5.2, RFC 1939 §3) and, on
// Close, ends it with the terminating line.
//
// By default it writes every bare CR and bare LF as CRLF, so that no
// receiver, however lenient, can find a line end we did not mean; with Raw
// set it passes them through and stuffs a dot that follows one, as a
// lenient receiver would see a line start there.
type DotWriter struct {
	bw    *bufio.Writer
	state int
	// Raw keeps bare CR and LF as they are instead of writing CRLF.
	Raw    bool
	closed bool
	n      int64
}

// NewDotWriter returns a DotWriter that writes to bw. Close flushes bw.
func NewDotWriter(bw *bufio.Writer) *DotWriter {
	return &DotWriter{bw: bw}
}

// Written reports how many bytes have gone to the underlying writer,
// stuffing, line ends and terminator included.
func (w *DotWriter) Written() int64 { return w.n }

func (w *DotWriter) put(b []byte) error {
	m, err := w.bw.Write(b)
	w.n += int64(m)
	return err
}

func (w *DotWriter) putByte(c byte) error {
	err := w.bw.WriteByte(c)
	if err == nil {
		w.n++
	}
	return err
}

var (
	crlf    = []byte("\r\n")
	endData = []byte("\r\n.\r\n")
)

// Write implements io.Writer; n counts bytes of p, not bytes written.
func (w *DotWriter) Write(p []byte) (int, error) {
	if w.closed {
		return 0, io.ErrClosedPipe
	}
	for i := 0; i < len(p); {
		c := p[i]
		switch w.state {
		case wBeginLine, wBeginSoft:
			if c == '.' {
				// RFC 5321 §4.5.2: a line that starts with "." gets
				// one more.
				if err := w.putByte('.'); err != nil {
					return i, err
				}
			}
			w.state = wData
			continue
		case wCR:
			if c == '\n' {
				if err := w.put(crlf); err != nil {
					return i, err
				}
				i++
				w.state = wBeginLine
				continue
			}
			// The CR was bare.
			if err := w.bareEnd('\r'); err != nil {
				return i, err
			}
			continue
		}
		// wData: what needs no change goes out in one piece.
		rest := p[i:]
		n, atLineStart := cleanRun(rest)
		if err := w.put(rest[:n]); err != nil {
			return i, err
		}
		i += n
		if atLineStart {
			w.state = wBeginLine
			continue
		}
		if i == len(p) {
			break
		}
		if p[i] == '\r' {
			w.state = wCR
		} else if err := w.bareEnd('\n'); err != nil {
			return i, err
		}
		i++
	}
	return len(p), nil
}

// cleanRun measures the start of p that goes out as it is: whole lines
// that end in CRLF and hold no other CR, up to a line that starts with "."
// (which needs stuffing) or the end of p, and then the text of a line that
// is not such a line, up to its first CR or LF. atLineStart says the run
// ended just after a CRLF. Each line is scanned once.
func cleanRun(p []byte) (n int, atLineStart bool) {
	for {
		line := p[n:]
		end := bytes.IndexByte(line, '\n')
		lf := end >= 0
		if !lf {
			end = len(line)
		}
		cr := bytes.IndexByte(line[:end], '\r')
		if !lf || end == 0 || cr != end-1 {
			if cr >= 0 {
				end = cr
			}
			return n + end, false
		}
		n += end + 1
		if n == len(p) || p[n] == '.' {
			return n, true
		}
	}
}

// bareEnd writes a bare CR or LF as the writer's policy says, and leaves
// the writer at a line start.
func (w *DotWriter) bareEnd(c byte) error {
	if w.Raw {
		w.state = wBeginSoft
		return w.putByte(c)
	}
	w.state = wBeginLine
	return w.put(crlf)
}

// Close ends the data with CRLF "." CRLF, adding the CRLF that ends the
// last line when the data did not, and flushes. The data's own last line
// end is the first CRLF of the terminator (RFC 5321 §4.1.1.4).
func (w *DotWriter) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	var err error
	switch w.state {
	case wCR:
		if w.Raw {
			err = w.putByte('\r')
		}
		if err == nil {
			err = w.put(endData)
		}
	case wData, wBeginSoft:
		err = w.put(endData)
	default:
		err = w.put(endData[2:])
	}
	if err != nil {
		return err
	}
	return w.bw.Flush()
}
