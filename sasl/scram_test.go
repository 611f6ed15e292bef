package sasl

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// scramVector is an RFC example exchange.
type scramVector struct {
	mech, user, pass     string
	cnonce, snonce, salt string
	iter                 int
	c1, s1, c2, s2       string
}

// RFC 5802 §5 (SCRAM-SHA-1) and RFC 7677 §3 (SCRAM-SHA-256), with the
// folded lines joined.
var scramVectors = []scramVector{
	{
		mech: ScramSHA1, user: "user", pass: "pencil",
		cnonce: "fyko+d2lbbFgONRv9qkxdawL", snonce: "3rfcNHYJY1ZVvWVs7j", salt: "QSXCR+Q6sek8bf92", iter: 4096,
		c1: "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
		s1: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
		c2: "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
		s2: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
	},
	{
		mech: ScramSHA256, user: "user", pass: "pencil",
		cnonce: "rOprNGfwEbeRWgbNEkqO", snonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0", salt: "W22ZaJ0SNY7soEsUEjb6gQ==", iter: 4096,
		c1: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
		s1: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
		c2: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
		s2: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
	},
}

func fixedNonce(n string) func() (string, error) { return func() (string, error) { return n, nil } }

func (v scramVector) client(cb *ChannelBinding) *ScramClient {
	c := NewScramClient(v.mech, "", v.user, v.pass, cb)
	c.nonce = fixedNonce(v.cnonce)
	return c
}

func (v scramVector) creds(t testing.TB) ScramCredentials {
	salt, _ := base64.StdEncoding.DecodeString(v.salt)
	cr, err := DeriveScramCredentials(v.mech, v.pass, salt, v.iter)
	if err != nil {
		t.Fatal(err)
	}
	return cr
}

func (v scramVector) server(t testing.TB, cb *ChannelBinding, authorize ScramAuthorize) *scramServer {
	cr := v.creds(t)
	s := NewScramServer(v.mech, func(u string) (ScramCredentials, error) {
		if u != v.user {
			return ScramCredentials{}, errors.New("no such user")
		}
		return cr, nil
	}, cb, authorize).(*scramServer)
	s.nonce = fixedNonce(v.snonce)
	return s
}

// The client side of the RFC examples, byte for byte.
func TestScramClientRFCVectors(t *testing.T) {
	for _, v := range scramVectors {
		t.Run(v.mech, func(t *testing.T) {
			c := v.client(nil)
			mech, ir, err := c.Start()
			if err != nil || mech != v.mech || string(ir) != v.c1 {
				t.Fatalf("Start = %q, %q, %v; want %q", mech, ir, err, v.c1)
			}
			c2, err := c.Next([]byte(v.s1))
			if err != nil || string(c2) != v.c2 {
				t.Fatalf("client-final = %q, %v\nwant %q", c2, err, v.c2)
			}
			if err := Finish(c, []byte(v.s2)); err != nil {
				t.Fatalf("Finish: %v", err)
			}
		})
	}
}

// The server side of the RFC examples, byte for byte.
func TestScramServerRFCVectors(t *testing.T) {
	for _, v := range scramVectors {
		t.Run(v.mech, func(t *testing.T) {
			s := v.server(t, nil, nil)
			s1, done, err := s.Next([]byte(v.c1))
			if err != nil || done || string(s1) != v.s1 {
				t.Fatalf("server-first = %q, %v, %v\nwant %q", s1, done, err, v.s1)
			}
			s2, done, err := s.Next([]byte(v.c2))
			if err != nil || !done || string(s2) != v.s2 {
				t.Fatalf("server-final = %q, %v, %v\nwant %q", s2, done, err, v.s2)
			}
			if z, c := s.Identity(); z != "user" || c != "user" {
				t.Errorf("Identity = %q, %q", z, c)
			}
		})
	}
}

func TestDeriveScramCredentialsMatchesRFC5802(t *testing.T) {
	v := scramVectors[0]
	cr := v.creds(t)
	if len(cr.StoredKey) != sha1.Size || len(cr.ServerKey) != sha1.Size || cr.Iterations != 4096 {
		t.Fatalf("creds = %+v", cr)
	}
	cr256, err := DeriveScramCredentials("SHA-256", "pencil", cr.Salt, 4096)
	if err != nil || len(cr256.StoredKey) != sha256.Size {
		t.Fatal(cr256, err)
	}
	for _, bad := range []struct {
		h    string
		salt []byte
		iter int
	}{{"MD5", []byte("s"), 1}, {"SHA-1", nil, 4096}, {"SHA-1", []byte("s"), 0}} {
		if _, err := DeriveScramCredentials(bad.h, "p", bad.salt, bad.iter); err == nil {
			t.Errorf("DeriveScramCredentials(%q, %q, %d) succeeded", bad.h, bad.salt, bad.iter)
		}
	}
}

