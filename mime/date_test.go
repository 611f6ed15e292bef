package mime

import (
	"errors"
	"testing"
	"time"
)

func mustDate(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestParseDateRFC5322Examples(t *testing.T) {
	tests := []struct{ in, want string }{
		// RFC 5322 Appendix A.
		{"Fri, 21 Nov 1997 09:55:06 -0600", "1997-11-21T09:55:06-06:00"},
		{"Tue, 1 Jul 2003 10:52:37 +0200", "2003-07-01T10:52:37+02:00"},
		{"Thu, 13 Feb 1969 23:32:54 -0330", "1969-02-13T23:32:54-03:30"},
		// A.5: folding and comments.
		{"Thu,\r\n      13\r\n        Feb\r\n          1969\r\n      23:32\r\n               -0330 (Newfoundland Time)", "1969-02-13T23:32:00-03:30"},
		// A.6.2: obsolete date.
		{"21 Nov 97 09:55:06 GMT", "1997-11-21T09:55:06Z"},
		// A.6.3.
		{"Fri, 21 Nov 1997 09(comment):   55  :  06 -0600", "1997-11-21T09:55:06-06:00"},
		// §4.3 zones and years.
		{"Sat, 1 Jan 00 00:00:00 EST", "2000-01-01T00:00:00-05:00"},
		{"1 Jan 100 12:00 PDT", "2000-01-01T12:00:00-07:00"},
		{"1 Jan 2000 12:00:00 Z", "2000-01-01T12:00:00Z"},
		{"1 Jan 2000 12:00:00 -0000", "2000-01-01T12:00:00Z"},
		{"31 Dec 2016 23:59:60 +0000", "2017-01-01T00:00:00Z"},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in)
		if err != nil {
			t.Errorf("ParseDate(%q): %v", tt.in, err)
			continue
		}
		want := mustDate(t, tt.want)
		_, wo := want.Zone()
		_, go_ := got.Zone()
		if !got.Equal(want) || wo != go_ {
			t.Errorf("ParseDate(%q) = %v, want %v", tt.in, got, want)
		}
	}
}

func TestParseDateStrictRejects(t *testing.T) {
	for _, in := range []string{
		"", "yesterday", "Sat, 21 Nov 1997 09:55:06 -0600", // wrong day of week
		"31 Feb 2000 00:00:00 +0000", "1 Jan 2000 24:00:00 +0000", "1 Jan 2000 12:00:00",
		"1 Jan 2000 12:00:00 +0160", "1 Jan 2000 12:00:00 CET", "1 January 2000 12:00 +0000",
		"2000-01-01T00:00:00Z", "1 Jan 2000 12:00:00 +0000 junk", "1 Jan 2000 12:00:00 J",
	} {
		if _, err := ParseDate(in); !errors.Is(err, ErrInvalidDate) {
			t.Errorf("ParseDate(%q) err = %v", in, err)
		}
	}
}

