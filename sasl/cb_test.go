package sasl

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

// testCert makes a self-signed certificate for "example.test" with key.
func testCert(t testing.TB, key crypto.Signer) (tls.Certificate, *x509.Certificate) {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "example.test"},
		DNSNames:     []string{"example.test"},
		NotBefore:    time.Unix(0, 0),
		NotAfter:     time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, leaf
}

// tlsStates runs a TLS handshake over net.Pipe and returns the client's and
// the server's connection states.
func tlsStates(t testing.TB, cert tls.Certificate, version uint16) (client, server tls.ConnectionState) {
	t.Helper()
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	cc, sc := net.Pipe()
	defer cc.Close()
	defer sc.Close()
	srv := tls.Server(sc, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: version, MaxVersion: version})
	cli := tls.Client(cc, &tls.Config{RootCAs: pool, ServerName: "example.test", MinVersion: version, MaxVersion: version})
	errc := make(chan error, 1)
	go func() { errc <- srv.Handshake() }()
	if err := cli.Handshake(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	return cli.ConnectionState(), srv.ConnectionState()
}

func p256Key(t testing.TB) crypto.Signer {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestTLSExporterSameOnBothSides(t *testing.T) {
	cert, _ := testCert(t, p256Key(t))
	for _, v := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		ccs, scs := tlsStates(t, cert, v)
		c, err := ChannelBindingFromTLS(&ccs, TLSExporter)
		if err != nil {
			t.Fatal(err)
		}
		s, err := ChannelBindingFromTLS(&scs, TLSExporter)
		if err != nil {
			t.Fatal(err)
		}
		if c.Type != "tls-exporter" || len(c.Data) != 32 || !bytes.Equal(c.Data, s.Data) {
			t.Errorf("version %x: client %x, server %x", v, c.Data, s.Data)
		}
	}
}

func TestChannelBindingRefusesIncompleteHandshake(t *testing.T) {
	_, err := ChannelBindingFromTLS(&tls.ConnectionState{}, TLSExporter)
	wantIs(t, err, ErrChannelBinding)
	_, err = ChannelBindingFromTLS(nil, TLSExporter)
	wantIs(t, err, ErrChannelBinding)
	_, err = ChannelBindingFromTLS(&tls.ConnectionState{HandshakeComplete: true, Version: tls.VersionTLS11}, TLSExporter)
	wantIs(t, err, ErrChannelBinding)
	_, err = ChannelBindingFromTLS(&tls.ConnectionState{HandshakeComplete: true}, "tls-unique")
	wantIs(t, err, ErrChannelBinding)
	_, err = ChannelBindingFromTLS(&tls.ConnectionState{HandshakeComplete: true}, TLSServerEndPoint)
	wantIs(t, err, ErrChannelBinding)
}

// RFC 5929 §4.1: SHA-256 for an ECDSA-SHA256 certificate, SHA-384 for
// ECDSA-SHA384; Ed25519 is refused.
func TestTLSServerEndPointHash(t *testing.T) {
	cert, leaf := testCert(t, p256Key(t))
	ccs, _ := tlsStates(t, cert, tls.VersionTLS13)
	cb, err := ChannelBindingFromTLS(&ccs, TLSServerEndPoint)
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(leaf.Raw)
	if cb.Type != "tls-server-end-point" || !bytes.Equal(cb.Data, want[:]) {
		t.Errorf("client binding %x, want %x", cb.Data, want)
	}
	srv, err := ServerEndPointBinding(leaf)
	if err != nil || !bytes.Equal(srv.Data, cb.Data) {
		t.Errorf("server binding %x, %v", srv, err)
	}

	k384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, leaf384 := testCert(t, k384)
	cb, err = ServerEndPointBinding(leaf384)
	want384 := sha512.Sum384(leaf384.Raw)
	if err != nil || !bytes.Equal(cb.Data, want384[:]) {
		t.Errorf("P-384: %x, %v", cb, err)
	}

	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	_, leafEd := testCert(t, edKey)
	_, err = ServerEndPointBinding(leafEd)
	wantIs(t, err, ErrChannelBinding)
	_, err = ServerEndPointBinding(nil)
	wantIs(t, err, ErrChannelBinding)
}

// SHA-1-signed certificates are hashed with SHA-256 (RFC 5929 §4.1).
func TestTLSServerEndPointSHA1UsesSHA256(t *testing.T) {
	leaf := &x509.Certificate{Raw: []byte("der"), SignatureAlgorithm: x509.SHA1WithRSA}
	cb, err := ServerEndPointBinding(leaf)
	want := sha256.Sum256([]byte("der"))
	if err != nil || !bytes.Equal(cb.Data, want[:]) {
		t.Errorf("%x, %v", cb, err)
	}
}

