//go:build interop

package imapclient

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/internal/peers"
)

// needDovecotExtensions fails the test when a capability that the
// harness configuration enables is missing: the commands below are then
// not run against Dovecot, and that must not pass silently.
func needDovecotExtensions(t *testing.T, d *peers.Dovecot, caps imap.CapSet) {
	t.Helper()
	for _, name := range peers.DovecotIMAPExtensions {
		if !caps.Has(imap.Cap(name)) {
			t.Fatalf("Dovecot does not advertise %s, which the harness enables; capabilities %v\n%s", name, caps.Names(), d.Log())
		}
	}
}

func serverError(t *testing.T, what string, err error) *imap.Error {
	t.Helper()
	var e *imap.Error
	if !errors.As(err, &e) {
		t.Fatalf("%s: %v, want a tagged NO or BAD", what, err)
	}
	return e
}

// TestDovecotQuota runs GETQUOTAROOT, GETQUOTA and SETQUOTA (RFC 9208)
// against Dovecot's quota plugin: the root and its STORAGE limit are
// those of the harness configuration, usage grows with an APPEND, and
// SETQUOTA, which Dovecot reserves to admin users, is refused without
// breaking the connection.
func TestDovecotQuota(t *testing.T) {
	d := peers.StartDovecot(t)
	c := loggedIn(t, d, "alice", nil)
	needDovecotExtensions(t, d, c.Caps())
	roots, quotas := must2(c.GetQuotaRoot("INBOX").Wait())(t)
	if len(roots) != 1 || roots[0] != peers.DovecotQuotaRoot {
		t.Fatalf("GETQUOTAROOT roots %q", roots)
	}
	storage := func(quotas []*QuotaData) QuotaResource {
		t.Helper()
		if len(quotas) != 1 || quotas[0].Root != peers.DovecotQuotaRoot {
			t.Fatalf("quotas %+v", quotas)
		}
		for _, r := range quotas[0].Resources {
			if r.Name == "STORAGE" {
				return r
			}
		}
		t.Fatalf("no STORAGE resource in %+v", quotas[0].Resources)
		return QuotaResource{}
	}
	before := storage(quotas)
	if before.Limit != peers.DovecotQuotaStorageKiB || before.Usage != 0 {
		t.Errorf("STORAGE before APPEND %+v, want usage 0 limit %d", before, peers.DovecotQuotaStorageKiB)
	}
	big := interopMsg + strings.Repeat("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd\r\n", 64)
	a := c.Append("INBOX", int64(len(big)), nil)
	io.WriteString(a, big)
	must(a.Wait())(t)
	_, quotas = must2(c.GetQuota(peers.DovecotQuotaRoot).Wait())(t)
	after := storage(quotas)
	// RFC 9208 §5.1: STORAGE is in units of 1024 octets.
	if after.Usage < int64(len(big))/1024 || after.Limit != before.Limit {
		t.Errorf("STORAGE after a %d-octet APPEND: %+v", len(big), after)
	}
	_, _, err := c.SetQuota(peers.DovecotQuotaRoot, map[string]int64{"STORAGE": 512}).Wait()
	if err == nil {
		t.Fatal("SETQUOTA by a non-admin user accepted")
	}
	t.Logf("SETQUOTA: %v", serverError(t, "SETQUOTA", err))
	_, quotas = must2(c.GetQuota(peers.DovecotQuotaRoot).Wait())(t)
	if got := storage(quotas); got.Limit != before.Limit {
		t.Errorf("limit changed to %d by a refused SETQUOTA", got.Limit)
	}
	if _, _, err := c.GetQuota("no such root").Wait(); err == nil {
		t.Error("GETQUOTA of an unknown root succeeded")
	}
}

func must2[A, B any](a A, b B, err error) func(t *testing.T) (A, B) {
	return func(t *testing.T) (A, B) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}
}

