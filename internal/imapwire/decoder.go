package imapwire

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"unsafe"
)

// Default limits.
const (
	// DefaultMaxLine bounds the bytes of one line outside literals
	// (the IMAP command line of DESIGN.md: 64 KiB).
	DefaultMaxLine = 64 << 10
	// DefaultMaxLiteral bounds the size of one literal (64 MiB).
	DefaultMaxLiteral = 64 << 20
)

// ErrLineTooLong is returned when a line (literals excluded) crosses the
// decoder's MaxLine.
var ErrLineTooLong = errors.New("imapwire: line too long")

// LiteralTooLargeError is returned, before any of its data is read, when a
// literal announces more octets than the decoder's MaxLiteral.
type LiteralTooLargeError struct {
	Size, Max int64
	NonSync   bool
}

// Error describes the refused literal.
func (e *LiteralTooLargeError) Error() string {
	return fmt.Sprintf("imapwire: literal of %d octets exceeds limit of %d", e.Size, e.Max)
}

// SyntaxError reports input that does not follow the grammar.
type SyntaxError struct {
	Want string // what the grammar asked for
	Near string // the input found, at most 80 bytes
}

// Error describes what was wanted and what was found.
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("imapwire: syntax error: want %s near %q", e.Want, e.Near)
}

// IsSyntax reports whether err is a *SyntaxError or a line/literal limit:
// errors after which the stream is still in sync once the line is
// discarded with [Decoder.DiscardLine].
func IsSyntax(err error) bool {
	var se *SyntaxError
	return errors.As(err, &se) || errors.Is(err, ErrLineTooLong)
}

// LiteralInfo describes a literal header: "{n}", "{n+}" (RFC 7888) or
// "~{n}" (RFC 3516).
type LiteralInfo struct {
	Size    int64
	NonSync bool
	Binary  bool
}

// Decoder reads IMAP syntax from a bufio.Reader. Methods named after the
// grammar return false once an error happened; the first error is kept
// for [Decoder.Err], so calls chain: d.ExpectSP() && d.ExpectAtom(&s).
//
// Tokens returned as []byte alias the reader's buffer and are valid only
// until the next call.
type Decoder struct {
	br  *bufio.Reader
	err error

	// MaxLine bounds a line outside literals; 0 means DefaultMaxLine.
	MaxLine int
	// MaxLiteral bounds one literal; 0 means DefaultMaxLiteral.
	MaxLiteral int64
	// LiteralFunc, when set, is called once a literal's header and its CRLF
	// have been read and before any of its data is: a server sends "+ ..."
	// for a synchronising literal there, or returns an error to refuse it
	// (the decoder then fails with that error, having read none of the data).
	LiteralFunc func(LiteralInfo) error
	// Lenient accepts a bare LF as end of line and runs of spaces where
	// one is due, as real servers sometimes send.
	Lenient bool
	// BareLF accepts a bare LF as end of line, and nothing else of Lenient.
	BareLF bool
	// StrictChars holds atoms to CHAR and quoted strings to TEXT-CHAR as
	// RFC 9051 §9 has them: a byte ≥ 0x80 ends an astring or list-mailbox
	// atom, and NUL in a quoted string is a syntax error. By default 8-bit
	// bytes are accepted there, as some servers send them.
	StrictChars bool
	// CountLiterals makes MaxLine bound a whole command rather than each of
	// its lines: the count goes on after a literal header's line end and
	// takes in line ends and the data of literals read whole (LiteralBytes,
	// StringBytes, AStringBytes...). Literal data streamed through Literal,
	// or read from Bufio after LiteralHeader, is not counted. The count
	// restarts at a line end that is not a literal header's, and at Reset.
	CountLiterals bool

	// Arena makes the decoder build short strings in shared blocks instead
	// of one allocation each: fewer allocations when parsing many
	// responses, at the cost of a block staying alive while any string
	// made in it does.
	Arena bool

	arena   []byte
	n       int       // bytes of the current line outside literals
	lit     litReader // the literal being read, if any
	scratch []byte
}

// NewDecoder returns a decoder reading from br.
func NewDecoder(br *bufio.Reader) *Decoder {
	d := &Decoder{br: br}
	d.lit.d = d
	return d
}

