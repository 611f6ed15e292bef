package sasl

import (
	"crypto/tls"
	"strings"
	"testing"
)

func TestChoosePicksStrongestAllowedMechanism(t *testing.T) {
	cert, _ := testCert(t, p256Key(t))
	ccs, _ := tlsStates(t, cert, tls.VersionTLS13)
	all := []string{"LOGIN", "PLAIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256", "SCRAM-SHA-1-PLUS", "SCRAM-SHA-256-PLUS", "XOAUTH2", "OAUTHBEARER", "EXTERNAL", "ANONYMOUS"}
	pw := Credentials{Username: "tim", Password: "tanstaaftanstaaf"}
	tok := Credentials{Username: "tim", Token: "tok"}
	for _, tc := range []struct {
		name          string
		offered       []string
		creds         Credentials
		tls           bool
		allowInsecure bool
		want          string // mechanism, "" for ErrNoMechanism
		irPrefix      string
	}{
		{"plus over TLS", all, pw, true, false, ScramSHA256Plus, "p=tls-exporter,,"},
		{"sha1 plus", []string{"SCRAM-SHA-1-PLUS", "SCRAM-SHA-256", "PLAIN"}, pw, true, false, ScramSHA1Plus, "p=tls-exporter,,"},
		{"no TLS: no plus", all, pw, false, false, ScramSHA256, "n,,"},
		{"TLS, no plus offered: y flag", []string{"PLAIN", "SCRAM-SHA-1"}, pw, true, false, ScramSHA1, "y,,"},
		{"case-insensitive", []string{"scram-sha-256", "plain"}, pw, false, false, ScramSHA256, "n,,"},
		{"cram before plain", []string{"PLAIN", "LOGIN", "CRAM-MD5"}, pw, true, false, CRAMMD5, ""},
		{"plain over TLS", []string{"LOGIN", "PLAIN"}, pw, true, false, Plain, "\x00tim\x00"},
		{"login over TLS", []string{"LOGIN"}, pw, true, false, Login, ""},
		{"no plaintext password without TLS", []string{"LOGIN", "PLAIN"}, pw, false, false, "", ""},
		{"plaintext allowed", []string{"LOGIN", "PLAIN"}, pw, false, true, Plain, ""},
		{"token: oauthbearer", all, tok, true, false, OAuthBearer, "n,a=tim,\x01"},
		{"token: xoauth2", []string{"PLAIN", "XOAUTH2"}, tok, true, false, XOAuth2, "user=tim\x01"},
		{"token not sent in clear", all, tok, false, false, "", ""},
		{"external", all, Credentials{External: true}, true, false, External, ""},
		{"anonymous", all, Credentials{Anonymous: true, Trace: "sirhc"}, false, false, Anonymous, "sirhc"},
		{"nothing offered", nil, pw, true, true, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var cs *tls.ConnectionState
			if tc.tls {
				cs = &ccs
			}
			c, err := Choose(tc.offered, tc.creds, cs, tc.allowInsecure)
			if tc.want == "" {
				wantIs(t, err, ErrNoMechanism)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			mech, ir, err := c.Start()
			if err != nil || mech != tc.want {
				t.Fatalf("chose %s (%v), want %s", mech, err, tc.want)
			}
			if !strings.HasPrefix(string(ir), tc.irPrefix) {
				t.Errorf("ir %q does not start with %q", ir, tc.irPrefix)
			}
		})
	}
}

// The chosen SCRAM-PLUS client logs in to a server bound to the same
// connection and offering every binding type: tls-unique on TLS 1.2 (RFC
// 5802 §6.1), tls-exporter on TLS 1.3 (RFC 9266 §3).
func TestChooseScramPlusLogsIn(t *testing.T) {
	cert, leaf := testCert(t, p256Key(t))
	for _, tc := range []struct {
		version uint16
		want    string
	}{{tls.VersionTLS12, "p=tls-unique,,"}, {tls.VersionTLS13, "p=tls-exporter,,"}} {
		ccs, scs := tlsStates(t, cert, tc.version)
		c, err := Choose(ScramMechanisms(&ChannelBinding{}), Credentials{Username: "user", Password: "pencil"}, &ccs, false)
		if err != nil {
			t.Fatal(err)
		}
		cr, _ := DeriveScramCredentials(ScramSHA256, "pencil", []byte("salt"), 4096)
		s := NewScramServerConfig(ScramSHA256Plus, ScramServerConfig{
			Lookup:          func(string) (ScramCredentials, error) { return cr, nil },
			ChannelBindings: ServerChannelBindings(&scs, leaf),
		})
		_, ir, _ := c.Start()
		if !strings.HasPrefix(string(ir), tc.want) {
			t.Errorf("TLS %x: client-first %q, want %q", tc.version, ir, tc.want)
		}
		c, _ = Choose(ScramMechanisms(&ChannelBinding{}), Credentials{Username: "user", Password: "pencil"}, &ccs, false)
		if err := exchange(t, c, s, true); err != nil {
			t.Errorf("TLS %x: %v", tc.version, err)
		}
	}
}
