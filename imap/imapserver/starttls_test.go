package imapserver_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"testing"
	"time"
)

func selfSigned(t *testing.T) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "imap.test"},
		DNSNames:     []string{"imap.test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func TestStartTLSThenLogin(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	srv.AllowInsecureAuth = false
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}
	tc := dial(t, srv)
	caps := tc.ok("CAPABILITY")
	if !strings.Contains(caps[0], " STARTTLS") || !strings.Contains(caps[0], "LOGINDISABLED") || strings.Contains(caps[0], "AUTH=PLAIN") {
		t.Fatalf("before TLS: %q", caps)
	}
	tc.ok("STARTTLS")
	tlsc := tls.Client(tc.c, &tls.Config{InsecureSkipVerify: true})
	if err := tlsc.Handshake(); err != nil {
		t.Fatal(err)
	}
	tc.c, tc.br = tlsc, bufio.NewReader(tlsc)
	caps = tc.ok("CAPABILITY")
	if strings.Contains(caps[0], "STARTTLS") || strings.Contains(caps[0], "LOGINDISABLED") || !strings.Contains(caps[0], "AUTH=PLAIN") {
		t.Fatalf("after TLS: %q", caps)
	}
	tc.ok("LOGIN alice secret")
	tc.ok("SELECT INBOX")
}

func TestStartTLSRefusesPipelinedPlaintext(t *testing.T) {
	srv := newServer(newBackend(t, 1))
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{selfSigned(t)}}
	cc, sc := net.Pipe()
	defer cc.Close()
	go srv.ServeConn(sc)
	br := bufio.NewReader(cc)
	br.ReadString('\n')
	// A command smuggled behind STARTTLS in the same write.
	go cc.Write([]byte("a STARTTLS\r\nb LOGIN alice secret\r\n"))
	l, _ := br.ReadString('\n')
	if l != "* BYE commands pipelined after STARTTLS\r\n" {
		t.Fatalf("got %q", l)
	}
}
