package imapserver_test

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapclient"
)

// RFC 5465 §3.1: NOTIFY SET STATUS answers with the STATUS of the watched
// mailboxes, then events arrive without any command: STATUS for another
// mailbox, EXISTS and the asked-for FETCH for the selected one.
func TestNotifyMessageEvents(t *testing.T) {
	srv := newServer(newBackend(t, 3))
	a, b := login(t, srv, "alice", "secret"), login(t, srv, "alice", "secret")
	if caps := a.ok("CAPABILITY"); !strings.Contains(caps[0], " NOTIFY") {
		t.Fatalf("NOTIFY not advertised: %q", caps[0])
	}
	u := a.ok("NOTIFY SET STATUS (selected (MessageNew (UID BODY.PEEK[HEADER.FIELDS (Subject)]) MessageExpunge)) (personal (MessageNew MessageExpunge))")
	if len(u) != 3 || !strings.HasPrefix(u[0], "* STATUS INBOX (MESSAGES 3 UIDNEXT 4 UIDVALIDITY ") || !strings.HasPrefix(u[1], "* STATUS Sent (MESSAGES 0 UIDNEXT 1 UIDVALIDITY ") {
		t.Fatalf("NOTIFY SET STATUS: %q", u)
	}
	a.ok("SELECT INBOX")

	msg := "Subject: hi\r\n\r\nbody\r\n"
	b.ok(fmt.Sprintf("APPEND Sent {%d+}\r\n%s", len(msg), msg))
	if l := a.line(); l != "* STATUS Sent (MESSAGES 1 UIDNEXT 2)" {
		t.Fatalf("event in another mailbox: %q", l)
	}
	b.ok(fmt.Sprintf("APPEND INBOX {%d+}\r\n%s", len(msg), msg))
	if l := a.line(); l != "* 4 EXISTS" {
		t.Fatalf("new message in the selected mailbox: %q", l)
	}
	if l := a.line(); l != "* 4 FETCH (UID 4 BODY[HEADER.FIELDS (SUBJECT)] {15}Subject: hi\r\n\r\n)" {
		t.Fatalf("MessageNew FETCH: %q", l)
	}
	b.ok("SELECT INBOX")
	b.ok(`STORE 1 +FLAGS.SILENT (\Deleted)`)
	b.ok("EXPUNGE")
	// SELECTED (not -DELAYED): the expunge is sent at once.
	if l := a.line(); l != "* 1 EXPUNGE" {
		t.Fatalf("expunge: %q", l)
	}
	// NOTIFY NONE: nothing more arrives; the next command shows it.
	a.ok("NOTIFY NONE")
	b.ok(fmt.Sprintf("APPEND Sent {%d+}\r\n%s", len(msg), msg))
	wantLines(t, a.ok("NOOP"))
}

// §6.1.2: with SELECTED-DELAYED expunges wait for a command that allows
// them; other mailboxes' events still come at once, and during IDLE too.
func TestNotifySelectedDelayedAndIdle(t *testing.T) {
	srv := newServer(newBackend(t, 3))
	a, b := selectInbox(t, srv), selectInbox(t, srv)
	a.ok("NOTIFY SET (selected-delayed (MessageNew MessageExpunge FlagChange)) (mailboxes (Sent Trash) (MessageNew MessageExpunge))")
	b.ok(`STORE 2 +FLAGS.SILENT (\Deleted)`)
	if l := a.line(); l != `* 2 FETCH (UID 2 FLAGS (\Deleted))` {
		t.Fatalf("flag change: %q", l)
	}
	b.ok("EXPUNGE")
	msg := "Subject: x\r\n\r\nx\r\n"
	b.ok(fmt.Sprintf("APPEND Trash {%d+}\r\n%s", len(msg), msg))
	// The expunge is held; the Trash event is not.
	if l := a.line(); l != "* STATUS Trash (MESSAGES 1 UIDNEXT 2)" {
		t.Fatalf("held expunge or Trash event: %q", l)
	}
	wantLines(t, a.ok("NOOP"), "* 2 EXPUNGE")
	a.send("I1 IDLE\r\n")
	a.line()
	b.ok(fmt.Sprintf("APPEND Sent {%d+}\r\n%s", len(msg), msg))
	if l := a.line(); l != "* STATUS Sent (MESSAGES 1 UIDNEXT 2)" {
		t.Fatalf("event in IDLE: %q", l)
	}
	a.send("DONE\r\n")
	if l := a.line(); l != "I1 OK IDLE completed" {
		t.Fatalf("after DONE: %q", l)
	}
}

