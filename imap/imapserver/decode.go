package imapserver

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Limits of the command decoder; see [Limits].
var (
	// ErrLineTooLong: a command is longer than Limits.MaxLine.
	ErrLineTooLong = errors.New("imapserver: command line too long")
	// ErrLiteralTooLarge: a literal is larger than Limits.MaxLiteral.
	ErrLiteralTooLarge = errors.New("imapserver: literal too large")
)

// syntaxError is a command that does not parse: answered with BAD.
type syntaxError struct{ msg string }

func (e *syntaxError) Error() string { return "syntax error: " + e.msg }

// decoder reads one command at a time from the wire, with the grammar of
// RFC 9051 §9. Methods return false once an error is kept; the first error
// wins (Err).
type decoder struct {
	br         *bufio.Reader
	n          int   // command bytes read so far (literal strings included)
	max        int   // limit on n
	maxLiteral int64 // limit on one literal
	// cont is called before a synchronising literal is read, to send the
	// continuation request (RFC 9051 §7.5).
	cont func() error
	// lastLiteral remembers the size of the literal just announced, for
	// the caller that refuses it.
	err error
}

func (d *decoder) reset() {
	d.n = 0
	d.err = nil
}

// Err returns the first error kept.
func (d *decoder) Err() error { return d.err }

func (d *decoder) fail(err error) bool {
	if d.err == nil {
		d.err = err
	}
	return false
}

func (d *decoder) syntax(format string, args ...any) bool {
	return d.fail(&syntaxError{fmt.Sprintf(format, args...)})
}

func (d *decoder) peek() (byte, bool) {
	if d.err != nil {
		return 0, false
	}
	b, err := d.br.Peek(1)
	if err != nil {
		d.fail(err)
		return 0, false
	}
	return b[0], true
}

func (d *decoder) readByte() (byte, bool) {
	if d.err != nil {
		return 0, false
	}
	if d.n >= d.max {
		return 0, d.fail(ErrLineTooLong)
	}
	c, err := d.br.ReadByte()
	if err != nil {
		return 0, d.fail(err)
	}
	d.n++
	return c, true
}

// peekAt returns the byte i places ahead without consuming anything (0 if
// there is none yet buffered or readable).
func (d *decoder) peekAt(i int) byte {
	if d.err != nil {
		return 0
	}
	b, err := d.br.Peek(i + 1)
	if err != nil || len(b) <= i {
		return 0
	}
	return b[i]
}

// Peek reports whether the next byte is c, without consuming it.
func (d *decoder) Peek(c byte) bool {
	b, ok := d.peek()
	return ok && b == c
}

// Expect consumes c or fails.
func (d *decoder) Expect(c byte) bool {
	b, ok := d.readByte()
	if !ok {
		return false
	}
	if b != c {
		return d.syntax("expected %q, got %q", c, b)
	}
	return true
}

// SP consumes one space.
func (d *decoder) SP() bool { return d.Expect(' ') }

// CRLF consumes the line end; a bare LF is accepted.
func (d *decoder) CRLF() bool {
	b, ok := d.readByte()
	if !ok {
		return false
	}
	if b == '\r' {
		b, ok = d.readByte()
		if !ok {
			return false
		}
	}
	if b != '\n' {
		return d.syntax("expected end of line, got %q", b)
	}
	return true
}

// AtEOL reports whether the line ends here.
func (d *decoder) AtEOL() bool {
	b, ok := d.peek()
	return ok && (b == '\r' || b == '\n')
}

func isAtomChar(c byte) bool {
	switch c {
	case '(', ')', '{', ' ', '%', '*', '"', '\\', ']':
		return false
	}
	return c > 0x20 && c < 0x7f
}

func isAStringChar(c byte) bool { return isAtomChar(c) || c == ']' }

// readWhile reads bytes while ok(c); it may read nothing.
func (d *decoder) readWhile(ok func(byte) bool) string {
	var sb []byte
	for {
		c, good := d.peek()
		if !good || !ok(c) {
			break
		}
		d.readByte()
		sb = append(sb, c)
	}
	return string(sb)
}

// Atom reads an atom.
func (d *decoder) Atom() (string, bool) {
	s := d.readWhile(isAtomChar)
	if s == "" {
		if d.err == nil {
			c, _ := d.peek()
			d.syntax("expected atom, got %q", c)
		}
		return "", false
	}
	return s, true
}

// Number reads a number (RFC 9051 number, 32 bits).
func (d *decoder) Number() (uint32, bool) {
	n, ok := d.Number64()
	if ok && n > 0xffffffff {
		return 0, d.syntax("number too large")
	}
	return uint32(n), ok
}

// Number64 reads a number64 (RFC 9051 §9).
func (d *decoder) Number64() (uint64, bool) {
	s := d.readWhile(func(c byte) bool { return c >= '0' && c <= '9' })
	if s == "" {
		return 0, d.err == nil && d.syntax("expected number")
	}
	n, err := strconv.ParseUint(s, 10, 63)
	if err != nil {
		return 0, d.syntax("bad number %q", s)
	}
	return n, true
}

