package imapserver

import (
	"testing"
	"time"
)

func TestBaseSubject(t *testing.T) {
	tests := []struct {
		in       string
		want     string
		replyFwd bool
	}{
		{"Hello", "hello", false},
		{"  Hello   world  ", "hello world", false},
		{"Re: Hello", "hello", true},
		{"RE:Hello", "hello", true},
		{"re : Hello", "hello", true},
		{"Fw: Hello", "hello", true},
		{"FWD: Hello", "hello", true},
		{"Re[2]: Hello", "hello", true},
		{"Re [2]: Hello", "hello", true},
		{"[list] Re: Hello", "hello", true},
		{"Re: [list] Re: Hello", "hello", true},
		{"[list] Hello", "hello", false},
		{"[list][tag] Hello", "hello", false},
		// (4): a blob is kept when nothing would be left.
		{"[list]", "[list]", false},
		{"Re: [list]", "[list]", true},
		{"Hello (fwd)", "hello", true},
		{"Hello (FWD) (fwd)", "hello", true},
		{"[Fwd: Hello]", "hello", true},
		{"[fwd: Re: Hello (fwd)]", "hello", true},
		{"Re: [Fwd: [list] Hello]", "hello", true},
		// Not markers: "Ref:", "Rex:", "Fwx:".
		{"Ref: Hello", "ref: hello", false},
		{"Rex: Hello", "rex: hello", false},
		{"Hello\tthere\r\n  again", "hello there again", false},
		{"=?utf-8?q?Re=3A_Gr=C3=BC=C3=9Fe?=", "grüße", true},
		{"", "", false},
		{"Re:", "", true},
	}
	for _, tt := range tests {
		got, rf := baseSubject(tt.in)
		if got != tt.want || rf != tt.replyFwd {
			t.Errorf("baseSubject(%q) = %q, %v; want %q, %v", tt.in, got, rf, tt.want, tt.replyFwd)
		}
	}
}

func TestValidMessageIDs(t *testing.T) {
	// RFC 5256 §3: the quoted and unquoted forms are the same Message ID.
	a := validMessageIDs(`<"01KF8JCEOCBS0045PS"@xxx.yyy.com>`)
	b := validMessageIDs(`<01KF8JCEOCBS0045PS@xxx.yyy.com>`)
	if len(a) != 1 || len(b) != 1 || a[0] != b[0] {
		t.Fatalf("normalised ids differ: %q vs %q", a, b)
	}
	if got := validMessageIDs("<no-at-sign> <x@y>"); len(got) != 1 || got[0] != "x@y" {
		t.Fatalf("ids = %q, want only x@y", got)
	}
}

// threadMsgs builds messages with sequence numbers 1.. and a day apart, in
// the order given, unless date overrides it.
type tm struct {
	id, subject string
	refs        []string
	day         int // 0: the sequence number
}

func threadMsgs(list []tm) []*msgInfo {
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var out []*msgInfo
	for i, m := range list {
		day := m.day
		if day == 0 {
			day = i + 1
		}
		subj, rf := baseSubject(m.subject)
		out = append(out, &msgInfo{
			seq: uint32(i + 1), uid: uint32(100 + i + 1),
			sent: base.AddDate(0, 0, day), messageID: m.id, parents: m.refs,
			subject: subj, replyFwd: rf,
		})
	}
	return out
}

func threadString(ts []*thread) string {
	var b []byte
	for _, t := range ts {
		b = appendThread(b, t, false)
	}
	return string(b)
}

