package sasl

// NewExternalClient returns an EXTERNAL client (RFC 4422 appendix A): its
// initial response is authzid, empty to act as the identity the external
// channel (a TLS client certificate, say) established. Start fails with
// [ErrInvalidCredentials] if authzid is not UTF-8 or holds NUL.
func NewExternalClient(authzid string) Client {
	return &externalClient{authzid: authzid}
}

type externalClient struct {
	limit
	irReplay
	authzid string
	started bool
}

func (c *externalClient) Start() (string, []byte, error) {
	if c.started {
		return External, nil, newError(External, ErrUnexpected, "Start called twice")
	}
	c.started = true
	if !validUTF8NoNUL(c.authzid) {
		return External, nil, newError(External, ErrInvalidCredentials, "authzid is not UTF-8 or holds NUL")
	}
	// Non-nil even when empty: an empty initial response asks for the
	// identity of the external channel.
	c.ir = []byte(c.authzid)
	return External, c.ir, nil
}

func (c *externalClient) Next(challenge []byte) ([]byte, error) {
	if err := c.check(External, challenge); err != nil {
		return nil, err
	}
	if c.replay(challenge) {
		return c.ir, nil
	}
	return nil, newError(External, ErrUnexpected, "EXTERNAL has no challenge")
}

// ExternalVerify decides whether the client, authenticated by the external
// channel the application knows of, may act as authzid (empty: as the
// channel's own identity). It returns nil to accept.
type ExternalVerify func(authzid string) error

// NewExternalServer returns an EXTERNAL server (RFC 4422 appendix A).
func NewExternalServer(verify ExternalVerify) Server {
	return &externalServer{verify: verify}
}

type externalServer struct {
	oneMessage
	verify  ExternalVerify
	authzid string
}

func (s *externalServer) Next(resp []byte) ([]byte, bool, error) {
	if wait, err := s.receive(External, resp); err != nil {
		return nil, false, err
	} else if wait {
		return []byte{}, false, nil
	}
	// RFC 4422 A.1: message = [authz-id-string], UTF-8 without NUL.
	if !validUTF8NoNUL(string(resp)) {
		return nil, false, malformed(External, "authzid is not UTF-8 or holds NUL", resp)
	}
	if s.verify == nil {
		return nil, false, authFailed(External, "no verify function", nil)
	}
	if err := s.verify(string(resp)); err != nil {
		return nil, false, authFailed(External, "", err)
	}
	s.succeed()
	s.authzid = string(resp)
	return nil, true, nil
}

// Identity returns the authzid the client asked for, after success, as both
// values; empty means "the identity of the external channel".
func (s *externalServer) Identity() (authzid, authcid string) { return s.authzid, s.authzid }
