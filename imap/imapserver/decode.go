package imapserver

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/mailwire/mailwire/internal/imapwire"
)

// Limits of the command decoder; see [Limits].
var (
	// ErrLineTooLong: a command is longer than Limits.MaxLine.
	ErrLineTooLong = errors.New("imapserver: command line too long")
	// ErrLiteralTooLarge: a literal is larger than Limits.MaxLiteral.
	ErrLiteralTooLarge = errors.New("imapserver: literal too large")
)

// limitError is a limit of the codec seen as the server's error value:
// errors.Is matches both.
type limitError struct{ server, wire error }

func (e *limitError) Error() string   { return e.server.Error() }
func (e *limitError) Unwrap() []error { return []error{e.server, e.wire} }

var errLineTooLong = &limitError{ErrLineTooLong, imapwire.ErrLineTooLong}

// syntaxError is a command the server answers with BAD, with its own
// wording, and whose line it then discards: for the codec it is a syntax
// error.
type syntaxError struct{ text string }

func (e *syntaxError) Error() string { return e.text }
func (e *syntaxError) Unwrap() error { return errSyntax }

var errSyntax = &imapwire.SyntaxError{Want: "a valid command"}

// decoder reads commands with the shared IMAP codec, set up for a server
// (RFC 9051 §9): CHAR-only atoms, a bare LF taken as CRLF, MaxLine over a
// whole command with its literals (but not an APPEND's message, read
// past the decoder), a continuation request before each synchronising
// literal. Its methods wrap the codec's in the form the handlers use:
// each fails with a syntax error when what it reads is not next.
// Methods return false once an error is kept; the first error wins (Err).
// A decoder must not be copied once set up.
type decoder struct {
	imapwire.Decoder
}

// setup readies d with the limits and, when cont is set, the function
// that sends the continuation request for a synchronising literal
// (RFC 9051 §7.5).
func (d *decoder) setup(maxLine int, maxLiteral int64, cont func() error) {
	d.Decoder = imapwire.Decoder{
		MaxLine:       maxLine,
		MaxLiteral:    maxLiteral,
		BareLF:        true,
		StrictChars:   true,
		CountLiterals: true,
	}
	if cont != nil {
		d.LiteralFunc = func(info imapwire.LiteralInfo) error {
			if info.NonSync {
				return nil
			}
			return cont()
		}
	}
	d.Reset(nil)
}

// reset starts a command.
func (d *decoder) reset() { d.Reset(d.Bufio()) }

// Err returns the first error kept, with the codec's limits as the
// server's error values.
func (d *decoder) Err() error {
	err := d.Decoder.Err()
	if err == nil {
		return nil
	}
	if err == imapwire.ErrLineTooLong {
		return errLineTooLong
	}
	if le, ok := err.(*imapwire.LiteralTooLargeError); ok {
		return &limitError{ErrLiteralTooLarge, le}
	}
	return err
}

// ok reports whether no error is kept.
func (d *decoder) ok() bool { return d.Decoder.Err() == nil }

func (d *decoder) fail(err error) bool { return d.Fail(err) }

// syntax keeps a syntax error, unless an error is already kept.
func (d *decoder) syntax(format string, args ...any) bool {
	if d.ok() {
		d.Fail(&syntaxError{"syntax error: " + fmt.Sprintf(format, args...)})
	}
	return false
}

// want fails, unless an error is already kept, with "expected what, got"
// the next byte.
func (d *decoder) want(what string) bool {
	if d.ok() {
		c, _ := d.PeekByte()
		d.syntax("expected %s, got %q", what, c)
	}
	return false
}

// badText is the text of the BAD answering a syntax error.
func badText(err error) string {
	var se *syntaxError
	if errors.As(err, &se) {
		return se.text
	}
	var we *imapwire.SyntaxError
	if errors.As(err, &we) {
		near := we.Near
		if len(near) > 16 {
			near = near[:16]
		}
		return "syntax error: expected " + we.Want + " near " + strconv.Quote(near)
	}
	return err.Error()
}

func (d *decoder) peek() (byte, bool) { return d.PeekByte() }

