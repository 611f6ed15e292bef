package imapmem

import (
	"context"
	"crypto/rand"
	"sync"

	"github.com/mailwire/mailwire/imap/imapserver"
	"github.com/mailwire/mailwire/sasl"
)

// The Backend offers every SASL mechanism the server knows.
var (
	_ imapserver.ScramBackend  = (*Backend)(nil)
	_ imapserver.SecretBackend = (*Backend)(nil)
)

// scramIterations is the PBKDF2 iteration count of the stored SCRAM
// credentials: RFC 7677 §4 asks for at least 4096.
const scramIterations = 4096

// userCreds holds a user's SCRAM credentials, derived from the password the
// first time a SCRAM login asks, once per hash.
type userCreds struct {
	once  [2]sync.Once
	creds [2]sasl.ScramCredentials
	err   [2]error
}

func (b *Backend) user(name string) *User {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.users[name]
}

// UserFor implements [imapserver.SASLUserBackend]: the User of someone a
// SASL mechanism has authenticated.
func (b *Backend) UserFor(ctx context.Context, username string) (imapserver.User, error) {
	u := b.user(username)
	if u == nil {
		return nil, imapserver.ErrAuthFailed
	}
	return &session{User: u, be: b}, nil
}

// ScramCredentials implements [imapserver.ScramBackend]. A store on disk
// keeps only these (salt, iteration count, StoredKey, ServerKey), never the
// password; this one derives them from the password it holds.
func (b *Backend) ScramCredentials(ctx context.Context, username, hash string) (sasl.ScramCredentials, error) {
	u := b.user(username)
	if u == nil {
		return sasl.ScramCredentials{}, imapserver.ErrAuthFailed
	}
	i := 0
	if hash == "SHA-256" {
		i = 1
	}
	c := &u.creds
	c.once[i].Do(func() {
		salt := make([]byte, 16)
		rand.Read(salt)
		c.creds[i], c.err[i] = sasl.DeriveScramCredentials(hash, u.password, salt, scramIterations)
	})
	return c.creds[i], c.err[i]
}

// Secret implements [imapserver.SecretBackend] (CRAM-MD5): this store holds
// passwords in plaintext anyway.
func (b *Backend) Secret(ctx context.Context, username string) (string, error) {
	u := b.user(username)
	if u == nil {
		return "", imapserver.ErrAuthFailed
	}
	return u.password, nil
}