// Reset makes d read from br, forgetting any error and open literal.
// Reset(nil) also lets go of the decoder's buffers, for a reader that
// gives its bufio.Reader back while it waits.
func (d *Decoder) Reset(br *bufio.Reader) {
	d.br = br
	d.err = nil
	d.n = 0
	d.lit = litReader{d: d}
	if br == nil {
		d.scratch, d.arena = nil, nil
	}
}

// Bufio returns the underlying reader.
func (d *Decoder) Bufio() *bufio.Reader { return d.br }

// Err returns the first error met, nil if none.
func (d *Decoder) Err() error { return d.err }

// ClearErr forgets an error after which the stream is still in sync: a
// syntax error or a line limit (see IsSyntax; the rest of the line is to be
// discarded with DiscardLine), or a refused synchronising literal, whose
// data was never sent: its header ended the line. Other errors stay.
func (d *Decoder) ClearErr() {
	if IsSyntax(d.err) || refusedSync(d.err) {
		d.err = nil
	}
}

// refusedSync reports whether err refuses a synchronising literal.
func refusedSync(err error) bool {
	var le *LiteralTooLargeError
	return errors.As(err, &le) && !le.NonSync
}

// Fail records err as the decoder's error unless one is already kept.
func (d *Decoder) Fail(err error) bool {
	if d.err == nil {
		d.err = err
	}
	return false
}

func (d *Decoder) syntax(want string) bool {
	if d.err != nil {
		return false
	}
	near, _ := d.br.Peek(d.br.Buffered())
	if len(near) > 80 {
		near = near[:80]
	}
	return d.Fail(&SyntaxError{Want: want, Near: string(near)})
}

func (d *Decoder) maxLine() int {
	if d.MaxLine > 0 {
		return d.MaxLine
	}
	return DefaultMaxLine
}

func (d *Decoder) maxLiteral() int64 {
	if d.MaxLiteral > 0 {
		return d.MaxLiteral
	}
	return DefaultMaxLiteral
}

// consume discards k buffered bytes and counts them against the line.
func (d *Decoder) consume(k int) bool {
	d.br.Discard(k)
	d.n += k
	if d.n > d.maxLine() {
		return d.Fail(ErrLineTooLong)
	}
	return true
}

func (d *Decoder) ioErr(err error) bool {
	if err == io.EOF && d.n > 0 {
		err = io.ErrUnexpectedEOF
	}
	return d.Fail(err)
}

// peek returns the next byte without consuming it.
func (d *Decoder) peek() (byte, bool) {
	if d.err != nil {
		return 0, false
	}
	if d.lit.n > 0 && !d.lit.drain() {
		return 0, false
	}
	b, err := d.br.Peek(1)
	if err != nil {
		return 0, d.ioErr(err)
	}
	return b[0], true
}

// PeekByte returns the next byte without consuming it; ok is false on error.
func (d *Decoder) PeekByte() (byte, bool) { return d.peek() }

// Next consumes the next byte, counted against the line; ok is false on
// error.
func (d *Decoder) Next() (c byte, ok bool) {
	if c, ok = d.peek(); ok {
		ok = d.consume(1)
	}
	return c, ok
}

// buffered returns at least one buffered byte, or nil after an error.
func (d *Decoder) buffered() []byte {
	if _, ok := d.peek(); !ok {
		return nil
	}
	b, _ := d.br.Peek(d.br.Buffered())
	return b
}

// Special consumes b if it is next.
func (d *Decoder) Special(b byte) bool {
	c, ok := d.peek()
	if !ok || c != b {
		return false
	}
	return d.consume(1)
}

// ExpectSpecial consumes b or fails.
func (d *Decoder) ExpectSpecial(b byte) bool {
	if d.Special(b) {
		return true
	}
	return d.syntax(strconv.QuoteRune(rune(b)))
}

// SP consumes a space if one is next (and, when Lenient, any that follow).
func (d *Decoder) SP() bool {
	if !d.Special(' ') {
		return false
	}
	if d.Lenient {
		for d.Special(' ') {
		}
	}
	return d.err == nil
}

// ExpectSP consumes a space or fails.
func (d *Decoder) ExpectSP() bool {
	if d.SP() {
		return true
	}
	return d.syntax("SP")
}

// CRLF consumes the end of line if it is next, and starts a new line.
func (d *Decoder) CRLF() bool {
	if d.Lenient {
		for d.Special(' ') {
		}
	}
	if !d.eol() {
		return false
	}
	d.n = 0
	return true
}

