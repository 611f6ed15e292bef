package imapwire

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func dec(s string) *Decoder {
	return NewDecoder(bufio.NewReaderSize(strings.NewReader(s), 16))
}

func TestDecoderReadsTokensAcrossBufferRefills(t *testing.T) {
	d := dec(`* 12345678 FETCH (FLAGS (\Seen) X "a \"quoted\" string\\" NIL {5}` + "\r\nhello" + `)` + "\r\n")
	var n uint32
	var atom, q, lit string
	if !(d.ExpectSpecial('*') && d.ExpectSP() && d.ExpectNumber(&n) && d.ExpectSP() && d.ExpectAtom(&atom) && d.ExpectSP()) {
		t.Fatal(d.Err())
	}
	if n != 12345678 || atom != "FETCH" {
		t.Fatalf("got %d %q", n, atom)
	}
	var flags []string
	ok := d.ExpectList(func() error {
		var name string
		d.ExpectAtom(&name)
		switch name {
		case "FLAGS":
			d.ExpectSP()
			d.ExpectList(func() error {
				d.ExpectSpecial('\\')
				var f string
				d.ExpectAtom(&f)
				flags = append(flags, f)
				return nil
			})
		case "X":
			d.ExpectSP()
			d.ExpectString(&q)
			d.ExpectSP()
			var nilStr string
			if !d.ExpectNString(&nilStr) || nilStr != "" {
				t.Errorf("NIL: %q", nilStr)
			}
			d.ExpectSP()
			d.ExpectString(&lit)
		}
		return nil
	})
	if !ok || !d.ExpectCRLF() {
		t.Fatal(d.Err())
	}
	if q != `a "quoted" string\` || lit != "hello" || len(flags) != 1 || flags[0] != "Seen" {
		t.Fatalf("q=%q lit=%q flags=%v", q, lit, flags)
	}
}

func TestDecoderLiteralIsAStream(t *testing.T) {
	body := strings.Repeat("x", 100000)
	d := dec("{100000}\r\n" + body + " NEXT\r\n")
	info, r, ok := d.Literal()
	if !ok || info.Size != 100000 || info.NonSync {
		t.Fatalf("literal: %v %v", info, d.Err())
	}
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, r); err != nil || buf.String() != body {
		t.Fatalf("copy: %v, %d bytes", err, buf.Len())
	}
	var a string
	if !d.ExpectSP() || !d.ExpectAtom(&a) || a != "NEXT" || !d.ExpectCRLF() {
		t.Fatal(d.Err())
	}
}

func TestDecoderSkipsUnreadLiteralData(t *testing.T) {
	d := dec("~{6+}\r\nab\x00def A\r\n")
	info, _, ok := d.Literal()
	if !ok || !info.Binary || !info.NonSync {
		t.Fatalf("%+v %v", info, d.Err())
	}
	var a string
	if !d.ExpectSP() || !d.ExpectAtom(&a) || a != "A" {
		t.Fatal(d.Err(), a)
	}
}

func TestDecoderRefusesLargeLiteralBeforeReading(t *testing.T) {
	d := dec("{1000}\r\n")
	d.MaxLiteral = 999
	called := false
	d.LiteralFunc = func(LiteralInfo) error { called = true; return nil }
	_, _, ok := d.Literal()
	var le *LiteralTooLargeError
	if ok || !errors.As(d.Err(), &le) || le.Size != 1000 || called {
		t.Fatalf("ok=%v err=%v called=%v", ok, d.Err(), called)
	}
}

func TestDecoderLiteralFuncRunsBeforeData(t *testing.T) {
	// The data is not there yet: a server must be able to answer "+" first.
	pr, pw := io.Pipe()
	d := NewDecoder(bufio.NewReader(pr))
	go pw.Write([]byte("{3}\r\n"))
	sent := make(chan bool, 1)
	d.LiteralFunc = func(info LiteralInfo) error {
		sent <- true
		go pw.Write([]byte("abc\r\n"))
		return nil
	}
	var s string
	if !d.ExpectString(&s) || s != "abc" || !d.ExpectCRLF() {
		t.Fatal(d.Err(), s)
	}
	if !<-sent {
		t.Fatal("hook not called")
	}
}

func TestDecoderLiteralFuncRefusal(t *testing.T) {
	d := dec("{3}\r\n")
	refuse := errors.New("no")
	d.LiteralFunc = func(LiteralInfo) error { return refuse }
	if _, _, ok := d.Literal(); ok || d.Err() != refuse {
		t.Fatal(d.Err())
	}
}

func TestDecoderLineTooLong(t *testing.T) {
	d := dec(strings.Repeat("a", 200) + "\r\nNEXT\r\n")
	d.MaxLine = 100
	var s string
	if d.Atom(&s) || !errors.Is(d.Err(), ErrLineTooLong) {
		t.Fatalf("err = %v", d.Err())
	}
	if err := d.DiscardLine(); err != nil {
		t.Fatal(err)
	}
	if !d.ExpectAtom(&s) || s != "NEXT" {
		t.Fatal(d.Err(), s)
	}
}

func TestDecoderDiscardLineSkipsLiterals(t *testing.T) {
	d := dec("A1 BAD {5}\r\nx\r\ny\r tail\r\nA2\r\n")
	if err := d.DiscardLine(); err != nil {
		t.Fatal(err)
	}
	var s string
	if !d.ExpectAtom(&s) || s != "A2" {
		t.Fatal(d.Err(), s)
	}
}

func TestDecoderNumberOverflowIsSyntaxError(t *testing.T) {
	d := dec("4294967296 ")
	var n uint32
	if d.Number(&n) || !IsSyntax(d.Err()) {
		t.Fatal(d.Err())
	}
}

func TestDecoderQuotedRejectsCR(t *testing.T) {
	d := dec("\"ab\r\n")
	var s string
	if d.Quoted(&s) || !IsSyntax(d.Err()) {
		t.Fatal(d.Err())
	}
}

func TestDecoderLenientAcceptsExtraSpacesAndBareLF(t *testing.T) {
	d := dec("(A  B )\n")
	d.Lenient = true
	var got []string
	ok := d.ExpectList(func() error {
		var s string
		d.ExpectAtom(&s)
		got = append(got, s)
		return nil
	})
	if !ok || !d.ExpectCRLF() || len(got) != 2 {
		t.Fatal(d.Err(), got)
	}
}

func TestDecoderEOFIsReported(t *testing.T) {
	d := dec("")
	if _, ok := d.PeekByte(); ok || d.Err() != io.EOF {
		t.Fatal(d.Err())
	}
	d = dec("* OK")
	var s string
	d.ExpectSpecial('*')
	d.ExpectSP()
	d.ExpectAtom(&s)
	if d.ExpectCRLF() || !errors.Is(d.Err(), io.ErrUnexpectedEOF) {
		t.Fatal(d.Err())
	}
}

func enc() (*Encoder, *bytes.Buffer) {
	var b bytes.Buffer
	return NewEncoder(bufio.NewWriter(&b)), &b
}

func TestEncoderChoosesStringForms(t *testing.T) {
	e, b := enc()
	e.AString("INBOX").SP().AString("two words").SP().AString("nil").SP().String("line\r\nbreak").SP().
		Quoted(`a"b\c`).SP().Mailbox("Entwürfe").SP().Mailbox("inbox").CRLF()
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "INBOX \"two words\" \"nil\" {11}\r\nline\r\nbreak \"a\\\"b\\\\c\" Entw&APw-rfe INBOX\r\n"
	if b.String() != want {
		t.Fatalf("got  %q\nwant %q", b.String(), want)
	}
}

