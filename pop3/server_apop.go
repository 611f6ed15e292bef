package pop3

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"strings"
)

func (c *conn) handleAPOP(arg string) error {
	name, digest, ok := strings.Cut(arg, " ")
	if !ok || name == "" || len(digest) != 32 {
		c.bad("APOP needs a name and a digest")
		return nil
	}
	secret, err := c.s.Backend.(APOPBackend).Secret(c.ctx, name)
	if err != nil {
		return c.authFailed(err)
	}
	// RFC 1939 §7: the digest is MD5 of the timestamp followed by the
	// shared secret, in lower-case hex.
	sum := md5.Sum([]byte(c.timestamp + secret))
	want := hex.EncodeToString(sum[:])
	if subtle.ConstantTimeCompare([]byte(want), []byte(strings.ToLower(digest))) != 1 {
		return c.authFailed(ErrAuth)
	}
	return c.login(name)
}
