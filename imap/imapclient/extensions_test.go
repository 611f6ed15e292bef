package imapclient

import (
	"fmt"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/imap"
)

func TestExtensionCommands(t *testing.T) {
	var vanished []string
	var others []string
	opts := &Options{UnilateralDataHandler: &UnilateralDataHandler{
		Vanished: func(uids imap.UIDSet, earlier bool) { vanished = append(vanished, uids.String()) },
		Other:    func(name string, num uint32, args []Value) { others = append(others, name) },
	}}
	runScript(t, "extensions.txt", opts, func(t *testing.T, c *Client) error {
		en, err := c.Enable(imap.CapQResync, imap.CapUTF8Accept).Wait()
		if err != nil || !en.Has(imap.CapQResync) || !c.Enabled().Has(imap.CapUTF8Accept) {
			t.Errorf("enable %v %v", en, err)
		}
		id, err := c.ID(map[string]string{"name": "mailwire"}).Wait()
		if err != nil || id["name"] != "Cyrus" {
			t.Errorf("id %v %v", id, err)
		}
		ns, err := c.Namespace().Wait()
		if err != nil || ns.Personal[0].Delim != '/' || ns.Other[0].Prefix != "~" || ns.Shared != nil {
			t.Errorf("namespace %+v %v", ns, err)
		}
		roots, quotas, err := c.GetQuotaRoot("INBOX").Wait()
		if err != nil || len(roots) != 1 || quotas[0].Resources[1].Limit != 1000 {
			t.Errorf("quota %v %+v %v", roots, quotas, err)
		}
		acl, err := c.GetACL("Entwürfe").ACL()
		if err != nil || acl["bob"] != "lrs" {
			t.Errorf("acl %v %v", acl, err)
		}
		r, err := c.MyRights("INBOX").Rights()
		if err != nil || r[0] != "rwiptsldaex" {
			t.Errorf("myrights %v %v", r, err)
		}
		md, err := c.GetMetadata("INBOX", []string{"/private/comment", "/shared/x"}, &MetadataOptions{Depth: "infinity"}).Wait()
		if err != nil || *md["/private/comment"] != "hello" || md["/shared/x"] != nil {
			t.Errorf("metadata %v %v", md, err)
		}
		sel, err := c.Select("INBOX", &SelectOptions{QResync: &QResyncParams{UIDValidity: 67890007, ModSeq: 90060115194045000, KnownUIDs: imap.UIDSet{{Start: 41, Stop: 211}}}}).Wait()
		if err != nil || sel.NumMessages != 314 || sel.HighestModSeq != 90060115205545359 || sel.Vanished.String() != "41,43:116,118,120:211" || len(sel.Fetch) != 1 || sel.Fetch[0].UID != 117 {
			t.Errorf("select %+v %v", sel, err)
		}
		sorted, err := c.Sort(true, &SortOptions{Criteria: []imap.SortCriterion{{Key: imap.SortDate, Reverse: true}}}).SortResult()
		if err != nil || fmt.Sprint(sorted) != "[5 3 4 1 2]" {
			t.Errorf("sort %v %v", sorted, err)
		}
		th, err := c.Thread(false, imap.ThreadReferences, nil).Wait()
		if err != nil || len(th) != 2 {
			t.Errorf("thread %v %v", th, err)
		}
		cu, err := c.Move(imap.UIDSet{{Start: 42, Stop: 44}}, "Archive").Wait()
		if err != nil || cu == nil || cu.DestUIDs.String() != "10:12" {
			t.Errorf("move %+v %v", cu, err)
		}
		ex, err := c.UIDExpunge(imap.UIDSet{{Start: 3000, Stop: 3002}}).Wait()
		if err != nil || ex.Vanished.String() != "3000:3002" {
			t.Errorf("uid expunge %+v %v", ex, err)
		}
		msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{UID: true, GmailMsgID: true, GmailThrID: true, GmailLabels: true, Other: []string{"X-VENDOR"}}).Collect()
		if err != nil {
			return err
		}
		m := msgs[0]
		if m.GmailMsgID != 1278455344230334865 || m.GmailThrID != 1266894439832287888 || strings.Join(m.GmailLabels, ",") != `\Inbox,\Sent,Important,Muy Importante` {
			t.Errorf("gmail %+v", m)
		}
		if v, ok := m.Other["X-VENDOR"].([]Value); !ok || len(v) != 3 || v[1] != "two" || v[2] != nil {
			t.Errorf("other %#v", m.Other)
		}
		if m.Other["X-SECTION[1]<0>"] != "abc" {
			t.Errorf("other section %#v", m.Other)
		}
		resp, err := c.Raw("XCUSTOM", []string{"XCUSTOM"}, RawString("arg"), RawNumber(42)).Wait()
		if err != nil || len(resp) != 1 || resp[0].Args[0] != uint64(1) {
			t.Errorf("raw %+v %v", resp, err)
		}
		return nil
	})
	if strings.Join(vanished, ";") != "42:44" || strings.Join(others, ",") != "OTHER" {
		t.Fatalf("vanished %v others %v", vanished, others)
	}
}
