package sasl

import (
	"bytes"
	"strings"
)

// NewPlainClient returns a PLAIN client (RFC 4616). authzid is the identity
// to act as, empty to act as username. Start fails with
// [ErrInvalidCredentials] if a field holds a NUL (RFC 4616 §2: NUL MUST NOT
// appear) or username or password is empty.
func NewPlainClient(authzid, username, password string) Client {
	return &plainClient{authzid: authzid, username: username, password: password}
}

type plainClient struct {
	limit
	irReplay
	authzid, username, password string
	started                     bool
}

func (c *plainClient) Start() (string, []byte, error) {
	if c.started {
		return Plain, nil, newError(Plain, ErrUnexpected, "Start called twice")
	}
	c.started = true
	// RFC 4616 §2: the NUL character MUST NOT appear in authzid, authcid, or passwd.
	if strings.IndexByte(c.authzid, 0) >= 0 || strings.IndexByte(c.username, 0) >= 0 || strings.IndexByte(c.password, 0) >= 0 {
		return Plain, nil, newError(Plain, ErrInvalidCredentials, "NUL in authzid, username or password")
	}
	if c.username == "" || c.password == "" {
		return Plain, nil, newError(Plain, ErrInvalidCredentials, "empty username or password")
	}
	ir := make([]byte, 0, len(c.authzid)+len(c.username)+len(c.password)+2)
	ir = append(ir, c.authzid...)
	ir = append(ir, 0)
	ir = append(ir, c.username...)
	ir = append(ir, 0)
	ir = append(ir, c.password...)
	c.ir = ir
	return Plain, ir, nil
}

// Next fails: PLAIN is a single message, sent as the initial response
// (or in answer to an empty first challenge).
func (c *plainClient) Next(challenge []byte) ([]byte, error) {
	if err := c.check(Plain, challenge); err != nil {
		return nil, err
	}
	if c.replay(challenge) {
		return c.ir, nil
	}
	return nil, newError(Plain, ErrUnexpected, "PLAIN has no challenge")
}

// PlainVerify checks a PLAIN login: the password for username, and that
// username may act as authzid (authzid is empty when the client did not ask
// for another identity). It returns nil to accept; any error rejects the
// login and is wrapped with [ErrAuthFailed]. Compare passwords with
// [SecretEqual] or a password hash, never with ==.
type PlainVerify func(authzid, username, password string) error

// NewPlainServer returns a PLAIN server (RFC 4616) that calls verify with the
// client's message. Identities and password are passed as received; the
// server checks only that they are UTF-8 without NUL, and that username and
// password are not empty.
func NewPlainServer(verify PlainVerify) Server {
	return &plainServer{verify: verify}
}

type plainServer struct {
	oneMessage
	verify  PlainVerify
	authzid string
	authcid string
}

func (s *plainServer) Next(resp []byte) ([]byte, bool, error) {
	if wait, err := s.receive(Plain, resp); err != nil {
		return nil, false, err
	} else if wait {
		return []byte{}, false, nil
	}
	// RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd
	parts := bytes.Split(resp, []byte{0})
	if len(parts) != 3 {
		return nil, false, newError(Plain, ErrMalformed, "message must hold exactly two NULs")
	}
	authzid, authcid, passwd := string(parts[0]), string(parts[1]), string(parts[2])
	if !validUTF8NoNUL(authzid) || !validUTF8NoNUL(authcid) || !validUTF8NoNUL(passwd) {
		return nil, false, newError(Plain, ErrMalformed, "invalid UTF-8")
	}
	// RFC 4616 §2: authcid and passwd are 1*SAFE.
	if authcid == "" || passwd == "" {
		return nil, false, newError(Plain, ErrMalformed, "empty authcid or password")
	}
	if s.verify == nil {
		return nil, false, authFailed(Plain, "no verify function", nil)
	}
	if err := s.verify(authzid, authcid, passwd); err != nil {
		return nil, false, authFailed(Plain, "", err)
	}
	s.succeed()
	s.authcid = authcid
	s.authzid = authzid
	if s.authzid == "" {
		s.authzid = authcid
	}
	return nil, true, nil
}

// Identity returns who logged in, after success.
func (s *plainServer) Identity() (authzid, authcid string) { return s.authzid, s.authcid }