func TestEncoderUTF8QuotesEightBit(t *testing.T) {
	e, b := enc()
	e.UTF8 = true
	e.Mailbox("Entwürfe").SP().String("é")
	e.Flush()
	if b.String() != `"Entwürfe" "é"` {
		t.Fatalf("%q", b.String())
	}
}

func TestEncoderSynchronisingLiteralWaitsForContinuation(t *testing.T) {
	e, b := enc()
	var at string
	e.Continue = func() error { at = b.String(); return nil }
	w := e.Literal(3, false)
	io.WriteString(w, "abc")
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	e.Flush()
	if at != "{3}\r\n" || b.String() != "{3}\r\nabc" {
		t.Fatalf("at=%q all=%q", at, b.String())
	}
}

func TestEncoderLiteralPlusAndMinus(t *testing.T) {
	e, b := enc()
	e.LiteralMinus = true
	e.Continue = func() error { t.Fatal("waited"); return nil }
	w := e.Literal(4, false)
	io.WriteString(w, "abcd")
	w.Close()
	e.Flush()
	if b.String() != "{4+}\r\nabcd" {
		t.Fatalf("%q", b.String())
	}
	e2, b2 := enc()
	e2.LiteralMinus = true
	waited := false
	e2.Continue = func() error { waited = true; return nil }
	w = e2.Literal(MaxLiteralMinus+1, true)
	w.Write(make([]byte, MaxLiteralMinus+1))
	w.Close()
	e2.Flush()
	if !waited || !strings.HasPrefix(b2.String(), "~{4097}\r\n") {
		t.Fatalf("waited=%v %q", waited, b2.String()[:12])
	}
}

