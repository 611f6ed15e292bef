package mime

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseMessageIDList(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		defects int
	}{
		// RFC 5322 Appendix A.
		{"<1234@local.machine.example>", []string{"1234@local.machine.example"}, 0},
		{"<1234@local.machine.example> <3456@example.net>", []string{"1234@local.machine.example", "3456@example.net"}, 0},
		{"             <testabcd.1234@silly.test>", []string{"testabcd.1234@silly.test"}, 0},
		// A.6.3: obsolete white space and comments inside the id.
		{"<1234   @   local(blah)  .machine .example>", []string{"1234@local.machine.example"}, 0},
		// Folded References, commas between ids.
		{"<a@x>\r\n <b@y>,<c@z>", []string{"a@x", "b@y", "c@z"}, 0},
		// obs-in-reply-to: phrases around the id.
		{`Your message of "Fri, 21 Nov" <a@x> (comment)`, []string{"a@x"}, 0},
		// Broken forms.
		{"a@x", []string{"a@x"}, 1},
		{"<a@x", []string{"a@x"}, 1},
		{"<nodomain>", []string{"nodomain"}, 1},
		{"<>", nil, 1},
		{"", nil, 0},
	}
	for _, tt := range tests {
		got, ds := ParseMessageIDList(tt.in)
		if d := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("%q (-want +got):\n%s", tt.in, d)
		}
		if len(ds) != tt.defects {
			t.Errorf("%q: defects %v, want %d", tt.in, ds, tt.defects)
		}
		for _, d := range ds {
			if d.Kind != DefectInvalidMessageID {
				t.Errorf("%q: defect kind %v", tt.in, d.Kind)
			}
		}
	}
}

func TestFormatMessageIDListReadsBack(t *testing.T) {
	ids := []string{"a@x", NewMessageID("example.com"), NewMessageID("")}
	s := FormatMessageIDList(ids)
	got, ds := ParseMessageIDList(s)
	if len(ds) != 0 || !cmp.Equal(ids, got) {
		t.Errorf("%q read back as %q %v", s, got, ds)
	}
	if ids[1] == NewMessageID("example.com") || !strings.HasSuffix(ids[1], "@example.com") {
		t.Errorf("NewMessageID is not fresh or has the wrong host: %q", ids[1])
	}
}

func TestParseMessageIDListBoundsIDs(t *testing.T) {
	ids, ds := ParseMessageIDList(strings.Repeat("<a@b> ", maxMessageIDs+10))
	if len(ids) != maxMessageIDs || len(ds) != 1 {
		t.Errorf("got %d ids, want the limit %d", len(ids), maxMessageIDs)
	}
}