func TestParseDateLenientReadsRealMail(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Sat, 21 Nov 1997 09:55:06 -0600", "1997-11-21T09:55:06-06:00"}, // wrong weekday
		{"21 Nov 1997 09:55 -0600", "1997-11-21T09:55:00-06:00"},
		{"Friday, 21 November 1997 09:55:06 -0600", "1997-11-21T09:55:06-06:00"},
		{"21-Nov-1997 09:55:06 -0600", "1997-11-21T09:55:06-06:00"},
		{"Fri Nov 21 09:55:06 1997", "1997-11-21T09:55:06Z"},
		{"Fri Nov 21 09:55:06 CET 1997", "1997-11-21T09:55:06+01:00"},
		{"2026-11-22T01:54:07Z", "2026-11-22T01:54:07Z"},
		{"2026-11-22 01:54:07 +01:00", "2026-11-22T01:54:07+01:00"},
		{"Fri, 21 Nov 1997 09:55:06 GMT+0200", "1997-11-21T09:55:06+02:00"},
		{"Fri, 21 Nov 1997 09:55:06 UTC+2", "1997-11-21T09:55:06+02:00"},
		{"Fri, 21 Nov 1997 09:55:06 +0100 (CET)", "1997-11-21T09:55:06+01:00"},
		{"Fri, 21 Nov 1997 09:55:06 CEST", "1997-11-21T09:55:06+02:00"},
		{"Fri, 21 Nov 1997 09:55:06 XYZT", "1997-11-21T09:55:06Z"},
		{"Fri, 21 Nov 1997 9:55:06 PM -0600", "1997-11-21T21:55:06-06:00"},
		{"Fri, 21 Nov 1997 09.55.06 -0600", "1997-11-21T09:55:06-06:00"},
		{"Fri, 21 Nov 1997 09:55:06.123 -0600", "1997-11-21T09:55:06-06:00"},
		{"21 Nov 1997", "1997-11-21T00:00:00Z"},
		{"Fri, 21 Nov 97 09:55:06 +0000", "1997-11-21T09:55:06Z"},
	}
	for _, tt := range tests {
		got, err := ParseDateLenient(tt.in)
		if err != nil {
			t.Errorf("ParseDateLenient(%q): %v", tt.in, err)
			continue
		}
		want := mustDate(t, tt.want)
		_, wo := want.Zone()
		_, go_ := got.Zone()
		if !got.Equal(want) || wo != go_ {
			t.Errorf("ParseDateLenient(%q) = %v, want %v", tt.in, got, want)
		}
	}
	for _, in := range []string{"", "yesterday", "32 Foo 2000", "12:00"} {
		if _, err := ParseDateLenient(in); !errors.Is(err, ErrInvalidDate) {
			t.Errorf("ParseDateLenient(%q) err = %v", in, err)
		}
	}
}

func TestFormatDateReadsBackExactly(t *testing.T) {
	zones := []*time.Location{time.UTC, time.FixedZone("", -3*3600-30*60), time.FixedZone("X", 14*3600)}
	for _, loc := range zones {
		for _, tm := range []time.Time{
			time.Date(1969, 2, 13, 23, 32, 54, 0, loc),
			time.Date(2026, 11, 22, 1, 2, 3, 0, loc),
			time.Date(2000, 2, 29, 0, 0, 0, 0, loc),
		} {
			s := FormatDate(tm)
			got, err := ParseDate(s)
			_, wo := tm.Zone()
			_, go_ := got.Zone()
			if err != nil || !got.Equal(tm) || wo != go_ {
				t.Errorf("FormatDate(%v) = %q reads back as %v, %v", tm, s, got, err)
			}
		}
	}
	lmt := time.Date(1880, 1, 1, 12, 0, 0, 0, time.FixedZone("LMT", -(17*60+30)))
	if got, err := ParseDate(FormatDate(lmt)); err != nil || !got.Equal(lmt) {
		t.Errorf("an offset with seconds: %q reads back as %v, %v", FormatDate(lmt), got, err)
	}
	if got := FormatDate(time.Date(1997, 11, 21, 9, 55, 6, 0, time.FixedZone("", -6*3600))); got != "Fri, 21 Nov 1997 09:55:06 -0600" {
		t.Errorf("FormatDate = %q", got)
	}
}

func TestParseDateCorpus(t *testing.T) {
	for _, row := range readFieldCorpus(t, "dates.txt") {
		mode, want, in := row[0], row[1], row[2]
		st, serr := ParseDate(in)
		lt, lerr := ParseDateLenient(in)
		switch mode {
		case "strict":
			if serr != nil || lerr != nil || !st.Equal(lt) {
				t.Errorf("%q: strict %v %v, lenient %v %v", in, st, serr, lt, lerr)
				continue
			}
		case "lenient":
			if serr == nil || lerr != nil {
				t.Errorf("%q: strict err %v, lenient err %v", in, serr, lerr)
				continue
			}
		case "bad":
			if serr == nil || lerr == nil {
				t.Errorf("%q: accepted: %v %v", in, st, lt)
			}
			continue
		}
		w := mustDate(t, want)
		_, wo := w.Zone()
		_, lo := lt.Zone()
		if !lt.Equal(w) || wo != lo {
			t.Errorf("%q = %v, want %v", in, lt, w)
		}
	}
}