func scramPair(t testing.TB, mech, password string, ccb, scb *ChannelBinding) (*ScramClient, Server) {
	cr, err := DeriveScramCredentials(mech, "pencil", []byte("NaCl-salt"), 4096)
	if err != nil {
		t.Fatal(err)
	}
	s := NewScramServer(mech, func(u string) (ScramCredentials, error) {
		if u != "user" {
			return ScramCredentials{}, errors.New("no such user")
		}
		return cr, nil
	}, scb, nil)
	return NewScramClient(mech, "", "user", password, ccb), s
}

func TestScramRoundTrip(t *testing.T) {
	for _, mech := range []string{ScramSHA1, ScramSHA256, "scram-sha-256"} {
		for _, withIR := range []bool{true, false} {
			c, s := scramPair(t, mech, "pencil", nil, nil)
			if err := exchange(t, c, s, withIR); err != nil {
				t.Fatalf("%s withIR=%v: %v", mech, withIR, err)
			}
			if z, a := s.(Identity).Identity(); z != "user" || a != "user" {
				t.Errorf("Identity = %q, %q", z, a)
			}
		}
	}
}

func TestScramWrongPassword(t *testing.T) {
	c, s := scramPair(t, ScramSHA256, "pen", nil, nil)
	err := exchange(t, c, s, true)
	wantIs(t, err, ErrAuthFailed)
	var e *Error
	if !errors.As(err, &e) || e.Reason != "invalid-proof" {
		t.Errorf("err = %v, want reason invalid-proof", err)
	}
	if z, a := s.(Identity).Identity(); z != "" || a != "" {
		t.Errorf("Identity after failure = %q, %q", z, a)
	}
}

func TestScramUnknownUser(t *testing.T) {
	_, s := scramPair(t, ScramSHA256, "pencil", nil, nil)
	c := NewScramClient(ScramSHA256, "", "nobody", "pencil", nil)
	err := exchange(t, c, s, true)
	wantIs(t, err, ErrAuthFailed)
	if e := (*Error)(nil); !errors.As(err, &e) || e.Reason != "unknown-user" {
		t.Errorf("err = %v", err)
	}
}

// An unknown user gets a server-first-message like a known one, with the
// same salt on every attempt, and fails only at the proof.
func TestScramUnknownUserGetsStableDecoy(t *testing.T) {
	v := scramVectors[1]
	var firsts []string
	for i := 0; i < 2; i++ {
		s := v.server(t, nil, nil)
		s1, done, err := s.Next([]byte("n,,n=nobody,r=abc"))
		if err != nil || done {
			t.Fatalf("server-first for an unknown user: %v", err)
		}
		attrs, _ := scramAttrs(string(s1))
		if len(attrs) != 3 || attrs[2].val != "4096" {
			t.Fatalf("server-first %q", s1)
		}
		firsts = append(firsts, attrs[1].val)
	}
	if firsts[0] != firsts[1] {
		t.Errorf("decoy salt changed: %q", firsts)
	}
	s := v.server(t, nil, nil)
	s1, _, _ := s.Next([]byte("n,,n=other,r=abc"))
	if attrs, _ := scramAttrs(string(s1)); attrs[1].val == firsts[0] {
		t.Error("two unknown users share a decoy salt")
	}
}

// A server-final-message with a changed signature fails on the client.
func TestScramTamperedServerSignature(t *testing.T) {
	v := scramVectors[1]
	c := v.client(nil)
	c.Start()
	c.Next([]byte(v.s1))
	sig := []byte(v.s2)
	sig[5] ^= 1
	_, err := c.Next(sig)
	wantIs(t, err, ErrMutualAuth)
	wantIs(t, Finish(c, nil), ErrMutualAuth)
}

// A server that reports success without a server-final-message is not
// believed.
func TestScramSuccessWithoutServerFinalFails(t *testing.T) {
	v := scramVectors[0]
	c := v.client(nil)
	c.Start()
	c.Next([]byte(v.s1))
	wantIs(t, Finish(c, nil), ErrMutualAuth)
}

