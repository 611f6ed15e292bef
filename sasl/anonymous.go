package sasl

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxAnonymousToken is RFC 4505 §3's bound: token = 1*255TCHAR.
const maxAnonymousToken = 255

// NewAnonymousClient returns an ANONYMOUS client (RFC 4505) that sends trace
// (an email address, an opaque token of at most 255 characters, or empty).
// Start fails with [ErrInvalidCredentials] if trace is not valid.
func NewAnonymousClient(trace string) Client {
	return &anonymousClient{trace: trace}
}

type anonymousClient struct {
	limit
	irReplay
	trace   string
	started bool
}

func (c *anonymousClient) Start() (string, []byte, error) {
	if c.started {
		return Anonymous, nil, newError(Anonymous, ErrUnexpected, "Start called twice")
	}
	c.started = true
	if !validTrace(c.trace) {
		return Anonymous, nil, newError(Anonymous, ErrInvalidCredentials, "trace is not UTF-8, holds a control character, or is a token over 255 characters")
	}
	c.ir = []byte(c.trace)
	return Anonymous, c.ir, nil
}

func (c *anonymousClient) Next(challenge []byte) ([]byte, error) {
	if err := c.check(Anonymous, challenge); err != nil {
		return nil, err
	}
	if c.replay(challenge) {
		return c.ir, nil
	}
	return nil, newError(Anonymous, ErrUnexpected, "ANONYMOUS has no challenge")
}

// validTrace checks RFC 4505 §3: message = [ email / token ], token =
// 1*255TCHAR (TCHAR excludes '@'), and the trace profile's ban on control
// characters (StringPrep tables C.2.1 and C.2.2).
func validTrace(s string) bool {
	if !utf8.ValidString(s) || strings.IndexFunc(s, unicode.IsControl) >= 0 {
		return false
	}
	if strings.IndexByte(s, '@') < 0 && utf8.RuneCountInString(s) > maxAnonymousToken {
		return false
	}
	return true
}

// AnonymousVerify decides whether to let an anonymous client in; trace is
// what it sent (RFC 4505). It returns nil to accept.
type AnonymousVerify func(trace string) error

// NewAnonymousServer returns an ANONYMOUS server (RFC 4505). verify may be
// nil to accept every valid trace.
func NewAnonymousServer(verify AnonymousVerify) Server {
	return &anonymousServer{verify: verify}
}

type anonymousServer struct {
	oneMessage
	verify AnonymousVerify
	trace  string
}

func (s *anonymousServer) Next(resp []byte) ([]byte, bool, error) {
	if wait, err := s.receive(Anonymous, resp); err != nil {
		return nil, false, err
	} else if wait {
		return []byte{}, false, nil
	}
	if !validTrace(string(resp)) {
		return nil, false, malformed(Anonymous, "invalid trace", resp)
	}
	if s.verify != nil {
		if err := s.verify(string(resp)); err != nil {
			return nil, false, authFailed(Anonymous, "", err)
		}
	}
	s.succeed()
	s.trace = string(resp)
	return nil, true, nil
}

// Identity returns the trace as authzid and "anonymous" as authcid, after
// success.
func (s *anonymousServer) Identity() (authzid, authcid string) {
	if !s.done() {
		return "", ""
	}
	return s.trace, "anonymous"
}