// SCRAM-PLUS over a real TLS connection, with each binding type, and the
// failures: a binding from another connection, another type, a downgrade.
func TestScramPlusOverTLS(t *testing.T) {
	cert, leaf := testCert(t, p256Key(t))
	ccs, scs := tlsStates(t, cert, tls.VersionTLS13)
	cExp, _ := ChannelBindingFromTLS(&ccs, TLSExporter)
	sExp, _ := ChannelBindingFromTLS(&scs, TLSExporter)
	cEnd, _ := ChannelBindingFromTLS(&ccs, TLSServerEndPoint)
	sEnd, _ := ServerEndPointBinding(leaf)
	other, _ := tlsStates(t, cert, tls.VersionTLS13)
	otherExp, _ := ChannelBindingFromTLS(&other, TLSExporter)

	for _, mech := range []string{ScramSHA256Plus, ScramSHA1Plus} {
		c, s := scramPair(t, mech, "pencil", cExp, sExp)
		if err := exchange(t, c, s, true); err != nil {
			t.Errorf("%s tls-exporter: %v", mech, err)
		}
		c, s = scramPair(t, mech, "pencil", cEnd, sEnd)
		if err := exchange(t, c, s, false); err != nil {
			t.Errorf("%s tls-server-end-point: %v", mech, err)
		}
	}
	cases := []struct {
		name     string
		mech     string
		ccb, scb *ChannelBinding
		reason   string
	}{
		{"other connection", ScramSHA256Plus, otherExp, sExp, "channel-bindings-dont-match"},
		{"other type", ScramSHA256Plus, cEnd, sExp, "unsupported-channel-binding-type"},
		{"downgrade", ScramSHA256, cExp, sExp, "server-does-support-channel-binding"},
		{"plus without binding on server", ScramSHA256Plus, cExp, nil, "channel-binding-not-supported"},
	}
	for _, tc := range cases {
		c, s := scramPair(t, tc.mech, "pencil", tc.ccb, tc.scb)
		err := exchange(t, c, s, true)
		wantIs(t, err, ErrChannelBinding)
		var e *Error
		if !errors.As(err, &e) || e.Reason != tc.reason {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.reason)
		}
	}
	// "y" is fine when the server cannot bind (RFC 5802 §6).
	c, s := scramPair(t, ScramSHA256, "pencil", cExp, nil)
	if err := exchange(t, c, s, true); err != nil {
		t.Errorf("y flag against a server without binding: %v", err)
	}
	// "n" with a -PLUS mechanism fails.
	_, s = scramPair(t, ScramSHA256Plus, "pencil", nil, sExp)
	_, _, err := s.Next([]byte("n,,n=user,r=abc"))
	wantIs(t, err, ErrChannelBinding)
	// A -PLUS client needs a binding.
	_, _, err = NewScramClient(ScramSHA256Plus, "", "user", "pencil", nil).Start()
	wantIs(t, err, ErrChannelBinding)
	_, _, err = NewScramClient(ScramSHA256Plus, "", "user", "pencil", &ChannelBinding{Type: "bad type"}).Start()
	wantIs(t, err, ErrChannelBinding)
}

func TestTLSUniqueOnlyOnTLS12(t *testing.T) {
	cert, _ := testCert(t, p256Key(t))
	ccs, scs := tlsStates(t, cert, tls.VersionTLS12)
	c, err := ChannelBindingFromTLS(&ccs, TLSUnique)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ChannelBindingFromTLS(&scs, TLSUnique)
	if err != nil || !bytes.Equal(c.Data, s.Data) || len(c.Data) == 0 {
		t.Errorf("client %x, server %x, %v", c.Data, s, err)
	}
	ccs, _ = tlsStates(t, cert, tls.VersionTLS13)
	_, err = ChannelBindingFromTLS(&ccs, TLSUnique)
	wantIs(t, err, ErrChannelBinding)
}

func TestServerChannelBindings(t *testing.T) {
	cert, leaf := testCert(t, p256Key(t))
	for _, tc := range []struct {
		version uint16
		want    []string
	}{
		{tls.VersionTLS12, []string{TLSExporter, TLSUnique, TLSServerEndPoint}},
		{tls.VersionTLS13, []string{TLSExporter, TLSServerEndPoint}},
	} {
		ccs, scs := tlsStates(t, cert, tc.version)
		cbs := ServerChannelBindings(&scs, leaf)
		var got []string
		for _, cb := range cbs {
			got = append(got, cb.Type)
		}
		if strings.Join(got, " ") != strings.Join(tc.want, " ") {
			t.Errorf("TLS %x: %q, want %q", tc.version, got, tc.want)
		}
		// A server offering them all accepts a client with any of them.
		for _, kind := range tc.want {
			ccb, err := ChannelBindingFromTLS(&ccs, kind)
			if err != nil {
				t.Fatal(err)
			}
			cr, _ := DeriveScramCredentials(ScramSHA1, "pencil", []byte("salt"), 4096)
			s := NewScramServerConfig(ScramSHA1Plus, ScramServerConfig{
				Lookup:          func(string) (ScramCredentials, error) { return cr, nil },
				ChannelBindings: cbs,
			})
			if err := exchange(t, NewScramClient(ScramSHA1Plus, "", "user", "pencil", ccb), s, true); err != nil {
				t.Errorf("TLS %x, %s: %v", tc.version, kind, err)
			}
		}
	}
	if cbs := ServerChannelBindings(nil, leaf); len(cbs) != 0 {
		t.Errorf("no TLS: %v", cbs)
	}
}
