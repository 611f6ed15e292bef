package mime

import (
	"bytes"
	"io"
)

// The boundary scanner. It reads the message once through one buffer and
// cuts it into sections: a section is the run of bytes up to the next
// delimiter line of any open multipart (RFC 2046 §5.1.1), or up to the end
// of the input. Bodies are never scanned byte by byte: the scanner looks
// for "--" with bytes.Index and checks only the lines that start with it.

const (
	scanBufSize     = 64 << 10
	headerBufSize   = 4 << 10 // the bufio.Reader headers are read through
	scanRetain      = headerBufSize
	maxPaddingBytes = 1000 // transport padding after a boundary, at most
)

var dashDash = []byte("--")

// A delimiter match.
type delim struct {
	level   int  // index into scanner.bounds
	close   bool // "--" after the boundary
	start   int  // buffer index where the delimiter begins (its CRLF, or "--" at a section start)
	lineEnd int  // buffer index just after the delimiter (its line end, or "--" for a close)
}

type scanner struct {
	src  io.Reader
	buf  []byte
	r, w int
	base int64 // offset in the input of buf[0]
	err  error // from src; io.EOF at the end

	bounds [][]byte // "--" + boundary of every open multipart, outermost first

	// The current section.
	atStart  bool // a delimiter may begin at r without a line end before it
	scanFrom int  // where the search for "--" resumes
	found    bool // the end of the section is known:
	secEnd   int  //   its last content byte is buf[secEnd-1]
	eofEnd   bool //   ended by the end of the input (eofTrim bytes after secEnd), or
	eofTrim  int
	d        delim //  by this delimiter

	countLines bool
	lines      int64 // '\n' bytes before buf[r], when countLines

	own   []byte // the scanner's own buffer, kept across resets
	fixed bool   // buf is the caller's whole message: never refilled
}

func (s *scanner) reset(src io.Reader) {
	buf := s.own
	if buf == nil {
		buf = make([]byte, scanBufSize)
	}
	bounds := s.bounds[:0]
	*s = scanner{src: src, buf: buf, own: buf, bounds: bounds, atStart: true}
}

// resetBytes makes the scanner read msg in place, without copying it.
func (s *scanner) resetBytes(msg []byte) {
	bounds := s.bounds[:0]
	*s = scanner{buf: msg, w: len(msg), err: io.EOF, own: s.own, fixed: true, bounds: bounds, atStart: true}
}

// pos is the input offset of buf[i].
func (s *scanner) pos(i int) int64 { return s.base + int64(i) }

// advance moves r to i, counting lines.
func (s *scanner) advance(i int) {
	if s.countLines {
		s.lines += int64(bytes.Count(s.buf[s.r:i], []byte{'\n'}))
	}
	s.r = i
}

// rewind moves r back by n bytes that are still in the buffer.
func (s *scanner) rewind(n int) {
	if s.countLines {
		s.lines -= int64(bytes.Count(s.buf[s.r-n:s.r], []byte{'\n'}))
	}
	s.r -= n
}

// fill reads more input, keeping scanRetain bytes before r so that a
// header reader's look-ahead can be given back.
func (s *scanner) fill() {
	if s.fixed {
		return // the whole input is in buf, and it is not ours to move
	}
	keep := s.r - scanRetain
	if keep > 0 && (s.w == len(s.buf) || keep > len(s.buf)/2) {
		copy(s.buf, s.buf[keep:s.w])
		s.base += int64(keep)
		s.r -= keep
		s.w -= keep
		s.scanFrom -= keep
		if s.found {
			s.secEnd -= keep
			s.d.start -= keep
			s.d.lineEnd -= keep
		}
	}
	for s.err == nil && s.w < len(s.buf) {
		n, err := s.src.Read(s.buf[s.w:])
		s.w += n
		if err != nil {
			s.err = err
		}
		if n > 0 {
			return
		}
	}
}

const (
	noMatch = iota
	isMatch
	needMore
)

