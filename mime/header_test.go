package mime

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

type kv struct{ K, V string }

func fieldsKV(h Header) []kv {
	var out []kv
	for _, f := range h.Fields() {
		out = append(out, kv{f.Key, f.Value})
	}
	return out
}

func defectKinds(ds []Defect) []DefectKind {
	var ks []DefectKind
	for _, d := range ds {
		ks = append(ks, d.Kind)
	}
	return ks
}

func readHeaderString(t *testing.T, in string, lim Limits) (Header, []Defect, string, error) {
	t.Helper()
	br := bufio.NewReaderSize(strings.NewReader(in), 16)
	h, ds, err := ReadHeader(br, lim)
	rest, _ := io.ReadAll(br)
	return h, ds, string(rest), err
}

func TestReadHeaderTable(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		fields  []kv
		rest    string
		defects []DefectKind
	}{
		{"simple CRLF", "From: a@b\r\nSubject: hi\r\n\r\nbody", []kv{{"From", "a@b"}, {"Subject", "hi"}}, "body", nil},
		{"LF ends", "From: a@b\nSubject: hi\n\nbody\n", []kv{{"From", "a@b"}, {"Subject", "hi"}}, "body\n", []DefectKind{DefectBareLF}},
		{"CR CR LF ends", "From: a@b\r\r\nSubject: hi\r\r\n\r\r\nbody", []kv{{"From", "a@b"}, {"Subject", "hi"}}, "body", []DefectKind{DefectBareCR}},
		{"folded", "Subject: This\r\n is a test\r\n\tof folding\r\n\r\n", []kv{{"Subject", "This is a test\tof folding"}}, "", nil},
		{"value starts on next line", "Subject:\r\n   hello\r\n\r\n", []kv{{"Subject", "hello"}}, "", nil},
		{"empty value", "X-Empty:\r\n\r\n", []kv{{"X-Empty", ""}}, "", nil},
		{"no space after colon", "Subject:hi\r\n\r\n", []kv{{"Subject", "hi"}}, "", nil},
		{"obs WSP before colon", "Subject  : hi\r\n\r\n", []kv{{"Subject", "hi"}}, "", nil},
		{"duplicates kept in order", "Received: a\r\nX: 1\r\nReceived: b\r\n\r\n", []kv{{"Received", "a"}, {"X", "1"}, {"Received", "b"}}, "", nil},
		{"EOF without blank line", "Subject: hi\r\nX: y", []kv{{"Subject", "hi"}, {"X", "y"}}, "", nil},
		{"empty input", "", nil, "", nil},
		{"only blank line", "\r\nbody", nil, "body", nil},
		{"missing separator", "Subject: hi\r\nThis is the body\r\n", []kv{{"Subject", "hi"}}, "This is the body\r\n", []DefectKind{DefectMissingHeaderBodySeparator}},
		{"mbox From line", "From someone@example.com Sat Jan  3 01:05:34 1996\nSubject: hi\n\n", []kv{{"", "From someone@example.com Sat Jan  3 01:05:34 1996"}, {"Subject", "hi"}}, "", []DefectKind{DefectBareLF, DefectMboxFromLine}},
		{"empty name", ": oops\r\nSubject: hi\r\n\r\n", []kv{{"", ": oops"}, {"Subject", "hi"}}, "", []DefectKind{DefectMalformedHeaderLine}},
		{"leading continuation", " oops\r\nSubject: hi\r\n\r\n", []kv{{"", " oops"}, {"Subject", "hi"}}, "", []DefectKind{DefectMalformedHeaderLine}},
		{"UTF-8 value (RFC 6532)", "Subject: café\r\n\r\n", []kv{{"Subject", "café"}}, "", nil},
		{"8-bit junk value", "Subject: caf\xe9\r\n\r\n", []kv{{"Subject", "caf\xe9"}}, "", []DefectKind{DefectNonASCIIHeader}},
		{"8-bit name", "Sübject: x\r\n\r\n", []kv{{"Sübject", "x"}}, "", []DefectKind{DefectMalformedHeaderLine}},
		{"bare CR inside value", "Subject: a\rb\r\n\r\n", []kv{{"Subject", "a\rb"}}, "", []DefectKind{DefectBareCR}},
		{"line with space in name is body", "Subject: hi\r\nnot a field: x\r\n", []kv{{"Subject", "hi"}}, "not a field: x\r\n", []DefectKind{DefectMissingHeaderBodySeparator}},
		{"whitespace-only continuation", "Subject: a\r\n \r\n b\r\n\r\n", []kv{{"Subject", "a  b"}}, "", nil},
		{"long line", "X: " + strings.Repeat("a", 1000) + "\r\n\r\n", []kv{{"X", strings.Repeat("a", 1000)}}, "", []DefectKind{DefectHeaderLineTooLong}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, ds, rest, err := readHeaderString(t, tt.in, Limits{})
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if d := cmp.Diff(tt.fields, fieldsKV(h)); d != "" {
				t.Errorf("fields (-want +got):\n%s", d)
			}
			if rest != tt.rest {
				t.Errorf("rest = %q, want %q", rest, tt.rest)
			}
			if d := cmp.Diff(tt.defects, defectKinds(ds)); d != "" {
				t.Errorf("defects (-want +got):\n%s\n%v", d, ds)
			}
			// The raw bytes of the fields are the block, up to the blank line.
			var raw []byte
			for _, f := range h.Fields() {
				raw = append(raw, f.Raw...)
			}
			consumed := tt.in[:len(tt.in)-len(rest)]
			if !strings.HasPrefix(consumed, string(raw)) {
				t.Errorf("raw %q is not a prefix of the block %q", raw, consumed)
			}
		})
	}
}

