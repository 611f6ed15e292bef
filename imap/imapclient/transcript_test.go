package imapclient

import (
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/internal/transcript"
	"github.com/mailwire/mailwire/sasl"
)

func runScript(t *testing.T, name string, opts *Options, f func(t *testing.T, c *Client) error) {
	t.Helper()
	s := transcript.Load(t, "testdata/"+name)
	err := s.RunClient(t, func(conn net.Conn) error {
		c, err := NewClientOptions(conn, opts)
		if err != nil {
			return err
		}
		defer c.Close()
		return f(t, c)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func codeOf(err error) imap.ResponseCode {
	var e *imap.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func TestRFC9051SampleDialogue(t *testing.T) {
	runScript(t, "rfc9051_sample.txt", nil, func(t *testing.T, c *Client) error {
		if !c.Caps().Has(imap.CapStartTLS) {
			t.Error("greeting capabilities not kept")
		}
		if err := c.Login("mrc", "secret").Wait(); err != nil {
			return err
		}
		sel, err := c.Select("inbox", nil).Wait()
		if err != nil {
			return err
		}
		if sel.NumMessages != 18 || sel.UIDValidity != 3857529045 || len(sel.Flags) != 5 || sel.List == nil || c.State() != imap.ConnStateSelected {
			t.Errorf("select data: %+v", sel)
		}
		msgs, err := c.Fetch(imap.SeqSetNum(12), &imap.FetchOptions{Flags: true, InternalDate: true, RFC822Size: true, Envelope: true, Body: true}).Collect()
		if err != nil {
			return err
		}
		m := msgs[0]
		if m.SeqNum != 12 || m.RFC822Size != 4286 || m.Envelope.Subject != "IMAP4rev2 WG mtg summary and minutes" ||
			m.BodyStructure.Lines != 92 || m.InternalDate.Year() != 1996 || !imap.HasFlag(m.Flags, imap.FlagSeen) {
			t.Errorf("fetch: %+v", m)
		}
		f := c.Fetch(imap.SeqSetNum(12), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Specifier: imap.PartSpecifierHeader}}})
		msg := f.Next()
		item, ok := msg.Next().(*FetchItemDataBodySection)
		if !ok || item.Section.Specifier != imap.PartSpecifierHeader {
			t.Fatalf("item %#v", item)
		}
		b, _ := io.ReadAll(item.Literal)
		if !strings.HasPrefix(string(b), "Subject: IMAP4rev2") || len(b) != 45 {
			t.Errorf("header %q", b)
		}
		if f.Next() != nil {
			t.Error("second message")
		}
		if err := f.Close(); err != nil {
			return err
		}
		st, err := c.Store(imap.SeqSetNum(12), &StoreFlags{Op: StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Collect()
		if err != nil {
			return err
		}
		if len(st) != 1 || len(st[0].Flags) != 2 {
			t.Errorf("store: %+v", st)
		}
		if err := c.Logout().Wait(); err != nil {
			return err
		}
		if c.State() != imap.ConnStateLogout {
			t.Error("state after logout")
		}
		return nil
	})
}

func TestAppendSynchronisingLiteralAndTryCreate(t *testing.T) {
	runScript(t, "append.txt", nil, func(t *testing.T, c *Client) error {
		msg := "Subject: afternoon meeting\n"
		date := time.Date(1994, 2, 7, 21, 52, 25, 0, time.FixedZone("", -8*3600))
		a := c.Append("saved-messages", int64(len(msg)), &AppendOptions{Flags: []imap.Flag{imap.FlagSeen}, Time: date})
		io.WriteString(a, msg)
		d, err := a.Wait()
		if err != nil {
			return err
		}
		if d.UID != 3955 || d.UIDValidity != 38505 {
			t.Errorf("append data %+v", d)
		}
		a = c.Append("INBOX", 4, nil)
		io.WriteString(a, "abcd")
		if _, err := a.Wait(); codeOf(err) != imap.CodeTryCreate {
			t.Errorf("err = %v", err)
		}
		return nil
	})
}

func TestAppendLiteralPlusMulti(t *testing.T) {
	runScript(t, "append_literalplus.txt", nil, func(t *testing.T, c *Client) error {
		d, err := c.AppendMulti("INBOX", []AppendMessage{{Size: 3, Body: strings.NewReader("one")}, {Size: 3, Body: strings.NewReader("two")}})
		if err != nil {
			return err
		}
		if d.UIDs.String() != "10:11" {
			t.Errorf("%+v", d)
		}
		return nil
	})
}

func TestAuthenticateWithAndWithoutSASLIR(t *testing.T) {
	runScript(t, "authenticate.txt", nil, func(t *testing.T, c *Client) error {
		if err := c.Authenticate(sasl.NewPlainClient("", "alice", "secret")); err != nil {
			return err
		}
		if c.State() != imap.ConnStateAuthenticated || !c.Caps().Has(imap.CapMove) {
			t.Errorf("state %v caps %v", c.State(), c.Caps())
		}
		if err := c.Unauthenticate().Wait(); err != nil {
			return err
		}
		c.mu.Lock()
		c.caps = imap.NewCapSet(imap.CapIMAP4rev1) // no SASL-IR now
		c.mu.Unlock()
		err := c.Authenticate(sasl.NewPlainClient("", "alice", "secret"))
		if codeOf(err) != imap.CodeAuthenticationFailed {
			t.Errorf("err = %v", err)
		}
		return nil
	})
}

func TestIdleDeliversUpdates(t *testing.T) {
	var mu sync.Mutex
	var got []string
	add := func(s string) { mu.Lock(); got = append(got, s); mu.Unlock() }
	alert := make(chan struct{})
	opts := &Options{UnilateralDataHandler: &UnilateralDataHandler{
		Mailbox: func(m *UnilateralDataMailbox) {
			if m.NumMessages != nil {
				add("exists")
			}
		},
		Expunge: func(n uint32) { add("expunge") },
		Fetch:   func(b *FetchMessageBuffer) { add("fetch") },
		Alert:   func(string) { add("alert"); close(alert) },
	}}
	runScript(t, "idle.txt", opts, func(t *testing.T, c *Client) error {
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			return err
		}
		idle, err := c.Idle()
		if err != nil {
			return err
		}
		<-alert
		if err := idle.Close(); err != nil {
			return err
		}
		if mb := c.Mailbox(); mb.NumMessages != 3 {
			t.Errorf("messages = %d", mb.NumMessages)
		}
		return c.Noop().Wait()
	})
	if strings.Join(got, ",") != "exists,expunge,fetch,alert" {
		t.Fatalf("got %v", got)
	}
}

func TestErrorsCarryCodesAndBadDataIsSkipped(t *testing.T) {
	var logged []error
	var other []string
	opts := &Options{
		ErrorLog: func(err error) { logged = append(logged, err) },
		UnilateralDataHandler: &UnilateralDataHandler{Other: func(name string, num uint32, args []Value) {
			other = append(other, name)
			if len(args) != 2 || args[0] != uint64(1) {
				t.Errorf("args %#v", args)
			}
		}},
	}
	runScript(t, "errors.txt", opts, func(t *testing.T, c *Client) error {
		if _, err := c.Select("nosuch", nil).Wait(); codeOf(err) != imap.CodeNonExistent {
			t.Errorf("select: %v", err)
		}
		if c.Mailbox() != nil || c.State() != imap.ConnStateNotAuthenticated {
			t.Errorf("after a failed SELECT: %+v %v", c.Mailbox(), c.State())
		}
		if err := c.Create("INBOX", nil).Wait(); codeOf(err) != imap.CodeAlreadyExists {
			t.Errorf("create: %v", err)
		}
		err := c.Raw("BOGUS", nil).Command.Wait()
		var ie *imap.Error
		if !errors.As(err, &ie) || ie.Type != imap.StatusBAD || ie.Code != imap.CodeClientBug {
			t.Errorf("bogus: %v", err)
		}
		return c.Noop().Wait()
	})
	if len(logged) == 0 || len(other) != 1 || other[0] != "XWEIRD" {
		t.Fatalf("logged %v other %v", logged, other)
	}
}

func TestSearchForms(t *testing.T) {
	runScript(t, "search.txt", nil, func(t *testing.T, c *Client) error {
		d, err := c.Search(&imap.SearchCriteria{
			Flag:  []imap.Flag{imap.FlagFlagged},
			Since: time.Date(1994, 2, 1, 0, 0, 0, 0, time.UTC),
			Not:   []imap.SearchCriteria{{Header: []imap.SearchHeaderField{{Key: "From", Value: "Smith"}}}},
		}, nil).Wait()
		if err != nil {
			return err
		}
		if d.All.String() != "2,84,882" || d.Count != 3 {
			t.Errorf("search %+v", d)
		}
		d, err = c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagDeleted}}, &imap.SearchOptions{ReturnMin: true, ReturnCount: true}).Wait()
		if err != nil {
			return err
		}
		if !d.UID || d.Min != 4 || d.Count != 5 {
			t.Errorf("esearch %+v", d)
		}
		d, err = c.Search(&imap.SearchCriteria{Header: []imap.SearchHeaderField{{Key: "Subject", Value: "Grüß"}}}, nil).Wait()
		if err != nil || len(d.Nums()) != 0 {
			t.Errorf("utf-8 search %+v %v", d, err)
		}
		return nil
	})
}

func TestPipelinedRepliesReachTheirCommands(t *testing.T) {
	runScript(t, "pipeline.txt", nil, func(t *testing.T, c *Client) error {
		st := c.Status("blurdybloop", &imap.StatusOptions{NumMessages: true, UIDNext: true, Size: true})
		ls := c.List("", []string{"%"}, nil)
		var wg sync.WaitGroup
		var sd *imap.StatusData
		var serr error
		wg.Add(1)
		go func() { defer wg.Done(); sd, serr = st.Wait() }()
		l, err := ls.Wait()
		wg.Wait()
		if err != nil || serr != nil {
			return errors.Join(err, serr)
		}
		if len(l) != 2 || l[1].Mailbox != "foo" || *sd.NumMessages != 231 || *sd.Size != 5000 {
			t.Errorf("list %v status %+v", l, sd)
		}
		return nil
	})
}
