//go:build interop

package imapclient

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/internal/peers"
	"github.com/mailwire/mailwire/mime"
	"github.com/mailwire/mailwire/sasl"
)

func dovecotClient(t *testing.T, d *peers.Dovecot, opts *Options) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := DialStartTLS(ctx, d.IMAP, d.TLS.ClientConfig(), opts)
	if err != nil {
		t.Fatalf("dial: %v\n%s", err, d.Log())
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func loggedIn(t *testing.T, d *peers.Dovecot, user string, opts *Options) *Client {
	t.Helper()
	c := dovecotClient(t, d, opts)
	if err := c.Login(user, peers.Password).Wait(); err != nil {
		t.Fatalf("login: %v", err)
	}
	if _, err := c.Capability().Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

func must[T any](v T, err error) func(t *testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

const interopMsg = "From: Alice <alice@harness.test>\r\nTo: bob@harness.test\r\nSubject: interop test\r\nDate: Mon, 7 Feb 1994 21:52:25 -0800\r\nMessage-ID: <1@harness.test>\r\n\r\nHello Bob.\r\n"

func TestDovecotCommands(t *testing.T) {
	d := peers.StartDovecot(t)
	c := loggedIn(t, d, "alice", nil)
	caps := c.Caps()
	t.Logf("capabilities after login: %v", caps.Names())
	needDovecotExtensions(t, d, caps)
	if _, ok := c.TLSConnectionState(); !ok {
		t.Fatal("not on TLS after STARTTLS")
	}
	if id, err := c.ID(map[string]string{"name": "mailwire"}).Wait(); err != nil || id["name"] == "" {
		t.Errorf("ID: %v %v", id, err)
	}
	ns := must(c.Namespace().Wait())(t)
	if len(ns.Personal) == 0 {
		t.Errorf("namespace %+v", ns)
	}
	delim := ns.Personal[0].Delim
	if caps.Has(imap.CapQResync) {
		en := must(c.Enable(imap.CapQResync).Wait())(t)
		if !en.Has(imap.CapQResync) {
			t.Errorf("enabled %v", en)
		}
	}
	name := "Entwürfe" + string(delim) + "Unter"
	if err := c.Create(name, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Subscribe(name).Wait(); err != nil {
		t.Fatal(err)
	}
	list := must(c.List("", []string{"*"}, &imap.ListOptions{ReturnStatus: &imap.StatusOptions{NumMessages: true}, ReturnSubscribed: true}).Wait())(t)
	found := false
	for _, l := range list {
		if l.Mailbox == name {
			found = l.Status != nil && imap.HasFlag(attrsAsFlags(l.Attrs), imap.Flag(imap.MailboxAttrSubscribed))
		}
	}
	if !found {
		t.Errorf("LIST-STATUS lacks %q: %+v", name, list)
	}
	subscribed := false
	for _, l := range must(c.Lsub("", "*").Wait())(t) {
		subscribed = subscribed || l.Mailbox == name
	}
	if !subscribed {
		t.Errorf("LSUB lacks %q", name)
	}
	if err := c.Rename(name, "Renamed").Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Unsubscribe("Renamed").Wait(); err != nil {
		t.Error(err)
	}
	if err := c.Delete("Renamed").Wait(); err != nil {
		t.Error(err)
	}
	if err := c.Delete("Renamed").Wait(); codeOf(err) != imap.CodeNonExistent {
		t.Errorf("delete twice: %v", err)
	}

	// APPEND (literal+ when offered), then everything in the mailbox.
	var uids []imap.UID
	for i := 0; i < 3; i++ {
		msg := strings.Replace(interopMsg, "interop test", fmt.Sprintf("interop test %d", i), 1)
		a := c.Append("INBOX", int64(len(msg)), &AppendOptions{Flags: []imap.Flag{"$Work"}})
		io.WriteString(a, msg)
		ad := must(a.Wait())(t)
		uids = append(uids, ad.UID)
	}
	if uids[0] == 0 {
		t.Error("no APPENDUID")
	}
	st := must(c.Status("INBOX", &imap.StatusOptions{NumMessages: true, UIDNext: true, Size: caps.Has(imap.CapStatusSize)}).Wait())(t)
	if st.NumMessages == nil || *st.NumMessages != 3 {
		t.Errorf("status %+v", st)
	}
	sel := must(c.Select("INBOX", &SelectOptions{CondStore: caps.Has(imap.CapCondStore)}).Wait())(t)
	if sel.NumMessages != 3 || sel.UIDValidity == 0 {
		t.Errorf("select %+v", sel)
	}
	msgs := must(c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{
		UID: true, Flags: true, Envelope: true, BodyStructure: true, RFC822Size: true, InternalDate: true,
		ModSeq:            caps.Has(imap.CapCondStore),
		BodySection:       []*imap.FetchItemBodySection{{Peek: true}, {Specifier: imap.PartSpecifierHeaderFields, HeaderFields: []string{"Subject"}, Peek: true}},
		BinarySection:     []*imap.FetchItemBinarySection{{Part: []int{1}, Peek: true}},
		BinarySectionSize: []*imap.FetchItemBinarySectionSize{{Part: []int{1}}},
	}).Collect())(t)
	if len(msgs) != 3 {
		t.Fatalf("fetched %d", len(msgs))
	}
	m := msgs[0]
	if m.Envelope.Subject != "interop test 0" || m.Envelope.From[0].Addr() != "alice@harness.test" || !imap.HasFlag(m.Flags, "$Work") ||
		m.RFC822Size != int64(len(strings.Replace(interopMsg, "interop test", "interop test 0", 1))) || len(m.BodySection) != 2 || string(m.BodySection[0].Bytes) != strings.Replace(interopMsg, "interop test", "interop test 0", 1) {
		t.Errorf("fetch %+v", m)
	}
	if len(m.BinarySection) != 1 || string(m.BinarySection[0].Bytes) != "Hello Bob.\r\n" || m.BinarySectionSize[0].Size != 12 {
		t.Errorf("binary %+v %+v", m.BinarySection, m.BinarySectionSize)
	}
	if _, err := c.Store(imap.UIDSetNum(uids[1]), &StoreFlags{Op: StoreFlagsAdd, Flags: []imap.Flag{imap.FlagFlagged}}, nil).Collect(); err != nil {
		t.Fatal(err)
	}
	sd := must(c.UIDSearch(&imap.SearchCriteria{Flag: []imap.Flag{imap.FlagFlagged}}, nil).Wait())(t)
	if sd.All.String() != fmt.Sprint(uids[1]) {
		t.Errorf("search %v", sd.All)
	}
	if caps.Has(imap.CapESearch) {
		sd = must(c.Search(&imap.SearchCriteria{Header: []imap.SearchHeaderField{{Key: "Subject", Value: "interop"}}}, &imap.SearchOptions{ReturnCount: true, ReturnMax: true}).Wait())(t)
		if sd.Count != 3 || sd.Max != 3 {
			t.Errorf("esearch %+v", sd)
		}
	}
	if caps.Has(imap.CapSort) {
		sorted := must(c.Sort(false, &SortOptions{Criteria: []imap.SortCriterion{{Key: imap.SortSubject, Reverse: true}}}).SortResult())(t)
		if fmt.Sprint(sorted) != "[3 2 1]" {
			t.Errorf("sort %v", sorted)
		}
	}
	if caps.Has(imap.CapThreadRefs) {
		th := must(c.Thread(false, imap.ThreadReferences, nil).Wait())(t)
		if len(th) == 0 {
			t.Error("no threads")
		}
	}
	if err := c.Create("Archive", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	cu := must(c.Copy(imap.UIDSetNum(uids[0]), "Archive").Wait())(t)
	if cu == nil || cu.SourceUIDs.String() != fmt.Sprint(uids[0]) {
		t.Errorf("copyuid %+v", cu)
	}
	if caps.Has(imap.CapMove) {
		mu := must(c.Move(imap.UIDSetNum(uids[2]), "Archive").Wait())(t)
		if mu == nil {
			t.Error("no COPYUID for MOVE")
		}
	}
	if _, err := c.Store(imap.SeqSetNum(1), &StoreFlags{Op: StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Collect(); err != nil {
		t.Fatal(err)
	}
	ex := must(c.UIDExpunge(imap.UIDSetNum(uids[0])).Wait())(t)
	if len(ex.SeqNums) != 1 && len(ex.Vanished) != 1 {
		t.Errorf("uid expunge %+v", ex)
	}
	// QUOTA, ACL, METADATA and COMPRESS have their own tests in
	// dovecot_plugins_interop_test.go; here, each once in a session
	// that has a mailbox selected.
	if roots, _, err := c.GetQuotaRoot("INBOX").Wait(); err != nil || len(roots) != 1 {
		t.Errorf("GETQUOTAROOT: %q %v", roots, err)
	}
	if r, err := c.MyRights("INBOX").Rights(); err != nil || len(r) != 1 {
		t.Errorf("MYRIGHTS: %q %v", r, err)
	}
	v := "hello"
	if err := c.SetMetadata("INBOX", map[string]*string{"/private/comment": &v}).Wait(); err != nil {
		t.Error("SETMETADATA:", err)
	} else {
		md := must(c.GetMetadata("INBOX", []string{"/private/comment"}, nil).Wait())(t)
		if md["/private/comment"] == nil || *md["/private/comment"] != v {
			t.Errorf("metadata %v", md)
		}
	}
	if err := c.Check().Wait(); err != nil {
		t.Error("CHECK:", err)
	}
	if err := c.Unselect().Wait(); err != nil {
		t.Error(err)
	}
	if _, err := c.Select("Archive", &SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.CloseMailbox().Wait(); err != nil {
		t.Error(err)
	}
	if err := c.Noop().Wait(); err != nil {
		t.Error(err)
	}
	if err := c.Compress(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Status("Archive", &imap.StatusOptions{NumMessages: true}).Wait(); err != nil {
		t.Fatal("after COMPRESS:", err)
	}
	if err := c.Logout().Wait(); err != nil {
		t.Error(err)
	}
}

func attrsAsFlags(a []imap.MailboxAttr) []imap.Flag {
	out := make([]imap.Flag, len(a))
	for i, x := range a {
		out[i] = imap.Flag(x)
	}
	return out
}

func TestDovecotIdleSeesAppendFromAnotherConnection(t *testing.T) {
	d := peers.StartDovecot(t)
	exists := make(chan uint32, 10)
	c1 := loggedIn(t, d, "bob", &Options{UnilateralDataHandler: &UnilateralDataHandler{
		Mailbox: func(m *UnilateralDataMailbox) {
			if m.NumMessages != nil {
				exists <- *m.NumMessages
			}
		},
	}})
	must(c1.Select("INBOX", nil).Wait())(t)
	idle, err := c1.Idle()
	if err != nil {
		t.Fatal(err)
	}
	c2 := loggedIn(t, d, "bob", nil)
	start := time.Now()
	a := c2.Append("INBOX", int64(len(interopMsg)), nil)
	io.WriteString(a, interopMsg)
	must(a.Wait())(t)
	select {
	case n := <-exists:
		t.Logf("EXISTS %d after %v", n, time.Since(start))
		if n != 1 {
			t.Errorf("EXISTS %d", n)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no EXISTS during IDLE")
	}
	if err := idle.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c1.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestDovecotAuthenticate(t *testing.T) {
	d := peers.StartDovecot(t)
	for _, mech := range []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-1", "LOGIN", "CRAM-MD5"} {
		t.Run(mech, func(t *testing.T) {
			c := dovecotClient(t, d, nil)
			caps := must(c.Capability().Wait())(t)
			if !caps.Has(imap.Cap("AUTH=" + mech)) {
				t.Skipf("Dovecot does not offer %s", mech)
			}
			var m sasl.Client
			switch mech {
			case "PLAIN":
				m = sasl.NewPlainClient("", "alice", peers.Password)
			case "LOGIN":
				m = sasl.NewLoginClient("alice", peers.Password)
			case "CRAM-MD5":
				m = sasl.NewCRAMMD5Client("alice", peers.Password)
			default:
				m = sasl.NewScramClient(mech, "", "alice", peers.Password, nil)
			}
			if err := c.Authenticate(m); err != nil {
				t.Fatal(err)
			}
			if c.State() != imap.ConnStateAuthenticated {
				t.Fatal(c.State())
			}
			// A wrong password is a NO with AUTHENTICATIONFAILED.
			c2 := dovecotClient(t, d, nil)
			c2.Capability().Wait()
			if err := c2.Authenticate(sasl.NewPlainClient("", "alice", "wrong")); err == nil {
				t.Fatal("wrong password accepted")
			}
		})
	}
}

var structureMessages = map[string]string{
	"text":        "Subject: t\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe\r\nline 2\r\n",
	"alternative": "Subject: a\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\nplain\r\n--b1\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n<p>html</p>\r\n--b1--\r\n",
	"mixed":       "Subject: m\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b2\r\n\r\n--b2\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--b2\r\nContent-Type: application/octet-stream; name=\"a.bin\"\r\nContent-Disposition: attachment; filename=\"a.bin\"\r\nContent-Transfer-Encoding: base64\r\nContent-Language: en\r\n\r\nAAECAwQFBgc=\r\n--b2--\r\n",
	"rfc822":      "Subject: f\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b3\r\n\r\n--b3\r\nContent-Type: text/plain\r\n\r\nforwarded:\r\n--b3\r\nContent-Type: message/rfc822\r\n\r\nFrom: x@y.z\r\nSubject: inner\r\nContent-Type: multipart/alternative; boundary=b4\r\n\r\n--b4\r\nContent-Type: text/plain\r\n\r\ninner text\r\n--b4\r\nContent-Type: text/html\r\n\r\n<b>x</b>\r\n--b4--\r\n--b3--\r\n",
}

func TestDovecotBodyStructureMatchesMime(t *testing.T) {
	d := peers.StartDovecot(t)
	names := []string{"text", "alternative", "mixed", "rfc822"}
	for _, n := range names {
		d.Deliver(t, "alice", []byte(structureMessages[n]))
	}
	c := loggedIn(t, d, "alice", nil)
	must(c.Select("INBOX", nil).Wait())(t)
	msgs := must(c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{BodyStructure: true, Envelope: true}).Collect())(t)
	if len(msgs) != len(names) {
		t.Fatalf("%d messages", len(msgs))
	}
	for i, m := range msgs {
		st, err := mime.ReadStructureBytes([]byte(structureMessages[names[i]]), nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := compareStructure(m.BodyStructure, st.Body, "body"); diff != "" {
			t.Errorf("%s: %s", names[i], diff)
		}
		if m.Envelope.Subject != st.Envelope.Subject {
			t.Errorf("%s: subject %q vs %q", names[i], m.Envelope.Subject, st.Envelope.Subject)
		}
	}
}

func compareStructure(got *imap.BodyStructure, want *mime.BodyStructure, path string) string {
	if !strings.EqualFold(got.Type, want.Type) || !strings.EqualFold(got.Subtype, want.Subtype) {
		return fmt.Sprintf("%s: type %s/%s, mime %s/%s", path, got.Type, got.Subtype, want.Type, want.Subtype)
	}
	if len(got.Parts) != len(want.Parts) {
		return fmt.Sprintf("%s: %d parts, mime %d", path, len(got.Parts), len(want.Parts))
	}
	for i := range got.Parts {
		if d := compareStructure(got.Parts[i], want.Parts[i], fmt.Sprintf("%s.%d", path, i+1)); d != "" {
			return d
		}
	}
	if got.IsMultipart() {
		if !strings.EqualFold(got.Params.Get("boundary"), want.Params.Get("boundary")) {
			return path + ": boundary"
		}
		return ""
	}
	size := int64(got.Size)
	if got.Envelope != nil && size == want.Size+2 {
		// Dovecot counts, in a message/rfc822 part's size, the CRLF that
		// RFC 2046 §5.1.1 attaches to the next boundary; mime does not.
		size = want.Size
	}
	if !strings.EqualFold(got.Encoding, want.Encoding) || size != want.Size {
		return fmt.Sprintf("%s: encoding/size %s %d, mime %s %d", path, got.Encoding, got.Size, want.Encoding, want.Size)
	}
	lines := got.Lines
	if got.Envelope != nil && lines == want.Lines+1 {
		lines = want.Lines // the same CRLF, counted as a line
	}
	if (strings.EqualFold(got.Type, "text") || got.Envelope != nil) && lines != want.Lines {
		return fmt.Sprintf("%s: lines %d, mime %d", path, got.Lines, want.Lines)
	}
	for _, p := range want.Params {
		if !strings.EqualFold(got.Params.Get(p.Name), p.Value) {
			return fmt.Sprintf("%s: param %s=%q, mime %q", path, p.Name, got.Params.Get(p.Name), p.Value)
		}
	}
	if want.Disposition != "" && (got.Disposition == nil || !strings.EqualFold(got.Disposition.Value, want.Disposition)) {
		return path + ": disposition"
	}
	if want.Message != nil {
		if got.Body == nil {
			return path + ": no enclosed body"
		}
		return compareStructure(got.Body, want.Message, path+".msg")
	}
	return ""
}

func TestDovecotImplicitTLSAndChosenMechanism(t *testing.T) {
	d := peers.StartDovecot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := DialTLS(ctx, d.IMAPS, d.TLS.ClientConfig(), nil)
	if err != nil {
		t.Fatalf("dial: %v\n%s", err, d.Log())
	}
	defer c.Close()
	caps := must(c.Capability().Wait())(t)
	t.Logf("capabilities: %v", caps.Names())
	if err := c.AuthenticateWith(sasl.Credentials{Username: "bob", Password: peers.Password}, false); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Logout().Wait(); err != nil {
		t.Fatal(err)
	}
}

// TestDovecotExtensions runs the extensions Dovecot offers beyond the
// base commands: MULTIAPPEND, CATENATE, SEARCHRES, WITHIN, SAVEDATE,
// PREVIEW, ESORT, THREAD=ORDEREDSUBJECT, QRESYNC and NOTIFY.
func TestDovecotExtensions(t *testing.T) {
	d := peers.StartDovecot(t)
	c := loggedIn(t, d, "alice", nil)
	caps := c.Caps()
	need := func(cp imap.Cap) bool {
		if !caps.Has(cp) {
			t.Logf("Dovecot lacks %s", cp)
			return false
		}
		return true
	}
	if need(imap.CapMultiAppend) {
		var msgs []AppendMessage
		for i := 0; i < 3; i++ {
			m := strings.Replace(interopMsg, "interop test", fmt.Sprintf("multi %d", i), 1)
			msgs = append(msgs, AppendMessage{Size: int64(len(m)), Body: strings.NewReader(m)})
		}
		ad := must(c.AppendMulti("INBOX", msgs))(t)
		if ad.UIDs.String() != "1:3" {
			t.Errorf("multiappend %+v", ad)
		}
	}
	sel := must(c.Select("INBOX", nil).Wait())(t)
	if need(imap.CapCatenate) {
		ad := must(c.AppendCatenate("INBOX", nil, []CatenatePart{
			{URL: fmt.Sprintf("/INBOX;UIDVALIDITY=%d/;UID=1/;SECTION=HEADER", sel.UIDValidity)},
			{Size: 6, Text: strings.NewReader("Body\r\n")},
		}))(t)
		msgs := must(c.Fetch(imap.UIDSetNum(ad.UID), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Specifier: imap.PartSpecifierText, Peek: true}}}).Collect())(t)
		if len(msgs) != 1 || string(msgs[0].BodySection[0].Bytes) != "Body\r\n" {
			t.Errorf("catenate %+v", msgs)
		}
	}
	if need(imap.CapSearchRes) {
		must(c.Search(&imap.SearchCriteria{Header: []imap.SearchHeaderField{{Key: "Subject", Value: "multi 1"}}}, &imap.SearchOptions{ReturnSave: true}).Wait())(t)
		msgs := must(c.Fetch(imap.SearchRes{}, &imap.FetchOptions{Envelope: true}).Collect())(t)
		if len(msgs) != 1 || msgs[0].Envelope.Subject != "multi 1" {
			t.Errorf("searchres %+v", msgs)
		}
	}
	if need(imap.CapWithin) {
		sd := must(c.Search(&imap.SearchCriteria{Younger: 3600}, &imap.SearchOptions{ReturnCount: true}).Wait())(t)
		if sd.Count < 3 {
			t.Errorf("within %+v", sd)
		}
	}
	if need(imap.CapSaveDate) || need(imap.CapPreview) {
		msgs := must(c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{SaveDate: caps.Has(imap.CapSaveDate), Preview: caps.Has(imap.CapPreview)}).Collect())(t)
		if caps.Has(imap.CapPreview) && !strings.Contains(msgs[0].Preview, "Hello Bob") {
			t.Errorf("preview %q", msgs[0].Preview)
		}
	}
	if need(imap.CapESort) {
		sd := must(c.Sort(false, &SortOptions{Criteria: []imap.SortCriterion{{Key: imap.SortSubject}}, Return: &imap.SearchOptions{ReturnCount: true, ReturnMin: true}}).Wait())(t)
		if sd.Count < 3 {
			t.Errorf("esort %+v", sd)
		}
	}
	if need(imap.CapThreadOrdSubj) {
		th := must(c.Thread(true, imap.ThreadOrderedSubject, nil).Wait())(t)
		if len(th) == 0 {
			t.Error("no threads")
		}
	}
	if need(imap.CapQResync) {
		must(c.Enable(imap.CapQResync).Wait())(t)
		sel := must(c.Select("INBOX", nil).Wait())(t)
		if sel.HighestModSeq == 0 {
			t.Errorf("no HIGHESTMODSEQ with QRESYNC: %+v", sel)
		}
		// Expunge one, then resynchronise from the old state.
		must(c.Store(imap.SeqSetNum(1), &StoreFlags{Op: StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Collect())(t)
		ex := must(c.Expunge().Wait())(t)
		if len(ex.Vanished) != 1 {
			t.Errorf("expunge with QRESYNC: %+v", ex)
		}
		if err := c.Unselect().Wait(); err != nil {
			t.Fatal(err)
		}
		sel2 := must(c.Select("INBOX", &SelectOptions{QResync: &QResyncParams{UIDValidity: sel.UIDValidity, ModSeq: sel.HighestModSeq}}).Wait())(t)
		if sel2.Vanished.String() != "1" {
			t.Errorf("qresync select: vanished %v", sel2.Vanished)
		}
	}
	if need(imap.CapNotify) {
		got := make(chan string, 10)
		cn := loggedIn(t, d, "alice", &Options{UnilateralDataHandler: &UnilateralDataHandler{
			Status: func(s *imap.StatusData) { got <- "status " + s.Mailbox },
			List:   func(l *imap.ListData) { got <- "list " + l.Mailbox },
		}})
		if err := cn.Notify(false, []NotifyEvents{{Filter: "personal", Events: []string{"MessageNew", "MessageExpunge", "MailboxName"}}}).Wait(); err != nil {
			t.Fatal(err)
		}
		if err := c.Create("Notified", nil).Wait(); err != nil {
			t.Fatal(err)
		}
		idle, err := cn.Idle()
		if err != nil {
			t.Fatal(err)
		}
		select {
		case ev := <-got:
			t.Logf("NOTIFY event: %s", ev)
		case <-time.After(10 * time.Second):
			t.Error("no NOTIFY event for a new mailbox")
		}
		idle.Close()
	}
}
