package mime

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseMediaTypeTable(t *testing.T) {
	tests := []struct {
		in      string
		ok      bool
		want    MediaType
		defects []DefectKind
	}{
		{"text/plain", true, MediaType{"text", "plain", nil}, nil},
		{"Text/HTML; Charset=\"UTF-8\"", true, MediaType{"text", "html", Params{{"charset", "UTF-8"}}}, nil},
		// RFC 2045 §5.1: comments are allowed between tokens.
		{"text/plain; charset=us-ascii (Plain text)", true, MediaType{"text", "plain", Params{{"charset", "us-ascii"}}}, nil},
		{"text / plain ; charset = utf-8", true, MediaType{"text", "plain", Params{{"charset", "utf-8"}}}, nil},
		{`multipart/mixed; boundary="simple boundary"`, true, MediaType{"multipart", "mixed", Params{{"boundary", "simple boundary"}}}, nil},
		{`multipart/mixed; boundary="a\"b\\c"`, true, MediaType{"multipart", "mixed", Params{{"boundary", `a"b\c`}}}, nil},
		{"text/plain;", true, MediaType{"text", "plain", nil}, nil},
		{"text/plain;; charset=utf-8;", true, MediaType{"text", "plain", Params{{"charset", "utf-8"}}}, nil},
		{"text", false, MediaType{}, []DefectKind{DefectInvalidParameter}},
		{"", false, MediaType{}, []DefectKind{DefectInvalidParameter}},
		{"/plain", false, MediaType{}, []DefectKind{DefectInvalidParameter}},
		// RFC 2231 §3: continuations.
		{"message/external-body; access-type=URL;\r\n URL*0=\"ftp://\";\r\n URL*1=\"cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar\"", true,
			MediaType{"message", "external-body", Params{{"access-type", "URL"}, {"url", "ftp://cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"}}}, nil},
		// RFC 2231 §4: charset and language.
		{"application/x-stuff; title*=us-ascii'en-us'This%20is%20%2A%2A%2Afun%2A%2A%2A", true,
			MediaType{"application", "x-stuff", Params{{"title", "This is ***fun***"}}}, nil},
		// RFC 2231 §4.1: both.
		{"application/x-stuff;\r\n title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n title*2=\"isn't it!\"", true,
			MediaType{"application", "x-stuff", Params{{"title", "This is even more ***fun*** isn't it!"}}}, nil},
		{"text/plain; name*=iso-8859-1''caf%E9.txt", true, MediaType{"text", "plain", Params{{"name", "café.txt"}}}, nil},
		{"text/plain; name*=utf-8''caf%C3%A9.txt; name=fallback.txt", true, MediaType{"text", "plain", Params{{"name", "café.txt"}}}, []DefectKind{DefectInvalidParameter}},
		{"text/plain; name=fallback.txt; name*=utf-8''caf%C3%A9.txt", true, MediaType{"text", "plain", Params{{"name", "café.txt"}}}, nil},
		// Sections out of order are joined in order.
		{"text/plain; n*1=b; n*0=a", true, MediaType{"text", "plain", Params{{"n", "ab"}}}, nil},
		{"text/plain; n*0=a; n*2=c", true, MediaType{"text", "plain", Params{{"n", "a"}}}, []DefectKind{DefectInvalidParameter}},
		// Non-standard forms.
		{`application/pdf; name="=?UTF-8?B?w6l0w6kucGRm?="`, true, MediaType{"application", "pdf", Params{{"name", "été.pdf"}}}, nil},
		{"application/pdf; name=my file.pdf", true, MediaType{"application", "pdf", Params{{"name", "my file.pdf"}}}, []DefectKind{DefectInvalidParameter}},
		{`text/plain; charset="utf-8`, true, MediaType{"text", "plain", Params{{"charset", "utf-8"}}}, []DefectKind{DefectInvalidParameter}},
		{"text/plain charset=utf-8", true, MediaType{"text", "plain", Params{{"charset", "utf-8"}}}, []DefectKind{DefectInvalidParameter}},
		{"text/plain; charset=utf-8 format=flowed", true, MediaType{"text", "plain", Params{{"charset", "utf-8 format=flowed"}}}, []DefectKind{DefectInvalidParameter}},
		{"text/plain; a=\"x\" b=y", true, MediaType{"text", "plain", Params{{"a", "x"}, {"b", "y"}}}, []DefectKind{DefectInvalidParameter}},
		{"text/plain; charset", true, MediaType{"text", "plain", nil}, []DefectKind{DefectInvalidParameter}},
		{"text/plain; charset=utf-8; charset=latin1", true, MediaType{"text", "plain", Params{{"charset", "utf-8"}}}, []DefectKind{DefectInvalidParameter}},
		{"text/plain; name*=x-unknown''abc", true, MediaType{"text", "plain", Params{{"name", "abc"}}}, []DefectKind{DefectUnknownCharset}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			mt, ok, ds := ParseMediaType(tt.in)
			if ok != tt.ok {
				t.Fatalf("ok = %v, defects %v", ok, ds)
			}
			if d := cmp.Diff(tt.want, mt); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.defects, defectKinds(ds)); d != "" {
				t.Errorf("defects (-want +got):\n%s\n%v", d, ds)
			}
		})
	}
}