// eol consumes the end of line if it is next, without starting a new line.
func (d *Decoder) eol() bool {
	c, ok := d.peek()
	if !ok {
		return false
	}
	k := 1
	switch {
	case c == '\r':
		b, err := d.br.Peek(2)
		if err != nil {
			return d.ioErr(err)
		}
		if b[1] != '\n' {
			return false
		}
		k = 2
	case c == '\n' && (d.Lenient || d.BareLF):
	default:
		return false
	}
	if d.CountLiterals {
		return d.consume(k)
	}
	d.br.Discard(k)
	return true
}

// ExpectCRLF consumes the end of line or fails.
func (d *Decoder) ExpectCRLF() bool {
	if d.CRLF() {
		return true
	}
	return d.syntax("CRLF")
}

// AtEOL reports whether the end of line is next.
func (d *Decoder) AtEOL() bool {
	c, ok := d.peek()
	return ok && (c == '\r' || c == '\n')
}

// DiscardLine skips to the end of the line, skipping the data of any
// literal announced at its end, and consumes the CRLF. It is how a reader
// resynchronises after an error that ClearErr forgets; after a refused
// synchronising literal it reads nothing, the line having ended.
func (d *Decoder) DiscardLine() error { return d.DiscardLineFunc(nil) }

// DiscardLineFunc is DiscardLine for a reader that decides whether the
// data of a literal announced at the end of a discarded line follows, as
// a server does: a synchronising literal it has not answered with a
// continuation request is never sent. skip is called for each such
// literal: true skips its data and goes on to the line after it, false
// ends the discarding there, and an error is kept and returned. A nil
// skip skips every literal.
func (d *Decoder) DiscardLineFunc(skip func(LiteralInfo) (bool, error)) error {
	if refusedSync(d.err) {
		d.err = nil
		d.n = 0
		return nil
	}
	d.ClearErr()
	// tail keeps the end of the line across buffer refills: enough for a
	// literal header "~{n+}" with a 19-digit size.
	var tailBuf [32]byte
	tail := tailBuf[:0]
	for d.err == nil {
		buf := d.buffered()
		if buf == nil {
			break
		}
		i := 0
		for i < len(buf) && buf[i] != '\n' {
			i++
		}
		if i == len(buf) {
			tail = keepTail(tail, buf)
			d.br.Discard(i)
			continue
		}
		tail = keepTail(tail, buf[:i])
		d.br.Discard(i + 1)
		d.n = 0
		if len(tail) > 0 && tail[len(tail)-1] == '\r' {
			tail = tail[:len(tail)-1]
		}
		info, ok := trailingLiteral(tail)
		tail = tail[:0]
		if !ok {
			return nil
		}
		if skip != nil {
			more, err := skip(info)
			if err != nil {
				d.Fail(err)
				return err
			}
			if !more {
				return nil
			}
		}
		if err := discard64(d.br, info.Size); err != nil {
			return d.ioErrVal(err)
		}
	}
	return d.err
}

// keepTail appends b to tail, keeping the last cap(tail) bytes.
func keepTail(tail, b []byte) []byte {
	if len(b) >= cap(tail) {
		return append(tail[:0], b[len(b)-cap(tail):]...)
	}
	if over := len(tail) + len(b) - cap(tail); over > 0 {
		tail = tail[:copy(tail, tail[over:])]
	}
	return append(tail, b...)
}

func (d *Decoder) ioErrVal(err error) error {
	d.ioErr(err)
	return d.err
}

// trailingLiteral parses a literal header at the end of line.
func trailingLiteral(line []byte) (LiteralInfo, bool) {
	var info LiteralInfo
	if len(line) < 3 || line[len(line)-1] != '}' {
		return info, false
	}
	j := len(line) - 2
	if line[j] == '+' || line[j] == '-' {
		info.NonSync = true
		j--
	}
	end := j + 1
	for j >= 0 && line[j] >= '0' && line[j] <= '9' {
		j--
	}
	if j < 0 || line[j] != '{' || j+1 == end {
		return info, false
	}
	info.Binary = j > 0 && line[j-1] == '~'
	n, err := strconv.ParseInt(string(line[j+1:end]), 10, 64)
	if err != nil {
		return info, false
	}
	info.Size = n
	return info, true
}

