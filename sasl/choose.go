package sasl

import (
	"crypto/tls"
	"strings"
)

// Credentials is what a client has to log in with, for [Choose].
type Credentials struct {
	// Authzid is the identity to act as; empty to act as Username.
	Authzid string
	// Username and Password are for the password mechanisms (SCRAM,
	// CRAM-MD5, PLAIN, LOGIN).
	Username, Password string
	// Token is an OAuth 2.0 bearer token; when set, OAUTHBEARER or
	// XOAUTH2 is used with Username, Host and Port.
	Token string
	// Host and Port are the server's name and port, sent by OAUTHBEARER.
	Host string
	Port int
	// External asks for EXTERNAL (a TLS client certificate, say), with
	// Authzid.
	External bool
	// Anonymous asks for ANONYMOUS with Trace when nothing else applies.
	Anonymous bool
	Trace     string
}

// passwordOrder is the preference among password mechanisms, strongest
// first. PLAIN and LOGIN send the password itself.
var passwordOrder = []string{ScramSHA256Plus, ScramSHA1Plus, ScramSHA256, ScramSHA1, CRAMMD5, Plain, Login}

// Choose picks the strongest mechanism that the server offers (offered,
// names in any case) and the credentials allow, and returns its client:
//
//   - with External set: EXTERNAL;
//   - with a Token: OAUTHBEARER, else XOAUTH2;
//   - with a Password: SCRAM-SHA-256-PLUS > SCRAM-SHA-1-PLUS >
//     SCRAM-SHA-256 > SCRAM-SHA-1 > CRAM-MD5 > PLAIN > LOGIN;
//   - with Anonymous set: ANONYMOUS.
//
// The first of these lists that yields a mechanism wins. cs is the TLS
// connection state, nil before TLS. The -PLUS variants need cs: Choose binds
// with the default type, tls-exporter on TLS 1.3 (RFC 9266 §3) and
// tls-unique on TLS 1.2 (RFC 5802 §6.1), falling back to tls-exporter and
// then tls-server-end-point where the default is unavailable.
// When the client can bind but the server offers no -PLUS variant, SCRAM
// sends the "y" flag so that the server can detect a downgrade (RFC 5802
// §6). PLAIN, LOGIN, XOAUTH2 and OAUTHBEARER send a reusable secret and are
// chosen only over TLS or when allowInsecure is true.
//
// It returns [ErrNoMechanism] when nothing fits.
func Choose(offered []string, creds Credentials, cs *tls.ConnectionState, allowInsecure bool) (Client, error) {
	has := func(m string) bool {
		for _, o := range offered {
			if strings.EqualFold(strings.TrimSpace(o), m) {
				return true
			}
		}
		return false
	}
	secure := cs != nil && cs.HandshakeComplete
	clear := secure || allowInsecure
	if creds.External && has(External) {
		return NewExternalClient(creds.Authzid), nil
	}
	if creds.Token != "" && clear {
		switch {
		case has(OAuthBearer):
			user := creds.Authzid
			if user == "" {
				user = creds.Username
			}
			return NewOAuthBearerClient(OAuthBearerOptions{Username: user, Token: creds.Token, Host: creds.Host, Port: creds.Port}), nil
		case has(XOAuth2):
			return NewXOAuth2Client(creds.Username, creds.Token), nil
		}
	}
	if creds.Password != "" {
		var cb *ChannelBinding
		if secure {
			cb = bestBinding(cs)
		}
		for _, m := range passwordOrder {
			if !has(m) {
				continue
			}
			switch m {
			case ScramSHA256Plus, ScramSHA1Plus:
				if cb != nil {
					return NewScramClient(m, creds.Authzid, creds.Username, creds.Password, cb), nil
				}
			case ScramSHA256, ScramSHA1:
				// RFC 5802 §6: a client that supports channel binding
				// and sees no -PLUS MUST NOT send "n"; cb makes it "y".
				var y *ChannelBinding
				if cb != nil && !has(m+"-PLUS") {
					y = cb
				}
				return NewScramClient(m, creds.Authzid, creds.Username, creds.Password, y), nil
			case CRAMMD5:
				if creds.Authzid == "" {
					return NewCRAMMD5Client(creds.Username, creds.Password), nil
				}
			case Plain:
				if clear {
					return NewPlainClient(creds.Authzid, creds.Username, creds.Password), nil
				}
			case Login:
				if clear && creds.Authzid == "" {
					return NewLoginClient(creds.Username, creds.Password), nil
				}
			}
		}
	}
	if creds.Anonymous && has(Anonymous) {
		return NewAnonymousClient(creds.Trace), nil
	}
	return nil, ErrNoMechanism
}

// bestBinding returns the default channel binding of the connection: on
// TLS 1.3 tls-exporter (RFC 9266 §3), on TLS 1.2 tls-unique (RFC 5802
// §6.1), then whichever of tls-exporter and tls-server-end-point works, else
// nil.
func bestBinding(cs *tls.ConnectionState) *ChannelBinding {
	kinds := []string{TLSExporter, TLSServerEndPoint}
	if cs.Version < tls.VersionTLS13 {
		kinds = []string{TLSUnique, TLSExporter, TLSServerEndPoint}
	}
	for _, kind := range kinds {
		if cb, err := ChannelBindingFromTLS(cs, kind); err == nil {
			return cb
		}
	}
	return nil
}
