package imap

import (
	"bufio"
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/mailwire/mailwire/internal/imapwire"
)

func newDec(s string) *imapwire.Decoder {
	return imapwire.NewDecoder(bufio.NewReaderSize(strings.NewReader(s), 16))
}

func encodeWith(f func(*imapwire.Encoder)) string {
	var b bytes.Buffer
	e := imapwire.NewEncoder(bufio.NewWriter(&b))
	f(e)
	e.Flush()
	return b.String()
}

func TestSeqSetParseFormatContains(t *testing.T) {
	for _, tc := range []struct {
		in   string
		has  []uint32
		not  []uint32
		max  uint32
		back string
	}{
		{"1:4,7,9:*", []uint32{1, 4, 7, 9, 20}, []uint32{5, 8}, 20, "1:4,7,9:*"},
		{"5:2", []uint32{2, 3, 5}, []uint32{1, 6}, 10, "5:2"},
		{"*:3", []uint32{3, 10}, []uint32{2}, 10, "*:3"},
		{"*", []uint32{7}, []uint32{6}, 7, "*"},
	} {
		s, err := ParseSeqSet(tc.in)
		if err != nil {
			t.Fatalf("%q: %v", tc.in, err)
		}
		if s.String() != tc.back {
			t.Errorf("%q formats as %q", tc.in, s.String())
		}
		for _, n := range tc.has {
			if !s.Contains(n, tc.max) {
				t.Errorf("%q should contain %d", tc.in, n)
			}
		}
		for _, n := range tc.not {
			if s.Contains(n, tc.max) {
				t.Errorf("%q should not contain %d", tc.in, n)
			}
		}
	}
	for _, bad := range []string{"", "0", "1,", ",1", "1:", "a", "1:2:3", "4294967296"} {
		if _, err := ParseSeqSet(bad); err == nil {
			t.Errorf("ParseSeqSet(%q) accepted", bad)
		}
	}
	var u UIDSet
	for _, n := range []uint32{1, 2, 3, 5, 6, 9} {
		u.AddNum(n)
	}
	if u.String() != "1:3,5:6,9" {
		t.Errorf("AddNum merge: %s", u)
	}
}

func TestFetchSectionRoundTrip(t *testing.T) {
	o := &FetchOptions{
		UID: true, Flags: true, Envelope: true, BodyStructure: true, RFC822Size: true, ModSeq: true,
		BodySection: []*FetchItemBodySection{
			{Peek: true},
			{Part: []int{1, 2}, Specifier: PartSpecifierHeaderFields, HeaderFields: []string{"From", "Subject"}, Partial: &SectionPartial{0, 1024}},
			{Part: []int{3}, Specifier: PartSpecifierMIME},
			{Specifier: PartSpecifierText, Peek: true},
		},
		BinarySection:     []*FetchItemBinarySection{{Part: []int{1}, Peek: true, Partial: &SectionPartial{10, 20}}},
		BinarySectionSize: []*FetchItemBinarySectionSize{{Part: []int{2, 1}}},
		ChangedSince:      12345,
	}
	wire := encodeWith(func(e *imapwire.Encoder) { WriteFetchOptions(e, o) })
	want := "(UID FLAGS RFC822.SIZE ENVELOPE BODYSTRUCTURE MODSEQ BODY.PEEK[] BODY[1.2.HEADER.FIELDS (From Subject)]<0.1024> BODY[3.MIME] BODY.PEEK[TEXT] BINARY.PEEK[1]<10.20> BINARY.SIZE[2.1]) (CHANGEDSINCE 12345)"
	if wire != want {
		t.Fatalf("got  %s\nwant %s", wire, want)
	}
	var back FetchOptions
	d := newDec(wire + "\r\n")
	if !ReadFetchOptions(d, &back) || !d.ExpectCRLF() {
		t.Fatal(d.Err())
	}
	if diff := cmp.Diff(o, &back); diff != "" {
		t.Fatal(diff)
	}
	if got := o.BodySection[1].ResponseName(); got != "BODY[1.2.HEADER.FIELDS (From Subject)]<0>" {
		t.Errorf("ResponseName = %s", got)
	}
}

