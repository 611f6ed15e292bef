package sasl

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// exchange runs c against s as a protocol would, and returns the first
// error of either side. withIR says whether the protocol sends the initial
// response with the command; without it, the server's first (empty)
// challenge is answered with the initial response (RFC 4422 §5).
func exchange(t testing.TB, c Client, s Server, withIR bool) error {
	t.Helper()
	_, ir, err := c.Start()
	if err != nil {
		return err
	}
	var resp []byte
	if withIR {
		resp = ir
	}
	irPending := !withIR && ir != nil
	for i := 0; i < 10; i++ {
		ch, done, err := s.Next(resp)
		if err != nil {
			return err
		}
		if done {
			if len(ch) == 0 {
				ch = nil
			}
			return Finish(c, ch)
		}
		if irPending {
			if len(ch) != 0 {
				t.Fatalf("first challenge %q, want empty before the initial response", ch)
			}
			irPending = false
			resp = ir
			continue
		}
		if resp, err = c.Next(ch); err != nil {
			return err
		}
	}
	t.Fatal("exchange did not end in 10 steps")
	return nil
}

// wantIs fails the test unless err matches target.
func wantIs(t *testing.T, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("err = %v, want %v", err, target)
	}
}

func TestDecodeWireCancelEmptyAndBase64(t *testing.T) {
	got, err := DecodeWire([]byte("*"))
	wantIs(t, err, ErrCanceled)
	if got != nil {
		t.Errorf("cancel returned %q", got)
	}
	got, err = DecodeWire([]byte("="))
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf(`DecodeWire("=") = %q, %v; want empty non-nil`, got, err)
	}
	got, err = DecodeWire([]byte("AHRpbQB0YW5zdGFhZnRhbnN0YWFm"))
	if err != nil || string(got) != "\x00tim\x00tanstaaftanstaaf" {
		t.Errorf("DecodeWire = %q, %v", got, err)
	}
	for _, bad := range []string{"AHRpbQ", "not base64!", "AA==AA==", "**"} {
		if _, err := DecodeWire([]byte(bad)); !errors.Is(err, ErrMalformed) {
			t.Errorf("DecodeWire(%q) err = %v, want ErrMalformed", bad, err)
		}
	}
}

// Errors never quote what may hold a secret.
func TestErrorsDoNotQuoteSecrets(t *testing.T) {
	_, err := DecodeWire([]byte("c2VjcmV0!"))
	if err == nil || strings.Contains(err.Error(), "c2VjcmV0") {
		t.Errorf("DecodeWire error %v", err)
	}
	_, _, err = NewOAuthBearerServer(func(OAuthBearerRequest) error { return nil }).Next([]byte("n,,\x01auth=Bearer secret-token\x01"))
	if err == nil || strings.Contains(err.Error(), "secret-token") {
		t.Errorf("OAUTHBEARER error %v", err)
	}
	_, _, err = NewXOAuth2Server(func(u, tok string) error { return nil }).Next([]byte("user=u\x01auth=Bearer secret-token\x01"))
	if err == nil || strings.Contains(err.Error(), "secret-token") {
		t.Errorf("XOAUTH2 error %v", err)
	}
	_, _, err = NewPlainServer(plainVerify).Next([]byte("tim\x00secret-password"))
	if err == nil || strings.Contains(err.Error(), "secret-password") {
		t.Errorf("PLAIN error %v", err)
	}
}

func TestEncodeWireEmptyIsEquals(t *testing.T) {
	if got := EncodeWire(nil); got != "=" {
		t.Errorf("EncodeWire(nil) = %q", got)
	}
	if got := EncodeWire([]byte("tim")); got != "dGlt" {
		t.Errorf("EncodeWire(tim) = %q", got)
	}
}

func TestErrorUnwrapsSentinelAndCause(t *testing.T) {
	cause := errors.New("backend down")
	err := error(&Error{Mechanism: Plain, Err: ErrAuthFailed, Reason: "x", Cause: cause})
	wantIs(t, err, ErrAuthFailed)
	wantIs(t, err, cause)
	if !strings.Contains(err.Error(), "PLAIN") || !strings.Contains(err.Error(), "backend down") {
		t.Errorf("Error() = %q", err)
	}
	var e *Error
	if !errors.As(err, &e) || e.Reason != "x" {
		t.Errorf("errors.As failed: %v", err)
	}
}

func TestMalformedQuotesAtMost80Bytes(t *testing.T) {
	err := malformed("X", "bad", bytes.Repeat([]byte("a"), 1000))
	if len(err.Error()) > 200 {
		t.Errorf("error is %d bytes long", len(err.Error()))
	}
}

