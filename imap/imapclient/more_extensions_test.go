package imapclient

import (
	"strings"
	"testing"

	"github.com/mailwire/mailwire/imap"
)

func TestMoreExtensionCommands(t *testing.T) {
	var statuses []string
	opts := &Options{UnilateralDataHandler: &UnilateralDataHandler{
		Status: func(s *imap.StatusData) { statuses = append(statuses, s.Mailbox) },
	}}
	runScript(t, "more_extensions.txt", opts, func(t *testing.T, c *Client) error {
		err := c.Notify(true, []NotifyEvents{
			{Filter: "selected", Events: []string{"MessageNew", "MessageExpunge"}, Fetch: &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Specifier: imap.PartSpecifierHeaderFields, HeaderFields: []string{"From", "Subject"}, Peek: true}}}},
			{Filter: "subtree", Mailboxes: []string{"Lists"}, Events: []string{"MailboxName", "SubscriptionChange"}},
		}).Wait()
		if err != nil {
			return err
		}
		if err := c.NotifyNone().Wait(); err != nil {
			return err
		}
		_, q, err := c.SetQuota("", map[string]int64{"STORAGE": 512, "MESSAGE": 1000}).Wait()
		if err != nil || len(q) != 1 || q[0].Resources[0].Usage != 10 {
			t.Errorf("setquota %+v %v", q, err)
		}
		if err := c.SetACL("INBOX", "Fred", "+rwi").Wait(); err != nil {
			t.Error(err)
		}
		if err := c.DeleteACL("INBOX", "Fred").Wait(); err != nil {
			t.Error(err)
		}
		r, err := c.ListRights("~/Mail/saved", "smith").Rights()
		if err != nil || strings.Join(r, " ") != "la r swicdkxte" {
			t.Errorf("listrights %v %v", r, err)
		}
		l, err := c.Lsub("#news.", "comp.mail.*").Wait()
		if err != nil || len(l) != 2 || l[1].Mailbox != "#news.comp.mail.misc" {
			t.Errorf("lsub %+v %v", l, err)
		}
		if err := c.Check().Wait(); err != nil {
			t.Error(err)
		}
		msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{SaveDate: true, EmailID: true, ThreadID: true, Preview: true}).Collect()
		if err != nil || msgs[0].EmailID != "M6d99ac3275bb4e" || msgs[0].ThreadID != "" || msgs[0].Preview != "Hi there" || msgs[0].SaveDate.Year() != 2024 {
			t.Errorf("objectid %+v %v", msgs, err)
		}
		a := c.Append("INBOX", 3, &AppendOptions{Binary: true})
		a.Write([]byte{0, 1, 2})
		if d, err := a.Wait(); err != nil || d.UID != 5 {
			t.Errorf("binary append %+v %v", d, err)
		}
		d, err := c.AppendCatenate("INBOX", nil, []CatenatePart{{URL: "/INBOX;UIDVALIDITY=1/;UID=5"}, {Size: 4, Text: strings.NewReader("abcd")}})
		if err != nil || d.UID != 6 {
			t.Errorf("catenate %+v %v", d, err)
		}
		hi := "hi"
		if err := c.SetMetadata("INBOX", map[string]*string{"/private/comment": &hi, "/shared/x": nil}).Wait(); err != nil {
			t.Error(err)
		}
		id, err := c.ID(nil).Wait()
		if err != nil || len(id) != 0 {
			t.Errorf("id %v %v", id, err)
		}
		return nil
	})
	if strings.Join(statuses, ",") != "Lists" {
		t.Fatalf("statuses %v", statuses)
	}
}
