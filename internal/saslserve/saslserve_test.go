package saslserve

import (
	"context"
	"crypto/tls"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/sasl"
)

func TestMechanisms(t *testing.T) {
	check := func(ctx context.Context, u, p string) error { return nil }
	scram := func(ctx context.Context, u, h string) (sasl.ScramCredentials, error) {
		return sasl.ScramCredentials{}, errors.New("none")
	}
	secret := func(ctx context.Context, u string) (string, error) { return "", nil }
	extra := func(*tls.ConnectionState) []string {
		return []string{"oauthbearer", "PLAIN", "BAD NAME", "X-WAY-TOO-LONG-MECHANISM-NAME", ""}
	}
	newExtra := func(ctx context.Context, mech string, cs *tls.ConnectionState) (sasl.Server, error) {
		return nil, errors.New("extra " + mech)
	}
	for _, tt := range []struct {
		name string
		cfg  Config
		want []string
	}{
		{"nothing", Config{}, nil},
		{"passwords refused before TLS", Config{CheckPassword: check}, nil},
		{"passwords", Config{CheckPassword: check, PlaintextOK: true}, []string{"PLAIN", "LOGIN"}},
		{"all, strongest first", Config{CheckPassword: check, PlaintextOK: true, Scram: scram, Secret: secret, ExtraMechanisms: extra, NewExtra: newExtra},
			[]string{"SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN", "OAUTHBEARER"}},
		{"extras need both functions", Config{ExtraMechanisms: extra}, nil},
	} {
		got := Mechanisms(&tt.cfg, nil)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
	// Only what is offered can be started; names are case-insensitive.
	cfg := &Config{CheckPassword: check, Scram: scram, ExtraMechanisms: extra, NewExtra: newExtra}
	if _, err := NewServer(context.Background(), cfg, "plain", nil); !errors.Is(err, ErrNotOffered) {
		t.Errorf("PLAIN before TLS: %v", err)
	}
	if _, err := NewServer(context.Background(), cfg, "scram-sha-256-plus", nil); !errors.Is(err, ErrNotOffered) {
		t.Errorf("-PLUS without TLS: %v", err)
	}
	if s, err := NewServer(context.Background(), cfg, "scram-sha-256", nil); err != nil || s == nil {
		t.Errorf("SCRAM-SHA-256: %v", err)
	}
	if _, err := NewServer(context.Background(), cfg, "OAUTHBEARER", nil); err == nil || err.Error() != "extra OAUTHBEARER" {
		t.Errorf("extra mechanism: %v", err)
	}
}

// FuzzNewServer: the mechanism name comes from the client (AUTHENTICATE,
// AUTH). Any name either gives a server for a mechanism that Mechanisms
// offers, or ErrNotOffered; never a panic.
func FuzzNewServer(f *testing.F) {
	f.Add("PLAIN", false)
	f.Add("scram-sha-256-plus", true)
	f.Add("X-\x00", false)
	check := func(ctx context.Context, u, p string) error { return nil }
	scram := func(ctx context.Context, u, h string) (sasl.ScramCredentials, error) {
		return sasl.ScramCredentials{}, errors.New("none")
	}
	secret := func(ctx context.Context, u string) (string, error) { return "", nil }
	f.Fuzz(func(t *testing.T, mech string, plaintext bool) {
		cfg := &Config{CheckPassword: check, PlaintextOK: plaintext, Scram: scram, Secret: secret}
		s, err := NewServer(context.Background(), cfg, mech, nil)
		offered := slices.Contains(Mechanisms(cfg, nil), strings.ToUpper(mech))
		if offered != (err == nil && s != nil) {
			t.Fatalf("mech %q: offered %v, NewServer %v, %v", mech, offered, s, err)
		}
	})
}