// Every server rejects a response over the limit with ErrMalformed, and
// LimitServer moves the limit both ways.
func TestServersRejectOversizedResponse(t *testing.T) {
	big := bytes.Repeat([]byte("a"), DefaultMaxMessageSize+1)
	for name, mk := range allServers() {
		t.Run(name, func(t *testing.T) {
			if name != "foreign" {
				s := mk()
				if _, _, err := s.Next(nil); err != nil {
					t.Fatalf("first Next: %v", err)
				}
				_, _, err := s.Next(big)
				wantIs(t, err, ErrMalformed)
			}
			s := LimitServer(mk(), 10)
			s.Next(nil)
			_, _, err := s.Next(bytes.Repeat([]byte("a"), 11))
			wantIs(t, err, ErrMalformed)
		})
	}
}

func TestLimitServerRaisesTheBound(t *testing.T) {
	pass := strings.Repeat("p", DefaultMaxMessageSize)
	s := LimitServer(NewPlainServer(func(_, _, p string) error {
		if p != pass {
			return errors.New("wrong")
		}
		return nil
	}), 2*DefaultMaxMessageSize)
	if err := exchange(t, NewPlainClient("", "tim", pass), s, true); err != nil {
		t.Fatal(err)
	}
}

func TestClientsRejectOversizedChallenge(t *testing.T) {
	big := bytes.Repeat([]byte("a"), DefaultMaxMessageSize+1)
	clients := map[string]Client{
		"plain": NewPlainClient("", "u", "p"),
		"login": NewLoginClient("u", "p"),
		"cram":  NewCRAMMD5Client("u", "p"),
		"scram": NewScramClient(ScramSHA256, "", "u", "p", nil),
		"oauth": NewOAuthBearerClient(OAuthBearerOptions{Token: "t"}),
		"xoa2":  NewXOAuth2Client("u", "t"),
		"ext":   NewExternalClient(""),
		"anon":  NewAnonymousClient(""),
	}
	for name, c := range clients {
		t.Run(name, func(t *testing.T) {
			if _, _, err := c.Start(); err != nil {
				t.Fatal(err)
			}
			_, err := c.Next(big)
			wantIs(t, err, ErrMalformed)
		})
	}
	c := LimitClient(NewLoginClient("u", "p"), 4)
	c.Start()
	_, err := c.Next([]byte("Username:"))
	wantIs(t, err, ErrMalformed)
}

// foreignServer is a Server not from this package, for LimitServer.
type foreignServer struct{}

func (foreignServer) Next([]byte) ([]byte, bool, error) { return nil, true, nil }

func TestLimitServerWrapsForeignServer(t *testing.T) {
	s := LimitServer(foreignServer{}, 3)
	if _, _, err := s.Next([]byte("abcd")); !errors.Is(err, ErrMalformed) {
		t.Errorf("err = %v", err)
	}
	if _, done, err := s.Next([]byte("abc")); !done || err != nil {
		t.Errorf("Next = %v, %v", done, err)
	}
}

// allServers returns a constructor per server mechanism, all accepting
// user "tim" with password "tanstaaftanstaaf" or token "tok".
func allServers() map[string]func() Server {
	creds, err := DeriveScramCredentials("SHA-256", "tanstaaftanstaaf", []byte("salt"), 4096)
	if err != nil {
		panic(err)
	}
	return map[string]func() Server{
		"plain": func() Server { return NewPlainServer(plainVerify) },
		"login": func() Server { return NewLoginServer(func(u, p string) error { return plainVerify("", u, p) }) },
		"cram":  func() Server { return NewCRAMMD5Server("example.net", cramLookup) },
		"scram": func() Server {
			return NewScramServer(ScramSHA256, func(string) (ScramCredentials, error) { return creds, nil }, nil, nil)
		},
		"oauthbearer": func() Server { return NewOAuthBearerServer(func(r OAuthBearerRequest) error { return nil }) },
		"xoauth2":     func() Server { return NewXOAuth2Server(func(u, tok string) error { return nil }) },
		"external":    func() Server { return NewExternalServer(func(string) error { return nil }) },
		"anonymous":   func() Server { return NewAnonymousServer(nil) },
		"foreign":     func() Server { return foreignServer{} },
	}
}

var errWrongPassword = errors.New("wrong password")