// Text returns the rest of the line up to (not including) the CRLF, which
// is left unread.
func (d *Decoder) Text() []byte {
	d.scratch = d.scratch[:0]
	for {
		buf := d.buffered()
		if buf == nil {
			return nil
		}
		i := 0
		for i < len(buf) && buf[i] != '\r' && buf[i] != '\n' {
			i++
		}
		if i < len(buf) {
			if len(d.scratch) == 0 {
				tok := buf[:i]
				if !d.consume(i) {
					return nil
				}
				return tok
			}
			d.scratch = append(d.scratch, buf[:i]...)
			if !d.consume(i) {
				return nil
			}
			return d.scratch
		}
		d.scratch = append(d.scratch, buf...)
		if !d.consume(len(buf)) {
			return nil
		}
	}
}

// Character classes.
const (
	clsAtom    = 1 << iota // ATOM-CHAR
	clsAString             // ASTRING-CHAR: ATOM-CHAR or "]"
	clsName                // a fetch/search item name: ATOM-CHAR minus "[" "<" "]"
	clsDigit
	clsTag // tag: ASTRING-CHAR minus "+"
	clsList
	clsAStringASCII // clsAString without the bytes ≥ 0x80
	clsListASCII    // clsList without the bytes ≥ 0x80
)

var class [256]uint8

func init() {
	for c := 0x21; c < 0x7f; c++ {
		class[c] = clsAtom | clsAString | clsName | clsTag | clsList | clsAStringASCII | clsListASCII
	}
	// RFC 9051 §9: atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards /
	// quoted-specials / resp-specials
	for _, c := range []byte(`(){%*"\]`) {
		class[c] &^= clsAtom | clsAString | clsName | clsTag | clsList | clsAStringASCII | clsListASCII
	}
	class[']'] |= clsAString | clsTag | clsAStringASCII
	class['%'] |= clsList | clsListASCII
	class['*'] |= clsList | clsListASCII
	class[']'] |= clsList | clsListASCII
	class['+'] &^= clsTag
	class['['] &^= clsName
	class['<'] &^= clsName
	for c := '0'; c <= '9'; c++ {
		class[c] |= clsDigit
	}
	// Bytes ≥ 0x80 are not CHAR, but UTF8=ACCEPT servers and sloppy ones send
	// them in atoms; they are accepted where an atom may carry them.
	for c := 0x80; c < 0x100; c++ {
		class[c] = clsAString | clsList
	}
}

// token returns the run of bytes of class cls that comes next.
func (d *Decoder) token(cls uint8) []byte {
	d.scratch = d.scratch[:0]
	for {
		buf := d.buffered()
		if buf == nil {
			if len(d.scratch) > 0 && (d.err == io.EOF || d.err == io.ErrUnexpectedEOF) {
				d.err = nil // a token at end of input: the next call reports EOF
				return d.scratch
			}
			return nil
		}
		i := 0
		for i < len(buf) && class[buf[i]]&cls != 0 {
			i++
		}
		if i < len(buf) {
			if len(d.scratch) == 0 {
				tok := buf[:i]
				if !d.consume(i) {
					return nil
				}
				return tok
			}
			d.scratch = append(d.scratch, buf[:i]...)
			if !d.consume(i) {
				return nil
			}
			return d.scratch
		}
		if len(d.scratch)+len(buf) > d.maxLine() {
			d.Fail(ErrLineTooLong)
			return nil
		}
		d.scratch = append(d.scratch, buf...)
		if !d.consume(len(buf)) {
			return nil
		}
	}
}

// AtomBytes reads an atom; the result aliases the buffer. It returns nil
// (without failing) when no atom is next.
func (d *Decoder) AtomBytes() []byte {
	t := d.token(clsAtom)
	if len(t) == 0 {
		return nil
	}
	return t
}

// NameBytes reads an atom that stops before "[" and "<" too, as in the
// item names of FETCH ("BODY[...]") and search keys.
func (d *Decoder) NameBytes() []byte {
	t := d.token(clsName)
	if len(t) == 0 {
		return nil
	}
	return t
}

// Str turns b into a string, in the arena when Arena is set.
func (d *Decoder) Str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if !d.Arena || len(b) > 512 {
		return string(b)
	}
	if cap(d.arena)-len(d.arena) < len(b) {
		// Blocks start small (an idle connection keeps one) and grow
		// while responses keep coming.
		size := 2 * cap(d.arena)
		if size < 512 {
			size = 512
		} else if size > 16<<10 {
			size = 16 << 10
		}
		d.arena = make([]byte, 0, size)
	}
	start := len(d.arena)
	d.arena = append(d.arena, b...)
	// The bytes are never written again: later appends go past them and a
	// full block is replaced, not reused.
	return unsafe.String(&d.arena[start], len(b))
}

