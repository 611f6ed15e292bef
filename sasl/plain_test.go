package sasl

import (
	"errors"
	"testing"
)

// RFC 4616 §4, first example: "<NUL>tim<NUL>tanstaaftanstaaf" after an
// empty challenge.
func TestPlainRFC4616Example1(t *testing.T) {
	c := NewPlainClient("", "tim", "tanstaaftanstaaf")
	mech, ir, err := c.Start()
	if err != nil || mech != "PLAIN" {
		t.Fatal(mech, err)
	}
	if want := "\x00tim\x00tanstaaftanstaaf"; string(ir) != want {
		t.Fatalf("ir = %q, want %q", ir, want)
	}
	s := NewPlainServer(plainVerify)
	ch, done, err := s.Next(nil)
	if err != nil || done || ch == nil || len(ch) != 0 {
		t.Fatalf("first Next = %q, %v, %v; want an empty challenge", ch, done, err)
	}
	if _, done, err = s.Next(ir); !done || err != nil {
		t.Fatalf("Next = %v, %v", done, err)
	}
	if z, c := s.(Identity).Identity(); z != "tim" || c != "tim" {
		t.Errorf("Identity = %q, %q", z, c)
	}
}

// RFC 4616 §4, second example: "Ursel<NUL>Kurt<NUL>xipj3plmq" as initial
// response, refused because Kurt may not act as Ursel.
func TestPlainRFC4616Example2(t *testing.T) {
	c := NewPlainClient("Ursel", "Kurt", "xipj3plmq")
	_, ir, _ := c.Start()
	if want := "Ursel\x00Kurt\x00xipj3plmq"; string(ir) != want {
		t.Fatalf("ir = %q, want %q", ir, want)
	}
	errNotAuthz := errors.New("not authorized to requested authorization identity")
	var got [3]string
	s := NewPlainServer(func(z, u, p string) error {
		got = [3]string{z, u, p}
		if z != "" && z != u {
			return errNotAuthz
		}
		return nil
	})
	_, done, err := s.Next(ir)
	if done {
		t.Fatal("accepted")
	}
	wantIs(t, err, ErrAuthFailed)
	wantIs(t, err, errNotAuthz)
	if got != [3]string{"Ursel", "Kurt", "xipj3plmq"} {
		t.Errorf("verify got %q", got)
	}
	if z, c := s.(Identity).Identity(); z != "" || c != "" {
		t.Errorf("Identity after failure = %q, %q", z, c)
	}
}

func TestPlainRoundTrip(t *testing.T) {
	for _, withIR := range []bool{true, false} {
		s := NewPlainServer(plainVerify)
		if err := exchange(t, NewPlainClient("", "tim", "tanstaaftanstaaf"), s, withIR); err != nil {
			t.Fatalf("withIR=%v: %v", withIR, err)
		}
	}
	err := exchange(t, NewPlainClient("", "tim", "wrong"), NewPlainServer(plainVerify), true)
	wantIs(t, err, ErrAuthFailed)
	wantIs(t, err, errWrongPassword)
}

func TestPlainClientRefusesNUL(t *testing.T) {
	for _, c := range []Client{
		NewPlainClient("a\x00", "tim", "p"),
		NewPlainClient("", "t\x00im", "p"),
		NewPlainClient("", "tim", "p\x00"),
		NewPlainClient("", "", "p"),
		NewPlainClient("", "tim", ""),
	} {
		_, _, err := c.Start()
		wantIs(t, err, ErrInvalidCredentials)
	}
}

func TestPlainServerRejectsMalformed(t *testing.T) {
	for _, msg := range []string{
		"tim\x00tanstaaftanstaaf",         // one NUL
		"\x00tim\x00tanstaaf\x00taaf",     // three NULs
		"\x00\x00tanstaaftanstaaf",        // empty authcid
		"\x00tim\x00",                     // empty password
		"\x00tim\x00tanstaaf\xfftanstaaf", // not UTF-8
		"",                                // empty
	} {
		s := NewPlainServer(plainVerify)
		_, done, err := s.Next([]byte(msg))
		if done {
			t.Errorf("%q accepted", msg)
		}
		wantIs(t, err, ErrMalformed)
	}
}

func TestPlainClientHasNoChallenge(t *testing.T) {
	c := NewPlainClient("", "tim", "p")
	c.Start()
	_, err := c.Next([]byte("hello"))
	wantIs(t, err, ErrUnexpected)
}

func TestPlainServerNilVerifyFails(t *testing.T) {
	_, _, err := NewPlainServer(nil).Next([]byte("\x00tim\x00p"))
	wantIs(t, err, ErrAuthFailed)
}

func FuzzPlainServer(f *testing.F) {
	fuzzServer(f, func() Server { return NewPlainServer(plainVerify) },
		[]byte("\x00tim\x00tanstaaftanstaaf"), []byte("Ursel\x00Kurt\x00xipj3plmq"), []byte("\x00\x00"))
}

func FuzzPlainClient(f *testing.F) {
	fuzzClient(f, func() Client { return NewPlainClient("", "tim", "tanstaaftanstaaf") }, []byte(""))
}