func plainVerify(authzid, user, pass string) error {
	if user != "tim" || !SecretEqual(pass, "tanstaaftanstaaf") {
		return errWrongPassword
	}
	if authzid != "" && authzid != user {
		return errors.New("not authorized")
	}
	return nil
}

func cramLookup(user string) (string, error) {
	if user != "tim" {
		return "", errors.New("no such user")
	}
	return "tanstaaftanstaaf", nil
}

func TestSecretEqual(t *testing.T) {
	if !SecretEqual("abc", "abc") || SecretEqual("abc", "abd") || SecretEqual("abc", "abcd") {
		t.Error("SecretEqual is wrong")
	}
}

// After success or failure, every server answers ErrUnexpected.
func TestServersRefuseMessagesAfterTheEnd(t *testing.T) {
	for name, mk := range allServers() {
		if name == "foreign" {
			continue
		}
		t.Run(name, func(t *testing.T) {
			s := mk()
			for i := 0; i < 5; i++ {
				if _, _, err := s.Next([]byte("garbage\x00\x00")); err != nil {
					break
				}
			}
			_, _, err := s.Next([]byte("more"))
			wantIs(t, err, ErrUnexpected)
		})
	}
}

// Every server implements Identity.
func TestServersImplementIdentity(t *testing.T) {
	for name, mk := range allServers() {
		if name == "foreign" {
			continue
		}
		if _, ok := mk().(Identity); !ok {
			t.Errorf("%s does not implement Identity", name)
		}
	}
}

// fuzzServer feeds arbitrary responses to a fresh server: nothing may panic,
// and once the exchange has ended (done or error) every later response is
// refused.
func fuzzServer(f *testing.F, mk func() Server, seeds ...[]byte) {
	f.Helper()
	for _, s := range seeds {
		f.Add(false, s, []byte{}, []byte{})
		f.Add(true, s, []byte("\x01"), []byte{})
	}
	f.Fuzz(func(t *testing.T, noIR bool, r1, r2, r3 []byte) {
		s := mk()
		resps := [][]byte{r1, r2, r3}
		if noIR {
			resps = append([][]byte{nil}, resps...)
		}
		ended := false
		for _, r := range resps {
			ch, done, err := s.Next(r)
			if ended {
				if err == nil {
					t.Fatalf("Next after the end returned %q, %v", ch, done)
				}
				continue
			}
			if err != nil && done {
				t.Fatal("done together with an error")
			}
			if err != nil || done {
				ended = true
			}
			if done {
				s.(Identity).Identity()
			}
		}
	})
}

// fuzzClient feeds arbitrary challenges to a fresh client: nothing may
// panic, and after an error every later challenge is refused.
func fuzzClient(f *testing.F, mk func() Client, seeds ...[]byte) {
	f.Helper()
	for _, s := range seeds {
		f.Add(s, []byte{}, []byte{})
	}
	f.Fuzz(func(t *testing.T, c1, c2, c3 []byte) {
		c := mk()
		if _, _, err := c.Start(); err != nil {
			t.Fatal(err)
		}
		failed := false
		for _, ch := range [][]byte{c1, c2, c3} {
			_, err := c.Next(ch)
			if failed && err == nil {
				t.Fatal("Next succeeded after an error")
			}
			if err != nil {
				failed = true
			}
		}
		Finish(c, nil)
	})
}

// pairs returns a fresh client and server for every mechanism, with the
// right credentials.
func pairs(t testing.TB) map[string]func() (Client, Server) {
	servers := allServers()
	return map[string]func() (Client, Server){
		"plain": func() (Client, Server) { return NewPlainClient("", "tim", "tanstaaftanstaaf"), servers["plain"]() },
		"login": func() (Client, Server) { return NewLoginClient("tim", "tanstaaftanstaaf"), servers["login"]() },
		"cram":  func() (Client, Server) { return NewCRAMMD5Client("tim", "tanstaaftanstaaf"), servers["cram"]() },
		"scram": func() (Client, Server) {
			return NewScramClient(ScramSHA256, "", "tim", "tanstaaftanstaaf", nil), servers["scram"]()
		},
		"oauthbearer": func() (Client, Server) {
			return NewOAuthBearerClient(OAuthBearerOptions{Username: "tim", Token: "tok"}), servers["oauthbearer"]()
		},
		"xoauth2":   func() (Client, Server) { return NewXOAuth2Client("tim", "tok"), servers["xoauth2"]() },
		"external":  func() (Client, Server) { return NewExternalClient(""), servers["external"]() },
		"anonymous": func() (Client, Server) { return NewAnonymousClient("sirhc"), servers["anonymous"]() },
	}
}

