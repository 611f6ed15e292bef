//go:build interop

package imapserver_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapclient"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/internal/peers"
)

// threadCorpus is a mailbox whose threading exercises every step of RFC
// 5256 §3 REFERENCES: chains, missing parents (dummies at and below the
// root), truncated References, In-Reply-To only, duplicate and quoted
// Message IDs, reference loops, and subject merging with and without
// reply markers, blobs and "[fwd: ...]".
func threadCorpus() []string {
	type m struct{ id, subject, refs, irt string }
	list := []m{
		{"<a1@x>", "Plans", "", ""},
		{"<a2@x>", "Re: Plans", "<a1@x>", ""},
		{"<a3@x>", "Re: Re: Plans", "<a1@x> <a2@x>", ""},
		{"<a4@x>", "Re: Plans", "", "<a1@x>"},
		{"<b2@x>", "Re: Lost parent", "<b1@x>", ""},
		{"<b3@x>", "Re: Lost parent", "<b1@x>", ""},
		{"<c1@x>", "Lunch", "", ""},
		{"<c2@x>", "Lunch", "", ""},
		{"<c3@x>", "Re: lunch", "", ""},
		{"<d2@x>", "[list] Re: Build", "<d0@x> <d1@x>", ""},
		{"<d3@x>", "Re[2]: Build", "<d1@x>", ""},
		{"<e1@x>", "Report (fwd)", "", ""},
		{"<e2@x>", "[Fwd: Report]", "", ""},
		{"<e3@x>", "Report", "", ""},
		{"<a1@x>", "Duplicate id", "", ""},
		{`<"q1"@x>`, "Quoted", "", ""},
		{"<q2@x>", "Re: Quoted", "<q1@x>", ""},
		{"<l1@x>", "Loop one", "<l2@x>", ""},
		{"<l2@x>", "Loop two", "<l1@x>", ""},
		{"", "No id", "", ""},
		{"<f2@x>", "Re: Far", "<f0@x> <f1@x>", ""},
		{"<f3@x>", "Other subject", "<f0@x>", ""},
		{"<g1@x>", "", "", ""},
		{"<g2@x>", "Re:", "", ""},
	}
	var out []string
	for i, x := range list {
		var b strings.Builder
		if x.id != "" {
			fmt.Fprintf(&b, "Message-ID: %s\r\n", x.id)
		}
		if x.refs != "" {
			fmt.Fprintf(&b, "References: %s\r\n", x.refs)
		}
		if x.irt != "" {
			fmt.Fprintf(&b, "In-Reply-To: %s\r\n", x.irt)
		}
		// Dates not in mailbox order, and two equal, so that sorting by
		// sent date and the sequence-number tie-break both matter.
		day := 1 + (i*7)%20
		fmt.Fprintf(&b, "Date: %d Feb 2024 10:00:00 +0000\r\nFrom: u%d@example.org\r\nSubject: %s\r\n\r\nbody %d\r\n", day, i, x.subject, i)
		out = append(out, b.String())
	}
	return out
}

func threadsString(ts []*imap.Thread) string {
	var b strings.Builder
	var walk func(t *imap.Thread)
	walk = func(t *imap.Thread) {
		b.WriteByte('(')
		if t.Num != 0 {
			fmt.Fprint(&b, t.Num)
		}
		for _, ch := range t.Children {
			walk(ch)
		}
		b.WriteByte(')')
	}
	for _, t := range ts {
		walk(t)
	}
	return b.String()
}

// TestInteropThreadLikeDovecot appends the same messages to Dovecot and to
// our server and asks both for THREAD REFERENCES and ORDEREDSUBJECT: the
// answers must be the same trees.
func TestInteropThreadLikeDovecot(t *testing.T) {
	d := peers.StartDovecot(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	msgs := threadCorpus()

	dc, err := imapclient.DialStartTLS(ctx, d.IMAP, d.TLS.ClientConfig(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer dc.Close()
	if err := dc.Login(peers.Users[0], peers.Password).Wait(); err != nil {
		t.Fatal(err)
	}
	if !dc.Caps().Has("THREAD=REFERENCES") {
		t.Fatalf("Dovecot does not offer THREAD=REFERENCES: %v", dc.Caps())
	}
	for _, m := range msgs {
		a := dc.Append("INBOX", int64(len(m)), nil)
		io.WriteString(a, m)
		if _, err := a.Wait(); err != nil {
			t.Fatal(err)
		}
	}

	be := imapmem.New()
	u := be.AddUser("alice", "secret")
	for _, m := range msgs {
		if _, err := u.AppendMessage("INBOX", []byte(m), nil, time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	srv := newServer(be)
	cc, sc := net.Pipe()
	go srv.ServeConn(sc)
	oc, err := imapclient.NewClient(cc)
	if err != nil {
		t.Fatal(err)
	}
	defer oc.Close()
	if err := oc.Login("alice", "secret").Wait(); err != nil {
		t.Fatal(err)
	}

	for _, c := range []*imapclient.Client{dc, oc} {
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			t.Fatal(err)
		}
	}
	for _, alg := range []imap.ThreadAlgorithm{imap.ThreadReferences, imap.ThreadOrderedSubject} {
		want, err := dc.Thread(false, alg, nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		got, err := oc.Thread(false, alg, nil).Wait()
		if err != nil {
			t.Fatal(err)
		}
		if g, w := threadsString(got), threadsString(want); g != w {
			t.Errorf("THREAD %s:\nours    %s\nDovecot %s", alg, g, w)
		} else {
			t.Logf("THREAD %s: %s", alg, g)
		}
	}
}
