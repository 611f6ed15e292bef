package imap

import (
	"fmt"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/mailwire/mailwire/internal/imapwire"
)

func TestListCommandRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		ref      string
		patterns []string
		opts     *ListOptions
		wire     string
	}{
		{"", []string{"*"}, nil, `"" *`},
		{"~/Mail/", []string{"%"}, nil, `~/Mail/ %`},
		{"", []string{"Entwürfe/*", "INBOX"}, &ListOptions{SelectSubscribed: true, SelectRecursiveMatch: true, ReturnChildren: true, ReturnStatus: &StatusOptions{NumMessages: true, Size: true}},
			`(SUBSCRIBED RECURSIVEMATCH) "" (Entw&APw-rfe/* INBOX) RETURN (CHILDREN STATUS (MESSAGES SIZE))`},
		{"", []string{"two words"}, &ListOptions{SelectSpecialUse: true, ReturnSpecialUse: true, ReturnSubscribed: true}, `(SPECIAL-USE) "" "two words" RETURN (SUBSCRIBED SPECIAL-USE)`},
	} {
		wire := encodeWith(func(e *imapwire.Encoder) { WriteListCommand(e, tc.ref, tc.patterns, tc.opts) })
		if wire != tc.wire {
			t.Errorf("wrote %s, want %s", wire, tc.wire)
		}
		var cmd ListCommand
		d := newDec(wire + "\r\n")
		if !ReadListCommand(d, &cmd, false) || !d.ExpectCRLF() {
			t.Fatalf("%s: %v", wire, d.Err())
		}
		want := ListCommand{Ref: tc.ref, Patterns: tc.patterns}
		if tc.opts != nil {
			want.Options = *tc.opts
		}
		want.Extended = tc.opts != nil || len(tc.patterns) > 1
		if diff := cmp.Diff(want, cmd); diff != "" {
			t.Errorf("%s: %s", wire, diff)
		}
	}
	var cmd ListCommand
	if ReadListCommand(newDec(`(BOGUS) "" *`+"\r\n"), &cmd, false) {
		t.Error("unknown selection option accepted")
	}
}

func TestRespTextRoundTrip(t *testing.T) {
	for _, r := range []StatusResponse{
		{Type: StatusOK, Code: CodeAppendUID, CodeArg: "38505 3955", Text: "APPEND completed"},
		{Type: StatusNO, Code: CodeTryCreate, Text: "no such mailbox"},
		{Type: StatusBAD, Text: "line\r\nbreak"},
		{Type: StatusOK},
	} {
		wire := encodeWith(func(e *imapwire.Encoder) { WriteRespText(e, &r) })
		var back StatusResponse
		back.Type = r.Type
		if d := newDec(wire + "\r\n"); !ReadRespText(d, &back) || !d.ExpectCRLF() {
			t.Fatalf("%q: %v", wire, d.Err())
		}
		if back.Code != r.Code || back.CodeArg != r.CodeArg || back.Text == "" {
			t.Errorf("%q read as %+v", wire, back)
		}
	}
	au, err := ParseAppendUID("38505 3955:3957")
	if err != nil || au.UIDs.String() != "3955:3957" || au.String() != "38505 3955:3957" {
		t.Fatal(au, err)
	}
	for _, bad := range []string{"", "x 1", "1", "1 0"} {
		if _, err := ParseAppendUID(bad); err == nil {
			t.Errorf("ParseAppendUID(%q) accepted", bad)
		}
	}
	if n, err := ParseCodeNumber64(" 90060115205545359"); err != nil || n != 90060115205545359 {
		t.Error(n, err)
	}
	if _, err := ParseCodeNumber64("99999999999999999999"); err == nil {
		t.Error("overflow accepted")
	}
}

func TestSearchOptionsSortAndESearchRoundTrip(t *testing.T) {
	o := &SearchOptions{ReturnMin: true, ReturnMax: true, ReturnAll: true, ReturnCount: true, ReturnSave: true}
	wire := encodeWith(func(e *imapwire.Encoder) { WriteSearchOptions(e, o) })
	if wire != "RETURN (MIN MAX ALL COUNT SAVE)" {
		t.Fatal(wire)
	}
	var back SearchOptions
	if d := newDec(wire[len("RETURN "):] + "\r\n"); !ReadSearchOptions(d, &back) || back != *o {
		t.Fatal(d.Err(), back)
	}
	cs := []SortCriterion{{Key: SortDate, Reverse: true}, {Key: SortSubject}}
	wire = encodeWith(func(e *imapwire.Encoder) { WriteSortCriteria(e, cs) })
	var cs2 []SortCriterion
	if d := newDec(wire + "\r\n"); wire != "(REVERSE DATE SUBJECT)" || !ReadSortCriteria(d, &cs2) || !cmp.Equal(cs, cs2) {
		t.Fatal(wire, cs2)
	}
	sd := &SearchData{Tag: "A1", UID: true, All: UIDSet{{Start: 1, Stop: 3}, {Start: 7, Stop: 7}}, Min: 1, Max: 7, Count: 4, HasCount: true, ModSeq: 9}
	wire = encodeWith(func(e *imapwire.Encoder) { WriteESearchResponse(e, sd, o) })
	var sd2 SearchData
	if d := newDec(wire + "\r\n"); !ReadESearchResponse(d, &sd2) || !cmp.Equal(sd, &sd2) {
		t.Fatalf("%s: %+v", wire, sd2)
	}
	if n := sd.Nums(); len(n) != 4 || n[3] != 7 {
		t.Fatal(n)
	}
}

