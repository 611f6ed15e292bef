package sasl

import (
	"testing"
)

// draft-murchison-sasl-login §2.3: the challenges "User Name\0" and
// "Password\0" are answered with "tim" and "tanstaaftanstaaf".
func TestLoginDraftExample(t *testing.T) {
	c := NewLoginClient("tim", "tanstaaftanstaaf")
	mech, ir, err := c.Start()
	if mech != "LOGIN" || ir != nil || err != nil {
		t.Fatalf("Start = %q, %q, %v", mech, ir, err)
	}
	for _, step := range []struct{ wire, want string }{
		{"VXNlciBOYW1lAA==", "dGlt"},
		{"UGFzc3dvcmQA", "dGFuc3RhYWZ0YW5zdGFhZg=="},
	} {
		ch, err := DecodeWire([]byte(step.wire))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := c.Next(ch)
		if err != nil {
			t.Fatal(err)
		}
		if got := EncodeWire(resp); got != step.want {
			t.Errorf("response to %q = %q, want %q", ch, got, step.want)
		}
	}
	if err := Finish(c, nil); err != nil {
		t.Errorf("Finish: %v", err)
	}
	_, err = c.Next([]byte("more"))
	wantIs(t, err, ErrUnexpected)
}

func TestLoginServerChallenges(t *testing.T) {
	s := NewLoginServer(func(u, p string) error { return plainVerify("", u, p) })
	ch, done, err := s.Next(nil)
	if string(ch) != "Username:" || done || err != nil {
		t.Fatalf("first = %q, %v, %v", ch, done, err)
	}
	ch, done, err = s.Next([]byte("tim"))
	if string(ch) != "Password:" || done || err != nil {
		t.Fatalf("second = %q, %v, %v", ch, done, err)
	}
	if _, done, err = s.Next([]byte("tanstaaftanstaaf")); !done || err != nil {
		t.Fatalf("third = %v, %v", done, err)
	}
	if z, c := s.(Identity).Identity(); z != "tim" || c != "tim" {
		t.Errorf("Identity = %q, %q", z, c)
	}
}

// An initial response ("AUTH LOGIN dGlt") is the username.
func TestLoginServerTakesUsernameAsInitialResponse(t *testing.T) {
	s := NewLoginServer(func(u, p string) error { return plainVerify("", u, p) })
	ch, _, err := s.Next([]byte("tim"))
	if string(ch) != "Password:" || err != nil {
		t.Fatalf("Next = %q, %v", ch, err)
	}
	if _, done, err := s.Next([]byte("tanstaaftanstaaf")); !done || err != nil {
		t.Fatal(done, err)
	}
}

func TestLoginRoundTrip(t *testing.T) {
	verify := func(u, p string) error { return plainVerify("", u, p) }
	if err := exchange(t, NewLoginClient("tim", "tanstaaftanstaaf"), NewLoginServer(verify), true); err != nil {
		t.Fatal(err)
	}
	err := exchange(t, NewLoginClient("tim", "nope"), NewLoginServer(verify), true)
	wantIs(t, err, ErrAuthFailed)
}

func TestLoginRefusesNULCRLF(t *testing.T) {
	for _, c := range []Client{
		NewLoginClient("ti\x00m", "p"), NewLoginClient("tim", "p\r\n"), NewLoginClient("", "p"), NewLoginClient("tim", ""),
	} {
		_, _, err := c.Start()
		wantIs(t, err, ErrInvalidCredentials)
	}
	verify := func(u, p string) error { return nil }
	s := NewLoginServer(verify)
	s.Next(nil)
	_, _, err := s.Next([]byte("ti\x00m"))
	wantIs(t, err, ErrMalformed)
	s = NewLoginServer(verify)
	s.Next(nil)
	s.Next([]byte("tim"))
	_, _, err = s.Next([]byte("pa\nss"))
	wantIs(t, err, ErrMalformed)
}

// A server that claims success before the password was asked for is not
// believed.
func TestLoginFinishBeforePasswordFails(t *testing.T) {
	c := NewLoginClient("tim", "p")
	c.Start()
	c.Next([]byte("Username:"))
	wantIs(t, Finish(c, nil), ErrUnexpected)
}

func FuzzLoginServer(f *testing.F) {
	fuzzServer(f, func() Server { return NewLoginServer(func(u, p string) error { return plainVerify("", u, p) }) },
		[]byte("tim"), []byte("tanstaaftanstaaf"))
}

func FuzzLoginClient(f *testing.F) {
	fuzzClient(f, func() Client { return NewLoginClient("tim", "tanstaaftanstaaf") }, []byte("Username:"), []byte("User Name\x00"))
}