func TestReferencesThreads(t *testing.T) {
	tests := []struct {
		name string
		msgs []tm
		want string
	}{
		{"chain", []tm{
			{id: "a@x", subject: "A"},
			{id: "b@x", subject: "Re: A", refs: []string{"a@x"}},
			{id: "c@x", subject: "Re: A", refs: []string{"a@x", "b@x"}},
		}, "(1 2 3)"},
		{"siblings", []tm{
			{id: "a@x", subject: "A"},
			{id: "b@x", subject: "Re: A", refs: []string{"a@x"}},
			{id: "c@x", subject: "Re: A", refs: []string{"a@x"}},
		}, "(1 (2)(3))"},
		// The parent is missing: a dummy at the root with two children
		// stays; with one child it is replaced by the child.
		{"dummy at root kept", []tm{
			{id: "b@x", subject: "Re: A", refs: []string{"a@x"}},
			{id: "c@x", subject: "Re: A", refs: []string{"a@x"}},
			{id: "d@x", subject: "Other"},
		}, "((1)(2))(3)"},
		{"dummy at root with one child", []tm{
			{id: "b@x", subject: "Re: A", refs: []string{"a@x"}},
			{id: "d@x", subject: "Other"},
		}, "(1)(2)"},
		// A dummy below a message is spliced into its parent's children.
		{"dummy below root spliced", []tm{
			{id: "a@x", subject: "A"},
			{id: "c@x", subject: "Re: A", refs: []string{"a@x", "b@x"}},
			{id: "d@x", subject: "Re: A", refs: []string{"a@x", "b@x"}},
		}, "(1 (2)(3))"},
		// Step 5: same base subject, no references. A reply goes under
		// the original; two originals go under a new dummy.
		{"subject merge reply", []tm{
			{id: "a@x", subject: "Topic"},
			{id: "b@x", subject: "Re: Topic"},
		}, "(1 2)"},
		{"subject merge reply first", []tm{
			{id: "b@x", subject: "Re: Topic"},
			{id: "a@x", subject: "Topic", day: 5},
		}, "(2 1)"},
		{"subject merge two originals", []tm{
			{id: "a@x", subject: "Topic"},
			{id: "b@x", subject: "topic"},
			{id: "c@x", subject: "Else"},
		}, "((1)(2))(3)"},
		{"subject merge into dummy", []tm{
			{id: "b@x", subject: "Re: Topic", refs: []string{"a@x"}},
			{id: "c@x", subject: "Re: Topic", refs: []string{"a@x"}},
			{id: "d@x", subject: "Topic"},
		}, "((1)(2)(3))"},
		{"empty subjects are not merged", []tm{
			{id: "a@x", subject: ""},
			{id: "b@x", subject: "Re:"},
		}, "(1)(2)"},
		// Step 1: duplicate ids, loops, and a later References line
		// replacing a truncated one.
		{"duplicate message id", []tm{
			{id: "a@x", subject: "A"},
			{id: "a@x", subject: "B"},
			{id: "c@x", subject: "C", refs: []string{"a@x"}},
		}, "(1 3)(2)"},
		{"loop refused", []tm{
			{id: "a@x", subject: "A", refs: []string{"b@x"}},
			{id: "b@x", subject: "B", refs: []string{"a@x"}},
		}, "(2 1)"}, // 1 hangs under the dummy that 2 fills; 2 -> 1 would loop
		{"self reference", []tm{
			{id: "a@x", subject: "A", refs: []string{"a@x"}},
		}, "(1)"},
		{"last reference wins", []tm{
			{id: "a@x", subject: "A"},
			{id: "b@x", subject: "B"},
			{id: "c@x", subject: "C", refs: []string{"a@x"}},
			{id: "d@x", subject: "D", refs: []string{"b@x", "c@x"}},
		}, "(1 3 4)(2)"},
		{"dates order the root", []tm{
			{id: "a@x", subject: "A", day: 9},
			{id: "b@x", subject: "B", day: 3},
			{id: "c@x", subject: "C", day: 6},
		}, "(2)(3)(1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := threadString(referencesThreads(threadMsgs(tt.msgs)))
			if got != tt.want {
				t.Errorf("THREAD REFERENCES = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestOrderedSubjectThreads(t *testing.T) {
	msgs := threadMsgs([]tm{
		{subject: "B", day: 2},
		{subject: "A", day: 1},
		{subject: "Re: A", day: 4},
		{subject: "Re: B", day: 3},
		{subject: "Fwd: A", day: 5},
	})
	// Threads by their first message's date; children by date.
	if got, want := threadString(orderedSubjectThreads(msgs)), "(2 (3)(5))(1 4)"; got != want {
		t.Errorf("THREAD ORDEREDSUBJECT = %s, want %s", got, want)
	}
}

func FuzzBaseSubject(f *testing.F) {
	for _, s := range []string{"Re: [list] Re: Hello (fwd)", "[Fwd: [a]]", "[a][b]", "Re [x]:", "=?utf-8?q?a?="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, _ := baseSubject(s)
		if len(got) > 0 && (got[0] == ' ' || got[len(got)-1] == ' ') {
			t.Fatalf("baseSubject(%q) = %q: leading or trailing space", s, got)
		}
	})
}

// FuzzReferencesThreads builds messages whose ids and references come
// from the input and checks that every message appears exactly once in
// the threads, whatever loops or duplicates the references make.
func FuzzReferencesThreads(f *testing.F) {
	f.Add([]byte{1, 0, 2, 1, 3, 1, 2, 1, 1})
	f.Add([]byte{0, 1, 1, 0, 2, 2, 2, 2})
	f.Fuzz(func(t *testing.T, data []byte) {
		var list []tm
		for len(data) >= 2 && len(list) < 64 {
			id, nrefs := data[0]%8, int(data[1]%4)
			data = data[2:]
			m := tm{id: string(rune('a'+id)) + "@x", subject: []string{"A", "Re: A", "B", ""}[id%4], day: int(id%3) + 1}
			for i := 0; i < nrefs && len(data) > 0; i++ {
				m.refs = append(m.refs, string(rune('a'+data[0]%8))+"@x")
				data = data[1:]
			}
			list = append(list, m)
		}
		msgs := threadMsgs(list)
		seen := map[uint32]int{}
		var walk func(ts []*thread)
		walk = func(ts []*thread) {
			for _, th := range ts {
				if th.msg != nil {
					seen[th.msg.seq]++
				} else if len(th.children) == 0 {
					t.Fatal("empty dummy in the result")
				}
				walk(th.children)
			}
		}
		walk(referencesThreads(msgs))
		for _, m := range msgs {
			if seen[m.seq] != 1 {
				t.Fatalf("message %d appears %d times in %s", m.seq, seen[m.seq], threadString(referencesThreads(threadMsgs(list))))
			}
		}
	})
}
