package textwire

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// DefaultMaxLine is the longest line a [Reader] returns when MaxLine is
// zero: 4 KiB, well above the 512 octets RFC 5321 §4.5.3.1.4 asks for.
const DefaultMaxLine = 4096

// defaultBufSize is the bufio buffer made for a reader that is not one
// already; a longer line is assembled in Reader.line.
const defaultBufSize = 4096

// Errors a [Reader] returns. Each leaves the reader usable.
var (
	// ErrLineTooLong: the line exceeded the limit. Its start has been
	// consumed; DiscardLine consumes the rest.
	ErrLineTooLong = errors.New("textwire: line too long")
	// ErrBareLF: a line (or data) held a LF not preceded by CR.
	ErrBareLF = errors.New("textwire: bare LF")
	// ErrBareCR: a line (or data) held a CR not followed by LF.
	ErrBareCR = errors.New("textwire: bare CR")
)

// LineEnding is what a [Reader] takes as the end of a line.
type LineEnding int

const (
	// StrictCRLF, the zero value, ends a line at LF and reports ErrBareLF
	// when no CR precedes it, and ErrBareCR for a CR inside the line. The
	// line has been consumed either way; the error says it was malformed.
	StrictCRLF LineEnding = iota
	// AnyEnding ends a line at LF, with or without CR; a CR elsewhere in
	// the line is kept as data.
	AnyEnding
)

// Reader reads CRLF-terminated lines with a bounded length.
type Reader struct {
	br *bufio.Reader
	// MaxLine is the longest line, without its line end, that ReadLine
	// returns; 0 means DefaultMaxLine.
	MaxLine int
	// Ending is the line-end policy.
	Ending LineEnding

	line    []byte // assembles lines longer than the bufio buffer
	midLine bool   // a too-long line has not been consumed to its end
}

// NewReader returns a Reader on r, using r itself when it is a
// *bufio.Reader.
func NewReader(r io.Reader) *Reader {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, defaultBufSize)
	}
	return &Reader{br: br}
}

// Bufio returns the buffered reader underneath, for payloads that are not
// lines (literals, BDAT chunks). Reads from it and from r interleave
// correctly.
func (r *Reader) Bufio() *bufio.Reader { return r.br }

// Buffered reports how many bytes have been read from the source but not
// yet consumed: after STARTTLS it must be zero, or the peer pipelined
// plaintext behind the command (RFC 3207 §4.2, RFC 2595 §3.1).
func (r *Reader) Buffered() int { return r.br.Buffered() }

// Reset discards all buffered data and reads from src from now on, as after
// a TLS handshake.
func (r *Reader) Reset(src io.Reader) {
	r.br.Reset(src)
	r.midLine = false
}

func (r *Reader) maxLine() int {
	if r.MaxLine > 0 {
		return r.MaxLine
	}
	return DefaultMaxLine
}

// ReadLine returns the next line without its line end. The slice is valid
// until the next call. A line longer than MaxLine gives ErrLineTooLong
// with no data; call DiscardLine to skip what is left of it. Under
// StrictCRLF a malformed line end gives the line and ErrBareLF or ErrBareCR.
// At the end of input it returns io.EOF, or io.ErrUnexpectedEOF when a
// partial line was pending.
func (r *Reader) ReadLine() ([]byte, error) {
	if r.midLine {
		if err := r.DiscardLine(); err != nil {
			return nil, err
		}
	}
	max := r.maxLine()
	r.line = r.line[:0]
	var line []byte
	for {
		chunk, err := r.br.ReadSlice('\n')
		if err == nil && len(r.line) == 0 {
			line = chunk // the common case: the whole line was buffered
			break
		}
		// Keep the limit check ahead of the append so that memory stays
		// bounded by MaxLine whatever the input (+2 for CRLF).
		if len(r.line)+len(chunk) > max+2 {
			r.line = r.line[:0]
			r.midLine = err == bufio.ErrBufferFull
			return nil, ErrLineTooLong
		}
		r.line = append(r.line, chunk...)
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			if err == io.EOF && len(r.line) > 0 {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
		line = r.line
		break
	}
	// line ends in '\n'.
	line = line[:len(line)-1]
	var lineErr error
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	} else if r.Ending == StrictCRLF {
		lineErr = ErrBareLF
	}
	if len(line) > max {
		return nil, ErrLineTooLong
	}
	if lineErr == nil && r.Ending == StrictCRLF && bytes.IndexByte(line, '\r') >= 0 {
		lineErr = ErrBareCR
	}
	return line, lineErr
}

// DiscardLine consumes input up to and including the next LF, without
// keeping it. After ErrLineTooLong it skips the rest of that line; at
// other times it does nothing.
func (r *Reader) DiscardLine() error {
	for r.midLine {
		_, err := r.br.ReadSlice('\n')
		switch err {
		case nil:
			r.midLine = false
		case bufio.ErrBufferFull:
		default:
			r.midLine = false
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}
