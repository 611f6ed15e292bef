package pop3

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mailwire/mailwire/sasl"
)

// pipeClient connects a Client to s over net.Pipe; the server's goroutine
// is waited for at cleanup.
func pipeClient(t *testing.T, s *Server) *Client {
	t.Helper()
	cc, sc := net.Pipe()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); s.ServeConn(sc) }()
	t.Cleanup(func() { cc.Close(); wg.Wait() })
	c, err := NewClient(cc)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRoundTripRetrieveAndDelete(t *testing.T) {
	b := newBackend(t)
	s := newServer(b)
	s.AllowInsecureAuth = true
	c := pipeClient(t, s)
	c.AllowInsecureAuth = true
	ctx := context.Background()
	if err := c.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	n, size, err := c.Stat(ctx)
	wantSize := int64(0)
	for _, m := range aliceMessages {
		wantSize += int64(len(m))
	}
	if err != nil || n != 3 || size != wantSize {
		t.Fatalf("Stat = %d, %d, %v; want 3, %d", n, size, err, wantSize)
	}
	for i, want := range aliceMessages {
		got, err := c.RetrBytes(ctx, i+1)
		if err != nil || string(got) != want {
			t.Errorf("RETR %d = %q, %v; want %q", i+1, got, err, want)
		}
	}
	// A reader left unread is skipped by the next command.
	if _, err := c.Retr(ctx, 1); err != nil {
		t.Fatal(err)
	}
	uids, err := c.UIDL(ctx)
	if err != nil || len(uids) != 3 || uids[0].UID != "m1" {
		t.Fatalf("UIDL = %v, %v", uids, err)
	}
	if err := c.Dele(ctx, 1, 3); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Retr(ctx, 1); err == nil {
		t.Error("RETR of a deleted message succeeded")
	}
	if got := len(b.Messages("alice")); got != 3 {
		t.Fatalf("before QUIT the backend has %d messages; want 3", got)
	}
	if err := c.Quit(ctx); err != nil {
		t.Fatal(err)
	}
	msgs := b.Messages("alice")
	if len(msgs) != 1 || string(msgs[0]) != aliceMessages[1] {
		t.Errorf("after QUIT the backend has %q; want only message 2", msgs)
	}
}

