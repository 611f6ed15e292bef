package smtp

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// Tests of ORCPT with the "utf-8" address type (RFC 6533 §3), on both
// sides.

func TestUTF8AddrEncode(t *testing.T) {
	tests := []struct{ addr, xtext, unitext string }{
		{"user@example.com", "user@example.com", "user@example.com"},
		{"a+b=c@x.example", `a\x{2B}b\x{3D}c@x.example`, `a\x{2B}b\x{3D}c@x.example`},
		{`"a b\\c"@x.example`, `"a\x{20}b\x{5C}\x{5C}c"@x.example`, `"a\x{20}b\x{5C}\x{5C}c"@x.example`},
		{"é@x.example", `\x{E9}@x.example`, "é@x.example"},
		{"用户@例子.广告", `\x{7528}\x{6237}@\x{4F8B}\x{5B50}.\x{5E7F}\x{544A}`, "用户@例子.广告"},
		{"\U0001F600\U0010FFFD@x", `\x{1F600}\x{10FFFD}@x`, "\U0001F600\U0010FFFD@x"},
		{"\u0100\u1000\uE000@x", `\x{100}\x{1000}\x{E000}@x`, "\u0100\u1000\uE000@x"},
	}
	for _, tt := range tests {
		if got := utf8AddrEncode(tt.addr, false); got != tt.xtext {
			t.Errorf("xtext of %q = %q, want %q", tt.addr, got, tt.xtext)
		}
		if got := utf8AddrEncode(tt.addr, true); got != tt.unitext {
			t.Errorf("unitext of %q = %q, want %q", tt.addr, got, tt.unitext)
		}
		for _, enc := range []string{tt.xtext, tt.unitext} {
			if dec, err := utf8AddrDecode(enc, true); err != nil || dec != tt.addr {
				t.Errorf("decode %q = %q, %v; want %q", enc, dec, err, tt.addr)
			}
		}
		if dec, err := utf8AddrDecode(tt.xtext, false); err != nil || dec != tt.addr {
			t.Errorf("decode xtext %q = %q, %v", tt.xtext, dec, err)
		}
	}
}

