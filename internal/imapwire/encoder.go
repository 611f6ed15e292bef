package imapwire

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"
)

// MaxLiteralMinus is the largest non-synchronising literal LITERAL- allows
// (RFC 7888 §4: 4096 octets).
const MaxLiteralMinus = 4096

// MaxQuoted is the longest string the encoder sends quoted; longer ones go
// as literals.
const MaxQuoted = 1024

// ErrLiteralSize is returned by a literal writer's Close when the number of
// bytes written differs from the size announced.
var ErrLiteralSize = errors.New("imapwire: literal size mismatch")

// Encoder writes IMAP syntax. Methods chain and keep the first error:
//
//	enc.Atom("A1").SP().Atom("SELECT").SP().Mailbox("INBOX").CRLF()
type Encoder struct {
	bw  *bufio.Writer
	err error

	// LiteralPlus allows non-synchronising literals of any size (RFC 7888
	// LITERAL+); LiteralMinus allows them up to MaxLiteralMinus.
	LiteralPlus, LiteralMinus bool
	// UTF8 is set once UTF8=ACCEPT is enabled (RFC 9051 §6.3.1, RFC 6855):
	// quoted strings may then carry UTF-8 and mailbox names go unencoded.
	UTF8 bool
	// Continue, when set, is called after a synchronising literal's header
	// has been flushed, and must return once the peer sent "+" (or return
	// the error the peer answered with). A client sets it; a server, which
	// never waits, leaves it nil.
	Continue func() error
}

// NewEncoder returns an encoder writing to bw.
func NewEncoder(bw *bufio.Writer) *Encoder { return &Encoder{bw: bw} }

// Reset makes e write to bw and forgets any error.
func (e *Encoder) Reset(bw *bufio.Writer) { e.bw, e.err = bw, nil }

// Bufio returns the underlying writer.
func (e *Encoder) Bufio() *bufio.Writer { return e.bw }

// Err returns the first error met.
func (e *Encoder) Err() error { return e.err }

// SetErr records err unless an error is already kept.
func (e *Encoder) SetErr(err error) {
	if e.err == nil {
		e.err = err
	}
}

// Raw writes s as it is.
func (e *Encoder) Raw(s string) *Encoder {
	if e.err == nil {
		_, e.err = e.bw.WriteString(s)
	}
	return e
}

// RawBytes writes b as it is.
func (e *Encoder) RawBytes(b []byte) *Encoder {
	if e.err == nil {
		_, e.err = e.bw.Write(b)
	}
	return e
}

// Atom writes an atom as it is; the caller knows it is one.
func (e *Encoder) Atom(s string) *Encoder { return e.Raw(s) }

// SP writes a space.
func (e *Encoder) SP() *Encoder { return e.Special(' ') }

// Special writes one byte.
func (e *Encoder) Special(b byte) *Encoder {
	if e.err == nil {
		e.err = e.bw.WriteByte(b)
	}
	return e
}

// CRLF ends the line.
func (e *Encoder) CRLF() *Encoder { return e.Raw("\r\n") }

// Flush flushes the writer and returns the first error.
func (e *Encoder) Flush() error {
	if e.err == nil {
		e.err = e.bw.Flush()
	}
	return e.err
}

// Number writes a 32-bit number.
func (e *Encoder) Number(v uint32) *Encoder { return e.Number64(uint64(v)) }

// Number64 writes a 64-bit number.
func (e *Encoder) Number64(v uint64) *Encoder {
	if e.err == nil {
		var buf [20]byte
		_, e.err = e.bw.Write(strconv.AppendUint(buf[:0], v, 10))
	}
	return e
}

// NIL writes NIL.
func (e *Encoder) NIL() *Encoder { return e.Raw("NIL") }

// IsAtom reports whether s can be sent as an atom.
func IsAtom(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if class[s[i]]&clsAtom == 0 {
			return false
		}
	}
	return true
}

// IsAString reports whether s can be sent as ASTRING-CHARs.
func IsAString(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if class[s[i]]&clsAString == 0 || s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func (e *Encoder) quotable(s string) bool {
	if len(s) > MaxQuoted {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		// RFC 9051 §9: QUOTED-CHAR excludes CR, LF and NUL; 8-bit only as
		// UTF-8 once UTF8=ACCEPT is enabled.
		if c == '\r' || c == '\n' || c == 0 {
			return false
		}
		if c >= 0x80 && !e.UTF8 {
			return false
		}
	}
	return !e.UTF8 || utf8.ValidString(s)
}

// Quoted writes s as a quoted string, escaping '"' and '\'. The caller
// knows s is quotable; String chooses for it.
func (e *Encoder) Quoted(s string) *Encoder {
	if e.err != nil {
		return e
	}
	e.bw.WriteByte('"')
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			e.bw.WriteString(s[start:i])
			e.bw.WriteByte('\\')
			start = i
		}
	}
	e.bw.WriteString(s[start:])
	e.err = e.bw.WriteByte('"')
	return e
}