func TestScramClientReportsServerError(t *testing.T) {
	v := scramVectors[0]
	c := v.client(nil)
	c.Start()
	c.Next([]byte(v.s1))
	_, err := c.Next([]byte("e=channel-bindings-dont-match"))
	wantIs(t, err, ErrChannelBinding)
	c = v.client(nil)
	c.Start()
	c.Next([]byte(v.s1))
	_, err = c.Next([]byte("e=invalid-proof"))
	wantIs(t, err, ErrAuthFailed)
}

func TestScramClientRejectsBadServerFirst(t *testing.T) {
	v := scramVectors[0]
	for _, s1 := range []string{
		"r=someoneelse3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096", // nonce not ours
		"r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096",      // no server part
		"m=ext,r=fyko+d2lbbFgONRv9qkxdawL3rf,s=QSXCR+Q6sek8bf92,i=4096",
		"r=fyko+d2lbbFgONRv9qkxdawL3rf,s=!!!,i=4096",
		"r=fyko+d2lbbFgONRv9qkxdawL3rf,s=,i=4096",
		"r=fyko+d2lbbFgONRv9qkxdawL3rf,s=QSXCR+Q6sek8bf92,i=0",
		"r=fyko+d2lbbFgONRv9qkxdawL3rf,s=QSXCR+Q6sek8bf92,i=04096",
		"r=fyko+d2lbbFgONRv9qkxdawL3rf,s=QSXCR+Q6sek8bf92,i=1",       // below the minimum
		"r=fyko+d2lbbFgONRv9qkxdawL3rf,s=QSXCR+Q6sek8bf92,i=2000000", // above the maximum
		"r=fyko+d2lbbFgONRv9qkxdawL3rf,i=4096,s=QSXCR+Q6sek8bf92",
		"r=fyko+d2lbbFgONRv9qkxdawL3rf,s=QSXCR+Q6sek8bf92,i=4096,",
		",",
	} {
		c := v.client(nil)
		c.Start()
		if _, err := c.Next([]byte(s1)); !errors.Is(err, ErrMalformed) {
			t.Errorf("server-first %q: err = %v, want ErrMalformed", s1, err)
		}
	}
}

func TestScramClientIterationBoundsAreSettable(t *testing.T) {
	v := scramVectors[0]
	c := v.client(nil)
	c.MinIterations = 1
	c.Start()
	if _, err := c.Next([]byte("r=fyko+d2lbbFgONRv9qkxdawL3rf,s=QSXCR+Q6sek8bf92,i=2")); err != nil {
		t.Errorf("i=2 with MinIterations=1: %v", err)
	}
	c = v.client(nil)
	c.MaxIterations = 4095
	c.Start()
	_, err := c.Next([]byte(v.s1))
	wantIs(t, err, ErrMalformed)
}

// Extensions the client does not know are ignored (RFC 5802 §7).
func TestScramClientIgnoresOptionalExtensions(t *testing.T) {
	v := scramVectors[0]
	c := v.client(nil)
	c.Start()
	c2, err := c.Next([]byte(v.s1 + ",x=whatever"))
	if err != nil || !strings.HasPrefix(string(c2), "c=biws,r=") {
		t.Fatalf("Next = %q, %v", c2, err)
	}
}

func TestScramServerRejectsBadClientFirst(t *testing.T) {
	v := scramVectors[0]
	for _, tc := range []struct {
		c1     string
		reason string
	}{
		{"x,,n=user,r=abc", "invalid-encoding"},
		{"n,,m=ext,n=user,r=abc", "extensions-not-supported"},
		{"n,,n=us=2Xer,r=abc", "invalid-username-encoding"},
		{"n,,n=,r=abc", "invalid-encoding"},
		{"n,,r=abc,n=user", "invalid-encoding"},
		{"n,,n=user,r=a,bc", "invalid-encoding"},
		{"n,b=x,n=user,r=abc", "invalid-encoding"},
		{"n,a=,n=user,r=abc", "invalid-encoding"},
		{"n", "invalid-encoding"},
		{"n,", "invalid-encoding"},
		{"n,,n=user,r=abc\x7f", "invalid-encoding"},
		{"n,,n=us\x00er,r=abc", "invalid-encoding"},
		{"n,,n=us\xffer,r=abc", "invalid-encoding"},
		{"n,,n=us\u0007er,r=abc", "invalid-username-encoding"},
		{"p=tls-exporter,,n=user,r=abc", "channel-binding-not-supported"},
	} {
		s := v.server(t, nil, nil)
		_, _, err := s.Next([]byte(tc.c1))
		var e *Error
		if !errors.As(err, &e) || e.Reason != tc.reason {
			t.Errorf("%q: err = %v, want reason %s", tc.c1, err, tc.reason)
		}
	}
}

