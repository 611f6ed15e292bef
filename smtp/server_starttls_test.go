package smtp

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"io"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	testCertOnce sync.Once
	testCert     tls.Certificate
	testCertPool *x509.CertPool
)

// testTLSConfig returns a server configuration with a self-signed
// certificate for foo.com, generated once per test binary.
func testTLSConfig(t testing.TB) *tls.Config {
	testCertOnce.Do(func() {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			panic(err)
		}
		tmpl := &x509.Certificate{
			SerialNumber:          big.NewInt(1),
			Subject:               pkix.Name{CommonName: "foo.com"},
			DNSNames:              []string{"foo.com"},
			NotBefore:             time.Now().Add(-time.Hour),
			NotAfter:              time.Now().Add(24 * time.Hour),
			KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
			ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			BasicConstraintsValid: true,
			IsCA:                  true,
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			panic(err)
		}
		cert, _ := x509.ParseCertificate(der)
		testCert = tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}
		testCertPool = x509.NewCertPool()
		testCertPool.AddCert(cert)
	})
	return &tls.Config{Certificates: []tls.Certificate{testCert}}
}

// startTLS upgrades the test client after a 220 reply to STARTTLS.
func (c *testClient) startTLS() {
	c.t.Helper()
	tc := tls.Client(c.conn, &tls.Config{ServerName: "foo.com", RootCAs: testCertPool})
	if err := tc.Handshake(); err != nil {
		c.t.Fatalf("handshake: %v", err)
	}
	c.conn = tc
	c.r = bufio.NewReader(tc)
}

func TestStartTLSDiscardsPipelinedPlaintext(t *testing.T) {
	b := &testBackend{}
	srv := newTestServer(b)
	srv.TLSConfig = testTLSConfig(t)
	srv.EnableREQUIRETLS = true
	c := dial(t, srv)
	c.cmd("EHLO bar.com", "250")
	// The injection: commands pipelined behind STARTTLS in plaintext, as a
	// man in the middle would add them (CVE-2011-0411).
	c.write("STARTTLS\r\nMAIL FROM:<evil@attacker.example>\r\nRCPT TO:<victim@foo.com>\r\n")
	c.expect("220 2.0.0")
	c.startTLS()
	// Had the injected commands run after the handshake, RCPT would be
	// accepted; the server instead forgot everything, EHLO included.
	c.cmd("RCPT TO:<b@foo.com>", "503 5.5.1 Error: send EHLO/HELO first")
	ehlo := c.cmd("EHLO bar.com", "250")
	if strings.Contains(ehlo, "STARTTLS") {
		t.Errorf("STARTTLS offered again over TLS:\n%s", ehlo)
	}
	if !strings.Contains(ehlo, "REQUIRETLS") || !strings.Contains(ehlo, "AUTH PLAIN LOGIN") {
		t.Errorf("REQUIRETLS or AUTH missing over TLS:\n%s", ehlo)
	}
	c.cmd("STARTTLS", "503 5.5.1 Error: TLS already active")
	c.cmd("AUTH PLAIN AGFsaWNlAHNlY3JldA==", "235")
	c.cmd("MAIL FROM:<a@bar.com> REQUIRETLS", "250")
	c.cmd("RCPT TO:<b@foo.com>", "250")
	c.cmd("DATA", "354")
	c.cmd("secret\r\n.", "250")
	b.mu.Lock()
	mails := b.mails
	b.mu.Unlock()
	if len(mails) != 1 || mails[0] != "a@bar.com" {
		t.Errorf("MAIL commands the backend saw: %q", mails)
	}
	msgs := b.messages()
	if len(msgs) != 1 || !msgs[0].Opts.RequireTLS {
		t.Errorf("messages %+v", msgs)
	}
}

func TestStartTLSRefusedInTransaction(t *testing.T) {
	srv := newTestServer(&testBackend{})
	srv.TLSConfig = testTLSConfig(t)
	c := dial(t, srv)
	c.envelope()
	c.cmd("STARTTLS", "503 5.5.1")
	c.cmd("RSET", "250")
	c.cmd("STARTTLS now", "501")
}

func TestStartTLSHandshakeFailureCloses(t *testing.T) {
	srv := newTestServer(&testBackend{})
	srv.TLSConfig = testTLSConfig(t)
	c := dial(t, srv)
	c.cmd("EHLO bar.com", "250")
	c.cmd("STARTTLS", "220")
	c.conn.Write([]byte("this is not a TLS client hello\r\n\r\n"))
	c.expectEOF()
	<-c.done
}

func TestStartTLSNeedsNetConn(t *testing.T) {
	srv := newTestServer(&testBackend{})
	srv.TLSConfig = testTLSConfig(t)
	cc, sc := net.Pipe()
	defer cc.Close()
	go srv.ServeConn(struct {
		io.Reader
		io.Writer
	}{sc, sc})
	c := &testClient{t: t, conn: cc, r: bufio.NewReader(cc)}
	c.expect("220")
	if ehlo := c.cmd("EHLO bar.com", "250"); strings.Contains(ehlo, "STARTTLS") {
		t.Errorf("STARTTLS offered on a plain io.ReadWriter:\n%s", ehlo)
	}
	c.cmd("STARTTLS", "502")
	sc.Close()
}

func TestStartTLSRefusedAfterAuth(t *testing.T) {
	srv := newTestServer(&testBackend{})
	srv.TLSConfig = testTLSConfig(t)
	srv.AllowInsecureAuth = true
	c := dial(t, srv)
	c.cmd("EHLO bar.com", "250")
	c.cmd("AUTH PLAIN AGFsaWNlAHNlY3JldA==", "235")
	c.cmd("STARTTLS", "503 5.5.1")
}

func TestStartTLSRefusedTwice(t *testing.T) {
	srv := newTestServer(&testBackend{})
	srv.TLSConfig = testTLSConfig(t)
	c := dial(t, srv)
	c.cmd("EHLO bar.com", "250")
	c.cmd("STARTTLS", "220")
	c.startTLS()
	// RFC 3207 §4.2: STARTTLS over TLS is out of sequence, before EHLO,
	// after it, and after AUTH; the session goes on.
	c.cmd("STARTTLS", "503 5.5.1 Error: TLS already active")
	c.cmd("EHLO bar.com", "250")
	c.cmd("STARTTLS", "503 5.5.1 Error: TLS already active")
	c.cmd("AUTH PLAIN AGFsaWNlAHNlY3JldA==", "235")
	c.cmd("STARTTLS", "503 5.5.1 Error: TLS already active")
	c.cmd("MAIL FROM:<a@bar.com>", "250")
	c.cmd("QUIT", "221")
}
