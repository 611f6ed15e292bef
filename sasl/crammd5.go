package sasl

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"strconv"
	"time"
)

// NewCRAMMD5Client returns a CRAM-MD5 client (RFC 2195). secret is the
// shared secret (the password). Start fails with [ErrInvalidCredentials] if
// username is empty or holds a space or control character.
func NewCRAMMD5Client(username, secret string) Client {
	return &cramClient{username: username, secret: secret}
}

type cramClient struct {
	limit
	username, secret string
	step             int // 0: not started; 1: started; 2: answered
}

func (c *cramClient) Start() (string, []byte, error) {
	if c.step != 0 {
		return CRAMMD5, nil, newError(CRAMMD5, ErrUnexpected, "Start called twice")
	}
	c.step = 1
	if c.username == "" || hasCtlOrSpace(c.username) {
		return CRAMMD5, nil, newError(CRAMMD5, ErrInvalidCredentials, "username is empty or holds a space or control character")
	}
	return CRAMMD5, nil, nil
}

func (c *cramClient) Next(challenge []byte) ([]byte, error) {
	if err := c.check(CRAMMD5, challenge); err != nil {
		return nil, err
	}
	if c.step != 1 {
		return nil, newError(CRAMMD5, ErrUnexpected, "no challenge expected")
	}
	c.step = 2
	if len(challenge) == 0 {
		return nil, newError(CRAMMD5, ErrMalformed, "empty challenge")
	}
	// RFC 2195 §2: the user name, a space, and the digest as 32 lower-case
	// hexadecimal digits.
	resp := make([]byte, 0, len(c.username)+1+2*md5.Size)
	resp = append(resp, c.username...)
	resp = append(resp, ' ')
	resp = hex.AppendEncode(resp, cramDigest(c.secret, challenge))
	return resp, nil
}

func (c *cramClient) finish() error {
	if c.step != 2 {
		return newError(CRAMMD5, ErrUnexpected, "server reported success before the challenge")
	}
	return nil
}

func cramDigest(secret string, challenge []byte) []byte {
	m := hmac.New(md5.New, []byte(secret))
	m.Write(challenge)
	return m.Sum(nil)
}

func hasCtlOrSpace(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] == 0x7f {
			return true
		}
	}
	return false
}

// CRAMMD5Lookup returns the shared secret of username. An error rejects the
// login and is wrapped with [ErrAuthFailed].
type CRAMMD5Lookup func(username string) (secret string, err error)

// NewCRAMMD5Server returns a CRAM-MD5 server (RFC 2195). Its challenge is a
// fresh msg-id "<random.timestamp@hostname>", random from crypto/rand;
// hostname should be the server's name. The client's digest is checked
// against the secret from lookup in constant time.
func NewCRAMMD5Server(hostname string, lookup CRAMMD5Lookup) Server {
	return &cramServer{hostname: hostname, lookup: lookup, challenge: cramChallenge}
}

// cramChallenge returns "<random.timestamp@hostname>" (RFC 2195 §2: the
// challenge is a unique msg-id, in the form of RFC 822 msg-id).
func cramChallenge(hostname string) ([]byte, error) {
	var r [8]byte
	if _, err := rand.Read(r[:]); err != nil {
		return nil, err
	}
	if hostname == "" {
		hostname = "localhost"
	}
	b := []byte{'<'}
	b = strconv.AppendUint(b, binary.BigEndian.Uint64(r[:]), 10)
	b = append(b, '.')
	b = strconv.AppendInt(b, time.Now().UnixNano(), 10)
	b = append(b, '@')
	b = append(b, hostname...)
	b = append(b, '>')
	return b, nil
}

type cramServer struct {
	limit
	hostname  string
	lookup    CRAMMD5Lookup
	challenge func(hostname string) ([]byte, error) // replaced by tests
	state     int                                   // 0: initial; 1: challenge sent; 2: done; 3: failed
	sent      []byte
	authcid   string
}

func (s *cramServer) Next(resp []byte) ([]byte, bool, error) {
	switch s.state {
	case 0:
		// RFC 2195 is server-first: there is no initial response.
		if len(resp) != 0 {
			s.state = 3
			return nil, false, newError(CRAMMD5, ErrUnexpected, "CRAM-MD5 takes no initial response")
		}
		ch, err := s.challenge(s.hostname)
		if err != nil {
			s.state = 3
			return nil, false, &Error{Mechanism: CRAMMD5, Err: ErrAuthFailed, Reason: "no challenge", Cause: err}
		}
		s.sent = ch
		s.state = 1
		return ch, false, nil
	case 1:
	default:
		return nil, false, newError(CRAMMD5, ErrUnexpected, "exchange has ended")
	}
	s.state = 3
	if err := s.check(CRAMMD5, resp); err != nil {
		return nil, false, err
	}
	sp := bytes.LastIndexByte(resp, ' ')
	if sp <= 0 {
		return nil, false, newError(CRAMMD5, ErrMalformed, "no space between user name and digest")
	}
	user, digestHex := resp[:sp], resp[sp+1:]
	if len(digestHex) != 2*md5.Size {
		return nil, false, malformed(CRAMMD5, "digest is not 32 hex digits", resp)
	}
	digest := make([]byte, md5.Size)
	if _, err := hex.Decode(digest, digestHex); err != nil {
		return nil, false, malformed(CRAMMD5, "digest is not 32 hex digits", resp)
	}
	if !validUTF8NoNUL(string(user)) {
		return nil, false, newError(CRAMMD5, ErrMalformed, "user name is not UTF-8")
	}
	if s.lookup == nil {
		return nil, false, authFailed(CRAMMD5, "no lookup function", nil)
	}
	secret, err := s.lookup(string(user))
	if err != nil {
		return nil, false, authFailed(CRAMMD5, "", err)
	}
	if !hmac.Equal(digest, cramDigest(secret, s.sent)) {
		return nil, false, authFailed(CRAMMD5, "wrong digest", nil)
	}
	s.state = 2
	s.authcid = string(user)
	return nil, true, nil
}

// Identity returns who logged in, after success.
func (s *cramServer) Identity() (authzid, authcid string) { return s.authcid, s.authcid }