// Atom reads an atom into *s.
func (d *Decoder) Atom(s *string) bool {
	t := d.AtomBytes()
	if t == nil {
		return false
	}
	*s = d.Str(t)
	return true
}

// ExpectAtom reads an atom or fails.
func (d *Decoder) ExpectAtom(s *string) bool {
	if d.Atom(s) {
		return true
	}
	return d.syntax("atom")
}

// TagBytes reads a tag (ASTRING-CHAR except "+").
func (d *Decoder) TagBytes() []byte {
	t := d.token(clsTag)
	if len(t) == 0 {
		return nil
	}
	return t
}

// ListMailboxBytes reads a list-mailbox atom (list-char: atom chars, "%",
// "*" and "]").
func (d *Decoder) ListMailboxBytes() []byte {
	cls := uint8(clsList)
	if d.StrictChars {
		cls = clsListASCII
	}
	t := d.token(cls)
	if len(t) == 0 {
		return nil
	}
	return t
}

// Number reads a number (RFC 9051 §9: 32-bit unsigned).
func (d *Decoder) Number(v *uint32) bool {
	var n uint64
	if !d.number(&n, 1<<32-1) {
		return false
	}
	*v = uint32(n)
	return true
}

// ExpectNumber reads a number or fails.
func (d *Decoder) ExpectNumber(v *uint32) bool {
	if d.Number(v) {
		return true
	}
	return d.syntax("number")
}

// Number64 reads a number64 (RFC 9051 §9: 63-bit).
func (d *Decoder) Number64(v *int64) bool {
	var n uint64
	if !d.number(&n, 1<<63-1) {
		return false
	}
	*v = int64(n)
	return true
}

// ExpectNumber64 reads a number64 or fails.
func (d *Decoder) ExpectNumber64(v *int64) bool {
	if d.Number64(v) {
		return true
	}
	return d.syntax("number64")
}

// ModSeq reads a mod-sequence-value (RFC 7162: 1..2^63-1, 0 accepted).
func (d *Decoder) ModSeq(v *uint64) bool {
	return d.number(v, 1<<63-1)
}

func (d *Decoder) number(v *uint64, max uint64) bool {
	var n uint64
	digits := 0
	for {
		buf := d.buffered()
		if buf == nil {
			if digits > 0 && (d.err == io.EOF || d.err == io.ErrUnexpectedEOF) {
				d.err = nil // a number at end of input: let the next call report
				break
			}
			return false
		}
		i := 0
		for i < len(buf) && buf[i] >= '0' && buf[i] <= '9' {
			digit := uint64(buf[i] - '0')
			if n > (max-digit)/10 {
				return d.syntax("number in range")
			}
			n = n*10 + digit
			i++
		}
		digits += i
		if !d.consume(i) {
			return false
		}
		if i < len(buf) {
			break
		}
	}
	if digits == 0 {
		return false
	}
	*v = n
	return true
}

// NIL consumes NIL (any case) if it is next.
func (d *Decoder) NIL() bool {
	buf := d.buffered()
	if len(buf) < 3 {
		b, err := d.br.Peek(3)
		if err != nil {
			return false
		}
		buf = b
	}
	if buf[0]|0x20 != 'n' || buf[1]|0x20 != 'i' || buf[2]|0x20 != 'l' {
		return false
	}
	if len(buf) > 3 && class[buf[3]]&clsAtom != 0 {
		return false
	}
	return d.consume(3)
}