func TestScramServerRejectsBadClientFinal(t *testing.T) {
	v := scramVectors[0]
	for _, tc := range []struct {
		c2     string
		reason string
	}{
		{"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=AAAAAAAAAAAAAAAAAAAAAAAAAAA=", "invalid-proof"},
		{"c=biws,r=fyko+d2lbbFgONRv9qkxdawL,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=", "invalid-encoding"}, // nonce
		{"c=eSws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=", "channel-bindings-dont-match"},
		{"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j", "invalid-encoding"},
		{"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8", "invalid-encoding"},
		{"r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,c=biws,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=", "invalid-encoding"},
		{"c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=,", "invalid-encoding"},
	} {
		s := v.server(t, nil, nil)
		if _, _, err := s.Next([]byte(v.c1)); err != nil {
			t.Fatal(err)
		}
		_, done, err := s.Next([]byte(tc.c2))
		var e *Error
		if done || !errors.As(err, &e) || e.Reason != tc.reason {
			t.Errorf("%q: done=%v err = %v, want reason %s", tc.c2, done, err, tc.reason)
		}
	}
}

func TestScramUsernameEscaping(t *testing.T) {
	cr, _ := DeriveScramCredentials(ScramSHA256, "pencil", []byte("salt"), 4096)
	var looked string
	s := NewScramServer(ScramSHA256, func(u string) (ScramCredentials, error) { looked = u; return cr, nil }, nil, nil)
	c := NewScramClient(ScramSHA256, "", "a,b=c", "pencil", nil)
	_, ir, _ := c.Start()
	if !strings.Contains(string(ir), "n=a=2Cb=3Dc,") {
		t.Errorf("client-first %q does not escape the name", ir)
	}
	c = NewScramClient(ScramSHA256, "", "a,b=c", "pencil", nil)
	if err := exchange(t, c, s, true); err != nil {
		t.Fatal(err)
	}
	if looked != "a,b=c" {
		t.Errorf("lookup got %q", looked)
	}
}

// Passwords are prepared with OpaqueString: a no-break space is a space.
func TestScramSASLprepPassword(t *testing.T) {
	cr, err := DeriveScramCredentials(ScramSHA256, "pen cil", []byte("salt"), 4096)
	if err != nil {
		t.Fatal(err)
	}
	s := NewScramServer(ScramSHA256, func(string) (ScramCredentials, error) { return cr, nil }, nil, nil)
	if err := exchange(t, NewScramClient(ScramSHA256, "", "user", "pen\u00a0cil", nil), s, true); err != nil {
		t.Fatal(err)
	}
	_, _, err = NewScramClient(ScramSHA256, "", "user", "pen\x07cil", nil).Start()
	wantIs(t, err, ErrInvalidCredentials)
	_, _, err = NewScramClient(ScramSHA256, "", "us\x00er", "pencil", nil).Start()
	wantIs(t, err, ErrInvalidCredentials)
	_, _, err = NewScramClient(ScramSHA256, "ad\x00min", "user", "pencil", nil).Start()
	wantIs(t, err, ErrInvalidCredentials)
	_, _, err = NewScramClient(ScramSHA256, "", "", "pencil", nil).Start()
	wantIs(t, err, ErrInvalidCredentials)
	_, err = DeriveScramCredentials(ScramSHA256, "pen\x00cil", []byte("salt"), 4096)
	wantIs(t, err, ErrInvalidCredentials)
}

func TestScramAuthzid(t *testing.T) {
	cr, _ := DeriveScramCredentials(ScramSHA256, "pencil", []byte("salt"), 4096)
	lookup := func(string) (ScramCredentials, error) { return cr, nil }
	// Without an authorize function, acting as another user fails.
	s := NewScramServer(ScramSHA256, lookup, nil, nil)
	err := exchange(t, NewScramClient(ScramSHA256, "admin", "user", "pencil", nil), s, true)
	wantIs(t, err, ErrAuthFailed)

	var got [2]string
	s = NewScramServer(ScramSHA256, lookup, nil, func(z, u string) error { got = [2]string{z, u}; return nil })
	if err := exchange(t, NewScramClient(ScramSHA256, "ad,min", "user", "pencil", nil), s, true); err != nil {
		t.Fatal(err)
	}
	if got != [2]string{"ad,min", "user"} {
		t.Errorf("authorize got %q", got)
	}
	if z, a := s.(Identity).Identity(); z != "ad,min" || a != "user" {
		t.Errorf("Identity = %q, %q", z, a)
	}
	errNo := errors.New("no")
	s = NewScramServer(ScramSHA256, lookup, nil, func(z, u string) error { return errNo })
	err = exchange(t, NewScramClient(ScramSHA256, "admin", "user", "pencil", nil), s, true)
	wantIs(t, err, ErrAuthFailed)
	wantIs(t, err, errNo)
}