func TestUTF8AddrDecodeRefuses(t *testing.T) {
	for _, in := range []string{
		"",
		`\x{41}`,       // a QCHAR may not be escaped
		`\x{0A}`,       // not a HEXPOINT
		`\x{00}`,       // nor is NUL
		`\x{00E9}`,     // leading zero
		`\x{0100}`,     // leading zero
		`\x{D800}`,     // surrogate
		`\x{DFFF}`,     // surrogate
		`\x{110000}`,   // beyond Unicode
		`\x{1000000}`,  // seven digits
		`\x{}`,         // empty
		`\x{E}`,        // one digit
		`\X{E9}`,       // "\x" is case-sensitive
		`\x{E9`,        // unterminated
		`\x(E9)`,       // wrong brackets
		`\xE9`,         // no brackets
		`\`,            // alone
		`\x{G0}`,       // not hex
		`\x{+E9}`,      // sign
		"a+2Bb",        // xtext's "+" is not part of this grammar
		"a=b",          // "="
		"a b",          // space
		"a\x01b",       // control
		"a\x7fb",       // DEL
		"\xff",         // not UTF-8
		"\xc3",         // cut UTF-8
		"\xed\xa0\x80", // UTF-8 of a surrogate
	} {
		if dec, err := utf8AddrDecode(in, true); !errors.Is(err, ErrBadXtext) {
			t.Errorf("utf8AddrDecode(%q, unitext) = %q, %v; want ErrBadXtext", in, dec, err)
		}
	}
	// Lower-case hex digits are HEXDIG too (RFC 5234 §2.3).
	if dec, err := utf8AddrDecode(`\x{e9}\x{2b}`, false); err != nil || dec != "é+" {
		t.Errorf("lower-case HEXPOINT: %q, %v", dec, err)
	}
	// Raw UTF-8 is utf-8-addr-unitext, refused where only xtext may come.
	if _, err := utf8AddrDecode("é@x", false); !errors.Is(err, ErrBadXtext) {
		t.Errorf("unitext accepted without SMTPUTF8: %v", err)
	}
}

// FuzzUTF8Addr checks the RFC 6533 decoder: it never panics, what it
// accepts is valid UTF-8, and re-encoding what it returned (in either
// form) decodes to the same address; and encoding any valid UTF-8 string
// decodes back to it.
func FuzzUTF8Addr(f *testing.F) {
	for _, s := range []string{
		"user@example.com", `a\x{2B}b\x{3D}c@x`, `"a\x{20}b"@x`, `\x{7528}\x{6237}@\x{4F8B}`,
		"用户@例子.广告", `\x{1F600}`, `\x{10FFFF}`, `\x{D7FF}\x{E000}`, `\x{00E9}`, `\x{D800}`,
		`\x{41}`, `\x{`, `\x{12345678}`, "a+2B", "\xff", `\x{e9}`,
	} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, unitext bool) {
		dec, err := utf8AddrDecode(s, unitext)
		if err == nil {
			if !utf8.ValidString(dec) {
				t.Fatalf("decode %q: invalid UTF-8 %q", s, dec)
			}
			if !unitext && !isASCII(s) {
				t.Fatalf("xtext form %q accepted non-ASCII", s)
			}
			for _, u := range []bool{false, true} {
				enc := utf8AddrEncode(dec, u)
				if !u && !isASCII(enc) {
					t.Fatalf("xtext encoding of %q is not ASCII: %q", dec, enc)
				}
				again, err := utf8AddrDecode(enc, u)
				if err != nil || again != dec {
					t.Fatalf("decode %q = %q; encoded %q (unitext %v) decodes to %q, %v", s, dec, enc, u, again, err)
				}
			}
		}
		// Every Mailbox character (no control below U+0020 but those
		// HEXPOINT has, no surrogates) survives a round trip.
		if utf8.ValidString(s) && s != "" && !strings.ContainsAny(s, "\x00\n\r\t\x0b\x0c\x0e\x0f\x1a\x1b\x1c\x1d\x1e\x1f") {
			for _, u := range []bool{false, true} {
				enc := utf8AddrEncode(s, u)
				if again, err := utf8AddrDecode(enc, u); err != nil || again != s {
					t.Fatalf("encode %q (unitext %v) = %q, decodes to %q, %v", s, u, enc, again, err)
				}
			}
		}
	})
}

func TestServerORCPTUTF8(t *testing.T) {
	b := &testBackend{}
	srv := newTestServer(b)
	// As TestServerScripts, which plays the script too, sets it up.
	srv.EnableSMTPUTF8, srv.EnableDSN = true, true
	srv.EnableDELIVERBY, srv.EnableMTPRIORITY, srv.EnableRRVS = true, true, true
	srv.Limits.MaxRecipients = 3
	srv.Limits.MaxBadCommands = 50
	runScript(t, srv, "orcpt_utf8.txt")
	msgs := b.messages()
	if len(msgs) != 2 {
		t.Fatalf("%d messages", len(msgs))
	}
	type orcpt struct{ Type, Addr string }
	var got [][]orcpt
	for _, m := range msgs {
		var o []orcpt
		for _, r := range m.RcptOpts {
			o = append(o, orcpt{r.OriginalRecipientType, r.OriginalRecipient})
		}
		got = append(got, o)
	}
	want := [][]orcpt{
		{{"utf-8", "用户+tag@例子.广告"}, {"UTF-8", "用户@例子.example"}, {"utf-8", `"a b\\"@x.example`}},
		{{"utf-8", "用\U0001F600@x.example"}, {"rfc822", "a+b@x.example"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ORCPT (-want +got):\n%s", d)
	}
}

func TestClientORCPTUTF8(t *testing.T) {
	err := clientScript(t, "orcpt_utf8", &ClientOptions{LocalName: "client.example"}, func(ctx context.Context, c *Client) error {
		if err := c.Mail(ctx, "sender@example.org", &MailOptions{UTF8: true}); err != nil {
			return err
		}
		// An empty type is "utf-8" for a non-ASCII address.
		if err := c.Rcpt(ctx, "rcpt@example.net", &RcptOptions{OriginalRecipient: "用户+tag=1@例子.广告"}); err != nil {
			return err
		}
		if err := c.Rcpt(ctx, "two@example.net", &RcptOptions{OriginalRecipient: "a+b=c@example.net"}); err != nil {
			return err
		}
		if err := c.Reset(ctx); err != nil {
			return err
		}
		if err := c.Mail(ctx, "sender@example.org", nil); err != nil {
			return err
		}
		if err := c.Rcpt(ctx, "rcpt@example.net", &RcptOptions{OriginalRecipientType: DSNAddressTypeUTF8, OriginalRecipient: "用户+tag=1@例子.广告"}); err != nil {
			return err
		}
		if err := c.Rcpt(ctx, "three@example.net", &RcptOptions{OriginalRecipientType: "UTF-8", OriginalRecipient: `"a b"@été.example`}); err != nil {
			return err
		}
		// Not a Mailbox: refused before anything is written.
		for _, bad := range []string{"not an address", "a\r\n@x.example", "用户"} {
			err := c.Rcpt(ctx, "four@example.net", &RcptOptions{OriginalRecipientType: DSNAddressTypeUTF8, OriginalRecipient: bad})
			if !errors.Is(err, ErrForbiddenInput) {
				t.Errorf("ORCPT utf-8 %q: %v, want ErrForbiddenInput", bad, err)
			}
		}
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientServerORCPTUTF8(t *testing.T) {
	addrs := []string{"用户+tag=1@例子.广告", `"a b\\c"@été.example`, "plain+x=y@example.net"}
	for _, smtputf8 := range []bool{true, false} {
		be := &e2eBackend{}
		srv := &Server{Backend: be, EnableSMTPUTF8: true, EnableDSN: true}
		c := e2e(t, srv, nil)
		ctx := context.Background()
		if err := c.Mail(ctx, "a@example.org", &MailOptions{UTF8: smtputf8}); err != nil {
			t.Fatal(err)
		}
		for i, a := range addrs {
			typ := DSNAddressTypeUTF8
			if i == 2 {
				typ = "" // rfc822, xtext
			}
			if err := c.Rcpt(ctx, "r@example.net", &RcptOptions{OriginalRecipientType: typ, OriginalRecipient: a}); err != nil {
				t.Fatalf("SMTPUTF8 %v, ORCPT %q: %v", smtputf8, a, err)
			}
		}
		w, err := c.Data(ctx)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("x\r\n"))
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		msgs := be.messages()
		if len(msgs) != 1 || len(msgs[0].Rcpt) != len(addrs) {
			t.Fatalf("messages %+v", msgs)
		}
		for i, r := range msgs[0].Rcpt {
			wantType := DSNAddressTypeUTF8
			if i == 2 {
				wantType = DSNAddressTypeRFC822
			}
			if r.OriginalRecipient != addrs[i] || r.OriginalRecipientType != wantType {
				t.Errorf("SMTPUTF8 %v: ORCPT %q;%q, want %q;%q", smtputf8, r.OriginalRecipientType, r.OriginalRecipient, wantType, addrs[i])
			}
		}
		c.Quit(ctx)
	}
}