func TestFetchMacros(t *testing.T) {
	var o FetchOptions
	d := newDec("FULL\r\n")
	if !ReadFetchOptions(d, &o) || !(o.Flags && o.InternalDate && o.RFC822Size && o.Envelope && o.Body) {
		t.Fatal(d.Err(), o)
	}
	for _, bad := range []string{"BODY[4.HEADER.FIELDS]", "BODY[MIME]", "BOGUS", "BODY.PEEK", "BODY[1]<1>"} {
		var o FetchOptions
		if ReadFetchOptions(newDec(bad+"\r\n"), &o) {
			t.Errorf("%s accepted", bad)
		}
	}
}

// RFC 9051 §7.5.2 / §8 style envelope and body structure.
const sampleEnvelope = `("Wed, 17 Jul 1996 02:23:25 -0700 (PDT)" "IMAP4rev2 WG mtg summary and minutes" (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) (("Terry Gray" NIL "gray" "cac.washington.edu")) ((NIL NIL "imap" "cac.washington.edu")) ((NIL NIL "minutes" "CNRI.Reston.VA.US")("John Klensin" NIL "KLENSIN" "MIT.EDU")) NIL NIL "<B27397-0100000@cac.washington.edu>")`

func TestEnvelopeRoundTrip(t *testing.T) {
	var e Envelope
	d := newDec(sampleEnvelope + "\r\n")
	if !ReadEnvelope(d, &e) || !d.ExpectCRLF() {
		t.Fatal(d.Err())
	}
	if e.Subject != "IMAP4rev2 WG mtg summary and minutes" || len(e.Cc) != 2 || e.Cc[1].Addr() != "KLENSIN@MIT.EDU" || e.Time().IsZero() {
		t.Fatalf("%+v", e)
	}
	if got := encodeWith(func(enc *imapwire.Encoder) { WriteEnvelope(enc, &e) }); got != sampleEnvelope {
		t.Fatalf("got  %s\nwant %s", got, sampleEnvelope)
	}
}

const sampleBody = `(("TEXT" "PLAIN" ("CHARSET" "US-ASCII") NIL NIL "7BIT" 1152 23 NIL NIL NIL NIL)("MESSAGE" "RFC822" ("NAME" "m.eml") "<id@x>" "desc" "BASE64" 4554 ("date" "subj" NIL NIL NIL NIL NIL NIL NIL NIL) ("IMAGE" "GIF" NIL NIL NIL "BASE64" 100 NIL ("inline" ("FILENAME" "a.gif")) NIL NIL) 73 NIL NIL ("en" "de") NIL) "MIXED" ("BOUNDARY" "xyz") NIL NIL NIL)`

func TestBodyStructureRoundTrip(t *testing.T) {
	var b BodyStructure
	d := newDec(sampleBody + "\r\n")
	if !ReadBodyStructure(d, &b) || !d.ExpectCRLF() {
		t.Fatal(d.Err())
	}
	if !b.IsMultipart() || b.Subtype != "MIXED" || b.Params.Get("boundary") != "xyz" || len(b.Parts) != 2 {
		t.Fatalf("%+v", b)
	}
	m := b.Parts[1]
	if m.MediaType() != "message/rfc822" || m.Envelope == nil || m.Envelope.Subject != "subj" || m.Body.Disposition.Params.Get("filename") != "a.gif" || m.Lines != 73 || len(m.Language) != 2 {
		t.Fatalf("%+v", m)
	}
	if got := encodeWith(func(enc *imapwire.Encoder) { WriteBodyStructure(enc, &b, true) }); got != sampleBody {
		t.Fatalf("got  %s\nwant %s", got, sampleBody)
	}
	nonExt := encodeWith(func(enc *imapwire.Encoder) { WriteBodyStructure(enc, &b, false) })
	if strings.Contains(nonExt, "BOUNDARY") {
		t.Fatalf("BODY form carries extension data: %s", nonExt)
	}
}