func TestRoundTripEveryMechanism(t *testing.T) {
	for _, mech := range []string{sasl.Plain, sasl.Login, sasl.CRAMMD5, sasl.ScramSHA1, sasl.ScramSHA256} {
		t.Run(mech, func(t *testing.T) {
			for _, pass := range []string{"wrong", "secret"} {
				s := newServer(newBackend(t))
				s.AllowInsecureAuth = true
				s.DisableAPOP = false
				c := pipeClient(t, s)
				c.AllowInsecureAuth = true
				var sc sasl.Client
				switch mech {
				case sasl.Plain:
					sc = sasl.NewPlainClient("", "alice", pass)
				case sasl.Login:
					sc = sasl.NewLoginClient("alice", pass)
				case sasl.CRAMMD5:
					sc = sasl.NewCRAMMD5Client("alice", pass)
				default:
					sc = sasl.NewScramClient(mech, "", "alice", pass, nil)
				}
				err := c.Authenticate(context.Background(), sc)
				if pass == "wrong" {
					if !errors.Is(err, ErrAuth) {
						t.Errorf("wrong password: %v; want ErrAuth", err)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if n, _, err := c.Stat(context.Background()); err != nil || n != 3 {
					t.Errorf("Stat after AUTH %s = %d, %v", mech, n, err)
				}
			}
		})
	}
}

func TestRoundTripAPOP(t *testing.T) {
	s := newServer(newBackend(t))
	s.DisableAPOP = false
	c := pipeClient(t, s)
	if !strings.Contains(c.Greeting(), "@test.example>") {
		t.Fatalf("greeting %q has no APOP timestamp", c.Greeting())
	}
	if err := c.APOP(context.Background(), "alice", "wrong"); !errors.Is(err, ErrAuth) {
		t.Errorf("APOP with the wrong secret: %v", err)
	}
	if err := c.APOP(context.Background(), "alice", "secret"); err != nil {
		t.Fatal(err)
	}
}

func TestAPOPTimestampsDiffer(t *testing.T) {
	s := newServer(newBackend(t))
	s.DisableAPOP = false
	a, b := pipeClient(t, s), pipeClient(t, s)
	if a.timestamp == "" || a.timestamp == b.timestamp {
		t.Errorf("timestamps %q and %q; want two different ones", a.timestamp, b.timestamp)
	}
}

func TestSTLSThenScramPlus(t *testing.T) {
	pair := testTLS(t)
	s := newServer(newBackend(t))
	s.TLSConfig = pair.server
	c := pipeClient(t, s)
	ctx := context.Background()
	caps, err := c.Capabilities(ctx)
	if err != nil || !caps.Has("STLS") || caps.Has("USER") {
		t.Fatalf("before TLS: %v, %v; want STLS and no USER", caps, err)
	}
	if err := c.Login(ctx, "alice", "secret"); !errors.Is(err, ErrInsecureAuth) {
		t.Fatalf("Login before TLS = %v; want ErrInsecureAuth", err)
	}
	if err := c.StartTLS(ctx, pair.client); err != nil {
		t.Fatal(err)
	}
	caps, err = c.Capabilities(ctx)
	if err != nil || caps.Has("STLS") || !caps.Has("USER") {
		t.Fatalf("after TLS: %v, %v; want USER and no STLS", caps, err)
	}
	if !strings.Contains(strings.Join(caps.SASL(), " "), "SCRAM-SHA-256-PLUS") {
		t.Errorf("SASL after TLS = %v; want SCRAM-SHA-256-PLUS", caps.SASL())
	}
	cb, err := sasl.ChannelBindingFromTLS(c.tlsState(), sasl.TLSExporter)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Authenticate(ctx, sasl.NewScramClient(sasl.ScramSHA256Plus, "", "alice", "secret", cb)); err != nil {
		t.Fatal(err)
	}
	if n, _, err := c.Stat(ctx); err != nil || n != 3 {
		t.Errorf("Stat = %d, %v", n, err)
	}
}

func TestSTLSThenUserPass(t *testing.T) {
	pair := testTLS(t)
	s := newServer(newBackend(t))
	s.TLSConfig = pair.server
	c := pipeClient(t, s)
	ctx := context.Background()
	if err := c.StartTLS(ctx, pair.client); err != nil {
		t.Fatal(err)
	}
	if err := c.StartTLS(ctx, pair.client); !errors.Is(err, ErrNotSupported) {
		t.Errorf("second StartTLS = %v", err)
	}
	if err := c.AuthenticateAuto(ctx, sasl.Credentials{Username: "alice", Password: "secret"}); err != nil {
		t.Fatal(err)
	}
}

// TestClientSTLSDropsPlaintext checks that a line the server sends after
// its +OK to STLS, in plaintext, is never taken as an answer.
func TestClientSTLSDropsPlaintext(t *testing.T) {
	pair := testTLS(t)
	cc, sc := net.Pipe()
	defer cc.Close()
	done := make(chan error, 1)
	go func() {
		defer sc.Close()
		br := bufio.NewReader(sc)
		sc.Write([]byte("+OK hi\r\n"))
		if l, _ := br.ReadString('\n'); l != "STLS\r\n" {
			done <- errors.New("got " + l)
			return
		}
		sc.Write([]byte("+OK go ahead\r\n+OK injected\r\n"))
		tc := tls.Server(sc, pair.server)
		if err := tc.Handshake(); err != nil {
			done <- err
			return
		}
		tr := bufio.NewReader(tc)
		l, _ := tr.ReadString('\n')
		if l != "CAPA\r\n" {
			done <- errors.New("after TLS got " + l)
			return
		}
		tc.Write([]byte("+OK\r\nUSER\r\n.\r\n"))
		tr.ReadString('\n')
		done <- nil
	}()
	c, err := NewClient(cc)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.StartTLS(context.Background(), pair.client); err != nil {
		t.Fatal(err)
	}
	if !c.caps.Has("USER") {
		t.Errorf("capabilities after STLS = %v; want the TLS answer", c.caps)
	}
	c.Close()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// recorder is a transport that plays a greeting and records writes.
type recorder struct {
	r   io.Reader
	out bytes.Buffer
}

func newRecorder(greeting string) *recorder {
	return &recorder{r: strings.NewReader(greeting)}
}

func (r *recorder) Read(p []byte) (int, error)  { return r.r.Read(p) }
func (r *recorder) Write(p []byte) (int, error) { return r.out.Write(p) }

func TestClientRefusesInsecureAuthBeforeWriting(t *testing.T) {
	rec := newRecorder("+OK ready\r\n")
	c, err := NewClient(rec)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := c.Login(ctx, "alice", "secret"); !errors.Is(err, ErrInsecureAuth) {
		t.Errorf("Login = %v", err)
	}
	for _, sc := range []sasl.Client{
		sasl.NewPlainClient("", "alice", "secret"),
		sasl.NewLoginClient("alice", "secret"),
		sasl.NewXOAuth2Client("alice", "token"),
	} {
		if err := c.Authenticate(ctx, sc); !errors.Is(err, ErrInsecureAuth) {
			t.Errorf("Authenticate = %v", err)
		}
	}
	if rec.out.Len() != 0 {
		t.Errorf("the client wrote %q", rec.out.String())
	}
}

func TestClientRefusesCRLFInArguments(t *testing.T) {
	rec := newRecorder("+OK ready <1.2@x>\r\n")
	c, err := NewClient(rec)
	if err != nil {
		t.Fatal(err)
	}
	c.AllowInsecureAuth = true
	ctx := context.Background()
	bad := "alice\r\nDELE 1"
	checks := map[string]error{
		"Login user": c.Login(ctx, bad, "x"),
		"Login pass": c.Login(ctx, "alice", "x\nDELE 1"),
		"APOP":       c.APOP(ctx, bad, "x"),
		"LANG":       func() error { _, err := c.SetLanguage(ctx, "en\r\nDELE"); return err }(),
		"NUL":        c.Login(ctx, "a\x00b", "x"),
		"Retr 0":     func() error { _, err := c.Retr(ctx, 0); return err }(),
		"Top -1":     func() error { _, err := c.Top(ctx, 1, -1); return err }(),
		"Dele 0":     c.Dele(ctx, 0),
	}
	for name, err := range checks {
		if !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%s: %v; want ErrInvalidArgument", name, err)
		}
	}
	if rec.out.Len() != 0 {
		t.Errorf("the client wrote %q", rec.out.String())
	}
}

func TestClientLongInitialResponseWaitsForChallenge(t *testing.T) {
	long := strings.Repeat("p", 300)
	b := newBackend(t)
	b.AddUser("alice", long)
	s := newServer(b)
	s.AllowInsecureAuth = true
	cc, sc := net.Pipe()
	go s.ServeConn(sc)
	defer cc.Close()
	var trace bytes.Buffer
	c, err := NewClientDebug(cc, &trace)
	if err != nil {
		t.Fatal(err)
	}
	c.AllowInsecureAuth = true
	if err := c.Authenticate(context.Background(), sasl.NewPlainClient("", "alice", long)); err != nil {
		t.Fatal(err)
	}
	// RFC 5034 §4: the command would exceed 255 octets.
	if !strings.Contains(trace.String(), "AUTH PLAIN\r\n+ \r\n") {
		t.Errorf("trace %q: want AUTH PLAIN without initial response, then an empty challenge", trace.String())
	}
}

func TestClientContextCancelsCommand(t *testing.T) {
	cc, sc := net.Pipe()
	defer cc.Close()
	defer sc.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		sc.Write([]byte("+OK ready\r\n"))
		br := bufio.NewReader(sc)
		br.ReadString('\n') // the NOOP, never answered
		cancel()
		io.Copy(io.Discard, br)
	}()
	c, err := NewClient(cc)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Noop(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Noop = %v; want context.Canceled", err)
	}
	if err := c.Noop(context.Background()); !errors.Is(err, ErrClientBroken) {
		t.Errorf("after a cancelled command: %v; want ErrClientBroken", err)
	}
}

func TestSecondSessionGetsInUse(t *testing.T) {
	b := newBackend(t)
	s := newServer(b)
	s.AllowInsecureAuth = true
	ctx := context.Background()
	first := pipeClient(t, s)
	first.AllowInsecureAuth = true
	if err := first.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	second := pipeClient(t, s)
	second.AllowInsecureAuth = true
	if err := second.Login(ctx, "alice", "secret"); !errors.Is(err, ErrInUse) {
		t.Fatalf("second login = %v; want ErrInUse", err)
	}
	if err := first.Quit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := second.Login(ctx, "alice", "secret"); err != nil {
		t.Errorf("login after the first session ended: %v", err)
	}
}

// unlockedBackend opens a maildrop without locking, to show that the
// server locks on its own.
type unlockedBackend struct{ *MemBackend }

func (b unlockedBackend) OpenMaildrop(ctx context.Context, user string) (Maildrop, error) {
	md, err := b.MemBackend.OpenMaildrop(ctx, user)
	if err == nil {
		md.Close() // release the backend's own lock at once
	}
	return md, err
}

func TestServerLocksMaildropItself(t *testing.T) {
	s := newServer(unlockedBackend{newBackend(t)})
	s.AllowInsecureAuth = true
	ctx := context.Background()
	a, b := pipeClient(t, s), pipeClient(t, s)
	a.AllowInsecureAuth, b.AllowInsecureAuth = true, true
	if err := a.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	if err := b.Login(ctx, "alice", "secret"); !errors.Is(err, ErrInUse) {
		t.Fatalf("second login = %v; want ErrInUse", err)
	}
}

func TestLoginDelayEnforced(t *testing.T) {
	s := newServer(newBackend(t))
	s.AllowInsecureAuth = true
	s.LoginDelay = time.Hour
	ctx := context.Background()
	a := pipeClient(t, s)
	a.AllowInsecureAuth = true
	if err := a.Login(ctx, "alice", "secret"); err != nil {
		t.Fatal(err)
	}
	if err := a.Quit(ctx); err != nil {
		t.Fatal(err)
	}
	b := pipeClient(t, s)
	b.AllowInsecureAuth = true
	caps, _ := b.Capabilities(ctx)
	if got := caps["LOGIN-DELAY"]; len(got) != 1 || got[0] != "3600" {
		t.Errorf("LOGIN-DELAY capability = %v", got)
	}
	if err := b.Login(ctx, "alice", "secret"); !errors.Is(err, ErrLoginDelay) {
		t.Errorf("second login = %v; want ErrLoginDelay", err)
	}
}

func TestServerPreparesUTF8Credentials(t *testing.T) {
	b := newBackend(t)
	b.AddUser("jörg", "pässwörd") // NFC
	s := newServer(b)
	s.AllowInsecureAuth = true
	s.EnableUTF8 = true
	c := pipeClient(t, s)
	c.AllowInsecureAuth = true
	ctx := context.Background()
	caps, err := c.Capabilities(ctx)
	if err != nil || len(caps["UTF8"]) != 1 || caps["UTF8"][0] != "USER" {
		t.Fatalf("UTF8 capability = %v, %v; want UTF8 USER", caps["UTF8"], err)
	}
	// The password in NFD: PRECIS OpaqueString makes it NFC.
	if err := c.Login(ctx, "jörg", "pa\u0308sswo\u0308rd"); err != nil {
		t.Fatal(err)
	}

	s2 := newServer(b)
	s2.AllowInsecureAuth = true
	c2 := pipeClient(t, s2)
	c2.AllowInsecureAuth = true
	c2.caps = Capabilities{"UTF8": {"USER"}} // pretend, to reach the server
	if err := c2.Login(ctx, "jörg", "pässwörd"); err == nil {
		t.Error("a server without EnableUTF8 accepted a UTF-8 name")
	}
}

// oauthBackend adds OAUTHBEARER and XOAUTH2 through SASLBackend.
type oauthBackend struct{ *MemBackend }

func (oauthBackend) SASLMechanisms(cs *tls.ConnectionState) []string {
	return []string{"oauthbearer", sasl.XOAuth2, "BAD MECH"}
}

func (oauthBackend) NewSASLServer(ctx context.Context, mech string, cs *tls.ConnectionState) (sasl.Server, error) {
	switch mech {
	case sasl.OAuthBearer:
		return sasl.NewOAuthBearerServer(func(r sasl.OAuthBearerRequest) error {
			if r.Username != "alice" || r.Token != "good-token" {
				return errors.New("bad token")
			}
			return nil
		}), nil
	case sasl.XOAuth2:
		return sasl.NewXOAuth2Server(func(user, token string) error {
			if user != "alice" || token != "good-token" {
				return errors.New("bad token")
			}
			return nil
		}), nil
	}
	return nil, ErrSysPerm
}

func TestServerSASLBackendMechanisms(t *testing.T) {
	ctx := context.Background()
	for _, mech := range []string{sasl.OAuthBearer, sasl.XOAuth2} {
		for _, token := range []string{"bad-token", "good-token"} {
			s := newServer(oauthBackend{newBackend(t)})
			s.AllowInsecureAuth = true
			c := pipeClient(t, s)
			c.AllowInsecureAuth = true
			caps, _ := c.Capabilities(ctx)
			if got := strings.Join(caps.SASL(), " "); !strings.HasSuffix(got, "PLAIN LOGIN OAUTHBEARER XOAUTH2") {
				t.Fatalf("SASL capability = %q", got)
			}
			var oc *sasl.OAuthClient
			if mech == sasl.OAuthBearer {
				oc = sasl.NewOAuthBearerClient(sasl.OAuthBearerOptions{Username: "alice", Token: token})
			} else {
				oc = sasl.NewXOAuth2Client("alice", token)
			}
			err := c.Authenticate(ctx, oc)
			if token == "bad-token" {
				if !errors.Is(err, ErrAuth) || oc.Failure() == nil {
					t.Errorf("%s with a bad token: %v, failure %v", mech, err, oc.Failure())
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", mech, err)
			}
			if n, _, err := c.Stat(ctx); err != nil || n != 3 {
				t.Errorf("%s: Stat = %d, %v", mech, n, err)
			}
		}
	}
}
