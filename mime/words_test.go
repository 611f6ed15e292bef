package mime

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

func TestDecodeWordsRFC2047Examples(t *testing.T) {
	// RFC 2047 §8.
	tests := []struct{ in, want string }{
		{"=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>", "Keith Moore <moore@cs.utk.edu>"},
		{"=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>", "Keld Jørn Simonsen <keld@dkuug.dk>"},
		{"=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>", "André Pirard <PIRARD@vm1.ulg.ac.be>"},
		{"=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=", "If you can read this you understand the example."},
		{"Nathaniel Borenstein <nsb@thumper.bellcore.com>\r\n    (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)", "Nathaniel Borenstein <nsb@thumper.bellcore.com>\r\n    (םולש ןב ילטפנ)"},
		{"(=?ISO-8859-1?Q?a?=)", "(a)"},
		{"(=?ISO-8859-1?Q?a?= b)", "(a b)"},
		{"(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)"},
		{"(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)"},
		{"(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)"},
		{"(=?ISO-8859-1?Q?a_b?=)", "(a b)"},
		{"(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)"},
	}
	for _, tt := range tests {
		got, ds := DecodeWords(tt.in)
		if got != tt.want || len(ds) != 0 {
			t.Errorf("DecodeWords(%q) = %q, %v; want %q", tt.in, got, ds, tt.want)
		}
	}
}

func TestDecodeWordsTolerance(t *testing.T) {
	tests := []struct {
		name, in, want string
		defects        []DefectKind
	}{
		{"plain text untouched", "hello world", "hello world", nil},
		{"utf-8 untouched", "café =? not a word", "café =? not a word", nil},
		{"character split across words", "=?utf-8?B?ww==?= =?utf-8?B?qQ==?=", "é", nil},
		{"word glued to text", "foo=?utf-8?q?bar?=baz", "foobarbaz", nil},
		{"lowercase encoding", "=?utf-8?b?w6k=?=", "é", nil},
		{"missing padding", "=?utf-8?B?w6k?=", "é", nil},
		{"RFC 2231 language suffix", "=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore", nil},
		{"unknown charset kept raw", "a =?x-nope?q?hi?= b", "a =?x-nope?q?hi?= b", []DefectKind{DefectUnknownCharset}},
		{"bad base64 kept raw", "=?utf-8?b?!!!?= x", "=?utf-8?b?!!!?= x", []DefectKind{DefectInvalidEncodedWord}},
		{"bad Q escape kept literal", "=?utf-8?q?a=ZZb?=", "a=ZZb", []DefectKind{DefectInvalidEncodedWord}},
		{"not a word: no end", "=?utf-8?q?abc", "=?utf-8?q?abc", nil},
		{"not a word: bad encoding", "=?utf-8?x?abc?=", "=?utf-8?x?abc?=", nil},
		{"space between word and text kept", "=?utf-8?q?a?= b =?utf-8?q?c?=", "a b c", nil},
		{"spaces inside Q text", "=?utf-8?q?a b?=", "a b", nil},
		{"latin1 alias", "=?latin1?q?caf=E9?=", "café", nil},
		{"cp1252 euro", "=?windows-1252?q?=80?=", "€", nil},
		{"iso-2022-jp", "=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=", "日本語", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ds := DecodeWords(tt.in)
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if d := cmp.Diff(tt.defects, defectKinds(ds)); d != "" {
				t.Errorf("defects (-want +got):\n%s", d)
			}
		})
	}
}

