package imapserver_test

import (
	"regexp"
	"strings"
	"testing"
)

var highestRE = regexp.MustCompile(`HIGHESTMODSEQ ([0-9]+)`)
var validityRE = regexp.MustCompile(`UIDVALIDITY ([0-9]+)`)

func TestQResyncVanishedAndResync(t *testing.T) {
	srv := newServer(newBackend(t, 5))
	a := login(t, srv, "alice", "secret")
	a.ok("ENABLE QRESYNC")
	sel := strings.Join(a.ok("SELECT INBOX"), "\n")
	modseq := highestRE.FindStringSubmatch(sel)[1]
	validity := validityRE.FindStringSubmatch(sel)[1]

	b := selectInbox(t, srv)
	b.ok(`STORE 2 +FLAGS.SILENT (\Deleted)`)
	b.ok("EXPUNGE")
	b.ok(`STORE 3 +FLAGS.SILENT (\Flagged)`)

	// Unilateral: VANISHED, not EXPUNGE, and before the FETCH whose
	// number it shifts.
	got := a.ok("NOOP")
	if len(got) != 3 || got[0] != `* 2 FETCH (UID 2 FLAGS (\Deleted) MODSEQ (7))` || got[1] != "* VANISHED 2" ||
		!strings.HasPrefix(got[2], `* 3 FETCH (UID 4 FLAGS (\Flagged) MODSEQ (`) {
		t.Fatalf("NOOP: %q", got)
	}

	// A new session resynchronises from the old modseq.
	c := login(t, srv, "alice", "secret")
	c.ok("ENABLE QRESYNC")
	got = c.ok("SELECT INBOX (QRESYNC (" + validity + " " + modseq + " 1:5))")
	var tail []string
	for _, l := range got {
		if strings.HasPrefix(l, "* VANISHED") || strings.Contains(l, " FETCH ") {
			tail = append(tail, l)
		}
	}
	if len(tail) != 2 || tail[0] != "* VANISHED (EARLIER) 2" || !strings.HasPrefix(tail[1], `* 3 FETCH (UID 4 FLAGS (\Flagged) MODSEQ (`) {
		t.Fatalf("SELECT QRESYNC: %q", got)
	}
	got = c.ok("UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + modseq + " VANISHED)")
	if len(got) != 2 || got[0] != "* VANISHED (EARLIER) 2" || !strings.HasPrefix(got[1], `* 3 FETCH (UID 4 FLAGS (\Flagged) MODSEQ (`) {
		t.Fatalf("UID FETCH VANISHED: %q", got)
	}
	// Own EXPUNGE is VANISHED too.
	c.ok(`STORE 1 +FLAGS.SILENT (\Deleted)`)
	if got := c.ok("EXPUNGE"); len(got) != 1 || got[0] != "* VANISHED 1" {
		t.Fatalf("EXPUNGE: %q", got)
	}
	// VANISHED without QRESYNC is refused.
	if _, st := b.do("UID FETCH 1:* (FLAGS) (CHANGEDSINCE 1 VANISHED)"); !strings.HasPrefix(st, "BAD") {
		t.Fatalf("got %q", st)
	}
}