// §5.4, §5.5: mailbox creation, rename, deletion and subscription by
// another session are told with LIST; the session's own are not (§5).
func TestNotifyMailboxEvents(t *testing.T) {
	srv := newServer(newBackend(t, 0))
	a, b := login(t, srv, "alice", "secret"), login(t, srv, "alice", "secret")
	a.ok("NOTIFY SET (personal (MailboxName SubscriptionChange))")
	// Events may come at once or with the next command's answer; a NOOP
	// collects them either way. A parent may be LISTed more than once.
	events := func() []string {
		var out []string
		seen := map[string]bool{}
		for _, l := range a.ok("NOOP") {
			if !seen[l] {
				seen[l] = true
				out = append(out, l)
			}
		}
		return out
	}
	b.ok("CREATE Lists/New")
	wantLines(t, events(), `* LIST (\HasChildren) "/" Lists`, `* LIST (\HasNoChildren) "/" Lists/New`)
	b.ok("RENAME Lists/New Lists/Old")
	wantLines(t, events(), `* LIST (\HasNoChildren) "/" Lists/Old ("OLDNAME" (Lists/New))`)
	b.ok("DELETE Lists/Old")
	wantLines(t, events(), `* LIST (\NonExistent) "/" Lists/Old`, `* LIST (\HasNoChildren) "/" Lists`)
	b.ok("SUBSCRIBE Sent")
	wantLines(t, events(), `* LIST (\Sent \Subscribed) "/" Sent`)
	b.ok("UNSUBSCRIBE Sent")
	wantLines(t, events(), `* LIST (\Sent) "/" Sent`)
	// Its own change: nothing.
	wantLines(t, a.ok("CREATE Mine"))
	wantLines(t, events())
	// §5.6, §5.7: metadata events.
	a.ok("NOTIFY SET (personal (MailboxMetadataChange ServerMetadataChange))")
	b.ok(`SETMETADATA INBOX (/private/comment "x")`)
	wantLines(t, events(), `* METADATA INBOX /private/comment`)
	b.ok(`SETMETADATA "" (/private/vendor/x "y")`)
	wantLines(t, events(), `* METADATA "" /private/vendor/x`)
}

func TestNotifyErrors(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	tc := dial(t, srv)
	if _, st := tc.do("NOTIFY NONE"); !strings.HasPrefix(st, "BAD") {
		t.Fatalf("before login: %q", st)
	}
	tc.ok("LOGIN alice secret")
	for _, tt := range []struct{ cmd, want string }{
		{"NOTIFY SET (selected (MessageNew))", "BAD"},
		{"NOTIFY SET (personal (MessageExpunge))", "BAD"},
		{"NOTIFY SET (personal (FlagChange))", "BAD"},
		{"NOTIFY SET (selected (MailboxName))", "BAD"},
		{"NOTIFY SET (selected NONE) (selected-delayed NONE)", "BAD"},
		{"NOTIFY SET (personal (MessageNew (UID) MessageExpunge))", "BAD"},
		{"NOTIFY SET (everything (MessageNew MessageExpunge))", "BAD"},
		{"NOTIFY SET (selected (MessageNew (BODY[]) MessageExpunge))", "BAD"},
		{"NOTIFY SET", "BAD"},
		{"NOTIFY FOO", "BAD"},
		{"NOTIFY SET (personal (MessageNew MessageExpunge AnnotationChange))", "NO [BADEVENT (MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange MailboxMetadataChange ServerMetadataChange)]"},
		{"NOTIFY SET (personal (XYZ))", "NO [BADEVENT "},
		{"NOTIFY SET (subtree Lists (MessageNew MessageExpunge)) (mailboxes (INBOX Sent) NONE)", "OK"},
		{"NOTIFY SET (inboxes NONE)", "OK"},
	} {
		if _, st := tc.do(tt.cmd); !strings.HasPrefix(st, tt.want) {
			t.Errorf("%s: %q, want %s", tt.cmd, st, tt.want)
		}
	}
}

// §5.8: a session whose events pile up beyond what is kept is told
// NOTIFICATIONOVERFLOW, and NOTIFY is off for it.
func TestNotifyOverflow(t *testing.T) {
	srv := newServer(newBackend(t, 0))
	a, b := login(t, srv, "alice", "secret"), login(t, srv, "alice", "secret")
	a.ok("NOTIFY SET (personal (MailboxName))")
	// a is inside a command (waiting for a literal): nothing is delivered
	// to it while b makes more events than are kept.
	msg := "Subject: x\r\n\r\nx\r\n"
	a.send(fmt.Sprintf("A1 APPEND INBOX {%d}\r\n", len(msg)))
	if l := a.line(); !strings.HasPrefix(l, "+ ") {
		t.Fatalf("continuation: %q", l)
	}
	for i := 0; i < 4200; i++ {
		b.send(fmt.Sprintf("c%d CREATE m%d\r\n", i, i))
		b.line()
	}
	a.send(msg + "\r\n")
	if l := a.line(); !strings.HasPrefix(l, "* OK [NOTIFICATIONOVERFLOW]") {
		t.Fatalf("after the APPEND: %q", l)
	}
	if l := a.line(); !strings.HasPrefix(l, "A1 OK") {
		t.Fatalf("APPEND: %q", l)
	}
	b.ok("CREATE after")
	wantLines(t, a.ok("NOOP"))
}

// Our client's Notify against our server, end to end.
func TestNotifyOurClient(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	statuses := make(chan *imap.StatusData, 4)
	cc, sc := net.Pipe()
	go srv.ServeConn(sc)
	c, err := imapclient.NewClientOptions(cc, &imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Status: func(sd *imap.StatusData) { statuses <- sd },
	}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("alice", "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Notify(false, []imapclient.NotifyEvents{{Filter: "personal", Events: []string{"MessageNew", "MessageExpunge"}}}).Wait(); err != nil {
		t.Fatal(err)
	}
	idle, err := c.Idle()
	if err != nil {
		t.Fatal(err)
	}
	b := login(t, srv, "alice", "secret")
	msg := "Subject: n\r\n\r\nn\r\n"
	b.ok(fmt.Sprintf("APPEND Sent {%d+}\r\n%s", len(msg), msg))
	select {
	case sd := <-statuses:
		if sd.Mailbox != "Sent" || sd.NumMessages == nil || *sd.NumMessages != 1 {
			t.Fatalf("STATUS event: %+v", sd)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no STATUS event")
	}
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
}