func TestEncodeWordsRoundTrips(t *testing.T) {
	tests := []string{
		"", "plain ascii", "café", "Re: café au lait", "日本語のテキスト",
		strings.Repeat("é", 100), strings.Repeat("long ascii ", 20) + "ü",
		"=?utf-8?q?looks_like_a_word?=", "a  b  é  c", " lead and trail é ",
		"ctl\x01char", "bad utf-8 \xff\xfe", "tab\tsé",
	}
	for _, s := range tests {
		enc := EncodeWords(s)
		got, ds := DecodeWords(enc)
		if got != s || len(ds) != 0 {
			t.Errorf("EncodeWords(%q) = %q decodes to %q %v", s, enc, got, ds)
		}
		for _, w := range strings.Fields(enc) {
			if strings.HasPrefix(w, "=?") && len(w) > 75 {
				t.Errorf("encoded word of %d characters: %q", len(w), w)
			}
		}
		for i := 0; i < len(enc); i++ {
			if enc[i] >= 0x7f || enc[i] < ' ' && enc[i] != '\t' {
				t.Errorf("EncodeWords(%q) is not printable ASCII: %q", s, enc)
				break
			}
		}
	}
	if got := EncodeWords("Hello, world"); got != "Hello, world" {
		t.Errorf("ASCII was encoded: %q", got)
	}
	if got := EncodeWords("Re: café"); got != "Re: =?utf-8?q?caf=C3=A9?=" {
		t.Errorf("got %q", got)
	}
}

func TestDecodeCharsetKnowsTheIssueList(t *testing.T) {
	tests := []struct{ charset, hexIn, want string }{
		{"koi8-r", "f0d2c9d7c5d4", "Привет"},
		{"gb2312", "d6d0cec4", "中文"},
		{"GBK", "d6d0cec4", "中文"},
		{"gb18030", "d6d0cec495328236", "中文𠀀"},
		{"big5", "a4a4a4e5", "中文"},
		{"Shift_JIS", "93fa967b8cea", "日本語"},
		{"euc-jp", "c6fccbdcb8ec", "日本語"},
		{"iso-2022-jp", "1b2442467c4b5c386c1b2842", "日本語"},
		{"euc-kr", "c7d1b1b9beee", "한국어"},
		{"windows-1252", "8075726f", "€uro"},
		{"cp1252", "8075726f", "€uro"},
		{"iso-8859-2", "b1ea", "ąę"},
		{"ISO_8859-1", "e9", "é"},
		{"latin1", "e9", "é"},
		{"\"utf-8\"", "c3a9", "é"},
		{"us-ascii", "41", "A"},
	}
	for _, tt := range tests {
		in, _ := hex.DecodeString(tt.hexIn)
		got, err := DecodeCharset(tt.charset, in)
		if err != nil || got != tt.want {
			t.Errorf("DecodeCharset(%q) = %q, %v; want %q", tt.charset, got, err, tt.want)
		}
		r, err := CharsetReader(tt.charset, iotest.OneByteReader(strings.NewReader(string(in))))
		if err != nil {
			t.Errorf("CharsetReader(%q): %v", tt.charset, err)
			continue
		}
		b, err := io.ReadAll(r)
		if err != nil || string(b) != tt.want {
			t.Errorf("CharsetReader(%q) read %q, %v", tt.charset, b, err)
		}
	}
}

func TestCharsetUnknownGivesRawBytes(t *testing.T) {
	got, err := DecodeCharset("x-martian", []byte("abc\xff"))
	if !errors.Is(err, ErrUnknownCharset) || got != "abc\xff" {
		t.Errorf("got %q, %v", got, err)
	}
	src := strings.NewReader("x")
	r, err := CharsetReader("x-martian", src)
	if !errors.Is(err, ErrUnknownCharset) || r != io.Reader(src) {
		t.Errorf("CharsetReader of an unknown charset: %v", err)
	}
	if KnownCharset("x-martian") || !KnownCharset("KOI8-R") {
		t.Error("KnownCharset is wrong")
	}
}

func TestCharsetReaderUTF8PassesThrough(t *testing.T) {
	src := strings.NewReader("é")
	r, err := CharsetReader("UTF-8", src)
	if err != nil || r != io.Reader(src) {
		t.Errorf("utf-8 reader was wrapped: %T %v", r, err)
	}
}