func TestReadHeaderWriteToReemitsUnchanged(t *testing.T) {
	in := "Received: from a\r\n\tby b; Sat, 1 Jan 2000 00:00:00 +0000\r\nSubject:  =?utf-8?q?caf=C3=A9?=  \r\nX-Odd :v\r\n\r\n"
	h, _, _, err := readHeaderString(t, in, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := h.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	if b.String() != in {
		t.Errorf("WriteTo = %q, want %q", b.String(), in)
	}
}

func TestHeaderLookupIsCaseInsensitive(t *testing.T) {
	var h Header
	h.Add("Content-Type", "text/plain")
	h.Add("received", "1")
	h.Add("RECEIVED", "2")
	if got := h.Get("content-type"); got != "text/plain" {
		t.Errorf("Get = %q", got)
	}
	if got := h.Values("Received"); !cmp.Equal(got, []string{"1", "2"}) {
		t.Errorf("Values = %q", got)
	}
	if !h.Has("CONTENT-TYPE") || h.Has("Content-Typ") {
		t.Error("Has is wrong")
	}
	if h.Get("missing") != "" {
		t.Error("Get of a missing key is not empty")
	}
}

func TestHeaderSetKeepsFirstPositionAndDelRemovesAll(t *testing.T) {
	var h Header
	h.Add("A", "1")
	h.Add("B", "x")
	h.Add("C", "3")
	h.Add("b", "y")
	h.Set("B", "z")
	want := []kv{{"A", "1"}, {"B", "z"}, {"C", "3"}}
	if d := cmp.Diff(want, fieldsKV(h)); d != "" {
		t.Errorf("after Set (-want +got):\n%s", d)
	}
	h.Set("D", "4")
	h.Del("a")
	want = []kv{{"B", "z"}, {"C", "3"}, {"D", "4"}}
	if d := cmp.Diff(want, fieldsKV(h)); d != "" {
		t.Errorf("after Set/Del (-want +got):\n%s", d)
	}
	if h.Len() != 3 {
		t.Errorf("Len = %d", h.Len())
	}
}

func TestHeaderTextDecodesWords(t *testing.T) {
	var h Header
	h.Add("Subject", "=?ISO-8859-1?Q?Andr=E9?= Pirard")
	got, ds := h.Text("subject")
	if got != "André Pirard" || len(ds) != 0 {
		t.Errorf("Text = %q, %v", got, ds)
	}
}

func TestWriteToFoldsAt78AndNeverPast998(t *testing.T) {
	var h Header
	long := strings.Repeat("word ", 40)
	h.Add("Subject", long)
	h.Add("X-Token", strings.Repeat("z", 2500))
	h.Add("X-Inject", "a\r\nBcc: evil@example.com")
	h.Add("X-Spaces", "a"+strings.Repeat(" ", 3000)+"b")
	var b bytes.Buffer
	if _, err := h.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasSuffix(out, "\r\n\r\n") {
		t.Fatalf("no blank line at the end: %q", out)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\r\n\r\n"), "\r\n")
	for _, l := range lines {
		if len(l) > maxLineSize {
			t.Errorf("line of %d octets", len(l))
		}
		if strings.HasPrefix(l, "Subject") || strings.HasPrefix(l, " word") {
			if len(l) > foldColumn {
				t.Errorf("Subject line of %d columns: %q", len(l), l)
			}
		}
		if strings.HasPrefix(l, "Bcc") {
			t.Errorf("a value's CRLF started a new field: %q", l)
		}
	}
	// Reading it back gives the values (modulo the folding whitespace).
	h2, ds, err := ReadHeader(bufio.NewReader(strings.NewReader(out)), Limits{})
	if err != nil || len(ds) != 0 {
		t.Fatalf("read back: %v %v", err, ds)
	}
	if got := h2.Get("Subject"); got != strings.TrimRight(long, " ") && got != long {
		t.Errorf("Subject read back = %q", got)
	}
	if got := strings.ReplaceAll(h2.Get("X-Token"), " ", ""); got != strings.Repeat("z", 2500) {
		t.Errorf("X-Token read back has %d bytes", len(got))
	}
}

func TestReadHeaderRejectsTooManyBytes(t *testing.T) {
	in := "A: " + strings.Repeat("x", 100) + "\r\nB: " + strings.Repeat("y", 100) + "\r\n\r\nbody"
	h, _, _, err := readHeaderString(t, in, Limits{MaxHeaderBytes: 150})
	if !errors.Is(err, ErrHeaderTooLarge) {
		t.Fatalf("err = %v, want ErrHeaderTooLarge", err)
	}
	if h.Len() != 1 || h.Get("A") == "" {
		t.Errorf("the fields before the limit are lost: %v", fieldsKV(h))
	}
}

func TestReadHeaderRejectsTooManyFields(t *testing.T) {
	in := strings.Repeat("X: y\r\n", 11) + "\r\n"
	h, _, _, err := readHeaderString(t, in, Limits{MaxHeaderFields: 10})
	if !errors.Is(err, ErrTooManyFields) {
		t.Fatalf("err = %v, want ErrTooManyFields", err)
	}
	if h.Len() != 10 {
		t.Errorf("Len = %d, want the 10 fields read", h.Len())
	}
}

// endlessLine is an io.Reader of a header line that never ends.
type endlessLine struct{ n int }

func (e *endlessLine) Read(p []byte) (int, error) {
	if e.n == 0 {
		e.n++
		return copy(p, "Subject: "), nil
	}
	for i := range p {
		p[i] = 'a'
	}
	e.n += len(p)
	return len(p), nil
}

func TestReadHeaderHugeLineStopsAtLimit(t *testing.T) {
	// A 100 MiB line (never ending, in fact) must cost about the limit, not
	// the line: the reader stops and reports ErrHeaderTooLarge.
	src := &endlessLine{}
	br := bufio.NewReader(io.LimitReader(src, 100<<20))
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := ReadHeader(br, Limits{})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrHeaderTooLarge) {
		t.Fatalf("err = %v", err)
	}
	if src.n > DefaultMaxHeaderBytes+2*br.Size() {
		t.Errorf("read %d bytes for a limit of %d", src.n, DefaultMaxHeaderBytes)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 4*DefaultMaxHeaderBytes {
		t.Errorf("allocated %d bytes for a limit of %d", got, DefaultMaxHeaderBytes)
	}
}

// stallingReader gives its data, then blocks the test if read again.
type stallingReader struct {
	data string
	t    *testing.T
}

func (s *stallingReader) Read(p []byte) (int, error) {
	if s.data == "" {
		s.t.Fatal("ReadHeader read past the empty line that ends the block")
	}
	n := copy(p, s.data)
	s.data = s.data[n:]
	return n, nil
}

func TestReadHeaderDoesNotReadPastTheBlockOnALiveStream(t *testing.T) {
	br := bufio.NewReader(&stallingReader{data: "Subject: hi\r\n\r\n", t: t})
	h, _, err := ReadHeader(br, Limits{})
	if err != nil || h.Get("Subject") != "hi" {
		t.Fatalf("got %v, %v", fieldsKV(h), err)
	}
}

// A word too long for a line is cut at 998 octets (RFC 5322 §2.1.1), but
// not inside a UTF-8 character.
func TestWriteCutsLongWordBetweenCharacters(t *testing.T) {
	for _, word := range []string{strings.Repeat("é", 700), "x" + strings.Repeat("瀒", 500), strings.Repeat("\xff", 1200)} {
		var h Header
		h.Add("Subject", word)
		var buf bytes.Buffer
		if _, err := h.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(buf.String(), "\r\n") {
			if len(line) > 998 {
				t.Errorf("line of %d octets", len(line))
			}
			if utf8.ValidString(word) && !utf8.ValidString(line) {
				t.Errorf("a line cut inside a character: ...%q", line[max(0, len(line)-4):])
			}
		}
		got, _, err := ReadHeader(bufio.NewReader(&buf), Limits{})
		if err != nil {
			t.Fatal(err)
		}
		if v := strings.ReplaceAll(got.Get("Subject"), " ", ""); v != word {
			t.Errorf("read back %d bytes, want %d", len(v), len(word))
		}
	}
}