func TestEncoderLiteralSizeMismatch(t *testing.T) {
	e, _ := enc()
	w := e.Literal(5, false)
	io.WriteString(w, "abc")
	if err := w.Close(); !errors.Is(err, ErrLiteralSize) {
		t.Fatal(err)
	}
	e, _ = enc()
	w = e.Literal(2, false)
	if _, err := io.WriteString(w, "abc"); !errors.Is(err, ErrLiteralSize) {
		t.Fatal(err)
	}
}

func TestMUTF7RFC3501Example(t *testing.T) {
	// RFC 3501 §5.1.3 example.
	const enc, dec = "~peter/mail/&U,BTFw-/&ZeVnLIqe-", "~peter/mail/台北/日本語"
	if got := EncodeMUTF7(dec); got != enc {
		t.Errorf("encode = %q", got)
	}
	got, err := DecodeMUTF7(enc)
	if err != nil || got != dec {
		t.Errorf("decode = %q, %v", got, err)
	}
	for in, want := range map[string]string{"&-": "&", "a&-b": "a&b", "Entw&APw-rfe": "Entwürfe", "&2D3eAQ-": "\U0001F601"} {
		if got, err := DecodeMUTF7(in); err != nil || got != want {
			t.Errorf("DecodeMUTF7(%q) = %q, %v", in, got, err)
		}
		if got := EncodeMUTF7(want); got != in {
			t.Errorf("EncodeMUTF7(%q) = %q", want, got)
		}
	}
}

func TestMUTF7RejectsInvalid(t *testing.T) {
	for _, in := range []string{"&", "&Jjo", "&AGE-" /* encoded ASCII */, "&Jjo!-", "a\x80", "&2D0-" /* lone surrogate */, "&AP-"} {
		if _, err := DecodeMUTF7(in); err == nil {
			t.Errorf("DecodeMUTF7(%q) accepted", in)
		}
	}
}

func FuzzDecoder(f *testing.F) {
	for _, s := range []string{
		`* 1 FETCH (FLAGS (\Seen) BODY[HEADER.FIELDS (A B)]<0> {3}` + "\r\nabc)\r\n",
		"A1 OK [CAPABILITY IMAP4rev2] done\r\n",
		`("a\"b" NIL ~{2+}` + "\r\n\x00\x01 (x (y)))\r\n",
		"{99999999999}\r\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d := NewDecoder(bufio.NewReaderSize(strings.NewReader(s), 16))
		d.MaxLine = 256
		d.MaxLiteral = 1024
		// Odd lengths read as a server does.
		server := len(s)%2 == 1
		var skip func(LiteralInfo) (bool, error)
		if server {
			d.BareLF, d.StrictChars, d.CountLiterals = true, true, true
			skip = func(info LiteralInfo) (bool, error) { return info.NonSync, nil }
		}
		for i := 0; i < 100; i++ {
			if !d.SkipValue() {
				if d.Err() != nil && !IsSyntax(d.Err()) && !refusedSync(d.Err()) {
					return
				}
				if d.DiscardLineFunc(skip) != nil {
					return
				}
				continue
			}
			d.SP()
			d.CRLF()
		}
	})
}