// QuotedBytes reads a quoted string, unescaping it; the result aliases
// internal storage valid until the next call.
func (d *Decoder) QuotedBytes() ([]byte, bool) {
	if !d.Special('"') {
		return nil, false
	}
	d.scratch = d.scratch[:0]
	strict := d.StrictChars // NUL is not TEXT-CHAR
	for {
		buf := d.buffered()
		if buf == nil {
			return nil, false
		}
		i := 0
		for i < len(buf) && buf[i] != '"' && buf[i] != '\\' && buf[i] != '\r' && buf[i] != '\n' && (buf[i] != 0 || !strict) {
			i++
		}
		if i == len(buf) {
			d.scratch = append(d.scratch, buf...)
			if !d.consume(i) {
				return nil, false
			}
			continue
		}
		switch buf[i] {
		case '"':
			var s []byte
			if len(d.scratch) == 0 {
				s = buf[:i]
			} else {
				d.scratch = append(d.scratch, buf[:i]...)
				s = d.scratch
			}
			if !d.consume(i + 1) {
				return nil, false
			}
			return s, true
		case '\\':
			d.scratch = append(d.scratch, buf[:i]...)
			if !d.consume(i + 1) {
				return nil, false
			}
			c, ok := d.peek()
			if !ok {
				return nil, false
			}
			// RFC 9051 §9: quoted-specials = DQUOTE / "\"; others are
			// kept as sent when Lenient.
			if c != '"' && c != '\\' {
				if !d.Lenient {
					return nil, d.syntax(`quoted-special after "\"`)
				}
				d.scratch = append(d.scratch, '\\')
				continue
			}
			d.scratch = append(d.scratch, c)
			if !d.consume(1) {
				return nil, false
			}
		case 0:
			return nil, d.syntax("TEXT-CHAR")
		default:
			return nil, d.syntax("closing DQUOTE")
		}
	}
}

// Quoted reads a quoted string into *s.
func (d *Decoder) Quoted(s *string) bool {
	b, ok := d.QuotedBytes()
	if ok {
		*s = d.Str(b)
	}
	return ok
}

// LiteralHeader reads "{n}", "{n+}", "{n-}" or "~{n}" and the CRLF after
// it, checks the size against MaxLiteral and calls LiteralFunc. It returns
// false, without failing, when no literal is next.
func (d *Decoder) LiteralHeader() (LiteralInfo, bool) { return d.literalHeader(false) }

// literalHeader reads a literal header. whole says the data will be read
// into memory: with CountLiterals it must then fit in what is left of
// MaxLine, and a literal that does not is refused as too large before
// LiteralFunc is called, so that a server never invites data it will not
// take (RFC 9051 §7.5: the client sends a synchronising literal only after
// the continuation request).
func (d *Decoder) literalHeader(whole bool) (LiteralInfo, bool) {
	var info LiteralInfo
	c, ok := d.peek()
	if !ok || (c != '{' && c != '~') {
		return info, false
	}
	if c == '~' {
		info.Binary = true
		d.consume(1)
		if !d.ExpectSpecial('{') {
			return info, false
		}
	} else {
		d.consume(1)
	}
	var n uint64
	if !d.number(&n, 1<<63-1) {
		return info, d.syntax("literal size")
	}
	info.Size = int64(n)
	if d.Special('+') || d.Special('-') {
		info.NonSync = true
	}
	if !d.ExpectSpecial('}') {
		return info, false
	}
	if !d.eol() {
		return info, d.syntax("CRLF")
	}
	if !d.CountLiterals {
		d.n = 0
	}
	if info.Size > d.maxLiteral() {
		return info, d.Fail(&LiteralTooLargeError{Size: info.Size, Max: d.maxLiteral(), NonSync: info.NonSync})
	}
	if whole && d.CountLiterals {
		if left := int64(d.maxLine() - d.n); info.Size > left {
			return info, d.Fail(&LiteralTooLargeError{Size: info.Size, Max: max(left, 0), NonSync: info.NonSync})
		}
	}
	if d.LiteralFunc != nil {
		if err := d.LiteralFunc(info); err != nil {
			return info, d.Fail(err)
		}
	}
	return info, true
}

// Literal reads a literal header and returns a reader over its data. The
// data must be read before the next decoder call, which otherwise skips
// what is left of it.
func (d *Decoder) Literal() (LiteralInfo, io.Reader, bool) {
	info, ok := d.LiteralHeader()
	if !ok {
		return info, nil, false
	}
	d.lit.n = info.Size
	return info, &d.lit, true
}

// LiteralBytes reads a literal whole into a new slice.
func (d *Decoder) LiteralBytes() ([]byte, bool) {
	info, ok := d.literalHeader(true)
	if !ok {
		return nil, false
	}
	if d.CountLiterals {
		d.n += int(info.Size)
	}
	b := make([]byte, info.Size)
	if _, err := io.ReadFull(d.br, b); err != nil {
		d.ioErr(err)
		return nil, false
	}
	return b, true
}

type litReader struct {
	d *Decoder
	n int64
}

