//go:build interop

package imapserver_test

import (
	"bytes"
	"net"
	"testing"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapclient"
)

// TestInteropOurClient runs the module's own client against the server:
// metadata and bodies of every message, compared with the store.
func TestInteropOurClient(t *testing.T) {
	be := newBackend(t, 18)
	srv := newServer(be)
	cc, sc := net.Pipe()
	go srv.ServeConn(sc)
	c, err := imapclient.NewClient(cc)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Login("alice", "secret").Wait(); err != nil {
		t.Fatal(err)
	}
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages != 18 {
		t.Fatalf("SELECT: %d messages", sel.NumMessages)
	}
	msgs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{
		UID: true, Flags: true, Envelope: true, BodyStructure: true, RFC822Size: true,
		BodySection: []*imap.FetchItemBodySection{{Peek: true}},
	}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 18 {
		t.Fatalf("FETCH: %d messages", len(msgs))
	}
	for _, m := range msgs {
		want := storedMessage(t, be, "INBOX", uint32(m.UID))
		got := m.FindBodySection(&imap.FetchItemBodySection{Peek: true})
		if !bytes.Equal(got, want) {
			t.Errorf("message %d: BODY[] differs", m.UID)
		}
		if m.RFC822Size != int64(len(want)) || m.Envelope == nil || m.BodyStructure == nil {
			t.Errorf("message %d: size %d, envelope %v", m.UID, m.RFC822Size, m.Envelope)
		}
	}
	if s := msgs[11].Envelope.Subject; s != "IMAP4rev2 WG mtg summary and minutes" {
		t.Errorf("subject %q", s)
	}
	res, err := c.Search(&imap.SearchCriteria{Flag: []imap.Flag{imap.FlagSeen}}, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Nums(); len(got) != 1 || got[0] != 12 {
		t.Errorf("SEARCH SEEN: %v", got)
	}
}
