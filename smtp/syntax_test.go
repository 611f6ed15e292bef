package smtp

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseReversePath(t *testing.T) {
	good := map[string]string{
		"<>":                              "",
		"<a@b.example>":                   "a@b.example",
		"<@r1.example,@r2.example:a@b.c>": "a@b.c",
		`<"john doe"@example.com>`:        `"john doe"@example.com`,
		`<"a\"b>"@example.com>`:           `"a\"b>"@example.com`,
		"<user@[192.0.2.1]>":              "user@[192.0.2.1]",
		"<user@[IPv6:2001:db8::1]>":       "user@[IPv6:2001:db8::1]",
		"<δοκιμή@παράδειγμα.δοκιμή>": "δοκιμή@παράδειγμα.δοκιμή",
		"<a.b-c+d@x-y.example>":      "a.b-c+d@x-y.example",
	}
	for in, want := range good {
		got, err := ParseReversePath(in)
		if err != nil || got != want {
			t.Errorf("ParseReversePath(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	bad := []string{
		"", "<", "a@b", "<a@b", "a@b>", "<a>", "<@b>", "<a@>", "<a@b.>",
		"<a..b@c>", "<.a@c>", "<a.@c>", "<a@-b.c>", "<a@b-.c>", "<a@b..c>",
		"<a\r\n@b>", "<a@b\r\nRCPT TO:<c@d>>", "<a b@c>", "<a@b c>",
		"<\"a\nb\"@c>", "<@r1:>", "<@:a@b>", "<a@[1.2.3.4>", "<a@b\x00>",
		"<\xff@b>", "<a@\xc0\x80>",
	}
	for _, in := range bad {
		if got, err := ParseReversePath(in); !errors.Is(err, ErrBadPath) {
			t.Errorf("ParseReversePath(%q) = %q, %v; want ErrBadPath", in, got, err)
		}
	}
}

func TestParseForwardPathPostmaster(t *testing.T) {
	for _, in := range []string{"<Postmaster>", "<postmaster>", "<POSTMASTER>"} {
		got, err := ParseForwardPath(in)
		if err != nil || got != "Postmaster" {
			t.Errorf("ParseForwardPath(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseForwardPath("<>"); err == nil {
		t.Error("ParseForwardPath(<>) accepted the null path")
	}
	if got, err := ParseForwardPath("<Postmaster@example.com>"); err != nil || got != "Postmaster@example.com" {
		t.Errorf("got %q, %v", got, err)
	}
}

func TestValidAddressUTF8OnlyWhenAsked(t *testing.T) {
	if ValidAddress("δοκιμή@example.com", false) {
		t.Error("UTF-8 local part accepted without SMTPUTF8")
	}
	if !ValidAddress("δοκιμή@example.com", true) {
		t.Error("UTF-8 local part refused with SMTPUTF8")
	}
	if ValidAddress("a@παράδειγμα", false) || !ValidAddress("a@παράδειγμα", true) {
		t.Error("U-label domain handling wrong")
	}
	if ValidAddress("", true) {
		t.Error("empty address accepted")
	}
	for _, s := range []string{"a@b\r", "a\n@b", "a@b\x7f", "a\t@b"} {
		if ValidAddress(s, true) {
			t.Errorf("ValidAddress(%q) = true", s)
		}
	}
}

func TestCutPath(t *testing.T) {
	tests := []struct{ in, path, rest string }{
		{"<a@b> SIZE=10", "<a@b>", " SIZE=10"},
		{`<"x>y"@b> BODY=8BITMIME`, `<"x>y"@b>`, " BODY=8BITMIME"},
		{`<"x\">"@b>`, `<"x\">"@b>`, ""},
		{"<>", "<>", ""},
	}
	for _, tt := range tests {
		p, r, ok := cutPath(tt.in)
		if !ok || p != tt.path || r != tt.rest {
			t.Errorf("cutPath(%q) = %q, %q, %v", tt.in, p, r, ok)
		}
	}
	for _, in := range []string{"", "a@b", "<a@b", `<"a>@b`} {
		if _, _, ok := cutPath(in); ok {
			t.Errorf("cutPath(%q) ok", in)
		}
	}
}

func TestParseParams(t *testing.T) {
	got, err := parseParams("SIZE=1000 body=8BITMIME  SMTPUTF8 ENVID=QQ+2B1")
	if err != nil {
		t.Fatal(err)
	}
	want := []Param{{"SIZE", "1000"}, {"BODY", "8BITMIME"}, {"SMTPUTF8", ""}, {"ENVID", "QQ+2B1"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
	if p, err := parseParams(""); err != nil || p != nil {
		t.Errorf("empty: %v %v", p, err)
	}
	for _, in := range []string{"=1", "-A=1", "A=", "A=b=c", "A=\x01", "A\r\nB", "A_B=1", "A=\x7f", "A=\xff"} {
		if _, err := parseParams(in); !errors.Is(err, ErrBadParam) {
			t.Errorf("parseParams(%q) err = %v", in, err)
		}
	}
}

func TestXtextRoundTrip(t *testing.T) {
	// RFC 3461 §4 and its examples in §5.4.
	tests := []struct{ plain, enc string }{
		{"rfc822;a@b.c", "rfc822;a@b.c"},
		{"a+b=c", "a+2Bb+3Dc"},
		{"a b\r\n", "a+20b+0D+0A"},
		{"Ξ", "+CE+9E"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := xtextEncode(tt.plain); got != tt.enc {
			t.Errorf("xtextEncode(%q) = %q, want %q", tt.plain, got, tt.enc)
		}
		if got, err := xtextDecode(tt.enc); err != nil || got != tt.plain {
			t.Errorf("xtextDecode(%q) = %q, %v", tt.enc, got, err)
		}
	}
	for _, in := range []string{"+", "+2", "+2b", "+G0", "a=b", "a b", "\x80", "ab+"} {
		if _, err := xtextDecode(in); !errors.Is(err, ErrBadXtext) {
			t.Errorf("xtextDecode(%q) err = %v", in, err)
		}
	}
}

func FuzzXtext(f *testing.F) {
	for _, s := range []string{"", "a+2Bb", "+", "rfc822;x@y", "+ZZ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if dec, err := xtextDecode(s); err == nil {
			if xtextEncode(dec) != s {
				// Decoding is unique, but a literal char may have been
				// written hex-encoded; re-decoding must agree.
				if again, err := xtextDecode(xtextEncode(dec)); err != nil || again != dec {
					t.Fatalf("round trip of %q: %q %v", s, again, err)
				}
			}
		}
		enc := xtextEncode(s)
		if dec, err := xtextDecode(enc); err != nil || dec != s {
			t.Fatalf("xtextDecode(xtextEncode(%q)) = %q, %v", s, dec, err)
		}
	})
}

func FuzzParsePath(f *testing.F) {
	for _, s := range []string{"<>", "<a@b>", "<@x,@y:a@b>", `<"q"@b>`, "<Postmaster>", "<a@[1.2.3.4]>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		addr, err := ParseForwardPath(s)
		if err != nil {
			return
		}
		for i := 0; i < len(addr); i++ {
			if addr[i] < 32 || addr[i] == 127 {
				t.Fatalf("control byte in accepted address %q", addr)
			}
		}
		if addr != "Postmaster" {
			again, err := ParseForwardPath("<" + addr + ">")
			if err != nil || again != addr {
				t.Fatalf("reparse of %q: %q, %v", addr, again, err)
			}
		}
	})
}

func TestValidHelloDomain(t *testing.T) {
	for _, s := range []string{"mail.example.com", "[192.0.2.1]", "[IPv6:2001:db8::1]", "localhost", "παράδειγμα.example"} {
		if !validHelloDomain(s) {
			t.Errorf("validHelloDomain(%q) = false", s)
		}
	}
	for _, s := range []string{"", "a..b", "-a.b", "a_b.example", "[1.2.3.4", "a b", "a\r\n"} {
		if validHelloDomain(s) {
			t.Errorf("validHelloDomain(%q) = true", s)
		}
	}
}
