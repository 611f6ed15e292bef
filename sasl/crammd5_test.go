package sasl

import (
	"regexp"
	"testing"
)

// RFC 2195 §2's example: challenge <1896.697170952@postoffice.reston.mci.net>,
// secret tanstaaftanstaaf, response "tim b913a602c7eda7a495b4e6e7334d3890".
func TestCRAMMD5RFC2195Example(t *testing.T) {
	const (
		wireChallenge = "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"
		wireResponse  = "dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw"
	)
	c := NewCRAMMD5Client("tim", "tanstaaftanstaaf")
	if mech, ir, err := c.Start(); mech != "CRAM-MD5" || ir != nil || err != nil {
		t.Fatal(mech, ir, err)
	}
	ch, _ := DecodeWire([]byte(wireChallenge))
	resp, err := c.Next(ch)
	if err != nil {
		t.Fatal(err)
	}
	if got := EncodeWire(resp); got != wireResponse {
		t.Errorf("response %q (%s), want %s", resp, got, wireResponse)
	}

	s := NewCRAMMD5Server("postoffice.reston.mci.net", cramLookup).(*cramServer)
	s.challenge = func(string) ([]byte, error) { return []byte("<1896.697170952@postoffice.reston.mci.net>"), nil }
	got, done, err := s.Next(nil)
	if err != nil || done || EncodeWire(got) != wireChallenge {
		t.Fatalf("challenge = %q, %v, %v", got, done, err)
	}
	if _, done, err = s.Next(resp); !done || err != nil {
		t.Fatalf("Next = %v, %v", done, err)
	}
	if z, c := s.Identity(); z != "tim" || c != "tim" {
		t.Errorf("Identity = %q, %q", z, c)
	}
}

func TestCRAMMD5ChallengeIsFreshMsgID(t *testing.T) {
	re := regexp.MustCompile(`^<[0-9]+\.[0-9]+@mail\.example\.net>$`)
	seen := map[string]bool{}
	for i := 0; i < 50; i++ {
		ch, _, err := NewCRAMMD5Server("mail.example.net", cramLookup).Next(nil)
		if err != nil || !re.Match(ch) {
			t.Fatalf("challenge %q, %v", ch, err)
		}
		if seen[string(ch)] {
			t.Fatalf("challenge %q repeated", ch)
		}
		seen[string(ch)] = true
	}
}

func TestCRAMMD5RoundTrip(t *testing.T) {
	if err := exchange(t, NewCRAMMD5Client("tim", "tanstaaftanstaaf"), NewCRAMMD5Server("h", cramLookup), true); err != nil {
		t.Fatal(err)
	}
	err := exchange(t, NewCRAMMD5Client("tim", "wrong"), NewCRAMMD5Server("h", cramLookup), true)
	wantIs(t, err, ErrAuthFailed)
	err = exchange(t, NewCRAMMD5Client("bob", "tanstaaftanstaaf"), NewCRAMMD5Server("h", cramLookup), true)
	wantIs(t, err, ErrAuthFailed)
}

func TestCRAMMD5ServerRejectsMalformed(t *testing.T) {
	for _, resp := range []string{
		"tim", " b913a602c7eda7a495b4e6e7334d3890", "tim b913a602", "tim zz13a602c7eda7a495b4e6e7334d3890",
		"t\xffm b913a602c7eda7a495b4e6e7334d3890",
	} {
		s := NewCRAMMD5Server("h", cramLookup)
		s.Next(nil)
		_, _, err := s.Next([]byte(resp))
		wantIs(t, err, ErrMalformed)
	}
	// CRAM-MD5 is server-first: an initial response is out of turn.
	_, _, err := NewCRAMMD5Server("h", cramLookup).Next([]byte("tim"))
	wantIs(t, err, ErrUnexpected)
}

func TestCRAMMD5ClientRefusesBadUsername(t *testing.T) {
	for _, u := range []string{"", "t m", "t\x00m"} {
		_, _, err := NewCRAMMD5Client(u, "s").Start()
		wantIs(t, err, ErrInvalidCredentials)
	}
	c := NewCRAMMD5Client("tim", "s")
	c.Start()
	_, err := c.Next([]byte{})
	wantIs(t, err, ErrMalformed)
}

func FuzzCRAMMD5Server(f *testing.F) {
	fuzzServer(f, func() Server {
		s := NewCRAMMD5Server("h", cramLookup).(*cramServer)
		s.challenge = func(string) ([]byte, error) { return []byte("<1896.697170952@postoffice.reston.mci.net>"), nil }
		return s
	}, []byte("tim b913a602c7eda7a495b4e6e7334d3890"))
}

func FuzzCRAMMD5Client(f *testing.F) {
	fuzzClient(f, func() Client { return NewCRAMMD5Client("tim", "tanstaaftanstaaf") },
		[]byte("<1896.697170952@postoffice.reston.mci.net>"))
}
