package sasl

import "bytes"

// Challenges sent by the LOGIN server. draft-murchison-sasl-login §2.2
// allows "Username:" and "Password:", which at least one widely deployed
// client requires, instead of "User Name" and "Password".
const (
	loginUserChallenge = "Username:"
	loginPassChallenge = "Password:"
)

// NewLoginClient returns a LOGIN client (draft-murchison-sasl-login). It
// answers the first challenge with username and the second with password,
// ignoring their text (draft §2.1). Start fails with
// [ErrInvalidCredentials] if either holds NUL, CR or LF, or is empty.
func NewLoginClient(username, password string) Client {
	return &loginClient{username: username, password: password}
}

type loginClient struct {
	limit
	username, password string
	step               int // 0: not started; 1: started; 2: username sent; 3: password sent
}

func (c *loginClient) Start() (string, []byte, error) {
	if c.step != 0 {
		return Login, nil, newError(Login, ErrUnexpected, "Start called twice")
	}
	c.step = 1
	// draft §2: passwords may not contain NUL, CR or LF; the same holds for
	// the username, which travels on the same kind of line.
	if c.username == "" || c.password == "" || hasNULCRLF(c.username) || hasNULCRLF(c.password) {
		return Login, nil, newError(Login, ErrInvalidCredentials, "empty, or holds NUL, CR or LF")
	}
	return Login, nil, nil
}

func (c *loginClient) Next(challenge []byte) ([]byte, error) {
	if err := c.check(Login, challenge); err != nil {
		return nil, err
	}
	switch c.step {
	case 1:
		c.step = 2
		return []byte(c.username), nil
	case 2:
		c.step = 3
		return []byte(c.password), nil
	}
	return nil, newError(Login, ErrUnexpected, "no challenge expected")
}

func (c *loginClient) finish() error {
	if c.step != 3 {
		return newError(Login, ErrUnexpected, "server reported success before the password was sent")
	}
	return nil
}

func hasNULCRLF(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == 0 || s[i] == '\r' || s[i] == '\n' {
			return true
		}
	}
	return false
}

// LoginVerify checks a LOGIN username and password. It returns nil to
// accept; any error rejects the login and is wrapped with [ErrAuthFailed].
type LoginVerify func(username, password string) error

// NewLoginServer returns a LOGIN server that sends the challenges
// "Username:" and "Password:" and calls verify. An initial response, which
// some SMTP clients send ("AUTH LOGIN dXNlcg=="), is taken as the username.
func NewLoginServer(verify LoginVerify) Server {
	return &loginServer{verify: verify}
}

type loginServer struct {
	limit
	verify   LoginVerify
	state    int // 0: initial; 1: username asked; 2: password asked; 3: done; 4: failed
	username string
	authcid  string
}

func (s *loginServer) Next(resp []byte) ([]byte, bool, error) {
	if s.state >= 3 {
		return nil, false, newError(Login, ErrUnexpected, "exchange has ended")
	}
	if err := s.check(Login, resp); err != nil {
		s.state = 4
		return nil, false, err
	}
	switch s.state {
	case 0:
		if resp == nil {
			s.state = 1
			return []byte(loginUserChallenge), false, nil
		}
		fallthrough
	case 1:
		if len(resp) == 0 || bytes.ContainsAny(resp, "\x00\r\n") {
			s.state = 4
			return nil, false, newError(Login, ErrMalformed, "username is empty or holds NUL, CR or LF")
		}
		s.username = string(resp)
		s.state = 2
		return []byte(loginPassChallenge), false, nil
	}
	// state 2: the password.
	s.state = 4
	if len(resp) == 0 || bytes.ContainsAny(resp, "\x00\r\n") {
		return nil, false, newError(Login, ErrMalformed, "password is empty or holds NUL, CR or LF")
	}
	if s.verify == nil {
		return nil, false, authFailed(Login, "no verify function", nil)
	}
	if err := s.verify(s.username, string(resp)); err != nil {
		return nil, false, authFailed(Login, "", err)
	}
	s.state = 3
	s.authcid = s.username
	return nil, true, nil
}

// Identity returns who logged in, after success.
func (s *loginServer) Identity() (authzid, authcid string) { return s.authcid, s.authcid }