// TestDovecotACL runs MYRIGHTS, GETACL, LISTRIGHTS, SETACL and DELETEACL
// (RFC 4314) against Dovecot's vfile ACLs: alice owns her mailbox, grants
// bob rights, bob then sees the mailbox through Dovecot's ACL checks, and
// the grant is removed again.
func TestDovecotACL(t *testing.T) {
	d := peers.StartDovecot(t)
	c := loggedIn(t, d, "alice", nil)
	needDovecotExtensions(t, d, c.Caps())
	if err := c.Create("Shared", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	my := must(c.MyRights("Shared").Rights())(t)
	// RFC 4314 §2.1: the owner holds l, r and a at least.
	if len(my) != 1 || !strings.Contains(my[0], "l") || !strings.Contains(my[0], "r") || !strings.Contains(my[0], "a") {
		t.Fatalf("MYRIGHTS %q", my)
	}
	acl := must(c.GetACL("Shared").ACL())(t)
	if len(acl) == 0 {
		t.Fatal("GETACL returned no identifiers")
	}
	t.Logf("GETACL Shared: %v", acl)
	lr := must(c.ListRights("Shared", "bob").Rights())(t)
	// RFC 4314 §3.4: the required rights, then at least one optional set.
	if len(lr) < 2 {
		t.Fatalf("LISTRIGHTS %q", lr)
	}
	if err := c.SetACL("Shared", "bob", "lr").Wait(); err != nil {
		t.Fatal("SETACL:", err)
	}
	acl = must(c.GetACL("Shared").ACL())(t)
	if r := acl["bob"]; !strings.Contains(r, "l") || !strings.Contains(r, "r") || strings.Contains(r, "i") {
		t.Fatalf("after SETACL bob lr: %v", acl)
	}
	if err := c.SetACL("Shared", "bob", "+i").Wait(); err != nil {
		t.Fatal("SETACL +i:", err)
	}
	acl = must(c.GetACL("Shared").ACL())(t)
	if r := acl["bob"]; !strings.Contains(r, "l") || !strings.Contains(r, "r") || !strings.Contains(r, "i") {
		t.Fatalf("after SETACL bob +i: %v", acl)
	}
	if err := c.SetACL("Shared", "bob", "-i").Wait(); err != nil {
		t.Fatal("SETACL -i:", err)
	}
	acl = must(c.GetACL("Shared").ACL())(t)
	if r := acl["bob"]; strings.Contains(r, "i") || !strings.Contains(r, "l") {
		t.Fatalf("after SETACL bob -i: %v", acl)
	}
	if err := c.DeleteACL("Shared", "bob").Wait(); err != nil {
		t.Fatal("DELETEACL:", err)
	}
	acl = must(c.GetACL("Shared").ACL())(t)
	if _, ok := acl["bob"]; ok {
		t.Fatalf("after DELETEACL: %v", acl)
	}
	// An identifier list on a mailbox that does not exist is a NO.
	_, err := c.GetACL("Nonexistent").ACL()
	serverError(t, "GETACL Nonexistent", err)
	// Each user administers his own mailboxes (vfile's owner rights).
	cb := loggedIn(t, d, "bob", nil)
	if r := must(cb.MyRights("INBOX").Rights())(t); len(r) != 1 || !strings.Contains(r[0], "a") {
		t.Errorf("bob's MYRIGHTS on his INBOX %q", r)
	}
}

// TestDovecotMetadata runs SETMETADATA and GETMETADATA (RFC 5464) on a
// mailbox and on the server, with a literal value, MAXSIZE, DEPTH and
// removal by NIL.
func TestDovecotMetadata(t *testing.T) {
	d := peers.StartDovecot(t)
	c := loggedIn(t, d, "alice", nil)
	needDovecotExtensions(t, d, c.Caps())
	comment := "Grüße\r\nfrom a literal"
	long := strings.Repeat("x", 300)
	if err := c.SetMetadata("INBOX", map[string]*string{
		"/private/comment":        &comment,
		"/private/vendor/mw/long": &long,
	}).Wait(); err != nil {
		t.Fatal("SETMETADATA:", err)
	}
	md := must(c.GetMetadata("INBOX", []string{"/private/comment"}, nil).Wait())(t)
	if v := md["/private/comment"]; v == nil || *v != comment {
		t.Fatalf("GETMETADATA /private/comment: %v", md)
	}
	md = must(c.GetMetadata("INBOX", []string{"/private/vendor"}, &MetadataOptions{Depth: "infinity"}).Wait())(t)
	if v := md["/private/vendor/mw/long"]; v == nil || *v != long {
		t.Errorf("GETMETADATA DEPTH infinity: %v", md)
	}
	// RFC 5464 §4.2.1: MAXSIZE leaves out larger values (and says so in
	// a LONGENTRIES code on the OK).
	md = must(c.GetMetadata("INBOX", []string{"/private/vendor/mw/long", "/private/comment"}, &MetadataOptions{MaxSize: 100}).Wait())(t)
	if _, ok := md["/private/vendor/mw/long"]; ok {
		t.Errorf("MAXSIZE 100 returned the 300-octet value: %v", md)
	}
	if v := md["/private/comment"]; v == nil || *v != comment {
		t.Errorf("MAXSIZE 100 lost the short value: %v", md)
	}
	server := "server value"
	if err := c.SetMetadata("", map[string]*string{"/private/comment": &server}).Wait(); err != nil {
		t.Fatal("SETMETADATA on the server:", err)
	}
	md = must(c.GetMetadata("", []string{"/private/comment"}, nil).Wait())(t)
	if v := md["/private/comment"]; v == nil || *v != server {
		t.Errorf("server GETMETADATA: %v", md)
	}
	if err := c.SetMetadata("INBOX", map[string]*string{"/private/comment": nil}).Wait(); err != nil {
		t.Fatal("SETMETADATA NIL:", err)
	}
	md = must(c.GetMetadata("INBOX", []string{"/private/comment"}, nil).Wait())(t)
	if v, ok := md["/private/comment"]; ok && v != nil {
		t.Errorf("after removal: %q", *v)
	}
	// RFC 5464 §3.2: entry names outside /private and /shared are BAD.
	err := c.SetMetadata("INBOX", map[string]*string{"/nowhere": &server}).Wait()
	serverError(t, "SETMETADATA /nowhere", err)
}

// TestDovecotCompress runs COMPRESS DEFLATE (RFC 4978), then SELECT,
// FETCH of whole bodies (large enough to span several DEFLATE blocks),
// APPEND and a second COMPRESS, which RFC 4978 §3 answers with
// NO [COMPRESSIONACTIVE].
func TestDovecotCompress(t *testing.T) {
	d := peers.StartDovecot(t)
	wire := &peers.Buffer{}
	c := loggedIn(t, d, "alice", &Options{DebugWriter: wire})
	needDovecotExtensions(t, d, c.Caps())
	var bodies []string
	for i := 0; i < 5; i++ {
		body := strings.Replace(interopMsg, "interop test", "compressed "+strings.Repeat("z", i), 1) +
			strings.Repeat("line of text that deflate will shrink well\r\n", 500*(i+1))
		bodies = append(bodies, body)
		d.Deliver(t, "alice", []byte(body))
	}
	if err := c.Compress(); err != nil {
		t.Fatal("COMPRESS:", err)
	}
	mark := wire.Len()
	sel := must(c.Select("INBOX", nil).Wait())(t)
	if sel.NumMessages != uint32(len(bodies)) {
		t.Fatalf("SELECT over DEFLATE: %d messages", sel.NumMessages)
	}
	msgs := must(c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{
		UID: true, Envelope: true, RFC822Size: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}},
	}).Collect())(t)
	if len(msgs) != len(bodies) {
		t.Fatalf("FETCH over DEFLATE: %d messages", len(msgs))
	}
	total := 0
	for i, m := range msgs {
		total += len(bodies[i])
		if string(m.BodySection[0].Bytes) != bodies[i] || m.RFC822Size != int64(len(bodies[i])) {
			t.Errorf("message %d: %d octets, want %d", i+1, len(m.BodySection[0].Bytes), len(bodies[i]))
		}
	}
	a := c.Append("INBOX", int64(len(interopMsg)), nil)
	io.WriteString(a, interopMsg)
	if ad := must(a.Wait())(t); ad.UID == 0 {
		t.Error("no APPENDUID over DEFLATE")
	}
	err := c.Compress()
	if e := serverError(t, "second COMPRESS", err); e.Code != imap.CodeCompressionActive {
		t.Errorf("second COMPRESS: %v, want NO [COMPRESSIONACTIVE]", e)
	}
	if err := c.Noop().Wait(); err != nil {
		t.Fatal("NOOP after the refused COMPRESS:", err)
	}
	// The wire after COMPRESS is compressed: far fewer octets than the
	// bodies, and none of their text in the clear.
	after := wire.BytesFrom(mark)
	if len(after) >= total/4 || bytes.Contains(after, []byte("deflate will shrink")) {
		t.Errorf("%d octets on the wire after COMPRESS for %d octets of bodies", len(after), total)
	}
	if err := c.Logout().Wait(); err != nil {
		t.Error(err)
	}
}
