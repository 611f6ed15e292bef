package sasl

import (
	"errors"
	"testing"
)

func TestExternalRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		authzid string
		withIR  bool
	}{{"", true}, {"", false}, {"admin", true}, {"admin", false}} {
		var got *string
		s := NewExternalServer(func(z string) error { got = &z; return nil })
		if err := exchange(t, NewExternalClient(tc.authzid), s, tc.withIR); err != nil {
			t.Fatal(err)
		}
		if got == nil || *got != tc.authzid {
			t.Errorf("verify got %v, want %q", got, tc.authzid)
		}
		if z, a := s.(Identity).Identity(); z != tc.authzid || a != tc.authzid {
			t.Errorf("Identity = %q, %q", z, a)
		}
	}
}

// The initial response is non-nil even when empty: it asks for the
// channel's identity.
func TestExternalEmptyInitialResponseIsNotNil(t *testing.T) {
	_, ir, err := NewExternalClient("").Start()
	if err != nil || ir == nil || len(ir) != 0 {
		t.Errorf("ir = %#v, %v", ir, err)
	}
}

func TestExternalFailures(t *testing.T) {
	errNo := errors.New("certificate does not allow admin")
	err := exchange(t, NewExternalClient("admin"), NewExternalServer(func(string) error { return errNo }), true)
	wantIs(t, err, ErrAuthFailed)
	wantIs(t, err, errNo)
	_, _, err = NewExternalClient("ad\x00min").Start()
	wantIs(t, err, ErrInvalidCredentials)
	_, _, err = NewExternalServer(func(string) error { return nil }).Next([]byte("ad\x00min"))
	wantIs(t, err, ErrMalformed)
	_, _, err = NewExternalServer(nil).Next([]byte("admin"))
	wantIs(t, err, ErrAuthFailed)
	c := NewExternalClient("")
	c.Start()
	_, err = c.Next([]byte("x"))
	wantIs(t, err, ErrUnexpected)
}

func FuzzExternalServer(f *testing.F) {
	fuzzServer(f, func() Server { return NewExternalServer(func(z string) error { return nil }) }, []byte("admin"), []byte(""))
}

func FuzzExternalClient(f *testing.F) {
	fuzzClient(f, func() Client { return NewExternalClient("admin") }, []byte(""))
}