// Read reads literal data; io.EOF at its end.
func (r *litReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	n, err := r.d.br.Read(p)
	r.n -= int64(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		r.d.Fail(err)
	}
	return n, err
}

// bigReads holds buffers for reading large literals past a small
// bufio.Reader: the reader hands reads of at least its size straight to
// the connection, so a connection can keep a small buffer while idle and
// still move message bodies in large reads.
var bigReads = sync.Pool{New: func() any { b := make([]byte, bigReadSize); return &b }}

// hugeReads holds larger buffers for literals of hugeReadSize or more
// (message bodies with attachments): reads of 256 KiB from a loopback or
// fast connection take a quarter of the system calls of 64 KiB ones, and
// smaller literals never hold such a buffer.
var hugeReads = sync.Pool{New: func() any { b := make([]byte, hugeReadSize); return &b }}

const (
	bigReadSize  = 64 << 10
	hugeReadSize = 256 << 10
)

// WriteTo lets io.Copy move literal data without an intermediate copy.
func (r *litReader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	chunk, pool := bigReadSize, &bigReads
	if r.n >= hugeReadSize {
		chunk, pool = hugeReadSize, &hugeReads
	}
	if r.n >= 2*int64(r.d.br.Size()) && r.d.br.Size() < chunk {
		// Drain what is buffered, then read large chunks directly.
		if k := r.d.br.Buffered(); k > 0 {
			buf, _ := r.d.br.Peek(k)
			n, err := w.Write(buf)
			r.d.br.Discard(n)
			r.n -= int64(n)
			total += int64(n)
			if err != nil {
				return total, err
			}
		}
		bp := pool.Get().(*[]byte)
		defer pool.Put(bp)
		for r.n >= int64(r.d.br.Size()) {
			p := *bp
			if int64(len(p)) > r.n {
				p = p[:r.n]
			}
			n, err := r.d.br.Read(p)
			r.n -= int64(n)
			if n > 0 {
				if _, werr := w.Write(p[:n]); werr != nil {
					return total + int64(n), werr
				}
				total += int64(n)
			}
			if err != nil {
				if err == io.EOF {
					err = io.ErrUnexpectedEOF
				}
				r.d.Fail(err)
				return total, err
			}
		}
	}
	for r.n > 0 {
		if _, err := r.d.br.Peek(1); err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			r.d.Fail(err)
			return total, err
		}
		k := int64(r.d.br.Buffered())
		if k > r.n {
			k = r.n
		}
		buf, _ := r.d.br.Peek(int(k))
		n, err := w.Write(buf)
		r.d.br.Discard(n)
		r.n -= int64(n)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

func (r *litReader) drain() bool {
	if err := discard64(r.d.br, r.n); err != nil {
		r.n = 0
		return r.d.ioErr(err)
	}
	r.n = 0
	return true
}

// atLiteral8 reports whether "~{" (a binary literal, RFC 3516) is next;
// "~" alone is an ordinary ASTRING-CHAR.
func (d *Decoder) atLiteral8() bool {
	b, err := d.br.Peek(2)
	return err == nil && b[0] == '~' && b[1] == '{'
}

// StringBytes reads a string: quoted, or a literal read whole.
func (d *Decoder) StringBytes() ([]byte, bool) {
	c, ok := d.peek()
	if !ok {
		return nil, false
	}
	switch c {
	case '"':
		return d.QuotedBytes()
	case '{':
		return d.LiteralBytes()
	case '~':
		// Only "~{" is a literal8 (RFC 3516); "~" alone is an atom's.
		if d.atLiteral8() {
			return d.LiteralBytes()
		}
	}
	return nil, false
}

// String reads a string into *s.
func (d *Decoder) String(s *string) bool {
	b, ok := d.StringBytes()
	if ok {
		*s = d.Str(b)
	}
	return ok
}

// ExpectString reads a string or fails.
func (d *Decoder) ExpectString(s *string) bool {
	if d.String(s) {
		return true
	}
	return d.syntax("string")
}

// AStringBytes reads an astring: ASTRING-CHARs or a string.
func (d *Decoder) AStringBytes() ([]byte, bool) {
	c, ok := d.peek()
	if !ok {
		return nil, false
	}
	if c == '"' || c == '{' || c == '~' && d.atLiteral8() {
		return d.StringBytes()
	}
	cls := uint8(clsAString)
	if d.StrictChars {
		cls = clsAStringASCII
	}
	t := d.token(cls)
	if len(t) == 0 {
		return nil, false
	}
	return t, true
}

// AString reads an astring into *s.
func (d *Decoder) AString(s *string) bool {
	b, ok := d.AStringBytes()
	if ok {
		*s = d.Str(b)
	}
	return ok
}

// ExpectAString reads an astring or fails.
func (d *Decoder) ExpectAString(s *string) bool {
	if d.AString(s) {
		return true
	}
	return d.syntax("astring")
}

// NStringBytes reads an nstring; isNil reports NIL. When Lenient, an atom
// where a string is due is taken as the string (some servers send one).
func (d *Decoder) NStringBytes() (b []byte, isNil bool, ok bool) {
	c, ok := d.peek()
	if !ok {
		return nil, false, false
	}
	if c == '"' || c == '{' || c == '~' && d.atLiteral8() {
		b, ok = d.StringBytes()
		return b, false, ok
	}
	if d.NIL() {
		return nil, true, true
	}
	if d.Lenient {
		if t := d.AtomBytes(); t != nil {
			return t, false, true
		}
	}
	return nil, false, false
}

// NString reads an nstring into *s ("" for NIL).
func (d *Decoder) NString(s *string) bool {
	b, isNil, ok := d.NStringBytes()
	if ok {
		if isNil {
			*s = ""
		} else {
			*s = d.Str(b)
		}
	}
	return ok
}

// ExpectNString reads an nstring or fails.
func (d *Decoder) ExpectNString(s *string) bool {
	if d.NString(s) {
		return true
	}
	return d.syntax("nstring")
}

// List reads a parenthesised list, calling item for each element; it
// returns false, without failing, when no "(" is next. An empty list is
// accepted.
func (d *Decoder) List(item func() error) bool {
	if !d.Special('(') {
		return false
	}
	if d.Lenient {
		for d.Special(' ') {
		}
	}
	if d.Special(')') {
		return true
	}
	for {
		if err := item(); err != nil {
			return d.Fail(err)
		}
		if d.err != nil {
			return false
		}
		if d.Special(')') {
			return true
		}
		if !d.ExpectSP() {
			return false
		}
		if d.Lenient && d.Special(')') {
			return true
		}
	}
}

// ExpectList reads a parenthesised list or fails.
func (d *Decoder) ExpectList(item func() error) bool {
	if d.List(item) {
		return true
	}
	return d.syntax("(")
}

// ExpectNList reads NIL (returning false for isList) or a list.
func (d *Decoder) ExpectNList(item func() error) (isList, ok bool) {
	if d.NIL() {
		return false, true
	}
	return true, d.ExpectList(item)
}

// SkipValue skips one value of any kind: a string, an atom, a number, NIL
// or a parenthesised list of those (as in body extension data and unknown
// fetch items).
func (d *Decoder) SkipValue() bool {
	c, ok := d.peek()
	if !ok {
		return false
	}
	switch c {
	case '(':
		return d.List(func() error {
			d.SkipValue()
			return nil
		})
	case '"', '{', '~':
		if c == '~' && !d.atLiteral8() {
			break
		}
		if c == '"' {
			_, ok := d.QuotedBytes()
			return ok
		}
		_, r, ok := d.Literal()
		if !ok {
			return false
		}
		_, err := io.Copy(io.Discard, r)
		return err == nil
	}
	t := d.token(clsAString)
	if len(t) == 0 {
		return d.syntax("value")
	}
	// An atom may carry a section "BODY[...]" which holds spaces.
	if c, _ := d.peek(); c == '[' {
		return d.SkipSection()
	}
	return true
}

// SkipSection skips "[...]" including nested brackets and quoted strings.
func (d *Decoder) SkipSection() bool {
	if !d.ExpectSpecial('[') {
		return false
	}
	depth := 1
	for depth > 0 {
		c, ok := d.peek()
		if !ok {
			return false
		}
		switch c {
		case '"':
			if _, ok := d.QuotedBytes(); !ok {
				return false
			}
			continue
		case '[':
			depth++
		case ']':
			depth--
		case '\r', '\n':
			return d.syntax("]")
		}
		if !d.consume(1) {
			return false
		}
	}
	return true
}

func discard64(br *bufio.Reader, n int64) error {
	for n > 0 {
		k := n
		if k > 1<<30 {
			k = 1 << 30
		}
		m, err := br.Discard(int(k))
		n -= int64(m)
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return err
		}
	}
	return nil
}