func TestScramUnsupportedMechanism(t *testing.T) {
	_, _, err := NewScramClient("SCRAM-MD5", "", "u", "p", nil).Start()
	wantIs(t, err, ErrUnsupported)
	_, _, err = NewScramServer("SCRAM-MD5", nil, nil, nil).Next(nil)
	wantIs(t, err, ErrUnsupported)
}

func TestScramServerStoredCredentialsMustFitTheHash(t *testing.T) {
	cr, _ := DeriveScramCredentials(ScramSHA1, "pencil", []byte("salt"), 4096)
	s := NewScramServer(ScramSHA256, func(string) (ScramCredentials, error) { return cr, nil }, nil, nil)
	err := exchange(t, NewScramClient(ScramSHA256, "", "user", "pencil", nil), s, true)
	wantIs(t, err, ErrAuthFailed)
}

func TestScramMechanismsAdvertisesPlusOnlyWithBinding(t *testing.T) {
	if got := ScramMechanisms(nil); len(got) != 2 || got[0] != ScramSHA256 {
		t.Errorf("without cb: %q", got)
	}
	if got := ScramMechanisms(&ChannelBinding{Type: TLSExporter}); len(got) != 4 || got[0] != ScramSHA256Plus {
		t.Errorf("with cb: %q", got)
	}
}

// A client-first with an unusable nonce from the generator is refused.
func TestScramClientNonceFailure(t *testing.T) {
	c := NewScramClient(ScramSHA256, "", "user", "pencil", nil)
	c.nonce = func() (string, error) { return "", errors.New("no entropy") }
	_, _, err := c.Start()
	wantIs(t, err, ErrAuthFailed)
}

func FuzzScramServer(f *testing.F) {
	v := scramVectors[0]
	cr := v.creds(f)
	mk := func() Server {
		s := NewScramServer(v.mech, func(string) (ScramCredentials, error) { return cr, nil }, nil, nil).(*scramServer)
		s.nonce = fixedNonce(v.snonce)
		return s
	}
	f.Add(false, []byte(v.c1), []byte(v.c2), []byte{})
	f.Add(true, []byte(v.c1), []byte(v.c2), []byte("x"))
	f.Add(false, []byte("y,a=adm=2Cin,n=us=3Der,r=abc,x=1"), []byte("c=eSxhPWFkbT0yQ2luLA==,r=abc3rfcNHYJY1ZVvWVs7j,e=1,p=AAAA"), []byte{})
	fuzzServer(f, mk)
}

func FuzzScramPlusServer(f *testing.F) {
	v := scramVectors[1]
	cr := v.creds(f)
	cb := &ChannelBinding{Type: TLSExporter, Data: []byte("0123456789abcdef0123456789abcdef")}
	mk := func() Server {
		s := NewScramServer(ScramSHA256Plus, func(string) (ScramCredentials, error) { return cr, nil }, cb, nil).(*scramServer)
		s.nonce = fixedNonce(v.snonce)
		return s
	}
	c := NewScramClient(ScramSHA256Plus, "", "user", "pencil", cb)
	c.nonce = fixedNonce(v.cnonce)
	_, c1, _ := c.Start()
	s := mk()
	s1, _, _ := s.Next(c1)
	c2, _ := c.Next(s1)
	f.Add(false, c1, c2, []byte{})
	fuzzServer(f, mk)
}

func FuzzScramClient(f *testing.F) {
	v := scramVectors[0]
	mk := func() Client {
		c := v.client(nil)
		c.MinIterations, c.MaxIterations = 1, 4096
		return c
	}
	f.Add([]byte(v.s1), []byte(v.s2), []byte{})
	f.Add([]byte("r=fyko+d2lbbFgONRv9qkxdawLx,s=QSXCR+Q6sek8bf92,i=1,y=z"), []byte("e=invalid-proof"), []byte{})
	fuzzClient(f, mk)
}