func TestUTF7DecodesRFC2152Examples(t *testing.T) {
	tests := []struct{ in, want string }{
		{"A+ImIDkQ.", "A\u2262\u0391."},
		{"Hi Mom -+Jjo--!", "Hi Mom -\u263a-!"},
		{"+ZeVnLIqe-", "日本語"},
		{"1 +- 1 = 2", "1 + 1 = 2"},
		{"+2D3eAA-", "\U0001F600"}, // a surrogate pair
		{"+2D0-", "\uFFFD"},        // a lone high surrogate
		{"caf\xe9", "caf\uFFFD"},
	}
	for _, tt := range tests {
		got, err := DecodeCharset("UTF-7", []byte(tt.in))
		if err != nil || got != tt.want {
			t.Errorf("utf-7 %q = %q, %v; want %q", tt.in, got, err, tt.want)
		}
		r, _ := CharsetReader("utf-7", iotest.OneByteReader(strings.NewReader(tt.in)))
		b, err := io.ReadAll(r)
		if err != nil || string(b) != tt.want {
			t.Errorf("utf-7 reader %q = %q, %v", tt.in, b, err)
		}
	}
}

// readFieldCorpus reads a testdata/fields file: tab-separated columns,
// each but the first bare word Go-quoted; "#" starts a comment line.
func readFieldCorpus(t *testing.T, name string) [][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "fields", name))
	if err != nil {
		t.Fatal(err)
	}
	var rows [][]string
	for n, line := range strings.Split(string(data), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		var row []string
		for _, col := range strings.Split(line, "\t") {
			if strings.HasPrefix(col, `"`) {
				u, err := strconv.Unquote(col)
				if err != nil {
					t.Fatalf("%s:%d: %v", name, n+1, err)
				}
				col = u
			}
			row = append(row, col)
		}
		rows = append(rows, row)
	}
	return rows
}

func TestDecodeWordsCorpus(t *testing.T) {
	for _, row := range readFieldCorpus(t, "words.txt") {
		want, in := row[0], row[1]
		wantDefect := strings.HasPrefix(want, "!")
		want = strings.TrimPrefix(want, "!")
		got, ds := DecodeWords(in)
		if got != want || wantDefect != (len(ds) > 0) {
			t.Errorf("DecodeWords(%q) = %q, %v; want %q (defect %v)", in, got, ds, want, wantDefect)
		}
	}
}

func TestDecodeCharsetReadsLatin1AsWindows1252(t *testing.T) {
	// Mailers label cp1252 text (smart quotes, euro) as iso-8859-1.
	got, err := DecodeCharset("iso-8859-1", []byte("\x93hi\x94 \x80"))
	if err != nil || got != "\u201chi\u201d €" {
		t.Errorf("got %q, %v", got, err)
	}
	for _, cs := range []string{"IBM437", "cp850", "koi8-u", "iso-8859-15", "windows-1251", "utf-16be"} {
		if !KnownCharset(cs) {
			t.Errorf("%s is unknown", cs)
		}
	}
}

// A word too long for a header line (RFC 5322 §2.1.1: 998 characters) is
// encoded, so that the header writer can fold it between encoded words
// instead of breaking it with a space that would change the value.
func TestEncodeWordsLongWord(t *testing.T) {
	long := strings.Repeat(";", 1500)
	for _, s := range []string{long, "Re: " + long + " end", strings.Repeat("x", maxPlainWord)} {
		enc := EncodeWords(s)
		if len(s) > maxPlainWord+10 && !strings.HasPrefix(strings.TrimPrefix(enc, "Re: "), "=?utf-8?") {
			t.Errorf("a %d-byte word was not encoded: %.40q", len(s), enc)
		}
		if back, ds := DecodeWords(enc); back != s || len(ds) != 0 {
			t.Errorf("round trip of a %d-byte value changed it (%v)", len(s), ds)
		}
		var h Header
		h.Add("Subject", enc)
		var buf bytes.Buffer
		if _, err := h.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(buf.String(), "\r\n") {
			if len(line) > 998 {
				t.Errorf("header line of %d characters", len(line))
			}
		}
		got, _, err := ReadHeader(bufio.NewReader(&buf), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if text, _ := got.Text("Subject"); text != s {
			t.Errorf("a %d-byte subject read back as %d bytes", len(s), len(text))
		}
	}
	if enc := EncodeWords(strings.Repeat("x", maxPlainWord)); enc != strings.Repeat("x", maxPlainWord) {
		t.Error("a word within the limit was encoded")
	}
}
