package imapwire

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestDecoderNumber64OverflowIsSyntaxError(t *testing.T) {
	// 2^64 wraps to 0 if the overflow is checked after multiplying.
	for _, in := range []string{"18446744073709551616 ", "9223372036854775808 ", "{18446744073709551616}\r\n"} {
		d := dec(in)
		var n int64
		var m uint64
		var ok bool
		if in[0] == '{' {
			_, ok = d.LiteralHeader()
		} else {
			ok = d.Number64(&n) || d.ModSeq(&m)
		}
		if ok || !IsSyntax(d.Err()) {
			t.Errorf("%q: ok %v, err %v", in, ok, d.Err())
		}
	}
	d := dec("9223372036854775807 ")
	var n int64
	if !d.Number64(&n) || n != 1<<63-1 {
		t.Fatal(n, d.Err())
	}
}

func TestDecoderStrictChars(t *testing.T) {
	for _, strict := range []bool{false, true} {
		d := dec("B\xc3\xbccher INBOX.\xc3\xa4* \"a\x00b\"\r\n")
		d.StrictChars = strict
		var s string
		d.AString(&s)
		if want := map[bool]string{false: "B\xc3\xbccher", true: "B"}[strict]; s != want {
			t.Errorf("strict %v: astring %q, want %q", strict, s, want)
		}
		if strict {
			d = dec("INBOX.\xc3\xa4* \"a\x00b\"\r\n")
			d.StrictChars = true
		} else {
			d.SP()
		}
		l := string(d.ListMailboxBytes())
		if want := map[bool]string{false: "INBOX.\xc3\xa4*", true: "INBOX."}[strict]; l != want {
			t.Errorf("strict %v: list-mailbox %q, want %q", strict, l, want)
		}
		if strict {
			d = dec("\"a\x00b\"\r\n")
			d.StrictChars = true
		} else {
			d.SP()
		}
		q, ok := d.QuotedBytes()
		if strict && (ok || !IsSyntax(d.Err())) || !strict && (!ok || string(q) != "a\x00b") {
			t.Errorf("strict %v: quoted %q %v %v", strict, q, ok, d.Err())
		}
	}
}

func TestDecoderBareLF(t *testing.T) {
	d := dec("A\nB  C\n")
	d.BareLF = true
	var s string
	if !d.ExpectAtom(&s) || !d.ExpectCRLF() || !d.ExpectAtom(&s) || !d.ExpectSP() {
		t.Fatal(d.Err())
	}
	if d.Atom(&s) {
		t.Fatal("BareLF accepts runs of spaces")
	}
	d = dec("A\n")
	if !d.ExpectAtom(&s) || d.CRLF() {
		t.Fatal("bare LF accepted by default")
	}
}

func TestDecoderNext(t *testing.T) {
	d := dec("ab")
	d.MaxLine = 1
	if c, ok := d.Next(); !ok || c != 'a' {
		t.Fatal(c, ok)
	}
	if _, ok := d.Next(); ok || !errors.Is(d.Err(), ErrLineTooLong) {
		t.Fatal(d.Err())
	}
}

// A command of 10 bytes per line: the literal and the line ends count
// when CountLiterals is set.
func TestDecoderCountLiterals(t *testing.T) {
	in := "A1 X {5}\r\nhello Y\r\n"
	for _, max := range []int{len(in) - 1, len(in)} {
		d := dec(in + "A2\r\n")
		d.MaxLine = max
		d.CountLiterals = true
		var s string
		ok := d.ExpectAtom(&s) && d.ExpectSP() && d.ExpectAtom(&s) && d.ExpectSP() && d.ExpectString(&s) && d.ExpectSP() && d.ExpectAtom(&s) && d.ExpectCRLF()
		if ok != (max == len(in)) {
			t.Fatalf("max %d: ok %v, err %v", max, ok, d.Err())
		}
		if !ok && !errors.Is(d.Err(), ErrLineTooLong) {
			t.Fatalf("max %d: %v", max, d.Err())
		}
		if ok && (!d.ExpectAtom(&s) || s != "A2") {
			t.Fatalf("count not restarted: %v", d.Err())
		}
	}
	// Without it each line is bounded on its own.
	d := dec(in)
	d.MaxLine = 9
	var s string
	if !(d.ExpectAtom(&s) && d.ExpectSP() && d.ExpectAtom(&s) && d.ExpectSP() && d.ExpectString(&s) && d.ExpectSP() && d.ExpectAtom(&s) && d.ExpectCRLF()) {
		t.Fatal(d.Err())
	}
	// A literal longer than what is left of the line is refused unread,
	// as too large, and before LiteralFunc, which would invite its data.
	d = dec("{50}\r\n" + strings.Repeat("x", 50))
	d.MaxLine = 40
	d.CountLiterals = true
	d.LiteralFunc = func(LiteralInfo) error { t.Error("LiteralFunc called for a literal to refuse"); return nil }
	var lt *LiteralTooLargeError
	if d.String(&s) || !errors.As(d.Err(), &lt) || lt.Size != 50 || lt.Max != 34 {
		t.Fatal(d.Err())
	}
	if rest, _ := io.ReadAll(d.Bufio()); len(rest) != 50 {
		t.Fatalf("%d bytes of the literal left unread, want 50", len(rest))
	}
	// A streamed literal does not count.
	d = dec("{50}\r\n" + strings.Repeat("x", 50) + " A\r\n")
	d.MaxLine = 40
	d.CountLiterals = true
	info, ok := d.LiteralHeader()
	if !ok {
		t.Fatal(d.Err())
	}
	d.Bufio().Discard(int(info.Size))
	if !d.ExpectSP() || !d.ExpectAtom(&s) || !d.ExpectCRLF() {
		t.Fatal(d.Err())
	}
}

