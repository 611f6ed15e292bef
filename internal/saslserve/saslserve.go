// Package saslserve is what the POP3 and IMAP servers share to offer SASL
// mechanisms (RFC 4422): which mechanisms a connection may use now, and the
// server side of each, built from what the application's backend can do.
package saslserve

import (
	"context"
	"crypto/tls"
	"errors"
	"slices"
	"strings"

	"github.com/mailwire/mailwire/sasl"
)

// Config says what a backend can do. Nil functions leave their mechanisms
// out.
type Config struct {
	// CheckPassword verifies a user's password: PLAIN and LOGIN.
	CheckPassword func(ctx context.Context, username, password string) error
	// PlaintextOK allows PLAIN and LOGIN on this connection: it is TLS, or
	// the server allows insecure authentication (RFC 4616 §6, DESIGN.md).
	PlaintextOK bool
	// Secret gives a user's shared secret: CRAM-MD5 (RFC 2195), which
	// does not send it, so it is offered without TLS.
	Secret func(ctx context.Context, username string) (string, error)
	// Hostname goes into CRAM-MD5's challenge.
	Hostname string
	// Scram gives a user's stored credentials for hash ("SHA-1",
	// "SHA-256"): SCRAM-SHA-256 and SCRAM-SHA-1, and their -PLUS variants
	// with channel binding over TLS.
	Scram func(ctx context.Context, username, hash string) (sasl.ScramCredentials, error)
	// ExtraMechanisms and NewExtra bring the backend's own mechanisms
	// (OAUTHBEARER, EXTERNAL...), offered after the built-in ones.
	ExtraMechanisms func(cs *tls.ConnectionState) []string
	NewExtra        func(ctx context.Context, mech string, cs *tls.ConnectionState) (sasl.Server, error)
}

// Mechanisms lists the mechanisms usable on a connection whose TLS state is
// cs (nil without TLS), strongest first, names upper case.
func Mechanisms(cfg *Config, cs *tls.ConnectionState) []string {
	var mechs []string
	if cfg.Scram != nil {
		mechs = append(mechs, sasl.ScramMechanisms(ChannelBinding(cs))...)
	}
	if cfg.Secret != nil {
		mechs = append(mechs, sasl.CRAMMD5)
	}
	if cfg.CheckPassword != nil && cfg.PlaintextOK {
		mechs = append(mechs, sasl.Plain, sasl.Login)
	}
	if cfg.ExtraMechanisms != nil && cfg.NewExtra != nil {
		for _, m := range cfg.ExtraMechanisms(cs) {
			// The built-in names stay with their own rules (no PLAIN
			// before TLS, say), whatever the backend lists.
			if m = strings.ToUpper(m); validName(m) && !builtin(m) && !slices.Contains(mechs, m) {
				mechs = append(mechs, m)
			}
		}
	}
	return mechs
}

// builtin reports whether this package runs mechanism m itself.
func builtin(m string) bool {
	switch m {
	case sasl.Plain, sasl.Login, sasl.CRAMMD5, sasl.ScramSHA1, sasl.ScramSHA1Plus, sasl.ScramSHA256, sasl.ScramSHA256Plus:
		return true
	}
	return false
}

// validName reports whether m is a SASL mechanism name (RFC 4422 §3.1:
// 1 to 20 of A-Z, 0-9, "-", "_"), so that it can go into a capability list.
func validName(m string) bool {
	if m == "" || len(m) > 20 {
		return false
	}
	for i := 0; i < len(m); i++ {
		c := m[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// ChannelBinding is the tls-exporter binding of a TLS connection (RFC
// 9266), nil without TLS or when it cannot be exported.
func ChannelBinding(cs *tls.ConnectionState) *sasl.ChannelBinding {
	if cs == nil {
		return nil
	}
	cb, err := sasl.ChannelBindingFromTLS(cs, sasl.TLSExporter)
	if err != nil {
		return nil
	}
	return cb
}

// ErrNotOffered: the mechanism is not among Mechanisms for the connection.
var ErrNotOffered = errors.New("saslserve: mechanism not offered")

// NewServer returns the server side of one exchange of mech, which must be
// one that Mechanisms lists for cs.
func NewServer(ctx context.Context, cfg *Config, mech string, cs *tls.ConnectionState) (sasl.Server, error) {
	mech = strings.ToUpper(mech)
	if !slices.Contains(Mechanisms(cfg, cs), mech) {
		return nil, ErrNotOffered
	}
	switch {
	case mech == sasl.Plain:
		return sasl.NewPlainServer(func(authzid, user, pass string) error {
			if authzid != "" && authzid != user {
				return errors.New("acting as another user is not supported")
			}
			return cfg.CheckPassword(ctx, user, pass)
		}), nil
	case mech == sasl.Login:
		return sasl.NewLoginServer(func(user, pass string) error {
			return cfg.CheckPassword(ctx, user, pass)
		}), nil
	case mech == sasl.CRAMMD5:
		return sasl.NewCRAMMD5Server(cfg.Hostname, func(user string) (string, error) {
			return cfg.Secret(ctx, user)
		}), nil
	case cfg.Scram != nil && strings.HasPrefix(mech, "SCRAM-SHA-"):
		hash := "SHA-1"
		if strings.HasPrefix(mech, sasl.ScramSHA256) {
			hash = "SHA-256"
		}
		return sasl.NewScramServer(mech, func(user string) (sasl.ScramCredentials, error) {
			return cfg.Scram(context.WithoutCancel(ctx), user, hash)
		}, ChannelBinding(cs), nil), nil
	}
	return cfg.NewExtra(ctx, mech, cs)
}

// Username is who an exchange that ended successfully authenticated as:
// the authorisation identity, or the authentication identity when that is
// empty. ok is false when the mechanism does not say.
func Username(s sasl.Server) (name string, ok bool) {
	id, ok := s.(sasl.Identity)
	if !ok {
		return "", false
	}
	authzid, authcid := id.Identity()
	if authzid == "" {
		authzid = authcid
	}
	return authzid, true
}

// The optional methods of a protocol's backend that FromBackend looks for
// (pop3's and imapserver's SecretBackend/APOPBackend, ScramBackend and
// SASLBackend have them).
type (
	secretSource interface {
		Secret(ctx context.Context, username string) (string, error)
	}
	scramSource interface {
		ScramCredentials(ctx context.Context, username, hash string) (sasl.ScramCredentials, error)
	}
	extraSource interface {
		SASLMechanisms(cs *tls.ConnectionState) []string
		NewSASLServer(ctx context.Context, mech string, cs *tls.ConnectionState) (sasl.Server, error)
	}
)

// FromBackend sets Secret, Scram and the extra mechanisms from the methods
// backend has, and returns cfg.
func (cfg *Config) FromBackend(backend any) *Config {
	if b, ok := backend.(secretSource); ok {
		cfg.Secret = b.Secret
	}
	if b, ok := backend.(scramSource); ok {
		cfg.Scram = b.ScramCredentials
	}
	if b, ok := backend.(extraSource); ok {
		cfg.ExtraMechanisms, cfg.NewExtra = b.SASLMechanisms, b.NewSASLServer
	}
	return cfg
}
