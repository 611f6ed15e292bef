package mime

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func FuzzReadHeader(f *testing.F) {
	for _, s := range []string{
		"From: a@b\r\nSubject: hi\r\n\r\nbody",
		"Subject: a\r\n b\r\n\tc\r\n\r\n",
		"From x Sat Jan  3 01:05:34 1996\nX: y\n\n",
		": bad\r\n oops\r\nA : b\r\r\nC: d\re\r\n\r\r\n",
		"Subject: caf\xe9\r\nnot a field\r\n",
		"X:\r\n \r\n y",
		"\r",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		br := bufio.NewReaderSize(bytes.NewReader(in), 16)
		h, _, err := ReadHeader(br, Limits{MaxHeaderBytes: 4096, MaxHeaderFields: 100})
		if err != nil {
			return
		}
		rest, _ := io.ReadAll(br)
		consumed := in[:len(in)-len(rest)]
		var raw []byte
		for _, fl := range h.Fields() {
			raw = append(raw, fl.Raw...)
			if fl.Key != "" && strings.ContainsAny(fl.Key, " \t:\r\n") {
				t.Fatalf("bad key %q", fl.Key)
			}
		}
		if !bytes.HasPrefix(consumed, raw) {
			t.Fatalf("raw %q is not a prefix of %q", raw, consumed)
		}
		switch string(consumed[len(raw):]) {
		case "", "\n", "\r\n", "\r\r\n", "\r":
		default:
			t.Fatalf("consumed %q beyond the fields %q", consumed[len(raw):], raw)
		}
		// Fields added by code are written folded and read back.
		var h2 Header
		for _, fl := range h.Fields() {
			if fl.Key != "" {
				h2.Add(fl.Key, fl.Value)
			}
		}
		var out bytes.Buffer
		if _, err := h2.WriteTo(&out); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(out.String(), "\r\n") {
			if len(line) > maxLineSize {
				t.Fatalf("line of %d octets", len(line))
			}
		}
		h3, _, err := ReadHeader(bufio.NewReader(&out), Limits{MaxHeaderBytes: 1 << 20})
		if err != nil {
			t.Fatal(err)
		}
		if h3.Len() != h2.Len() {
			t.Fatalf("wrote %d fields, read %d: %q", h2.Len(), h3.Len(), out.String())
		}
		noWS := func(s string) string {
			return strings.Map(func(r rune) rune {
				if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
					return -1
				}
				return r
			}, s)
		}
		for i, fl := range h3.Fields() {
			want := h2.Fields()[i]
			if noWS(fl.Value) != noWS(want.Value) {
				t.Fatalf("field %d: %q read back as %q", i, want.Value, fl.Value)
			}
		}
	})
}

func FuzzDecodeWords(f *testing.F) {
	for _, s := range []string{
		"=?ISO-8859-1?Q?Andr=E9?= Pirard",
		"=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
		"=?utf-8?B?ww==?= =?utf-8?B?qQ==?=", "=?x?q?a?=", "=?utf-7?q?+ZeVnLIqe-?=", "=?iso-2022-jp?b?GyRCRnxLXDhsGyhC?=",
		"café", "=?", "=?utf-8?q?=?=", "a  b é",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, _ := DecodeWords(s)
		if !strings.Contains(s, "=?") && out != s {
			t.Fatalf("text without words changed: %q → %q", s, out)
		}
		enc := EncodeWords(s)
		for i := 0; i < len(enc); i++ {
			if c := enc[i]; c >= 0x7f || c < ' ' && c != '\t' {
				if !needsEncoding(s) && enc == s {
					break
				}
				t.Fatalf("EncodeWords(%q) = %q is not printable ASCII", s, enc)
			}
		}
		back, ds := DecodeWords(enc)
		if back != s || len(ds) != 0 {
			t.Fatalf("EncodeWords(%q) = %q decodes to %q %v", s, enc, back, ds)
		}
	})
}

func FuzzParseMediaType(f *testing.F) {
	for _, s := range []string{
		"text/plain; charset=us-ascii (Plain text)",
		`multipart/mixed; boundary="a\"b"`,
		"application/x-stuff;\r\n title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n title*2=\"isn't it!\"",
		"attachment; filename*=utf-8''caf%C3%A9.txt; filename=x",
		`application/pdf; name="=?UTF-8?B?w6l0w6kucGRm?="`,
		"application/pdf; name=my file.pdf;;",
		"text/plain; n*1=b; n*0=a; n*5=z",
		"text/plain; charset=\"utf-8",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ParseParamsRaw(s)
		if d, ok, _ := ParseDisposition(s); ok {
			back, ok2, ds := ParseDisposition(FormatDisposition(d))
			if !ok2 || len(ds) != 0 || !cmp.Equal(d, back, cmpopts.EquateEmpty()) {
				t.Fatalf("disposition %q: %+v formats as %q, reads back %+v %v", s, d, FormatDisposition(d), back, ds)
			}
		}
		mt, ok, _ := ParseMediaType(s)
		if !ok {
			return
		}
		out := FormatMediaType(mt)
		back, ok, ds := ParseMediaType(out)
		if !ok || len(ds) != 0 {
			t.Fatalf("%q formats as %q, which reads back with %v %v", s, out, ok, ds)
		}
		if d := cmp.Diff(mt, back, cmpopts.EquateEmpty()); d != "" {
			t.Fatalf("%q formats as %q (-first +second):\n%s", s, out, d)
		}
	})
}