func TestBodyStructureTolerance(t *testing.T) {
	// NIL encoding and size from sloppy servers, a body-extension list.
	in := `("text" "plain" NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL (1 "x" (2)))` + "\r\n"
	var b BodyStructure
	d := newDec(in)
	if !ReadBodyStructure(d, &b) || !d.ExpectCRLF() {
		t.Fatal(d.Err())
	}
	// The body-extension is kept and written back.
	if !cmp.Equal(b.Extensions, []any{[]any{uint32(1), "x", []any{uint32(2)}}}) {
		t.Fatalf("extensions %#v", b.Extensions)
	}
	if got := encodeWith(func(e *imapwire.Encoder) { WriteBodyStructure(e, &b, true) }); !strings.HasSuffix(got, ` NIL (1 "x" (2)))`) {
		t.Fatalf("written as %s", got)
	}
	deep := strings.Repeat("(", 100) + `"text" "plain" NIL NIL NIL "7bit" 1 1` + strings.Repeat(" \"mixed\")", 100)
	if ReadBodyStructure(newDec(deep+"\r\n"), &b) {
		t.Fatal("nesting beyond the limit accepted")
	}
}

func TestSearchCriteriaRoundTrip(t *testing.T) {
	day := time.Date(1994, 2, 1, 0, 0, 0, 0, time.UTC)
	c := &SearchCriteria{
		SeqNum:  []NumSet{SeqSet{{1, 100}}},
		UID:     []NumSet{SearchRes{}},
		Since:   day,
		Header:  []SearchHeaderField{{"FROM", "Smith"}, {"X-Spam", "yes"}},
		Body:    []string{"two words"},
		Flag:    []Flag{FlagDeleted, "$Work"},
		NotFlag: []Flag{FlagSeen},
		Larger:  1000,
		Not:     []SearchCriteria{{Text: []string{"x"}}},
		Or:      [][2]SearchCriteria{{{Flag: []Flag{FlagFlagged}}, {Smaller: 5, Younger: 60}}},
		ModSeq:  &SearchModSeq{ModSeq: 620162338, MetadataName: "/flags/\\draft", MetadataType: "all"},
		Older:   3600, SavedOn: day, SaveDateSupported: true, EmailID: "M123", ThreadID: "T1",
		GmailRaw: "has:attachment", GmailMsgID: 99,
	}
	wire := encodeWith(func(e *imapwire.Encoder) { WriteSearchCriteria(e, c) })
	const want = `1:100 UID $ SINCE 1-Feb-1994 FROM "Smith" HEADER X-Spam "yes" BODY "two words" DELETED KEYWORD $Work UNSEEN LARGER 1000 NOT TEXT "x" OR FLAGGED (SMALLER 5 YOUNGER 60) MODSEQ "/flags/\\draft" all 620162338 OLDER 3600 SAVEDON 1-Feb-1994 SAVEDATESUPPORTED EMAILID M123 THREADID T1 X-GM-RAW "has:attachment" X-GM-MSGID 99`
	if wire != want {
		t.Fatalf("got  %s\nwant %s", wire, want)
	}
	var back SearchCriteria
	var cs string
	d := newDec("CHARSET UTF-8 " + wire + "\r\n")
	if !ReadSearchCriteria(d, &back, &cs) || !d.ExpectCRLF() || cs != "UTF-8" {
		t.Fatal(d.Err(), cs)
	}
	if diff := cmp.Diff(c, &back); diff != "" {
		t.Fatal(diff)
	}
	if got := encodeWith(func(e *imapwire.Encoder) { WriteSearchCriteria(e, &SearchCriteria{}) }); got != "ALL" {
		t.Fatal(got)
	}
}

func TestESearchResponse(t *testing.T) {
	var d SearchData
	dec := newDec(` (TAG "A285") UID MIN 7 MAX 3800 COUNT 15 ALL 7,10:12` + "\r\n")
	if !ReadESearchResponse(dec, &d) || !dec.ExpectCRLF() {
		t.Fatal(dec.Err())
	}
	if d.Tag != "A285" || !d.UID || d.Min != 7 || d.Max != 3800 || d.Count != 15 || d.All.String() != "7,10:12" {
		t.Fatalf("%+v", d)
	}
	var s SearchData
	dec = newDec(" 2 3 4 6 (MODSEQ 917162500)\r\n")
	if !ReadSearchResponse(dec, &s, false) || s.All.String() != "2:4,6" || s.ModSeq != 917162500 {
		t.Fatalf("%+v %v", s, dec.Err())
	}
}

