package imapmem_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/imap/imapserver"
)

var ctx = context.Background()

func setup(t *testing.T, n int) (*imapmem.Backend, imapserver.User) {
	t.Helper()
	be := imapmem.New()
	u := be.AddUser("alice", "secret")
	for i := 1; i <= n; i++ {
		if _, err := u.AppendMessage("INBOX", []byte(fmt.Sprintf("Subject: %d\r\n\r\nbody\r\n", i)), nil, time.Unix(int64(i), 0)); err != nil {
			t.Fatal(err)
		}
	}
	s, err := be.Login(ctx, "alice", "secret")
	if err != nil {
		t.Fatal(err)
	}
	return be, s
}

func TestLoginRejectsWrongPasswordAndUnknownUser(t *testing.T) {
	be, _ := setup(t, 0)
	for _, c := range [][2]string{{"alice", "nope"}, {"mallory", "secret"}} {
		if _, err := be.Login(ctx, c[0], c[1]); !errors.Is(err, imapserver.ErrAuthFailed) {
			t.Errorf("%v: %v", c, err)
		}
	}
}

func TestUpdatesReachOtherHandlesNotTheOneThatChanged(t *testing.T) {
	_, u := setup(t, 3)
	woken := 0
	a, _ := u.Open(ctx, "INBOX", false, nil)
	b, _ := u.Open(ctx, "INBOX", false, func() { woken++ })
	if got := a.Info().UIDs; !slices.Equal(got, []uint32{1, 2, 3}) {
		t.Fatalf("UIDs %v", got)
	}
	if _, err := a.Store(ctx, []uint32{2}, imapserver.StoreAdd, []string{`\Deleted`}, 0); err != nil {
		t.Fatal(err)
	}
	gone, _ := a.Expunge(ctx, nil)
	if !slices.Equal(gone, []uint32{2}) {
		t.Fatalf("expunged %v", gone)
	}
	u.Append(ctx, "INBOX", strings.NewReader("x"), 1, imapserver.AppendOptions{})
	if len(a.Updates()) != 1 { // only the EXISTS of the append
		t.Errorf("a got its own changes")
	}
	ups := b.Updates()
	kinds := []imapserver.UpdateKind{}
	for _, up := range ups {
		kinds = append(kinds, up.Kind)
	}
	if !slices.Equal(kinds, []imapserver.UpdateKind{imapserver.UpdateFlags, imapserver.UpdateExpunge, imapserver.UpdateExists}) || woken != 3 {
		t.Errorf("b got %v, woken %d times", ups, woken)
	}
	if len(b.Updates()) != 0 {
		t.Error("updates given twice")
	}
}

func TestStoreUnchangedSinceFailsModifiedMessages(t *testing.T) {
	_, u := setup(t, 2)
	mb, _ := u.Open(ctx, "INBOX", false, nil)
	res, _ := mb.Store(ctx, []uint32{1, 2}, imapserver.StoreAdd, []string{"$A"}, 0)
	ms := res[0].ModSeq
	mb.Store(ctx, []uint32{1}, imapserver.StoreRemove, []string{"$A"}, 0)
	res, _ = mb.Store(ctx, []uint32{1, 2}, imapserver.StoreSet, []string{`\Seen`}, ms+1)
	if !res[0].Failed || res[1].Failed || !slices.Equal(res[1].Flags, []string{`\Seen`}) {
		t.Errorf("%+v", res)
	}
}

func TestMoveCopiesThenExpunges(t *testing.T) {
	_, u := setup(t, 3)
	u.CreateMailbox(ctx, "Archive/2024", `\Archive`)
	mb, _ := u.Open(ctx, "INBOX", false, nil)
	res, err := mb.Move(ctx, []uint32{1, 3}, "Archive/2024")
	if err != nil || !slices.Equal(res.SourceUIDs, []uint32{1, 3}) || !slices.Equal(res.DestUIDs, []uint32{1, 2}) {
		t.Fatalf("%+v %v", res, err)
	}
	st, _ := u.Status(ctx, "INBOX")
	ast, _ := u.Status(ctx, "Archive/2024")
	if st.Messages != 1 || ast.Messages != 2 {
		t.Errorf("INBOX %d, Archive %d", st.Messages, ast.Messages)
	}
	if _, err := mb.Copy(ctx, []uint32{2}, "nothere"); !errors.Is(err, imapserver.ErrNoSuchMailbox) {
		t.Errorf("copy to missing: %v", err)
	}
	list, _ := u.ListMailboxes(ctx)
	var names []string
	for _, m := range list {
		names = append(names, m.Name)
	}
	if !slices.Equal(names, []string{"Archive", "Archive/2024", "INBOX"}) {
		t.Errorf("parents not created: %v", names)
	}
}

func TestRenameInboxMovesMessagesAndKeepsInbox(t *testing.T) {
	_, u := setup(t, 2)
	if err := u.RenameMailbox(ctx, "INBOX", "Old"); err != nil {
		t.Fatal(err)
	}
	st, _ := u.Status(ctx, "INBOX")
	old, _ := u.Status(ctx, "Old")
	if st.Messages != 0 || old.Messages != 2 {
		t.Errorf("INBOX %d, Old %d", st.Messages, old.Messages)
	}
	if err := u.RenameMailbox(ctx, "Old", "INBOX"); !errors.Is(err, imapserver.ErrMailboxExists) {
		t.Errorf("rename onto INBOX: %v", err)
	}
}

func TestReadOnlyHandleRefusesChanges(t *testing.T) {
	_, u := setup(t, 1)
	mb, _ := u.Open(ctx, "INBOX", true, nil)
	if _, err := mb.Store(ctx, []uint32{1}, imapserver.StoreAdd, []string{`\Seen`}, 0); !errors.Is(err, imapserver.ErrReadOnly) {
		t.Errorf("store: %v", err)
	}
	if _, err := mb.Expunge(ctx, nil); !errors.Is(err, imapserver.ErrReadOnly) {
		t.Errorf("expunge: %v", err)
	}
}

func Example() {
	be := imapmem.New()
	u := be.AddUser("alice", "secret")
	u.CreateMailbox(context.Background(), "Sent", `\Sent`)
	u.AppendMessage("INBOX", []byte("Subject: hi\r\n\r\nhello\r\n"), []string{`\Seen`}, time.Now())
	st, _ := u.Status(context.Background(), "INBOX")
	fmt.Println(st.Messages, st.Unseen, st.UIDNext)
	// Output: 1 0 2
}