// String writes s quoted when it can be, else as a literal.
func (e *Encoder) String(s string) *Encoder {
	if e.quotable(s) {
		return e.Quoted(s)
	}
	w := e.Literal(int64(len(s)), false)
	io.WriteString(w, s)
	w.Close()
	return e
}

// AString writes s as an atom when it can be, else as a string.
func (e *Encoder) AString(s string) *Encoder {
	if IsAString(s) && !isNILWord(s) {
		return e.Raw(s)
	}
	return e.String(s)
}

func isNILWord(s string) bool {
	return len(s) == 3 && s[0]|0x20 == 'n' && s[1]|0x20 == 'i' && s[2]|0x20 == 'l'
}

// NString writes NIL for nil, else the string.
func (e *Encoder) NString(s *string) *Encoder {
	if s == nil {
		return e.NIL()
	}
	return e.String(*s)
}

// Mailbox writes a mailbox name: INBOX in any case as INBOX, others in
// modified UTF-7 (RFC 3501 §5.1.3) unless UTF8 is set.
func (e *Encoder) Mailbox(name string) *Encoder {
	if len(name) == 5 && equalFold(name, "INBOX") {
		return e.Raw("INBOX")
	}
	if !e.UTF8 {
		name = EncodeMUTF7(name)
	}
	return e.AString(name)
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'a' <= x && x <= 'z' {
			x -= 32
		}
		if 'a' <= y && y <= 'z' {
			y -= 32
		}
		if x != y {
			return false
		}
	}
	return true
}

// List writes "(" item(0) SP item(1) ... ")".
func (e *Encoder) List(n int, item func(i int)) *Encoder {
	e.Special('(')
	for i := 0; i < n; i++ {
		if i > 0 {
			e.SP()
		}
		item(i)
	}
	return e.Special(')')
}

// Literal writes a literal header, "{n}" or, when the encoder may, "{n+}",
// and returns a writer for exactly size bytes of data. A binary literal
// "~{n}" (RFC 3516) is written when binary is set. For a synchronising
// literal the header is flushed and Continue awaited before data is sent.
func (e *Encoder) Literal(size int64, binary bool) io.WriteCloser {
	return e.literal(size, binary, e.LiteralPlus || (e.LiteralMinus && size <= MaxLiteralMinus))
}

// ServerLiteral writes a literal as a server does: "{n}" and never waits.
func (e *Encoder) ServerLiteral(size int64, binary bool) io.WriteCloser {
	return e.literal(size, binary, false)
}

func (e *Encoder) literal(size int64, binary, nonSync bool) io.WriteCloser {
	w := &literalWriter{e: e, n: size}
	if e.err != nil {
		return w
	}
	if binary {
		e.bw.WriteByte('~')
	}
	e.bw.WriteByte('{')
	e.Number64(uint64(size))
	if nonSync {
		e.bw.WriteByte('+')
	}
	e.Raw("}\r\n")
	if !nonSync && e.Continue != nil {
		if e.Flush() == nil {
			if err := e.Continue(); err != nil {
				e.SetErr(err)
			}
		}
	}
	return w
}

type literalWriter struct {
	e *Encoder
	n int64
}

// Write writes literal data, no more than announced.
func (w *literalWriter) Write(p []byte) (int, error) {
	if w.e.err != nil {
		return 0, w.e.err
	}
	if int64(len(p)) > w.n {
		w.e.SetErr(fmt.Errorf("%w: %d bytes more than announced", ErrLiteralSize, int64(len(p))-w.n))
		return 0, w.e.err
	}
	n, err := w.e.bw.Write(p)
	w.n -= int64(n)
	if err != nil {
		w.e.SetErr(err)
	}
	return n, err
}

// ReadFrom copies literal data from r, no more than announced.
func (w *literalWriter) ReadFrom(r io.Reader) (int64, error) {
	if w.e.err != nil {
		return 0, w.e.err
	}
	n, err := w.e.bw.ReadFrom(io.LimitReader(r, w.n))
	w.n -= n
	if err != nil {
		w.e.SetErr(err)
	}
	return n, err
}

// Close checks that the announced size was written.
func (w *literalWriter) Close() error {
	if w.e.err == nil && w.n != 0 {
		w.e.SetErr(fmt.Errorf("%w: %d bytes missing", ErrLiteralSize, w.n))
	}
	return w.e.err
}
