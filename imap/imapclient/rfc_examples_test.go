package imapclient

import (
	"testing"

	"github.com/mailwire/mailwire/imap"
)

func TestRFCExamples(t *testing.T) {
	runScript(t, "rfc_examples.txt", nil, func(t *testing.T, c *Client) error {
		l, err := c.List("", []string{""}, nil).Wait()
		if err != nil || len(l) != 1 || l[0].Delim != '/' || l[0].Attrs[0] != imap.MailboxAttrNoSelect {
			t.Errorf("LIST: %+v %v", l, err)
		}
		if l, err = c.List("#news.comp.mail.misc", []string{""}, nil).Wait(); err != nil || l[0].Mailbox != "#news." {
			t.Errorf("LIST news: %+v %v", l, err)
		}
		if l, err = c.List("~/Mail/", []string{"%"}, nil).Wait(); err != nil || len(l) != 2 {
			t.Errorf("LIST mail: %+v %v", l, err)
		}
		l, err = c.List("", []string{"%"}, &imap.ListOptions{SelectSubscribed: true, SelectRecursiveMatch: true, ReturnSubscribed: true}).Wait()
		if err != nil || len(l) != 3 || l[0].ChildInfo[0] != "SUBSCRIBED" || l[2].Attrs[1] != imap.MailboxAttrNonExistent {
			t.Errorf("LIST-EXTENDED: %+v %v", l, err)
		}
		st, err := c.Status("blurdybloop", &imap.StatusOptions{NumMessages: true, UIDNext: true}).Wait()
		if err != nil || *st.NumMessages != 231 || st.UIDNext != 44292 {
			t.Errorf("STATUS %+v %v", st, err)
		}
		sel, err := c.Select("blurdybloop", &SelectOptions{ReadOnly: true}).Wait()
		if err != nil || !sel.ReadOnly || sel.UIDNext != 4392 || sel.NumMessages != 17 || sel.PermanentFlags != nil || sel.List.Delim != '.' {
			t.Errorf("EXAMINE %+v %v", sel, err)
		}
		if err := c.Create("Everything", &CreateOptions{SpecialUse: []imap.MailboxAttr{imap.MailboxAttrAll}}).Wait(); err != nil {
			t.Error(err)
		}
		msgs, err := c.Fetch(imap.UIDSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{Flags: true, ChangedSince: 12345}).Collect()
		if err != nil || len(msgs) != 3 || msgs[1].ModSeq != 75403 || msgs[2].UID != 8 {
			t.Errorf("CHANGEDSINCE %+v %v", msgs, err)
		}
		store := c.Store(imap.SeqSetNum(7, 5, 9), &StoreFlags{Op: StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, &StoreOptions{UnchangedSince: 320162338})
		msgs, err = store.Collect()
		if err != nil || len(msgs) != 1 || store.Modified.String() != "7,9" {
			t.Errorf("UNCHANGEDSINCE %+v %v %v", msgs, store.Modified, err)
		}
		fetch := c.Fetch(imap.UIDSet{{Start: 300, Stop: 500}}, &imap.FetchOptions{Flags: true, ChangedSince: 12345, Vanished: true})
		msgs, err = fetch.Collect()
		if err != nil || len(msgs) != 1 || fetch.Vanished.String() != "300:310,405,411" {
			t.Errorf("VANISHED %+v %v %v", msgs, fetch.Vanished, err)
		}
		cu, err := c.Copy(imap.SeqSet{{Start: 2, Stop: 4}}, "MEETING").Wait()
		if err != nil || cu.SourceUIDs.String() != "304,319:320" {
			t.Errorf("COPY %+v %v", cu, err)
		}
		if err := c.CloseMailbox().Wait(); err != nil || c.State() != imap.ConnStateAuthenticated {
			t.Errorf("CLOSE %v %v", err, c.State())
		}
		return nil
	})
}