func TestThreadResponse(t *testing.T) {
	const in = "(2)(3 6 (4 23)(44 7 96))"
	dec := newDec(" " + in + "\r\n")
	ts, ok := ReadThreadResponse(dec)
	if !ok || len(ts) != 2 || ts[1].Children[0].Num != 6 || len(ts[1].Children[0].Children) != 2 {
		t.Fatal(dec.Err(), ts)
	}
	if got := encodeWith(func(e *imapwire.Encoder) { WriteThreads(e, ts) }); got != in {
		t.Fatalf("got %s", got)
	}
}

func TestListAndStatusRoundTrip(t *testing.T) {
	l := &ListData{Attrs: []MailboxAttr{MailboxAttrHasNoChildren, MailboxAttrSent}, Delim: '/', Mailbox: "Gesendete Objekte/Entwürfe", ChildInfo: []string{"SUBSCRIBED"}}
	wire := encodeWith(func(e *imapwire.Encoder) { WriteListData(e, l) })
	if wire != `(\HasNoChildren \Sent) "/" "Gesendete Objekte/Entw&APw-rfe" ("CHILDINFO" ("SUBSCRIBED"))` {
		t.Fatal(wire)
	}
	var back ListData
	d := newDec(wire + "\r\n")
	if !ReadListData(d, &back, false) || !d.ExpectCRLF() {
		t.Fatal(d.Err())
	}
	if diff := cmp.Diff(l, &back); diff != "" {
		t.Fatal(diff)
	}
	n, sz := uint32(231), int64(44000)
	st := &StatusData{Mailbox: "blurdybloop", NumMessages: &n, UIDNext: 44292, Size: &sz, HighestModSeq: 7}
	wire = encodeWith(func(e *imapwire.Encoder) { WriteStatusData(e, st, false) })
	var sb StatusData
	d = newDec(wire + "\r\n")
	if !ReadStatusData(d, &sb, false) {
		t.Fatal(d.Err())
	}
	if diff := cmp.Diff(st, &sb); diff != "" {
		t.Fatal(diff)
	}
}

func TestRespTextCodes(t *testing.T) {
	var r StatusResponse
	d := newDec(`[COPYUID 38505 304,319:320 3956:3958] Done` + "\r\n")
	if !ReadRespText(d, &r) || r.Code != CodeCopyUID || r.Text != "Done" {
		t.Fatal(d.Err(), r)
	}
	cu, err := ParseCopyUID(r.CodeArg)
	if err != nil || cu.UIDValidity != 38505 || cu.DestUIDs.String() != "3956:3958" {
		t.Fatal(err, cu)
	}
	r = StatusResponse{}
	d = newDec(`[PERMANENTFLAGS (\Deleted \Seen \*)] Limited` + "\r\n")
	if !ReadRespText(d, &r) || !cmp.Equal(ParseCodeList(r.CodeArg), []string{`\Deleted`, `\Seen`, `\*`}) {
		t.Fatal(r)
	}
	r = StatusResponse{}
	d = newDec(`[BADCHARSET ("a]b" UTF-8)] no` + "\r\n")
	if !ReadRespText(d, &r) || !cmp.Equal(ParseCodeList(r.CodeArg), []string{"a]b", "UTF-8"}) {
		t.Fatal(r, d.Err())
	}
	e := (&StatusResponse{Type: StatusNO, Code: CodeTryCreate, Text: "no such mailbox"}).Err()
	if e == nil || e.Error() != "imap: NO [TRYCREATE] no such mailbox" {
		t.Fatal(e)
	}
}

