package imapserver_test

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapclient"
	"github.com/mailwire/mailwire/imap/imapserver"
	"github.com/mailwire/mailwire/sasl"
)

// ourClient connects our client to srv over a pipe, or over TLS on a
// loopback socket when srv has a TLSConfig.
func ourClient(t *testing.T, srv *imapserver.Server) *imapclient.Client {
	t.Helper()
	if srv.TLSConfig == nil {
		cc, sc := net.Pipe()
		go srv.ServeConn(sc)
		c, err := imapclient.NewClient(cc)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	addr := serveTCP(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := imapclient.DialStartTLS(ctx, addr, &tls.Config{InsecureSkipVerify: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	// RFC 9051 §6.2.1: what was known before TLS is forgotten; ask again.
	if _, err := c.Capability().Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// Every mechanism the in-memory store makes possible, through our client:
// the session is logged in as the right user afterwards.
func TestAuthenticateEveryMechanism(t *testing.T) {
	for _, tt := range []struct {
		mech string
		tls  bool
		new  func(pass string) sasl.Client
	}{
		{sasl.ScramSHA256, false, func(p string) sasl.Client { return sasl.NewScramClient(sasl.ScramSHA256, "", "alice", p, nil) }},
		{sasl.ScramSHA1, false, func(p string) sasl.Client { return sasl.NewScramClient(sasl.ScramSHA1, "", "alice", p, nil) }},
		{sasl.CRAMMD5, false, func(p string) sasl.Client { return sasl.NewCRAMMD5Client("alice", p) }},
		{sasl.Plain, false, func(p string) sasl.Client { return sasl.NewPlainClient("", "alice", p) }},
		{sasl.Login, false, func(p string) sasl.Client { return sasl.NewLoginClient("alice", p) }},
		{sasl.ScramSHA256Plus, true, nil},
		{sasl.ScramSHA1Plus, true, nil},
	} {
		t.Run(tt.mech, func(t *testing.T) {
			for _, pass := range []string{"wrong", "secret"} {
				srv := newServer(newBackend(t, 2))
				if tt.tls {
					srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}
				}
				c := ourClient(t, srv)
				if !c.Caps().Has(imap.Cap("AUTH=" + tt.mech)) {
					t.Fatalf("AUTH=%s not offered: %v", tt.mech, c.Caps())
				}
				var mc sasl.Client
				if tt.new != nil {
					mc = tt.new(pass)
				} else {
					cs, _ := c.TLSConnectionState()
					cb, err := sasl.ChannelBindingFromTLS(&cs, sasl.TLSExporter)
					if err != nil {
						t.Fatal(err)
					}
					mc = sasl.NewScramClient(tt.mech, "", "alice", pass, cb)
				}
				err := c.Authenticate(mc)
				if pass == "wrong" {
					var ie *imap.Error
					if !errors.As(err, &ie) || ie.Code != "AUTHENTICATIONFAILED" {
						t.Fatalf("wrong password: %v, want NO [AUTHENTICATIONFAILED]", err)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if _, err := c.Select("INBOX", nil).Wait(); err != nil {
					t.Fatalf("SELECT after AUTHENTICATE: %v", err)
				}
			}
		})
	}
}

// A channel binding that is not the connection's fails SCRAM-PLUS, and
// the -PLUS mechanisms are not offered without TLS.
func TestScramPlusChecksTheChannel(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}
	c := ourClient(t, srv)
	forged := &sasl.ChannelBinding{Type: sasl.TLSExporter, Data: make([]byte, 32)}
	err := c.Authenticate(sasl.NewScramClient(sasl.ScramSHA256Plus, "", "alice", "secret", forged))
	var ie *imap.Error
	if !errors.As(err, &ie) || ie.Code != "AUTHENTICATIONFAILED" {
		t.Fatalf("forged channel binding: %v", err)
	}

	plain := ourClient(t, newServer(newBackend(t, 1)))
	for _, cp := range plain.Caps().Names() {
		if strings.HasSuffix(string(cp), "-PLUS") {
			t.Errorf("%s offered without TLS", cp)
		}
	}
}

// Failed logins wait longer each time, then the connection is closed.
func TestFailedLoginsDelayThenBye(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	srv.Limits = imapserver.Limits{FailedLoginDelay: time.Second, MaxFailedLogins: 4}
	var waits []time.Duration
	srv.SetSleep(func(d time.Duration) { waits = append(waits, d) })
	tc := dial(t, srv)
	tc.send("a1 LOGIN alice x\r\n")
	if l := tc.line(); l != "a1 NO [AUTHENTICATIONFAILED] invalid credentials" {
		t.Fatalf("first failure: %q", l)
	}
	tc.send("a2 AUTHENTICATE PLAIN AGFsaWNlAHg=\r\n")
	if l := tc.line(); l != "a2 NO [AUTHENTICATIONFAILED] invalid credentials" {
		t.Fatalf("second failure: %q", l)
	}
	tc.send("a3 LOGIN bob x\r\n")
	tc.line()
	tc.send("a4 LOGIN alice y\r\n")
	if l := tc.line(); l != "* BYE too many failed logins" {
		t.Fatalf("fourth failure: %q", l)
	}
	want := []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}
	if len(waits) != len(want) {
		t.Fatalf("waits %v, want %v", waits, want)
	}
	for i := range want {
		if waits[i] != want[i] {
			t.Fatalf("waits %v, want %v", waits, want)
		}
	}
}
