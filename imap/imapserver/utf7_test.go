package imapserver

import (
	"testing"
	"unicode/utf8"
)

func TestMUTF7KnownNames(t *testing.T) {
	for _, c := range []struct{ utf8, mutf7 string }{
		{"INBOX", "INBOX"},
		{"Entwürfe", "Entw&APw-rfe"},
		{"~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"}, // RFC 3501 §5.1.3
		{"A&B", "A&-B"},
	} {
		if got := encodeMUTF7(c.utf8); got != c.mutf7 {
			t.Errorf("encode %q = %q, want %q", c.utf8, got, c.mutf7)
		}
		if got, err := decodeMUTF7(c.mutf7); err != nil || got != c.utf8 {
			t.Errorf("decode %q = %q, %v", c.mutf7, got, err)
		}
	}
	for _, bad := range []string{"&Jjo", "&U,BTFw", "a\xffb", "&AGE-"} {
		if _, err := decodeMUTF7(bad); err == nil {
			t.Errorf("decode %q: no error", bad)
		}
	}
}

func FuzzMUTF7RoundTrip(f *testing.F) {
	for _, s := range []string{"INBOX", "Entwürfe", "台北", "a&b", "&", "\x00\x7f"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return
		}
		enc := encodeMUTF7(s)
		dec, err := decodeMUTF7(enc)
		if err != nil || dec != s {
			t.Fatalf("%q → %q → %q, %v", s, enc, dec, err)
		}
		// Decoding arbitrary input never panics.
		decodeMUTF7(s)
	})
}

func TestMatchMailbox(t *testing.T) {
	for _, c := range []struct {
		pat, name string
		want      bool
	}{
		{"*", "a/b/c", true},
		{"%", "a/b", false},
		{"a/%", "a/b", true},
		{"a/%", "a/b/c", false},
		{"a*c", "a/b/c", true},
		{"INBOX", "INBOX", true},
		{"%/%", "a/b", true},
		{"*" + "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", false},
	} {
		if got := matchMailbox(c.pat, c.name); got != c.want {
			t.Errorf("match(%q, %q) = %v", c.pat, c.name, got)
		}
	}
}