func FuzzParseAddressList(f *testing.F) {
	for _, s := range []string{
		`"Joe Q. Public" <john.q.public@example.com>, Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example`,
		"A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n joe@example.org;",
		`Pete(A nice \) chap) <pete(his account)@silly.test(his host)>`,
		"=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>",
		`"john doe"@example.org, a@[192.0.2.1], Jörg <jörg@bücher.example>`,
		"a@b, <<bad>>, postmaster, John <j@x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		as, _ := ParseAddressList(s)
		out := FormatAddressList(as)
		back, ds := ParseAddressList(out)
		if d := cmp.Diff(as, back, cmpopts.IgnoreFields(Address{}, "RawName"), cmpopts.EquateEmpty()); d != "" {
			t.Fatalf("%q formats as %q (-first +second):\n%s", s, out, d)
		}
		hostless := false
		var walk func([]Address)
		walk = func(as []Address) {
			for _, a := range as {
				if !a.Group && a.Host == "" {
					hostless = true
				}
				walk(a.Members)
			}
		}
		walk(as)
		if len(ds) != 0 && !hostless {
			t.Fatalf("%q formats as %q, which reads back with %v", s, out, ds)
		}
	})
}

func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"Fri, 21 Nov 1997 09:55:06 -0600", "21 Nov 97 09:55:06 GMT",
		"Thu,\r\n 13\r\n Feb\r\n 1969\r\n 23:32\r\n -0330 (Newfoundland Time)",
		"Fri Nov 21 09:55:06 CET 1997", "2026-11-22T01:54:07Z", "Fri, 21 Nov 1997 09:55:06 GMT+0200",
		"1 Jan 100 12:00 PDT", "Fri, 21 Nov 1997 9:55:06 PM -0600",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		strict, err := ParseDate(s)
		lenient, lerr := ParseDateLenient(s)
		if err == nil {
			if lerr != nil || !lenient.Equal(strict) {
				t.Fatalf("%q: strict %v, lenient %v %v", s, strict, lenient, lerr)
			}
		}
		if lerr != nil {
			return
		}
		out := FormatDate(lenient)
		back, err := ParseDate(out)
		_, o1 := lenient.Zone()
		_, o2 := back.Zone()
		if err != nil || !back.Equal(lenient) || o1 != o2 {
			t.Fatalf("%q: %v formats as %q, reads back as %v %v", s, lenient, out, back, err)
		}
		if !utf8.ValidString(out) {
			t.Fatalf("bad output %q", out)
		}
	})
}

func FuzzParseMessageIDList(f *testing.F) {
	for _, s := range []string{
		"<1234@local.machine.example> <3456@example.net>",
		"<1234   @   local(blah)  .machine .example>",
		`Your message of "Fri, 21 Nov" <a@x> (comment)`,
		"a@x, <b@y", "<>", "<nodomain>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ids, _ := ParseMessageIDList(s)
		for _, id := range ids {
			if id == "" || strings.ContainsAny(id, ">") {
				return // cannot be written back between brackets
			}
		}
		out := FormatMessageIDList(ids)
		back, _ := ParseMessageIDList(out)
		if !cmp.Equal(ids, back, cmpopts.EquateEmpty()) {
			t.Fatalf("%q: %q formats as %q, reads back %q", s, ids, out, back)
		}
	})
}

// FuzzUTF7 checks that the streaming UTF-7 decoder gives the same text
// whatever the read sizes, and always valid UTF-8.
func FuzzUTF7(f *testing.F) {
	for _, s := range []string{"A+ImIDkQ.", "Hi Mom -+Jjo--!", "+ZeVnLIqe-", "+-", "+2D3eAA-", "+2D0-", "+AAA", "caf\xe9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		whole, err := DecodeCharset("utf-7", []byte(s))
		if err != nil {
			t.Fatal(err)
		}
		if !utf8.ValidString(whole) {
			t.Fatalf("%q decodes to invalid UTF-8 %q", s, whole)
		}
		r, _ := CharsetReader("utf-7", iotest.OneByteReader(strings.NewReader(s)))
		b, err := io.ReadAll(r)
		if err != nil || string(b) != whole {
			t.Fatalf("%q: byte at a time %q, %v; whole %q", s, b, err, whole)
		}
	})
}