// AString reads an astring: an atom (with ']' allowed) or a string.
func (d *decoder) AString() (string, bool) {
	c, ok := d.peek()
	if !ok {
		return "", false
	}
	if c == '"' || c == '{' || c == '~' {
		return d.String()
	}
	s := d.readWhile(isAStringChar)
	if s == "" {
		return "", d.err == nil && d.syntax("expected string, got %q", c)
	}
	return s, true
}

// ListMailbox reads a list-mailbox: an astring that may hold % and *.
func (d *decoder) ListMailbox() (string, bool) {
	c, ok := d.peek()
	if !ok {
		return "", false
	}
	if c == '"' || c == '{' {
		return d.String()
	}
	s := d.readWhile(func(c byte) bool { return isAStringChar(c) || c == '%' || c == '*' })
	if s == "" {
		return "", d.err == nil && d.syntax("expected mailbox pattern")
	}
	return s, true
}

// String reads a quoted string or a literal, kept in memory: its size
// counts against the command limit.
func (d *decoder) String() (string, bool) {
	c, ok := d.peek()
	if !ok {
		return "", false
	}
	if c == '"' {
		return d.quoted()
	}
	size, ok := d.LiteralHeader()
	if !ok {
		return "", false
	}
	if size > int64(d.max-d.n) {
		return "", d.fail(ErrLineTooLong)
	}
	buf := make([]byte, size)
	if _, err := io.ReadFull(d.br, buf); err != nil {
		return "", d.fail(err)
	}
	d.n += int(size)
	return string(buf), true
}

func (d *decoder) quoted() (string, bool) {
	if !d.Expect('"') {
		return "", false
	}
	var sb strings.Builder
	for {
		c, ok := d.readByte()
		if !ok {
			return "", false
		}
		switch c {
		case '"':
			return sb.String(), true
		case '\\':
			c, ok = d.readByte()
			if !ok {
				return "", false
			}
			if c != '"' && c != '\\' {
				return "", d.syntax("bad escape in quoted string")
			}
		case '\r', '\n', 0:
			return "", d.syntax("line end in quoted string")
		}
		sb.WriteByte(c)
	}
}

// LiteralHeader reads "{n}" or "{n+}" (or "~{n}", RFC 3516) and the line
// end after it; for a synchronising literal within the limit it sends the
// continuation request. The literal's bytes are next on the wire.
func (d *decoder) LiteralHeader() (int64, bool) {
	if d.Peek('~') {
		d.readByte()
	}
	if !d.Expect('{') {
		return 0, false
	}
	n, ok := d.Number64()
	if !ok {
		return 0, false
	}
	nonSync := false
	if d.Peek('+') || d.Peek('-') {
		d.readByte()
		nonSync = true
	}
	if !d.Expect('}') || !d.CRLF() {
		return 0, false
	}
	if int64(n) > d.maxLiteral {
		// Refused before a byte of it is read: a synchronising literal
		// is never sent (RFC 9051 §7.5); a non-synchronising one is.
		return 0, d.fail(&literalError{size: int64(n), nonSync: nonSync})
	}
	if !nonSync && d.cont != nil {
		if err := d.cont(); err != nil {
			return 0, d.fail(err)
		}
	}
	return int64(n), true
}

// literalError is a literal over the limit.
type literalError struct {
	size    int64
	nonSync bool
}

func (e *literalError) Error() string { return ErrLiteralTooLarge.Error() }
func (e *literalError) Unwrap() error { return ErrLiteralTooLarge }

// skipLine discards the rest of a line after an error, so that the next
// command starts clean. It returns false when the connection cannot be
// resynchronised (a non-synchronising literal we will not read).
func (d *decoder) skipLine() bool {
	var le *literalError
	if errors.As(d.err, &le) {
		return !le.nonSync
	}
	var re *respError
	if d.err != nil && !errors.Is(d.err, ErrLineTooLong) && !isSyntax(d.err) && !errors.As(d.err, &re) {
		return false // I/O error
	}
	// Discard up to the line end; a non-synchronising literal announced at
	// its end would follow without a continuation request: skip it too.
	var tail []byte
	for {
		c, err := d.br.ReadByte()
		if err != nil {
			return false
		}
		if c == '\n' {
			break
		}
		if len(tail) < 32 {
			tail = append(tail, c)
		} else {
			tail = append(tail[1:], c)
		}
	}
	s := strings.TrimSuffix(string(tail), "\r")
	if strings.HasSuffix(s, "+}") {
		if i := strings.LastIndexByte(s, '{'); i >= 0 {
			n, err := strconv.ParseInt(s[i+1:len(s)-2], 10, 64)
			if err != nil || n > d.maxLiteral {
				return false
			}
			if _, err := io.CopyN(io.Discard, d.br, n); err != nil {
				return false
			}
			return d.skipLineRaw()
		}
	}
	return true
}

func (d *decoder) skipLineRaw() bool {
	d.err = &syntaxError{"continued"}
	return d.skipLine()
}

func isSyntax(err error) bool {
	var se *syntaxError
	return errors.As(err, &se)
}

// bail records a syntax error for a handler and returns nil, the handler's
// "answer the decode error" result.
func (d *decoder) bail(format string, args ...any) error {
	if d.err == nil {
		d.syntax(format, args...)
	}
	return nil
}

func bufioReader(r io.Reader) *bufio.Reader { return bufio.NewReaderSize(r, 4096) }