// readByte consumes the next byte.
func (d *decoder) readByte() (byte, bool) { return d.Next() }

// peekAt returns the byte i places ahead without consuming anything (0 if
// there is none).
func (d *decoder) peekAt(i int) byte {
	if !d.ok() {
		return 0
	}
	b, err := d.Bufio().Peek(i + 1)
	if err != nil || len(b) <= i {
		return 0
	}
	return b[i]
}

// Peek reports whether the next byte is c, without consuming it.
func (d *decoder) Peek(c byte) bool {
	b, ok := d.PeekByte()
	return ok && b == c
}

// Expect consumes c or fails.
func (d *decoder) Expect(c byte) bool {
	return d.Special(c) || d.want(strconv.QuoteRune(rune(c)))
}

// SP consumes one space or fails.
func (d *decoder) SP() bool { return d.Expect(' ') }

// CRLF consumes the line end (a bare LF is accepted) or fails.
func (d *decoder) CRLF() bool { return d.Decoder.CRLF() || d.want("end of line") }

// Atom reads an atom.
func (d *decoder) Atom() (string, bool) {
	var s string
	ok := d.Decoder.Atom(&s) || d.want("atom")
	return s, ok
}

// Number reads a number (RFC 9051 number, 32 bits).
func (d *decoder) Number() (uint32, bool) {
	var n uint32
	ok := d.Decoder.Number(&n) || d.want("number")
	return n, ok
}

// Number64 reads a number64 (RFC 9051 §9).
func (d *decoder) Number64() (uint64, bool) {
	var n uint64
	ok := d.ModSeq(&n) || d.want("number")
	return n, ok
}

// AString reads an astring: an atom (with ']' allowed) or a string. "~"
// is an ASTRING-CHAR (RFC 9051 §9); only "~{" starts a literal8.
func (d *decoder) AString() (string, bool) {
	var s string
	ok := d.Decoder.AString(&s) || d.want("string")
	return s, ok
}

// ListMailbox reads a list-mailbox: an astring that may hold % and *.
func (d *decoder) ListMailbox() (string, bool) {
	if d.Peek('"') || d.Peek('{') {
		return d.String()
	}
	if b := d.ListMailboxBytes(); b != nil {
		return string(b), true
	}
	return "", d.want("mailbox pattern")
}

// String reads a quoted string or a literal, kept in memory: its size
// counts against the command limit.
func (d *decoder) String() (string, bool) {
	var s string
	ok := d.Decoder.String(&s) || d.want("string")
	return s, ok
}

func (d *decoder) quoted() (string, bool) {
	var s string
	ok := d.Quoted(&s) || d.want("quoted string")
	return s, ok
}

// LiteralHeader reads "{n}" or "{n+}" (or "~{n}", RFC 3516) and the line
// end after it; for a synchronising literal within the limit it sends the
// continuation request. The literal's bytes are next on the wire, not
// counted against the command limit.
func (d *decoder) LiteralHeader() (int64, bool) {
	info, ok := d.Decoder.LiteralHeader()
	ok = ok || d.want("literal")
	return info.Size, ok
}

// skipLine discards the rest of a line after an error, so that the next
// command starts clean: a non-synchronising literal announced at the end
// of the line is sent without a continuation request, so it is skipped
// too; a synchronising one never comes. It returns false when the
// connection cannot be resynchronised: an I/O error, or a
// non-synchronising literal over the limit.
func (d *decoder) skipLine() bool {
	max := d.MaxLiteral
	err := d.DiscardLineFunc(func(info imapwire.LiteralInfo) (bool, error) {
		if info.NonSync && info.Size > max {
			return false, ErrLiteralTooLarge
		}
		return info.NonSync, nil
	})
	return err == nil
}

// bail records a syntax error for a handler and returns nil, the handler's
// "answer the decode error" result.
func (d *decoder) bail(format string, args ...any) error {
	d.syntax(format, args...)
	return nil
}

func bufioReader(r io.Reader) *bufio.Reader { return bufio.NewReaderSize(r, 4096) }