// wireExchange runs the exchange through the base64 wire form, without an
// initial response, and has the client send "*" instead of its response
// number cancelAt (0 is the first), or never if cancelAt < 0.
func wireExchange(t *testing.T, c Client, s Server, cancelAt int) error {
	t.Helper()
	_, ir, err := c.Start()
	if err != nil {
		return err
	}
	var resp []byte // nil: no initial response
	for i := 0; i < 10; i++ {
		ch, done, err := s.Next(resp)
		if err != nil {
			return err
		}
		if done {
			return Finish(c, ch)
		}
		chWire := base64.StdEncoding.EncodeToString(ch)
		ch, err = DecodeWire([]byte(chWire))
		if err != nil {
			t.Fatal(err)
		}
		var r []byte
		if i == 0 && ir != nil {
			r = ir
		} else if r, err = c.Next(ch); err != nil {
			return err
		}
		wire := base64.StdEncoding.EncodeToString(r)
		if i == cancelAt {
			wire = "*"
		}
		if resp, err = DecodeWire([]byte(wire)); err != nil {
			return err // the protocol ends the exchange here
		}
	}
	t.Fatal("exchange did not end")
	return nil
}

func TestEveryMechanismOverTheWire(t *testing.T) {
	for name, mk := range pairs(t) {
		c, s := mk()
		if err := wireExchange(t, c, s, -1); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if _, a := s.(Identity).Identity(); a == "" && name != "external" {
			t.Errorf("%s: no identity after success", name)
		}
	}
}

// The client cancels with "*" at its first response: the exchange ends
// with ErrCanceled and nobody is logged in.
func TestCanceledExchange(t *testing.T) {
	for name, mk := range pairs(t) {
		c, s := mk()
		err := wireExchange(t, c, s, 0)
		if !errors.Is(err, ErrCanceled) {
			t.Errorf("%s: err = %v, want ErrCanceled", name, err)
		}
		if z, a := s.(Identity).Identity(); z != "" || a != "" {
			t.Errorf("%s: identity %q, %q after cancel", name, z, a)
		}
	}
}

// A protocol that passes the server's empty first challenge to Next gets
// the initial response back (RFC 4422 §5).
func TestClientsAnswerEmptyFirstChallengeWithInitialResponse(t *testing.T) {
	for name, mk := range pairs(t) {
		c, s := mk()
		_, ir, err := c.Start()
		if err != nil {
			t.Fatal(err)
		}
		if ir == nil {
			continue
		}
		resp, err := c.Next([]byte{})
		if err != nil || !bytes.Equal(resp, ir) {
			t.Errorf("%s: Next(empty) = %q, %v; want %q", name, resp, err, ir)
			continue
		}
		// and the exchange goes on from there.
		ch, done, err := s.Next(nil)
		for i := 0; err == nil && !done && i < 5; i++ {
			if i > 0 {
				if resp, err = c.Next(ch); err != nil {
					break
				}
			}
			ch, done, err = s.Next(resp)
		}
		if err == nil {
			err = Finish(c, ch)
		}
		if err != nil || !done {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// foreignClient is a Client not from this package, for LimitClient.
type foreignClient struct{ nexts int }

func (c *foreignClient) Start() (string, []byte, error) { return "X-FOREIGN", nil, nil }
func (c *foreignClient) Next(ch []byte) ([]byte, error) {
	c.nexts++
	return ch, nil
}

func TestLimitClientWrapsForeignClient(t *testing.T) {
	fc := &foreignClient{}
	c := LimitClient(fc, 3)
	if mech, _, _ := c.Start(); mech != "X-FOREIGN" {
		t.Errorf("mech %q", mech)
	}
	_, err := c.Next([]byte("abcd"))
	wantIs(t, err, ErrMalformed)
	if resp, err := c.Next([]byte("abc")); err != nil || string(resp) != "abc" || fc.nexts != 1 {
		t.Errorf("Next = %q, %v (%d calls)", resp, err, fc.nexts)
	}
	if err := Finish(c, []byte("ok")); err != nil || fc.nexts != 2 {
		t.Errorf("Finish = %v (%d calls)", err, fc.nexts)
	}
	// The bound of this package's clients can be raised too.
	sc := LimitClient(NewCRAMMD5Client("tim", "s"), 2*DefaultMaxMessageSize)
	sc.Start()
	if _, err := sc.Next(bytes.Repeat([]byte("a"), DefaultMaxMessageSize+1)); err != nil {
		t.Errorf("raised bound: %v", err)
	}
}
