package mime

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func mbox(name, local, host string) Address {
	return Address{Name: name, RawName: name, Mailbox: local, Host: host}
}

func group(name string, members ...Address) Address {
	return Address{Name: name, RawName: name, Group: true, Members: members}
}

func TestParseAddressListRFC5322Examples(t *testing.T) {
	// RFC 5322 Appendix A.
	tests := []struct {
		in   string
		want []Address
	}{
		{"John Doe <jdoe@machine.example>", []Address{mbox("John Doe", "jdoe", "machine.example")}},
		{`"Joe Q. Public" <john.q.public@example.com>`, []Address{mbox("Joe Q. Public", "john.q.public", "example.com")}},
		{"Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>", []Address{
			mbox("Mary Smith", "mary", "x.test"), mbox("", "jdoe", "example.org"), mbox("Who?", "one", "y.test")}},
		{`<boss@nil.test>, "Giant; \"Big\" Box" <sysservices@example.net>`, []Address{
			mbox("", "boss", "nil.test"), mbox(`Giant; "Big" Box`, "sysservices", "example.net")}},
		{"A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;", []Address{
			group("A Group", mbox("Ed Jones", "c", "a.test"), mbox("", "joe", "where.test"), mbox("John", "jdoe", "one.test"))}},
		{"Undisclosed recipients:;", []Address{group("Undisclosed recipients")}},
		{`"Mary Smith: Personal Account" <smith@home.example>`, []Address{mbox("Mary Smith: Personal Account", "smith", "home.example")}},
		// A.5: white space, comments.
		{`Pete(A nice \) chap) <pete(his account)@silly.test(his host)>`, []Address{mbox("Pete", "pete", "silly.test")}},
		{"A Group(Some people)\r\n     :Chris Jones <c@(Chris's host.)public.example>,\r\n         joe@example.org,\r\n  John <jdoe@one.test> (my dear friend); (the end of the group)",
			[]Address{group("A Group", mbox("Chris Jones", "c", "public.example"), mbox("", "joe", "example.org"), mbox("John", "jdoe", "one.test"))}},
		{"(Empty list)(start)Hidden recipients  :(nobody(that I know))  ;", []Address{group("Hidden recipients")}},
		// A.6.1: obsolete addressing.
		{"Joe Q. Public <john.q.public@example.com>", []Address{mbox("Joe Q. Public", "john.q.public", "example.com")}},
		{"Mary Smith <@node.test:mary@example.net>, , jdoe@test  . example", []Address{
			{Name: "Mary Smith", RawName: "Mary Smith", Route: []string{"node.test"}, Mailbox: "mary", Host: "example.net"},
			mbox("", "jdoe", "test.example")}},
		// A.6.3.
		{"John Doe <jdoe@machine(comment).  example>", []Address{mbox("John Doe", "jdoe", "machine.example")}},
		{"Mary Smith\r\n  \r\n          <mary@example.net>", []Address{mbox("Mary Smith", "mary", "example.net")}},
	}
	for _, tt := range tests {
		got, ds := ParseAddressList(tt.in)
		if len(ds) != 0 {
			t.Errorf("%q: defects %v", tt.in, ds)
		}
		if d := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("%q (-want +got):\n%s", tt.in, d)
		}
	}
}

