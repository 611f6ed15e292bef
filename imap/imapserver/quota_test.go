package imapserver_test

import (
	"testing"
)

func TestQuotaReportedAndEnforced(t *testing.T) {
	be := newBackend(t, 2)
	srv := newServer(be)
	tc := login(t, srv, "alice", "secret")
	// No quota set: no roots.
	wantLines(t, tc.ok("GETQUOTAROOT INBOX"), "* QUOTAROOT INBOX")
	be.User("alice").SetQuota(10, 3)
	wantLines(t, tc.ok("GETQUOTAROOT INBOX"), `* QUOTAROOT INBOX ""`, `* QUOTA "" (STORAGE 1 10 MESSAGE 2 3)`)
	wantLines(t, tc.ok(`GETQUOTA ""`), `* QUOTA "" (STORAGE 1 10 MESSAGE 2 3)`)
	tc.ok("APPEND INBOX {1+}\r\nx")
	if _, st := tc.do("APPEND INBOX {1+}\r\ny"); st != "NO [OVERQUOTA] over quota" {
		t.Fatalf("got %q", st)
	}
	if _, st := tc.do(`SETQUOTA "" (STORAGE 100)`); st != "NO [NOPERM] quotas cannot be changed over IMAP" {
		t.Fatalf("got %q", st)
	}
	if _, st := tc.do(`GETQUOTA "other"`); st != "NO [NONEXISTENT] no such mailbox" {
		t.Fatalf("got %q", st)
	}
	tc.ok("NOOP")
}