func TestDecoderDiscardLineFindsLiteralAcrossRefills(t *testing.T) {
	// The 16-byte buffer splits the header "{3+}".
	for pad := 0; pad < 20; pad++ {
		d := dec(strings.Repeat("x", pad) + " {3+}\r\nabc\r\nA2\r\n")
		if err := d.DiscardLine(); err != nil {
			t.Fatal(err)
		}
		var s string
		if !d.ExpectAtom(&s) || s != "A2" {
			t.Fatalf("pad %d: %q %v", pad, s, d.Err())
		}
	}
}

func TestDecoderDiscardLineFunc(t *testing.T) {
	onlyNonSync := func(info LiteralInfo) (bool, error) { return info.NonSync, nil }
	d := dec("A1 BAD {3}\r\nA2 {3+}\r\nabc tail\r\nA3\r\n")
	var s string
	if err := d.DiscardLineFunc(onlyNonSync); err != nil {
		t.Fatal(err)
	}
	if !d.ExpectAtom(&s) || s != "A2" {
		t.Fatal(s, d.Err())
	}
	if err := d.DiscardLineFunc(onlyNonSync); err != nil {
		t.Fatal(err)
	}
	if !d.ExpectAtom(&s) || s != "A3" {
		t.Fatal(s, d.Err())
	}
	stop := errors.New("stop")
	d = dec("A1 BAD ~{3+}\r\nabc\r\n")
	err := d.DiscardLineFunc(func(info LiteralInfo) (bool, error) {
		if !info.Binary || info.Size != 3 {
			t.Errorf("info %+v", info)
		}
		return false, stop
	})
	if err != stop || d.Err() != stop {
		t.Fatal(err, d.Err())
	}
}

func TestDecoderRefusedSyncLiteralEndsTheLine(t *testing.T) {
	d := dec("A1 APPEND X {100}\r\nA2\r\n")
	d.MaxLiteral = 10
	var s string
	d.ExpectAtom(&s)
	d.ExpectSP()
	d.ExpectAtom(&s)
	d.ExpectSP()
	d.ExpectAtom(&s)
	d.ExpectSP()
	if _, ok := d.LiteralHeader(); ok || IsSyntax(d.Err()) {
		t.Fatal(d.Err())
	}
	if err := d.DiscardLine(); err != nil {
		t.Fatal(err)
	}
	if !d.ExpectAtom(&s) || s != "A2" {
		t.Fatal(s, d.Err())
	}
	// A non-synchronising one is sent all the same: no way back.
	d = dec("{100+}\r\n")
	d.MaxLiteral = 10
	d.LiteralHeader()
	d.ClearErr()
	if d.Err() == nil || d.DiscardLine() == nil {
		t.Fatal("refused non-synchronising literal forgotten")
	}
}

func TestDecoderResetNilDropsBuffers(t *testing.T) {
	d := dec(strings.Repeat("a", 40) + " ")
	var s string
	if !d.Atom(&s) || d.scratch == nil {
		t.Fatal("the atom did not span buffer refills")
	}
	d.Reset(nil)
	if d.scratch != nil || d.arena != nil {
		t.Fatal("buffers kept")
	}
}
