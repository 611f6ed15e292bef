package sasl

import (
	"errors"
	"fmt"
	"testing"
)

// RFC 7628 §4.1, IMAP and SMTP: the initial client responses, byte for
// byte in their base64 wire form, accepted by the server.
func TestOAuthBearerRFC7628Success(t *testing.T) {
	for _, tc := range []struct {
		port int
		wire string
	}{
		{143, "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB"},
		{587, "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9NTg3AWF1dGg9QmVhcmVyIHZGOWRmdDRxbVRjMk52YjNSbGNrQmhiSFJoZG1semRHRXVZMjl0Q2c9PQEB"},
	} {
		c := NewOAuthBearerClient(OAuthBearerOptions{
			Username: "user@example.com", Host: "server.example.com", Port: tc.port,
			Token: "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==",
		})
		mech, ir, err := c.Start()
		if err != nil || mech != "OAUTHBEARER" {
			t.Fatal(mech, err)
		}
		if got := EncodeWire(ir); got != tc.wire {
			t.Errorf("port %d: ir %q\n= %s\nwant %s", tc.port, ir, got, tc.wire)
		}
		var req OAuthBearerRequest
		s := NewOAuthBearerServer(func(r OAuthBearerRequest) error { req = r; return nil })
		resp, _ := DecodeWire([]byte(tc.wire))
		if _, done, err := s.Next(resp); !done || err != nil {
			t.Fatalf("server: %v, %v", done, err)
		}
		if req.Username != "user@example.com" || req.Host != "server.example.com" || req.Port != tc.port ||
			req.Token != "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==" || req.Auth != "Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==" {
			t.Errorf("request = %+v", req)
		}
		if z, _ := s.(Identity).Identity(); z != "user@example.com" {
			t.Errorf("Identity = %q", z)
		}
		if err := Finish(c, nil); err != nil {
			t.Errorf("Finish: %v", err)
		}
	}
}

// RFC 7628 §4.3: an empty auth value, the JSON error challenge, the
// client's "AQ==" dummy response, then failure.
func TestOAuthBearerRFC7628Failure(t *testing.T) {
	const (
		wireIR    = "bixhPXVzZXJAZXhhbXBsZS5jb20sAWhvc3Q9c2VydmVyLmV4YW1wbGUuY29tAXBvcnQ9MTQzAWF1dGg9AQE="
		wireError = "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJleGFtcGxlX3Njb3BlIiwib3BlbmlkLWNvbmZpZ3VyYXRpb24iOiJodHRwczovL2V4YW1wbGUuY29tLy53ZWxsLWtub3duL29wZW5pZC1jb25maWd1cmF0aW9uIn0="
	)
	oe := &OAuthError{Status: "invalid_token", Scope: "example_scope", OpenIDConfiguration: "https://example.com/.well-known/openid-configuration"}
	s := NewOAuthBearerServer(func(r OAuthBearerRequest) error {
		if r.Auth != "" || r.Token != "" {
			t.Errorf("request = %+v", r)
		}
		return fmt.Errorf("no token: %w", oe)
	})
	ir, _ := DecodeWire([]byte(wireIR))
	ch, done, err := s.Next(ir)
	if err != nil || done {
		t.Fatal(done, err)
	}
	if got := EncodeWire(ch); got != wireError {
		t.Errorf("challenge %s\n= %s\nwant %s", ch, got, wireError)
	}

	c := NewOAuthBearerClient(OAuthBearerOptions{Username: "user@example.com", Token: "x"})
	c.Start()
	resp, err := c.Next(ch)
	if err != nil || EncodeWire(resp) != "AQ==" {
		t.Fatalf("dummy response %q, %v", resp, err)
	}
	if f := c.Failure(); f == nil || *f != *oe {
		t.Errorf("Failure = %+v", f)
	}
	_, done, err = s.Next(resp)
	if done {
		t.Fatal("done after the dummy response")
	}
	wantIs(t, err, ErrAuthFailed)
	wantIs(t, err, oe)
	// A server claiming success now is not believed.
	wantIs(t, Finish(c, nil), ErrAuthFailed)
}

