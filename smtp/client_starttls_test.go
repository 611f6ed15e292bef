package smtp

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"errors"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/sasl"
)

// clientTestTLS returns a server config with a self-signed certificate for
// mx.example and a client config that trusts it.
func clientTestTLS(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mx.example"},
		DNSNames:     []string{"mx.example"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	server = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}}
	client = &tls.Config{RootCAs: pool, ServerName: "mx.example"}
	return server, client
}

// tlsTestServer plays an ESMTP server that offers STARTTLS, then after
// the handshake AUTH PLAIN, and records the lines it got over TLS.
func tlsTestServer(t *testing.T, conn net.Conn, cfg *tls.Config, got chan<- []string) {
	defer conn.Close()
	var lines []string
	defer func() { got <- lines }()
	br := bufio.NewReader(conn)
	read := func() string {
		l, _ := br.ReadString('\n')
		return strings.TrimRight(l, "\r\n")
	}
	conn.Write([]byte("220 mx.example ESMTP\r\n"))
	read()
	conn.Write([]byte("250-mx.example\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n"))
	if read() != "STARTTLS" {
		return
	}
	conn.Write([]byte("220 2.0.0 Ready\r\n"))
	tc := tls.Server(conn, cfg)
	if err := tc.Handshake(); err != nil {
		return // the client's tests check why
	}
	br = bufio.NewReader(tc)
	for {
		l := read()
		if l == "" {
			return
		}
		lines = append(lines, l)
		switch {
		case strings.HasPrefix(l, "EHLO"):
			tc.Write([]byte("250-mx.example\r\n250-AUTH PLAIN LOGIN\r\n250 REQUIRETLS\r\n"))
		case strings.HasPrefix(l, "AUTH"):
			tc.Write([]byte("235 2.7.0 OK\r\n"))
		case strings.HasPrefix(l, "MAIL"):
			tc.Write([]byte("250 OK\r\n"))
		case l == "QUIT":
			tc.Write([]byte("221 Bye\r\n"))
			return
		}
	}
}

func TestClientStartTLSThenAuthPlain(t *testing.T) {
	scfg, ccfg := clientTestTLS(t)
	cc, sc := net.Pipe()
	got := make(chan []string, 1)
	go tlsTestServer(t, sc, scfg, got)
	ctx := context.Background()
	c, err := (&ClientOptions{LocalName: "client.example"}).NewClient(ctx, cc)
	if err != nil {
		t.Fatal(err)
	}
	if mechs := c.AuthMechanisms(); mechs != nil {
		t.Errorf("mechanisms before EHLO: %v", mechs)
	}
	if err := c.StartTLS(ctx, ccfg); err != nil {
		t.Fatal(err)
	}
	if _, ok := c.TLSConnectionState(); !ok {
		t.Error("TLSConnectionState reports no TLS")
	}
	// The extensions are those of the EHLO sent over TLS.
	if _, ok := c.Extension("STARTTLS"); ok {
		t.Error("STARTTLS still listed after TLS")
	}
	if strings.Join(c.AuthMechanisms(), " ") != "PLAIN LOGIN" {
		t.Errorf("mechanisms = %v", c.AuthMechanisms())
	}
	// Over TLS, PLAIN is allowed without the opt-in.
	if err := c.Login(ctx, sasl.Credentials{Username: "u", Password: "p"}); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail(ctx, "a@example.org", &MailOptions{RequireTLS: true}); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(ctx); err != nil {
		t.Fatal(err)
	}
	lines := <-got
	want := []string{"EHLO client.example", "AUTH PLAIN " + base64.StdEncoding.EncodeToString([]byte("\x00u\x00p")), "MAIL FROM:<a@example.org> REQUIRETLS", "QUIT"}
	if strings.Join(lines, "|") != strings.Join(want, "|") {
		t.Errorf("server got %q, want %q", lines, want)
	}
}

func TestClientStartTLSRejectsBadCertificate(t *testing.T) {
	scfg, _ := clientTestTLS(t)
	_, other := clientTestTLS(t) // trusts a different certificate
	cc, sc := net.Pipe()
	got := make(chan []string, 1)
	go tlsTestServer(t, newAsyncConn(sc), scfg, got)
	c, err := NewClient(cc)
	if err != nil {
		t.Fatal(err)
	}
	err = c.StartTLS(context.Background(), other)
	var uerr x509.UnknownAuthorityError
	if !errors.As(err, &uerr) {
		t.Errorf("StartTLS: %v, want an unknown authority error", err)
	}
	if err := c.Noop(context.Background()); !errors.Is(err, ErrClientClosed) {
		t.Errorf("Noop after a failed handshake: %v", err)
	}
	cc.Close()
	<-got
}

// asyncConn is a net.Conn whose writes never block, as with a TCP socket
// buffer: net.Pipe would otherwise deadlock a TLS handshake in which both
// sides write at once (the client's alert against the server's flight).
type asyncConn struct {
	net.Conn
	ch chan []byte
}

func newAsyncConn(c net.Conn) *asyncConn {
	a := &asyncConn{Conn: c, ch: make(chan []byte, 1024)}
	go func() {
		for b := range a.ch {
			if _, err := c.Write(b); err != nil {
				for range a.ch {
				}
				return
			}
		}
		c.Close()
	}()
	return a
}

func (a *asyncConn) Write(p []byte) (int, error) {
	a.ch <- append([]byte(nil), p...)
	return len(p), nil
}

func (a *asyncConn) Close() error {
	close(a.ch)
	return nil
}
