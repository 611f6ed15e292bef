package imapserver_test

import (
	"fmt"
	"strings"
	"testing"
)

// RFC 4314 §4 with imapmem's sharing: what alice grants bob on her INBOX
// decides what bob may do there, command by command.
func TestACLEnforcedBetweenUsers(t *testing.T) {
	srv := newServer(newBackend(t, 3))
	alice, bob := login(t, srv, "alice", "secret"), login(t, srv, "bob", "hunter2")
	const shared = `"Other Users/alice/INBOX"`
	status := func(tc *tconn, cmd string) string {
		t.Helper()
		_, st := tc.do(cmd)
		return st
	}

	// Nothing granted: the mailbox does not exist for bob.
	if l := bob.ok(`LIST "" "*"`); strings.Contains(strings.Join(l, "\n"), "alice") {
		t.Fatalf("alice's mailboxes listed before any grant: %q", l)
	}
	if st := status(bob, "SELECT "+shared); !strings.HasPrefix(st, "NO [NONEXISTENT]") {
		t.Fatalf("SELECT without rights: %q", st)
	}

	// "lr": bob sees it and reads it, read-only, changing nothing.
	alice.ok("SETACL INBOX bob lr")
	wantLines(t, bob.ok("NAMESPACE"), `* NAMESPACE (("" "/")) (("Other Users/" "/")) NIL`)
	if l := strings.Join(bob.ok(`LIST "" "*"`), "\n"); !strings.Contains(l, `"/" "Other Users/alice/INBOX"`) {
		t.Fatalf("LIST after lr: %q", l)
	}
	wantLines(t, bob.ok("MYRIGHTS "+shared), `* MYRIGHTS "Other Users/alice/INBOX" lr`)
	if st := status(bob, "SELECT "+shared); !strings.HasPrefix(st, "OK [READ-ONLY]") {
		t.Fatalf("SELECT with lr: %q", st)
	}
	bob.ok("FETCH 1 BODY[]")
	wantLines(t, alice.ok("STATUS INBOX (UNSEEN)"), "* STATUS INBOX (UNSEEN 3)")
	if st := status(bob, "GETACL "+shared); !strings.HasPrefix(st, "NO [NOPERM]") {
		t.Fatalf("GETACL without a: %q", st)
	}
	if st := status(bob, "SETACL "+shared+" bob lrswipkxtea"); !strings.HasPrefix(st, "NO [NOPERM]") {
		t.Fatalf("SETACL without a: %q", st)
	}

	// "lrs": \Seen only; other flags and EXPUNGE refused, CLOSE still OK.
	alice.ok("SETACL INBOX bob lrs")
	u := bob.ok("SELECT " + shared)
	if !strings.Contains(strings.Join(u, "\n"), `[PERMANENTFLAGS (\Seen)]`) {
		t.Fatalf("PERMANENTFLAGS with lrs: %q", u)
	}
	if st := status(bob, `STORE 1 +FLAGS (\Flagged)`); !strings.HasPrefix(st, "NO [NOPERM]") {
		t.Fatalf("STORE \\Flagged without w: %q", st)
	}
	wantLines(t, bob.ok(`STORE 1 +FLAGS (\Seen \Flagged)`), `* 1 FETCH (FLAGS (\Seen))`)
	if st := status(bob, "EXPUNGE"); !strings.HasPrefix(st, "NO [NOPERM]") {
		t.Fatalf("EXPUNGE without e: %q", st)
	}
	bob.ok("CLOSE")

	// APPEND and COPY need "i"; flags without their right are dropped.
	msg := "Subject: from bob\r\n\r\nhi\r\n"
	if st := status(bob, fmt.Sprintf("APPEND %s {%d+}\r\n%s", shared, len(msg), msg)); !strings.HasPrefix(st, "NO [NOPERM]") {
		t.Fatalf("APPEND without i: %q", st)
	}
	alice.ok("SETACL INBOX bob +i")
	bob.ok(fmt.Sprintf(`APPEND %s (\Seen \Deleted $Work) {%d+}`+"\r\n%s", shared, len(msg), msg))
	alice.ok("SELECT INBOX")
	wantLines(t, alice.ok("FETCH 4 (FLAGS)"), `* 4 FETCH (FLAGS (\Seen))`)
	bob.ok(fmt.Sprintf("APPEND INBOX {%d+}\r\n%s", len(msg), msg))
	bob.ok("SELECT INBOX")
	bob.ok(`STORE 1 +FLAGS (\Deleted)`)
	bob.ok("COPY 1 " + shared)
	wantLines(t, alice.ok("NOOP"), "* 5 EXISTS")
	wantLines(t, alice.ok("FETCH 5 (FLAGS)"), `* 5 FETCH (FLAGS ())`)

	// Deleting needs "x"; renaming shared mailboxes is refused.
	alice.ok("SETACL Sent bob l")
	if st := status(bob, `DELETE "Other Users/alice/Sent"`); !strings.HasPrefix(st, "NO [NOPERM]") {
		t.Fatalf("DELETE without x: %q", st)
	}
	if st := status(bob, `RENAME "Other Users/alice/Sent" Mine`); !strings.HasPrefix(st, "NO [NOPERM]") {
		t.Fatalf("RENAME out of alice's mailboxes: %q", st)
	}
	// Renaming within them: "x" on the mailbox, "k" on the new parent.
	alice.ok("CREATE Projects/Old")
	alice.ok("SETACL Projects/Old bob lrx")
	if st := status(bob, `RENAME "Other Users/alice/Projects/Old" "Other Users/alice/Projects/New"`); !strings.HasPrefix(st, "NO [NOPERM]") {
		t.Fatalf("RENAME without k on the parent: %q", st)
	}
	alice.ok("SETACL Projects bob lk")
	bob.ok(`RENAME "Other Users/alice/Projects/Old" "Other Users/alice/Projects/New"`)
	if l := strings.Join(alice.ok(`LIST "" "Projects/*"`), "\n"); !strings.Contains(l, "Projects/New") || strings.Contains(l, "Projects/Old") {
		t.Fatalf("alice's mailboxes after bob's RENAME: %q", l)
	}

	// Revoked: gone again.
	alice.ok("DELETEACL INBOX bob")
	if st := status(bob, "SELECT "+shared); !strings.HasPrefix(st, "NO [NONEXISTENT]") {
		t.Fatalf("SELECT after DELETEACL: %q", st)
	}
	if l := strings.Join(bob.ok(`LIST "" "*"`), "\n"); strings.Contains(l, "alice/INBOX") {
		t.Fatalf("LIST after DELETEACL: %q", l)
	}
	// The owner keeps every right.
	wantLines(t, alice.ok("MYRIGHTS INBOX"), "* MYRIGHTS INBOX lrswipkxtea")
}