// RFC 7628 §4.4: the client decodes the server's JSON error with "schemes",
// and our server renders the same error byte for byte. The example's
// client response "n,user=...," has an invalid GS2 header (it is not
// "a="), which the server refuses.
func TestOAuthBearerRFC7628SMTPFailure(t *testing.T) {
	const wireError = "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NoZW1lcyI6ImJlYXJlciBtYWMiLCJzY29wZSI6Imh0dHBzOi8vbWFpbC5leGFtcGxlLmNvbS8ifQ=="
	ch, _ := DecodeWire([]byte(wireError))
	c := NewOAuthBearerClient(OAuthBearerOptions{Token: "x"})
	c.Start()
	if resp, err := c.Next(ch); err != nil || string(resp) != "\x01" {
		t.Fatal(resp, err)
	}
	want := OAuthError{Status: "invalid_token", Schemes: "bearer mac", Scope: "https://mail.example.com/"}
	if *c.Failure() != want {
		t.Errorf("Failure = %+v", c.Failure())
	}
	s := NewOAuthBearerServer(func(OAuthBearerRequest) error { return &want })
	got, _, _ := s.Next([]byte("n,a=u,\x01auth=Bearer x\x01\x01"))
	if EncodeWire(got) != wireError {
		t.Errorf("challenge %s", got)
	}

	ir, _ := DecodeWire([]byte("bix1c2VyPXNvbWV1c2VyQGV4YW1wbGUuY29tLAFhdXRoPUJlYXJlciB2RjlkZnQ0cW1UYzJOdmIzUmxja0JoZEhSaGRtbHpkR0V1WTI5dENnPT0BAQ=="))
	_, _, err := NewOAuthBearerServer(func(OAuthBearerRequest) error { return nil }).Next(ir)
	wantIs(t, err, ErrMalformed)
}

func TestOAuthBearerDefaultErrorStatus(t *testing.T) {
	s := NewOAuthBearerServer(func(OAuthBearerRequest) error { return errors.New("expired") })
	ch, _, _ := s.Next([]byte("n,,\x01auth=Bearer x\x01\x01"))
	if string(ch) != `{"status":"invalid_token"}` {
		t.Errorf("challenge %s", ch)
	}
	// A client that answers with something else than %x01 still fails.
	_, _, err := s.Next([]byte("junk"))
	wantIs(t, err, ErrAuthFailed)
}

func TestOAuthBearerServerRejectsMalformed(t *testing.T) {
	for _, msg := range []string{
		"n,,auth=Bearer x\x01\x01",        // no kvsep after the header
		"n,,\x01auth=Bearer x\x01",        // no final kvsep
		"n,,\x01\x01",                     // no auth
		"x,,\x01auth=Bearer x\x01\x01",    // bad flag
		"n,b=u,\x01auth=Bearer x\x01\x01", // bad authzid
		"n,a=u=2X,\x01auth=Bearer x\x01\x01",
		"n,,\x01au th=x\x01\x01",
		"n,,\x01auth=a\x01auth=b\x01\x01",
		"n,,\x01auth=Bearer x\x01port=0\x01\x01",
		"n,,\x01auth=Bearer x\x01port=70000\x01\x01",
		"n,,\x01auth=Bearer \x00\x01\x01",
		"n,",
	} {
		_, _, err := NewOAuthBearerServer(func(OAuthBearerRequest) error { return nil }).Next([]byte(msg))
		wantIs(t, err, ErrMalformed)
	}
	_, _, err := NewOAuthBearerServer(nil).Next([]byte("p=tls-unique,,\x01auth=Bearer x\x01\x01"))
	wantIs(t, err, ErrChannelBinding)
	// RFC 7628 §3.1: a lone kvsep as first message fails.
	_, _, err = NewOAuthBearerServer(nil).Next([]byte("\x01"))
	wantIs(t, err, ErrAuthFailed)
}

func TestOAuthBearerRoundTrip(t *testing.T) {
	verify := func(r OAuthBearerRequest) error {
		if r.Token != "good" {
			return &OAuthError{Status: "invalid_token", Scope: "mail"}
		}
		return nil
	}
	c := NewOAuthBearerClient(OAuthBearerOptions{Username: "tim", Token: "good", Host: "h", Port: 993})
	if err := exchange(t, c, NewOAuthBearerServer(verify), true); err != nil {
		t.Fatal(err)
	}
	c = NewOAuthBearerClient(OAuthBearerOptions{Username: "tim", Token: "bad"})
	err := exchange(t, c, NewOAuthBearerServer(verify), false)
	wantIs(t, err, ErrAuthFailed)
	if c.Failure() == nil || c.Failure().Scope != "mail" {
		t.Errorf("Failure = %+v", c.Failure())
	}
}

func TestOAuthBearerIdentityServer(t *testing.T) {
	verify := func(r OAuthBearerRequest) (string, error) {
		if r.Token != "tims-token" {
			return "", errors.New("bad token")
		}
		return "tim", nil
	}
	s := NewOAuthBearerIdentityServer(verify)
	if err := exchange(t, NewOAuthBearerClient(OAuthBearerOptions{Token: "tims-token"}), s, true); err != nil {
		t.Fatal(err)
	}
	if z, a := s.(Identity).Identity(); z != "tim" || a != "tim" {
		t.Errorf("Identity = %q, %q", z, a)
	}
	s = NewOAuthBearerIdentityServer(verify)
	if err := exchange(t, NewOAuthBearerClient(OAuthBearerOptions{Username: "shared", Token: "tims-token"}), s, true); err != nil {
		t.Fatal(err)
	}
	if z, a := s.(Identity).Identity(); z != "shared" || a != "tim" {
		t.Errorf("Identity = %q, %q", z, a)
	}
	s = NewOAuthBearerIdentityServer(verify)
	err := exchange(t, NewOAuthBearerClient(OAuthBearerOptions{Token: "other"}), s, true)
	wantIs(t, err, ErrAuthFailed)
	if z, a := s.(Identity).Identity(); z != "" || a != "" {
		t.Errorf("Identity after failure = %q, %q", z, a)
	}
}