func TestCapSetImpliedByRev2(t *testing.T) {
	c := NewCapSet("imap4rev2", "AUTH=PLAIN", "APPENDLIMIT=1000")
	if !c.Has(CapMove) || !c.Has(CapIMAP4rev2) || c.Has(CapQResync) {
		t.Fatal(c)
	}
	if m := c.AuthMechanisms(); len(m) != 1 || m[0] != "PLAIN" {
		t.Fatal(m)
	}
	if n, ok := c.AppendLimit(); !ok || n != 1000 {
		t.Fatal(n)
	}
}

func FuzzBodyStructure(f *testing.F) {
	f.Add(sampleBody)
	f.Add(`("text" "plain" NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL (1 "x" (2)))`)
	f.Fuzz(func(t *testing.T, s string) {
		var b BodyStructure
		d := newDec(s + "\r\n")
		d.Lenient = true
		if !ReadBodyStructure(d, &b) {
			return
		}
		wire := encodeWith(func(e *imapwire.Encoder) { WriteBodyStructure(e, &b, true) })
		var b2 BodyStructure
		d2 := newDec(wire + "\r\n")
		if !ReadBodyStructure(d2, &b2) {
			t.Fatalf("re-read of %q: %v", wire, d2.Err())
		}
		wire2 := encodeWith(func(e *imapwire.Encoder) { WriteBodyStructure(e, &b2, true) })
		if wire != wire2 {
			t.Fatalf("not stable:\n%s\n%s", wire, wire2)
		}
	})
}

func FuzzEnvelope(f *testing.F) {
	f.Add(sampleEnvelope)
	f.Fuzz(func(t *testing.T, s string) {
		var e Envelope
		d := newDec(s + "\r\n")
		d.Lenient = true
		if !ReadEnvelope(d, &e) {
			return
		}
		wire := encodeWith(func(enc *imapwire.Encoder) { WriteEnvelope(enc, &e) })
		var e2 Envelope
		if d2 := newDec(wire + "\r\n"); !ReadEnvelope(d2, &e2) {
			t.Fatalf("re-read of %q: %v", wire, d2.Err())
		}
		if diff := cmp.Diff(e, e2); diff != "" {
			t.Fatal(diff)
		}
	})
}

func FuzzSearchCriteria(f *testing.F) {
	f.Add(`1:100 UID $ SINCE 1-Feb-1994 FROM "Smith" OR FLAGGED (SMALLER 5 YOUNGER 60) NOT TEXT x`)
	f.Add(`CHARSET UTF-8 HEADER X-A "b" MODSEQ "/flags/\\draft" all 5`)
	f.Fuzz(func(t *testing.T, s string) {
		var c SearchCriteria
		var cs string
		d := newDec(s + "\r\n")
		if !ReadSearchCriteria(d, &c, &cs) || !d.ExpectCRLF() {
			return
		}
		wire := encodeWith(func(e *imapwire.Encoder) { WriteSearchCriteria(e, &c) })
		var c2 SearchCriteria
		d2 := newDec(wire + "\r\n")
		if !ReadSearchCriteria(d2, &c2, nil) {
			t.Fatalf("re-read of %q: %v", wire, d2.Err())
		}
		wire2 := encodeWith(func(e *imapwire.Encoder) { WriteSearchCriteria(e, &c2) })
		if wire != wire2 {
			t.Fatalf("not stable:\n%s\n%s", wire, wire2)
		}
	})
}

func FuzzFetchOptions(f *testing.F) {
	f.Add(`(UID FLAGS BODY.PEEK[1.2.HEADER.FIELDS (From)]<0.10> BINARY.SIZE[1]) (CHANGEDSINCE 5)`)
	f.Add(`ALL`)
	f.Fuzz(func(t *testing.T, s string) {
		var o FetchOptions
		if !ReadFetchOptions(newDec(s+"\r\n"), &o) {
			return
		}
		wire := encodeWith(func(e *imapwire.Encoder) { WriteFetchOptions(e, &o) })
		if len(o.Items()) == 0 {
			return
		}
		var o2 FetchOptions
		if d := newDec(wire + "\r\n"); !ReadFetchOptions(d, &o2) {
			t.Fatalf("re-read of %q: %v", wire, d.Err())
		}
		if diff := cmp.Diff(o, o2); diff != "" {
			t.Fatal(diff)
		}
	})
}
