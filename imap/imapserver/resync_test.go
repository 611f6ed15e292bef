package imapserver_test

import (
	"strings"
	"testing"
)

// After a bad command the server discards the rest of its line: the data
// of a non-synchronising literal at its end, sent without waiting, is
// skipped and never read as commands, wherever the error was found.
func TestBadCommandSkipsItsNonSyncLiteral(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	tc := login(t, srv, "alice", "secret")
	for _, bad := range []string{
		`APPEND INBOX "1-Jan-2024 00:00:00 +000$ {14+}`, // error in a quoted string
		`APPEND INBOX CATENATE (TEXT{14+}`,              // error at the "{"
		`FROB {14+}`,
	} {
		tc.send("A " + bad + "\r\nZ DELETE INBOX\r\n")
		if l := tc.line(); !strings.HasPrefix(l, "A BAD") {
			t.Fatalf("%s: got %q", bad, l)
		}
		tc.ok("NOOP")
	}
}

// A bare LF ends a line: a command that is bad at its LF does not take
// the next command with it.
func TestBadCommandAtBareLFKeepsNextCommand(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	tc := login(t, srv, "alice", "secret")
	tc.send("A SELECT\nB NOOP\r\n")
	if l := tc.line(); !strings.HasPrefix(l, "A BAD") {
		t.Fatalf("got %q", l)
	}
	if l := tc.line(); !strings.HasPrefix(l, "B OK") {
		t.Fatalf("got %q", l)
	}
}
