package sasl

import (
	"testing"
)

// A full SCRAM-SHA-256 exchange at 4096 iterations (RFC 7677 §3), client
// side: client-first, client-final (PBKDF2 over 4096 rounds), and checking
// the server signature.
func BenchmarkScramSHA256Client(b *testing.B) {
	v := scramVectors[1]
	b.ReportAllocs()
	b.SetBytes(int64(len(v.c1) + len(v.s1) + len(v.c2) + len(v.s2)))
	for b.Loop() {
		c := v.client(nil)
		if _, _, err := c.Start(); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Next([]byte(v.s1)); err != nil {
			b.Fatal(err)
		}
		if _, err := c.Next([]byte(v.s2)); err != nil {
			b.Fatal(err)
		}
	}
}

// The server side of the same exchange, with stored credentials: no
// PBKDF2, only HMACs.
func BenchmarkScramSHA256Server(b *testing.B) {
	v := scramVectors[1]
	cr := v.creds(b)
	lookup := func(string) (ScramCredentials, error) { return cr, nil }
	b.ReportAllocs()
	b.SetBytes(int64(len(v.c1) + len(v.s1) + len(v.c2) + len(v.s2)))
	for b.Loop() {
		s := NewScramServer(ScramSHA256, lookup, nil, nil).(*scramServer)
		s.nonce = fixedNonce(v.snonce)
		if _, _, err := s.Next([]byte(v.c1)); err != nil {
			b.Fatal(err)
		}
		if _, done, err := s.Next([]byte(v.c2)); !done || err != nil {
			b.Fatal(err)
		}
	}
}

// Both sides with fresh random nonces, as in real use.
func BenchmarkScramSHA256Exchange(b *testing.B) {
	cr, _ := DeriveScramCredentials(ScramSHA256, "pencil", []byte("salt"), 4096)
	lookup := func(string) (ScramCredentials, error) { return cr, nil }
	b.ReportAllocs()
	b.SetBytes(300)
	for b.Loop() {
		c := NewScramClient(ScramSHA256, "", "user", "pencil", nil)
		s := NewScramServer(ScramSHA256, lookup, nil, nil)
		if err := exchange(b, c, s, true); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPlainServer(b *testing.B) {
	msg := []byte("\x00tim\x00tanstaaftanstaaf")
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		s := NewPlainServer(plainVerify)
		if _, done, err := s.Next(msg); !done || err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOAuthBearerServer(b *testing.B) {
	msg := []byte("n,a=user@example.com,\x01host=server.example.com\x01port=143\x01auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01")
	verify := func(OAuthBearerRequest) error { return nil }
	b.ReportAllocs()
	b.SetBytes(int64(len(msg)))
	for b.Loop() {
		if _, done, err := NewOAuthBearerServer(verify).Next(msg); !done || err != nil {
			b.Fatal(err)
		}
	}
}