func TestParseAddressListRealWorld(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Address
		defects int
	}{
		{"encoded display name", "=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>",
			[]Address{{Name: "Keld Jørn Simonsen", RawName: "=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=", Mailbox: "keld", Host: "dkuug.dk"}}, 0},
		{"encoded word in quotes", `"=?utf-8?q?Andr=C3=A9?=" <a@b.example>`,
			[]Address{{Name: "André", RawName: "=?utf-8?q?Andr=C3=A9?=", Mailbox: "a", Host: "b.example"}}, 0},
		{"name in a comment", "jdoe@example.org (John Doe)", []Address{mbox("John Doe", "jdoe", "example.org")}, 0},
		{"quoted local part", `"john doe"@example.org`, []Address{mbox("", "john doe", "example.org")}, 0},
		{"UTF-8 (RFC 6532)", "Jörg <jörg@bücher.example>", []Address{mbox("Jörg", "jörg", "bücher.example")}, 0},
		{"domain literal", "a@[192.0.2.1]", []Address{mbox("", "a", "[192.0.2.1]")}, 0},
		{"bad entry skipped", "a@b.example, <<bad>>, c@d.example", []Address{mbox("", "a", "b.example"), mbox("", "c", "d.example")}, 1},
		{"no domain", "postmaster", []Address{mbox("", "postmaster", "")}, 1},
		{"missing >", "John <j@x.example", []Address{mbox("John", "j", "x.example")}, 1},
		{"group without ;", "G: a@b.example", []Address{group("G", mbox("", "a", "b.example"))}, 1},
		{"double dot", "a..b@docomo.example", []Address{mbox("", "a..b", "docomo.example")}, 1},
		{"empty", "", nil, 0},
		{"only commas", " , ,", nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ds := ParseAddressList(tt.in)
			if len(ds) != tt.defects {
				t.Errorf("defects = %v, want %d", ds, tt.defects)
			}
			for _, d := range ds {
				if d.Kind != DefectInvalidAddress {
					t.Errorf("defect kind %v", d.Kind)
				}
			}
			if d := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestFormatAddressListReadsBackExactly(t *testing.T) {
	lists := [][]Address{
		{mbox("John Doe", "jdoe", "machine.example")},
		{mbox("Joe Q. Public", "john.q.public", "example.com"), mbox("", "a", "b.example")},
		{mbox(`Giant; "Big" Box`, "sysservices", "example.net")},
		{mbox("André Pirard", "pirard", "vm1.ulg.ac.be")},
		{mbox("=?utf-8?q?not_encoded?=", "x", "y.example")},
		{mbox(" leading space", "x", "y.example")},
		{mbox("日本語の名前がとても長い場合でも正しく符号化されて読み戻される必要がある", "x", "y.example")},
		{mbox("", "john doe", "example.org"), mbox("", `q"uote\`, "example.org"), mbox("", ".dot", "example.org")},
		{{Name: "R", Route: []string{"a.example", "b.example"}, Mailbox: "r", Host: "c.example"}},
		{group("A Group", mbox("Ed Jones", "c", "a.test"), mbox("", "joe", "where.test")), group("Empty")},
		{mbox("", "jörg", "bücher.example")},
		{mbox("", "a", "[192.0.2.1]")},
	}
	ignoreRaw := cmpopts.IgnoreFields(Address{}, "RawName")
	for _, as := range lists {
		s := FormatAddressList(as)
		got, ds := ParseAddressList(s)
		if len(ds) != 0 {
			t.Errorf("%q: defects %v", s, ds)
		}
		if d := cmp.Diff(as, got, ignoreRaw, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("%q (-want +got):\n%s", s, d)
		}
	}
	if got := FormatAddress(mbox("André", "a", "b.example")); got != "=?utf-8?q?Andr=C3=A9?= <a@b.example>" {
		t.Errorf("FormatAddress = %q", got)
	}
	if got := FormatAddress(mbox("Joe Q. Public", "j", "b.example")); got != `"Joe Q. Public" <j@b.example>` {
		t.Errorf("FormatAddress = %q", got)
	}
}

func TestParseAddressStrict(t *testing.T) {
	a, err := ParseAddress("Mary Smith <mary@example.net>")
	if err != nil || a.Addr() != "mary@example.net" || a.Name != "Mary Smith" {
		t.Errorf("got %+v, %v", a, err)
	}
	for _, bad := range []string{"", "a@b.example, c@d.example", "G:;", "postmaster", "<>"} {
		if _, err := ParseAddress(bad); !errors.Is(err, ErrInvalidAddress) {
			t.Errorf("ParseAddress(%q) err = %v", bad, err)
		}
	}
}

func TestParseAddressListBoundsItsWork(t *testing.T) {
	in := strings.Repeat("a@b.example,", maxAddresses+5)
	got, ds := ParseAddressList(in)
	if len(got) != maxAddresses || len(ds) != 1 {
		t.Errorf("got %d addresses, %d defects", len(got), len(ds))
	}
}

func TestParseAddressListCorpus(t *testing.T) {
	for _, row := range readFieldCorpus(t, "addresses.txt") {
		want, in := row[0], row[1]
		wantDefect := strings.HasPrefix(want, "!")
		want = strings.TrimPrefix(want, "!")
		as, ds := ParseAddressList(in)
		if got := FormatAddressList(as); got != want || wantDefect != (len(ds) > 0) {
			t.Errorf("%q: got %q, defects %v; want %q (defect %v)", in, got, ds, want, wantDefect)
		}
	}
}
