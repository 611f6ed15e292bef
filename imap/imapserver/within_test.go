package imapserver_test

import (
	"fmt"
	"strings"
	"testing"
)

// WITHIN (RFC 5032): OLDER and YOUNGER count seconds back from now against
// the internal date. The store's messages are from 2024; one appended now
// is young.
func TestSearchWithin(t *testing.T) {
	srv := newServer(newBackend(t, 3))
	tc := login(t, srv, "alice", "secret")
	if caps := tc.ok("CAPABILITY"); !strings.Contains(caps[0], " WITHIN ") {
		t.Fatalf("WITHIN not advertised: %q", caps[0])
	}
	msg := "Subject: now\r\n\r\nx\r\n"
	tc.ok(fmt.Sprintf("APPEND INBOX {%d+}\r\n%s", len(msg), msg))
	tc.ok("SELECT INBOX")
	wantLines(t, tc.ok("SEARCH YOUNGER 3600"), "* SEARCH 4")
	wantLines(t, tc.ok("SEARCH OLDER 3600"), "* SEARCH 1 2 3")
	wantLines(t, tc.ok("UID SEARCH NOT YOUNGER 86400"), "* SEARCH 1 2 3")
	if _, st := tc.do("SEARCH YOUNGER 0"); !strings.HasPrefix(st, "BAD") {
		t.Fatalf("YOUNGER 0 (nz-number, RFC 5032 §4): %q", st)
	}
}