func TestOAuthClientsRefuseBadCredentials(t *testing.T) {
	for _, c := range []Client{
		NewOAuthBearerClient(OAuthBearerOptions{}),
		NewOAuthBearerClient(OAuthBearerOptions{Token: "a\x01b"}),
		NewOAuthBearerClient(OAuthBearerOptions{Token: "t", Username: "a\x00"}),
		NewOAuthBearerClient(OAuthBearerOptions{Token: "t", Port: 70000}),
		NewXOAuth2Client("u", ""),
		NewXOAuth2Client("u\x01", "t"),
	} {
		_, _, err := c.Start()
		wantIs(t, err, ErrInvalidCredentials)
	}
}

func TestXOAuth2Format(t *testing.T) {
	_, ir, err := NewXOAuth2Client("someuser@example.com", "ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg").Start()
	want := "user=someuser@example.com\x01auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg\x01\x01"
	if err != nil || string(ir) != want {
		t.Errorf("ir = %q, %v", ir, err)
	}
}

func TestXOAuth2RoundTrip(t *testing.T) {
	verify := func(u, tok string) error {
		if u != "tim" || tok != "good" {
			return errors.New("bad token")
		}
		return nil
	}
	s := NewXOAuth2Server(verify)
	if err := exchange(t, NewXOAuth2Client("tim", "good"), s, true); err != nil {
		t.Fatal(err)
	}
	if z, a := s.(Identity).Identity(); z != "tim" || a != "tim" {
		t.Errorf("Identity = %q, %q", z, a)
	}
	c := NewXOAuth2Client("tim", "bad")
	s = NewXOAuth2Server(verify)
	_, ir, _ := c.Start()
	ch, done, err := s.Next(ir)
	if err != nil || done || string(ch) != `{"status":"401","schemes":"bearer"}` {
		t.Fatalf("challenge %s, %v, %v", ch, done, err)
	}
	resp, err := c.Next(ch)
	if err != nil || resp == nil || len(resp) != 0 {
		t.Fatalf("XOAUTH2 answers the error with an empty response, got %q, %v", resp, err)
	}
	if c.Failure().Status != "401" {
		t.Errorf("Failure = %+v", c.Failure())
	}
	_, _, err = s.Next(resp)
	wantIs(t, err, ErrAuthFailed)
}

func TestXOAuth2ServerRejectsMalformed(t *testing.T) {
	for _, msg := range []string{
		"user=tim\x01auth=Bearer x\x01", "auth=Bearer x\x01user=tim\x01\x01", "user=\x01auth=Bearer x\x01\x01",
		"user=tim\x01auth=Basic x\x01\x01", "user=tim\x01auth=Bearer\x01\x01", "user=tim\x01auth=Bearer x\x01y\x01\x01",
	} {
		_, _, err := NewXOAuth2Server(func(u, tok string) error { return nil }).Next([]byte(msg))
		wantIs(t, err, ErrMalformed)
	}
}

func FuzzOAuthBearerServer(f *testing.F) {
	fuzzServer(f, func() Server {
		return NewOAuthBearerServer(func(r OAuthBearerRequest) error {
			if r.Token != "good" {
				return errors.New("bad")
			}
			return nil
		})
	}, []byte("n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer good\x01\x01"),
		[]byte("n,,\x01auth=Bearer bad\x01\x01"))
}

func FuzzXOAuth2Server(f *testing.F) {
	fuzzServer(f, func() Server {
		return NewXOAuth2Server(func(u, tok string) error {
			if tok != "good" {
				return errors.New("bad")
			}
			return nil
		})
	}, []byte("user=tim\x01auth=Bearer good\x01\x01"), []byte("user=tim\x01auth=Bearer bad\x01\x01"))
}

func FuzzOAuthBearerClient(f *testing.F) {
	fuzzClient(f, func() Client { return NewOAuthBearerClient(OAuthBearerOptions{Username: "u", Token: "t"}) },
		[]byte(`{"status":"invalid_token","scope":"example_scope"}`))
}

func FuzzXOAuth2Client(f *testing.F) {
	fuzzClient(f, func() Client { return NewXOAuth2Client("u", "t") }, []byte(`{"status":"401","schemes":"bearer"}`))
}