// matchDelim checks for a delimiter line whose "--" is at buf[at].
func (s *scanner) matchDelim(at int) (delim, int) {
	eof := s.err != nil
	avail := s.buf[at:s.w]
	more := false
	for lv := len(s.bounds) - 1; lv >= 0; lv-- {
		b := s.bounds[lv]
		if len(avail) < len(b) {
			if bytes.HasPrefix(b, avail) && !eof {
				more = true
			}
			continue
		}
		if !bytes.Equal(avail[:len(b)], b) {
			continue
		}
		q := len(b)
		// RFC 2046 §5.1.1: "--" after the boundary makes it the close
		// delimiter.
		close := false
		if q+2 <= len(avail) && avail[q] == '-' && avail[q+1] == '-' {
			close = true
			q += 2
		} else if q+1 == len(avail) && avail[q] == '-' && !eof {
			more = true
			continue
		}
		// Transport padding, then the line end. The line end after a
		// close delimiter is left to the epilogue: it may be the CRLF of
		// a parent's delimiter that follows at once.
		p0 := q
		for q < len(avail) && q-p0 <= maxPaddingBytes && (avail[q] == ' ' || avail[q] == '\t') {
			q++
		}
		switch {
		case q == len(avail):
			if eof {
				return delim{level: lv, close: close, lineEnd: at + q}, isMatch
			}
			if q-p0 <= maxPaddingBytes {
				more = true
			}
		case close && (avail[q] == '\n' || avail[q] == '\r'):
			return delim{level: lv, close: true, lineEnd: at + q}, isMatch
		case avail[q] == '\n':
			return delim{level: lv, close: close, lineEnd: at + q + 1}, isMatch
		case avail[q] == '\r':
			// CRLF, or the CR CR LF some gateways write.
			if q+1 < len(avail) && avail[q+1] == '\n' {
				return delim{level: lv, close: close, lineEnd: at + q + 2}, isMatch
			}
			if q+2 < len(avail) && avail[q+1] == '\r' && avail[q+2] == '\n' {
				return delim{level: lv, close: close, lineEnd: at + q + 3}, isMatch
			}
			if q+2 >= len(avail) && !eof {
				more = true
			} else if q+1 == len(avail) {
				return delim{level: lv, close: close, lineEnd: at + q + 1}, isMatch
			}
		}
		// Otherwise a boundary followed by junk is not a boundary
		// (RFC 2046 §5.1.1); an outer one may still match.
	}
	if more {
		return delim{}, needMore
	}
	return delim{}, noMatch
}

// avail returns how many content bytes of the current section start at
// buf[r] and whether the section ends after them.
func (s *scanner) avail() (int, bool) {
	for {
		if s.found {
			return s.secEnd - s.r, true
		}
		if len(s.bounds) == 0 {
			// Outside every multipart the section is the rest of the input.
			if s.r < s.w {
				return s.w - s.r, false
			}
			if s.err != nil {
				s.found, s.eofEnd, s.secEnd = true, true, s.w
				continue
			}
			s.fill()
			continue
		}
		if s.scanFrom < s.r {
			s.scanFrom = s.r
		}
		if s.atStart {
			if s.w-s.r < 2 && s.err == nil {
				s.fill()
				continue
			}
			if s.w-s.r >= 2 && s.buf[s.r] == '-' && s.buf[s.r+1] == '-' {
				d, m := s.matchDelim(s.r)
				if m == needMore {
					s.fill()
					continue
				}
				if m == isMatch {
					d.start = s.r
					s.found, s.secEnd, s.d = true, s.r, d
					s.atStart = false
					continue
				}
			}
			s.atStart = false
			s.scanFrom = s.r + 1
		}
		if s.scanFrom > s.w {
			s.scanFrom = s.w
		}
		i := bytes.Index(s.buf[s.scanFrom:s.w], dashDash)
		if i >= 0 {
			at := s.scanFrom + i
			if at-1 < s.r || s.buf[at-1] != '\n' {
				s.nextLine(at)
				continue
			}
			d, m := s.matchDelim(at)
			start := at - 1
			if start > s.r && s.buf[start-1] == '\r' {
				start--
				if start > s.r && s.buf[start-1] == '\r' {
					start-- // CR CR LF
				}
			}
			switch m {
			case isMatch:
				d.start = start
				s.found, s.secEnd, s.d = true, start, d
				continue
			case needMore:
				if start > s.r {
					return start - s.r, false
				}
				s.fill()
				continue
			}
			s.nextLine(at)
			continue
		}
		// No candidate: everything is content except a tail that may
		// begin one ("\r", "\n", "\n-").
		if s.err != nil {
			// Inside a multipart the input ended where a delimiter was
			// due: as before a delimiter, the last line end is not the
			// part's (Python's email reads it so too).
			end := s.w
			if end > s.r && s.buf[end-1] == '\n' {
				end--
				if end > s.r && s.buf[end-1] == '\r' {
					end--
				}
			}
			s.found, s.eofEnd, s.secEnd = true, true, end
			s.eofTrim = s.w - end
			continue
		}
		safe := s.w
		if safe > s.r && s.buf[safe-1] == '-' {
			if safe-1 > s.r && s.buf[safe-2] == '\n' {
				safe -= 2
			}
		} else if safe > s.r && s.buf[safe-1] == '\n' {
			safe--
		}
		for k := 0; k < 2 && safe > s.r && s.buf[safe-1] == '\r'; k++ {
			safe--
		}
		if s.scanFrom < safe {
			s.scanFrom = safe
		}
		if safe > s.r {
			return safe - s.r, false
		}
		s.fill()
	}
}