func TestParseDisposition(t *testing.T) {
	// RFC 2183 §2 examples.
	d, ok, ds := ParseDisposition(`Attachment; filename=genome.jpeg;
          modification-date="Wed, 12 Feb 1997 16:29:51 -0500";`)
	want := Disposition{"attachment", Params{{"filename", "genome.jpeg"}, {"modification-date", "Wed, 12 Feb 1997 16:29:51 -0500"}}}
	if !ok || len(ds) != 0 || !cmp.Equal(want, d) {
		t.Errorf("got %+v %v %v", d, ok, ds)
	}
	if _, ok, _ := ParseDisposition("; filename=x"); ok {
		t.Error("a disposition without a type is ok")
	}
}

func TestParseParamsRawKeepsNamesAndEncoding(t *testing.T) {
	tok, ps, ok := ParseParamsRaw("Text/Plain; Title*0*=us-ascii'en'This%20is; title*1=\"more\"")
	want := Params{{"Title*0*", "us-ascii'en'This%20is"}, {"title*1", "more"}}
	if !ok || tok != "Text/Plain" || !cmp.Equal(want, ps) {
		t.Errorf("got %q %v %v", tok, ps, ok)
	}
	tok, ps, ok = ParseParamsRaw("inline; filename=\"a b\"")
	if !ok || tok != "inline" || !cmp.Equal(Params{{"filename", "a b"}}, ps) {
		t.Errorf("got %q %v %v", tok, ps, ok)
	}
}

func TestFormatMediaTypeRoundTrips(t *testing.T) {
	tests := []MediaType{
		{"text", "plain", Params{{"charset", "utf-8"}}},
		{"multipart", "mixed", Params{{"boundary", "a b\"c\\d"}}},
		{"application", "octet-stream", Params{{"name", "café.pdf"}}},
		{"application", "octet-stream", Params{{"name", strings.Repeat("long name ", 20)}}},
		{"application", "octet-stream", Params{{"name", strings.Repeat("é", 100)}}},
		{"application", "octet-stream", Params{{"name", "=?utf-8?q?not_a_word?="}, {"x", ""}}},
		{"application", "octet-stream", Params{{"name", "tab\there\r\n"}}},
	}
	for _, mt := range tests {
		s := FormatMediaType(mt)
		got, ok, ds := ParseMediaType(s)
		if !ok || len(ds) != 0 {
			t.Errorf("%q: ok=%v defects=%v", s, ok, ds)
		}
		if d := cmp.Diff(mt, got); d != "" {
			t.Errorf("%q (-want +got):\n%s", s, d)
		}
		for _, part := range strings.Split(s, "; ") {
			if len(part) > 78 {
				t.Errorf("parameter of %d characters: %q", len(part), part)
			}
		}
	}
}

func TestFormatMediaTypeUsesRFC2231ForNonASCII(t *testing.T) {
	got := FormatDisposition(Disposition{"attachment", Params{{"filename", "café.txt"}}})
	if want := "attachment; filename*=utf-8''caf%C3%A9.txt"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	got = FormatMediaType(MediaType{"Text", "Plain", Params{{"charset", "utf-8"}, {"format", "flowed"}}})
	if want := "text/plain; charset=utf-8; format=flowed"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestParseMediaTypeBoundsParameters(t *testing.T) {
	in := "text/plain" + strings.Repeat("; a=b", maxParams+10)
	mt, ok, ds := ParseMediaType(in)
	if !ok || len(mt.Params) != 1 {
		t.Fatalf("ok=%v, %d params", ok, len(mt.Params))
	}
	var sawLimit bool
	for _, d := range ds {
		if d.Kind == DefectInvalidParameter && strings.Contains(d.Detail, "too many parameters") {
			sawLimit = true
		}
	}
	if !sawLimit {
		t.Errorf("no defect for crossing the parameter limit: %v", ds)
	}
	_, ps, _ := ParseParamsRaw(in)
	if len(ps) != maxParams {
		t.Errorf("ParseParamsRaw kept %d parameters, want %d", len(ps), maxParams)
	}
}

func TestParamLanguage(t *testing.T) {
	v := "application/x-stuff; title*0*=us-ascii'en'This%20is; title*1=more; name*=utf-8''x; other=\"a'b'c\""
	for name, want := range map[string]string{"title": "en", "TITLE": "en", "name": "", "other": "", "missing": ""} {
		if got := ParamLanguage(v, name); got != want {
			t.Errorf("ParamLanguage(%q) = %q, want %q", name, got, want)
		}
	}
	if got := ParamLanguage("inline; filename*=iso-8859-1'fr-CA'caf%E9", "filename"); got != "fr-CA" {
		t.Errorf("got %q", got)
	}
}

func TestFormatLongParametersFoldWithin78Columns(t *testing.T) {
	long := strings.Repeat("Grüße aus Köln, ", 12)
	for _, name := range []string{"filename", "name", "a-rather-long-parameter-name"} {
		for _, value := range []string{long, strings.Repeat("plain-ascii-words ", 12)} {
			var h Header
			h.Add("Content-Disposition", FormatDisposition(Disposition{Type: "attachment", Params: Params{{Name: name, Value: value}}}))
			var buf bytes.Buffer
			if _, err := h.WriteTo(&buf); err != nil {
				t.Fatal(err)
			}
			for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\r\n\r\n"), "\r\n") {
				if len(line) > 78 {
					t.Errorf("%s: folded line of %d octets: %q", name, len(line), line)
				}
			}
			got, ok, _ := ParseDisposition(h.Get("Content-Disposition"))
			if !ok || got.Params.Get(name) != value {
				t.Errorf("%s: read back %q", name, got.Params.Get(name))
			}
		}
	}
}