func FuzzMUTF7(f *testing.F) {
	for _, s := range []string{"INBOX", "Entw&APw-rfe", "&-", "~peter/mail/&U,BTFw-/&ZeVnLIqe-", "&2D3eAQ-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := DecodeMUTF7(s)
		if err != nil {
			return
		}
		if e := EncodeMUTF7(d); e != s {
			t.Fatalf("%q decodes to %q, which encodes to %q", s, d, e)
		}
	})
}

func FuzzEncodeDecodeString(f *testing.F) {
	for _, s := range []string{"", "a", "two words", "nil", "a\"b\\", "line\r\nbreak", "é", strings.Repeat("x", 2000)} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, utf8 bool) {
		var b bytes.Buffer
		e := NewEncoder(bufio.NewWriter(&b))
		e.UTF8 = utf8
		e.AString(s).SP().String(s).CRLF()
		if err := e.Flush(); err != nil {
			if s == "" {
				return
			}
			t.Fatal(err)
		}
		d := NewDecoder(bufio.NewReader(&b))
		var a, c string
		if s == "" {
			if !d.ExpectAString(&a) && a != "" {
				t.Fatal(d.Err())
			}
			return
		}
		if !d.ExpectAString(&a) || !d.ExpectSP() || !d.ExpectString(&c) || !d.ExpectCRLF() {
			t.Fatalf("%q: %v", b.String(), d.Err())
		}
		if a != s || c != s {
			t.Fatalf("%q -> %q, %q", s, a, c)
		}
	})
}

func TestDecoderTildeIsAnAStringChar(t *testing.T) {
	d := dec("~/Mail/foo ~{2}\r\nab\r\n")
	var a, b string
	if !d.ExpectAString(&a) || !d.ExpectSP() || !d.ExpectAString(&b) || !d.ExpectCRLF() {
		t.Fatal(d.Err())
	}
	if a != "~/Mail/foo" || b != "ab" {
		t.Fatalf("%q %q", a, b)
	}
}

func TestDecoderValuesAndNIL(t *testing.T) {
	d := dec(`NIL nil "" atom 9223372036854775807 18446744073709551615 (a (b "c") {1}` + "\r\nx) NILX\r\n")
	var s string
	if !d.ExpectNString(&s) || s != "" || !d.ExpectSP() {
		t.Fatal(d.Err())
	}
	if isList, ok := d.ExpectNList(func() error { return nil }); isList || !ok || !d.ExpectSP() {
		t.Fatal("NList", d.Err())
	}
	if !d.ExpectNString(&s) || s != "" || !d.ExpectSP() {
		t.Fatal(d.Err())
	}
	if d.NString(&s) {
		t.Fatal("strict decoder took an atom as nstring")
	}
	d.Lenient = true
	if !d.NString(&s) || s != "atom" || !d.ExpectSP() {
		t.Fatal(d.Err())
	}
	var n64 int64
	if !d.ExpectNumber64(&n64) || n64 != 1<<63-1 || !d.ExpectSP() {
		t.Fatal(d.Err())
	}
	var ms uint64
	if d.ModSeq(&ms) || !IsSyntax(d.Err()) {
		t.Fatal("modseq overflow", d.Err())
	}
	d.ClearErr()
	if err := d.DiscardLine(); err != nil {
		t.Fatal(err)
	}
	d = dec(`(a (b "c") {1}` + "\r\nx) NILX\r\n")
	if !d.SkipValue() || !d.ExpectSP() || !d.ExpectAtom(&s) || s != "NILX" || !d.ExpectCRLF() {
		t.Fatal(d.Err(), s)
	}
}

func TestEncoderNumbersListsAndNString(t *testing.T) {
	e, b := enc()
	x := "x"
	e.Number(7).SP().Number64(1<<63).SP().NString(nil).SP().NString(&x).SP().
		List(3, func(i int) { e.Number(uint32(i)) }).SP().RawBytes([]byte("raw")).CRLF()
	if err := e.Flush(); err != nil {
		t.Fatal(err)
	}
	if b.String() != "7 9223372036854775808 NIL \"x\" (0 1 2) raw\r\n" {
		t.Fatalf("%q", b.String())
	}
	if !IsAtom("FLAGS") || IsAtom("a b") || IsAtom("") || IsAString("x]") == false {
		t.Fatal("IsAtom/IsAString")
	}
}
