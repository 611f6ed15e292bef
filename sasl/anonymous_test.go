package sasl

import (
	"errors"
	"strings"
	"testing"
)

// RFC 4505 §4's example trace is "sirhc".
func TestAnonymousRoundTrip(t *testing.T) {
	for _, trace := range []string{"sirhc", "", "chris@example.com", strings.Repeat("é", 255)} {
		s := NewAnonymousServer(nil)
		if err := exchange(t, NewAnonymousClient(trace), s, false); err != nil {
			t.Fatalf("%q: %v", trace, err)
		}
		if z, a := s.(Identity).Identity(); z != trace || a != "anonymous" {
			t.Errorf("Identity = %q, %q", z, a)
		}
	}
}

// RFC 4505 §4: the server's empty challenge, then "c2lyaGM=".
func TestAnonymousRFC4505Example(t *testing.T) {
	c := NewAnonymousClient("sirhc")
	_, ir, _ := c.Start()
	if EncodeWire(ir) != "c2lyaGM=" {
		t.Errorf("ir = %q", ir)
	}
	s := NewAnonymousServer(nil)
	if ch, done, err := s.Next(nil); len(ch) != 0 || done || err != nil {
		t.Fatal(ch, done, err)
	}
	resp, _ := DecodeWire([]byte("c2lyaGM="))
	if _, done, err := s.Next(resp); !done || err != nil {
		t.Fatal(done, err)
	}
}

// RFC 4505 §3: token = 1*255TCHAR, without control characters.
func TestAnonymousTraceLimit(t *testing.T) {
	long := strings.Repeat("a", 256)
	_, _, err := NewAnonymousClient(long).Start()
	wantIs(t, err, ErrInvalidCredentials)
	_, _, err = NewAnonymousServer(nil).Next([]byte(long))
	wantIs(t, err, ErrMalformed)
	_, _, err = NewAnonymousServer(nil).Next([]byte("a\x00b"))
	wantIs(t, err, ErrMalformed)
	_, _, err = NewAnonymousServer(nil).Next([]byte("a\tb"))
	wantIs(t, err, ErrMalformed)
	_, _, err = NewAnonymousServer(nil).Next([]byte("\xff"))
	wantIs(t, err, ErrMalformed)
}

func TestAnonymousVerifyRefuses(t *testing.T) {
	errClosed := errors.New("no anonymous access")
	err := exchange(t, NewAnonymousClient("x"), NewAnonymousServer(func(string) error { return errClosed }), true)
	wantIs(t, err, ErrAuthFailed)
	wantIs(t, err, errClosed)
}

func FuzzAnonymousServer(f *testing.F) {
	fuzzServer(f, func() Server { return NewAnonymousServer(nil) }, []byte("sirhc"), []byte("a@b"))
}

func FuzzAnonymousClient(f *testing.F) {
	fuzzClient(f, func() Client { return NewAnonymousClient("sirhc") }, []byte(""))
}