// ioErr returns the input's error, if it is not the end of the input.
func (s *scanner) ioErr() error {
	if s.err == io.EOF {
		return nil
	}
	return s.err
}

// lookahead reads ahead, consuming nothing, until the end of the current
// section is known; it reports false when the buffer fills first.
func (s *scanner) lookahead() bool {
	for {
		if _, end := s.avail(); end {
			return true
		}
		if s.fixed || s.err != nil {
			return false
		}
		before, errBefore := s.w, s.err
		s.fill()
		if s.w == before && s.err == errBefore {
			return false
		}
	}
}

// nextLine moves the search past the line holding buf[at]: a delimiter
// only ever begins a line, so a body full of dashes costs one search per
// line, not one per dash.
func (s *scanner) nextLine(at int) {
	if j := bytes.IndexByte(s.buf[at:s.w], '\n'); j >= 0 {
		s.scanFrom = at + j + 1
	} else {
		s.scanFrom = s.w
	}
}

// read copies section content into p; io.EOF at the section end, or the
// input's error if it ended the section.
func (s *scanner) read(p []byte) (int, error) {
	n, end := s.avail()
	if n == 0 && end {
		if s.eofEnd && s.ioErr() != nil {
			return 0, s.err
		}
		return 0, io.EOF
	}
	if n > len(p) {
		n = len(p)
	}
	copy(p, s.buf[s.r:s.r+n])
	s.advance(s.r + n)
	return n, nil
}

// skip discards the rest of the section.
func (s *scanner) skip() {
	for {
		n, end := s.avail()
		s.advance(s.r + n)
		if end {
			return
		}
	}
}

// consumeDelim steps over the delimiter that ended the section and starts
// the next one. It returns false at the end of the input.
func (s *scanner) consumeDelim() (delim, bool) {
	if !s.found || s.eofEnd {
		return delim{}, false
	}
	d := s.d
	s.advance(d.lineEnd)
	s.found = false
	// After a close delimiter the epilogue begins with the line end.
	s.atStart = !d.close
	s.scanFrom = s.r
	return d, true
}

// rescan forgets a known section end, after the open boundaries changed.
func (s *scanner) rescan(atStart bool) {
	s.found, s.eofEnd, s.eofTrim = false, false, 0
	s.atStart = atStart
	s.scanFrom = s.r
}

// sectionReader reads the current section.
type sectionReader struct{ s *scanner }

func (sr sectionReader) Read(p []byte) (int, error) { return sr.s.read(p) }

func (sr sectionReader) peekChunk() ([]byte, error) {
	s := sr.s
	n, end := s.avail()
	if n == 0 && end {
		if s.eofEnd && s.ioErr() != nil {
			return nil, s.err
		}
		return nil, io.EOF
	}
	return s.buf[s.r : s.r+n], nil
}

func (sr sectionReader) discardChunk(n int) { sr.s.advance(sr.s.r + n) }