func TestFlagsAndAttributes(t *testing.T) {
	flags := []Flag{FlagSeen, FlagWildcard, "$Work", "Junk"}
	wire := encodeWith(func(e *imapwire.Encoder) { WriteFlagList(e, flags) })
	var back []Flag
	if d := newDec(`(\SEEN \* $Work Junk)` + "\r\n"); !ReadFlagList(d, &back) || !cmp.Equal(back, flags) {
		t.Fatalf("%s: %v", wire, back)
	}
	if !HasFlag(back, `\seen`) || HasFlag(back, FlagDeleted) {
		t.Error("HasFlag")
	}
	if CanonicalMailboxAttr([]byte(`\noselect`)) != MailboxAttrNoSelect || !MailboxAttrSent.IsSpecialUse() || MailboxAttrMarked.IsSpecialUse() {
		t.Error("attributes")
	}
	if CanonicalMailboxName("iNbOx") != Inbox || CanonicalMailboxName("Other") != "Other" {
		t.Error("INBOX")
	}
	if n, err := DecodeMailboxName("Entw&APw-rfe"); err != nil || n != "Entwürfe" {
		t.Error(n, err)
	}
}

func TestBodyStructureWalkNumbersParts(t *testing.T) {
	var b BodyStructure
	if d := newDec(sampleBody + "\r\n"); !ReadBodyStructure(d, &b) {
		t.Fatal(d.Err())
	}
	var got []string
	b.Walk(func(path []int, p *BodyStructure) bool {
		got = append(got, fmt.Sprint(path)+" "+p.MediaType())
		return true
	})
	if want := []string{"[] multipart/mixed", "[1] text/plain", "[2] message/rfc822"}; !cmp.Equal(got, want) {
		t.Fatal(got)
	}
	a := Address{Mailbox: "group"}
	if !a.IsGroupStart() || a.IsGroupEnd() || a.Addr() != "" || !(&Address{}).IsGroupEnd() {
		t.Error("group markers")
	}
	if ConnStateSelected.String() != "selected" {
		t.Error(ConnStateSelected)
	}
}

func FuzzListCommand(f *testing.F) {
	f.Add(`(SUBSCRIBED RECURSIVEMATCH) "" (Entw&APw-rfe/* INBOX) RETURN (CHILDREN STATUS (MESSAGES SIZE))`)
	f.Add(`~/Mail/ %`)
	f.Fuzz(func(t *testing.T, s string) {
		var cmd ListCommand
		d := newDec(s + "\r\n")
		if !ReadListCommand(d, &cmd, false) || !d.ExpectCRLF() || len(cmd.Patterns) == 0 {
			return
		}
		// Names that are not UTF-8 cannot be carried in modified UTF-7.
		for _, p := range append(cmd.Patterns, cmd.Ref) {
			if !utf8.ValidString(p) {
				return
			}
		}
		opts := &cmd.Options
		wire := encodeWith(func(e *imapwire.Encoder) { WriteListCommand(e, cmd.Ref, cmd.Patterns, opts) })
		var back ListCommand
		if d := newDec(wire + "\r\n"); !ReadListCommand(d, &back, false) {
			t.Fatalf("re-read of %q: %v", wire, d.Err())
		}
		if !cmp.Equal(cmd.Options, back.Options) || !cmp.Equal(cmd.Patterns, back.Patterns) || cmd.Ref != back.Ref {
			t.Fatalf("%q -> %q: %+v vs %+v", s, wire, cmd, back)
		}
	})
}

func TestESearchContextRoundTrip(t *testing.T) {
	o := &SearchOptions{ReturnUpdate: true, ReturnPartial: &Range{Start: 1, Stop: 500}}
	wire := encodeWith(func(e *imapwire.Encoder) { WriteSearchOptions(e, o) })
	var back SearchOptions
	if d := newDec(wire[len("RETURN "):] + "\r\n"); wire != "RETURN (UPDATE PARTIAL 1:500)" || !ReadSearchOptions(d, &back) || !cmp.Equal(o, &back) {
		t.Fatal(wire, back)
	}
	sd := &SearchData{Tag: "B01", UID: true, PartialRange: &Range{Start: 1, Stop: 500}, Partial: UIDSet{{Start: 5, Stop: 9}},
		AddTo: []SearchContextUpdate{{Position: 0, Set: UIDSet{{Start: 32768, Stop: 32769}}}, {Position: 1, Set: UIDSet{{Start: 3, Stop: 3}}}}}
	wire = encodeWith(func(e *imapwire.Encoder) { WriteESearchResponse(e, sd, o) })
	if wire != ` (TAG "B01") UID PARTIAL (1:500 5:9) ADDTO (0 32768:32769 1 3)` {
		t.Fatal(wire)
	}
	var sd2 SearchData
	if d := newDec(wire + "\r\n"); !ReadESearchResponse(d, &sd2) || !cmp.Equal(sd, &sd2) {
		t.Fatalf("%s: %+v", wire, sd2)
	}
}
