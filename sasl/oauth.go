package sasl

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
)

// OAuthError is the JSON error a server sends when an OAUTHBEARER or XOAUTH2
// token is refused (RFC 7628 §3.2.2). A verify function may return one to
// choose what the client is told; it is also what an [OAuthClient] reports
// from [OAuthClient.Failure].
type OAuthError struct {
	// Status is the error code, e.g. "invalid_token" (RFC 7628) or "401"
	// (XOAUTH2).
	Status string `json:"status"`
	// Schemes lists the token schemes the server accepts, e.g. "bearer";
	// XOAUTH2 servers and RFC 7628 §4.4 send it.
	Schemes string `json:"schemes,omitempty"`
	// Scope is an OAuth scope valid to access the service.
	Scope string `json:"scope,omitempty"`
	// OpenIDConfiguration is the URL of an OpenID discovery document.
	OpenIDConfiguration string `json:"openid-configuration,omitempty"`
}

// Error implements the error interface.
func (e *OAuthError) Error() string {
	s := "sasl: oauth error: " + e.Status
	if e.Scope != "" {
		s += " (scope " + e.Scope + ")"
	}
	return s
}

// marshal renders the error as compact JSON, fields in the order of RFC
// 7628 §3.2.2, without escaping '<', '>' and '&'.
func (e *OAuthError) marshal() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(e); err != nil {
		return []byte(`{"status":"invalid_token"}`)
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// OAuthBearerOptions is what an OAUTHBEARER client sends (RFC 7628 §3.1).
type OAuthBearerOptions struct {
	// Username goes in the GS2 header as authzid; may be empty, though
	// many servers require it.
	Username string
	// Token is the OAuth 2.0 bearer token (RFC 6750).
	Token string
	// Host and Port are the server name and port the client connected to;
	// optional (Port 0 is left out).
	Host string
	Port int
}

// OAuthBearerRequest is what an OAUTHBEARER server received (RFC 7628 §3.1).
type OAuthBearerRequest struct {
	// Username is the GS2 authzid, empty if the client sent none.
	Username string
	// Token is the bearer token, when Auth uses the Bearer scheme.
	Token string
	// Auth is the whole "auth" value, e.g. "Bearer vF9dft4qmTc2Nvb3RlckBh".
	Auth string
	// Host and Port are the values the client sent, empty and 0 if none.
	// RFC 7628 §3.2: the server MUST check that they match what it
	// knows from elsewhere.
	Host string
	Port int
	// Params holds every key=value pair, those above included.
	Params map[string]string
}

// OAuthClient is the client side of OAUTHBEARER (RFC 7628) and XOAUTH2.
// Create it with [NewOAuthBearerClient] or [NewXOAuth2Client].
type OAuthClient struct {
	limit
	irReplay
	mech    string
	body    []byte
	err     error // construction error, reported by Start
	state   int   // 0: not started; 1: initial response sent; 2: dummy response sent; 3: failed
	failure *OAuthError
}

// NewOAuthBearerClient returns an OAUTHBEARER client (RFC 7628). When the
// server refuses the token it sends a JSON error as a challenge; the client
// answers it with the dummy response %x01 (RFC 7628 §3.2.3), the server then
// fails the exchange, and [OAuthClient.Failure] holds the server's error.
// Start fails with [ErrInvalidCredentials] if the token is empty or a value
// holds a character RFC 7628 §3.1 does not allow.
func NewOAuthBearerClient(opts OAuthBearerOptions) *OAuthClient {
	c := &OAuthClient{mech: OAuthBearer}
	if opts.Token == "" || !oauthValue(opts.Token) || !oauthValue(opts.Host) || !validUTF8NoNUL(opts.Username) || opts.Port < 0 || opts.Port > 65535 {
		c.err = newError(OAuthBearer, ErrInvalidCredentials, "empty token or invalid character")
		return c
	}
	// RFC 7628 §3.1: client-resp = (gs2-header kvsep *kvpair kvsep) / kvsep
	var b []byte
	b = append(b, "n,"...)
	if opts.Username != "" {
		b = append(b, "a="...)
		b = append(b, scramEscape(opts.Username)...)
	}
	b = append(b, ',', 1)
	if opts.Host != "" {
		b = append(b, "host="...)
		b = append(b, opts.Host...)
		b = append(b, 1)
	}
	if opts.Port != 0 {
		b = append(b, "port="...)
		b = strconv.AppendInt(b, int64(opts.Port), 10)
		b = append(b, 1)
	}
	b = append(b, "auth=Bearer "...)
	b = append(b, opts.Token...)
	b = append(b, 1, 1)
	c.body = b
	return c
}

// NewXOAuth2Client returns an XOAUTH2 client, the format Google and
// Microsoft defined before RFC 7628: "user=" user ^A "auth=Bearer " token
// ^A ^A. When the server refuses the token it sends a JSON error as a
// challenge; the client answers with an empty response and
// [OAuthClient.Failure] holds the error.
func NewXOAuth2Client(user, token string) *OAuthClient {
	c := &OAuthClient{mech: XOAuth2}
	if token == "" || user == "" || !oauthValue(token) || !oauthValue(user) {
		c.err = newError(XOAuth2, ErrInvalidCredentials, "empty user or token, or invalid character")
		return c
	}
	c.body = []byte("user=" + user + "\x01auth=Bearer " + token + "\x01\x01")
	return c
}

// oauthValue checks RFC 7628 §3.1: value = *(VCHAR / SP / HTAB / CR / LF).
// Non-ASCII UTF-8 is allowed too, as servers see it in user names.
func oauthValue(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 && c != '\t' && c != '\r' && c != '\n' || c == 0x7f {
			return false
		}
	}
	return true
}

// Start returns the mechanism name and the initial response.
func (c *OAuthClient) Start() (string, []byte, error) {
	if c.state != 0 {
		return c.mech, nil, newError(c.mech, ErrUnexpected, "Start called twice")
	}
	if c.err != nil {
		c.state = 3
		return c.mech, nil, c.err
	}
	c.state = 1
	c.ir = c.body
	return c.mech, c.ir, nil
}

// Next takes the server's error challenge, records it for
// [OAuthClient.Failure] and returns the dummy response.
func (c *OAuthClient) Next(challenge []byte) ([]byte, error) {
	if err := c.check(c.mech, challenge); err != nil {
		c.state = 3
		return nil, err
	}
	if c.state == 1 && c.replay(challenge) {
		return c.ir, nil
	}
	if c.state != 1 {
		c.state = 3
		return nil, newError(c.mech, ErrUnexpected, "no challenge expected")
	}
	c.state = 2
	var e OAuthError
	if err := json.Unmarshal(challenge, &e); err != nil {
		c.failure = &OAuthError{Status: "invalid_token"}
	} else {
		c.failure = &e
	}
	if c.mech == XOAuth2 {
		return []byte{}, nil
	}
	// RFC 7628 §3.2.3: the client MUST send a single %x01 (or abort).
	return []byte{1}, nil
}

// Failure returns the server's JSON error once the server has refused the
// token, else nil.
func (c *OAuthClient) Failure() *OAuthError { return c.failure }

func (c *OAuthClient) finish() error {
	if c.state != 1 {
		return &Error{Mechanism: c.mech, Err: ErrAuthFailed, Reason: "server reported success after refusing the token"}
	}
	return nil
}

// OAuthBearerVerify checks an OAUTHBEARER request: the token, and that the
// Host and Port match the server. It returns nil to accept. To choose what
// the client is told on failure, return an [*OAuthError] (possibly wrapped);
// any other error sends {"status":"invalid_token"}.
type OAuthBearerVerify func(req OAuthBearerRequest) error

// NewOAuthBearerServer returns an OAUTHBEARER server (RFC 7628). On failure
// it sends the JSON error of RFC 7628 §3.2.2 as a challenge, waits for the
// client's dummy response %x01, and then returns the error (wrapping
// [ErrAuthFailed] and the verify error).
func NewOAuthBearerServer(verify OAuthBearerVerify) Server {
	if verify == nil {
		return &oauthServer{mech: OAuthBearer}
	}
	return &oauthServer{mech: OAuthBearer, bearer: func(req OAuthBearerRequest) (string, error) {
		return req.Username, verify(req)
	}}
}

// OAuthBearerIdentify is [OAuthBearerVerify] that also returns the identity
// the token establishes (RFC 7628 §3.2: the authenticated identity is the
// one securely established with the OAuth credential).
type OAuthBearerIdentify func(req OAuthBearerRequest) (identity string, err error)

// NewOAuthBearerIdentityServer is [NewOAuthBearerServer] for a verify
// function that knows whose token it checked: [Identity] then returns that
// identity as authcid, and as authzid unless the client named another one
// in its GS2 header (which verify must have allowed).
func NewOAuthBearerIdentityServer(verify OAuthBearerIdentify) Server {
	return &oauthServer{mech: OAuthBearer, bearer: verify}
}

// XOAuth2Verify checks an XOAUTH2 user and token; see [OAuthBearerVerify]
// for the error. Any other error sends {"status":"401","schemes":"bearer"}.
type XOAuth2Verify func(user, token string) error

// NewXOAuth2Server returns an XOAUTH2 server. On failure it sends the JSON
// error as a challenge, waits for the client's (empty) response, and then
// returns the error (wrapping [ErrAuthFailed] and the verify error).
func NewXOAuth2Server(verify XOAuth2Verify) Server {
	return &oauthServer{mech: XOAuth2, xoauth2: verify}
}

type oauthServer struct {
	limit
	mech     string
	bearer   OAuthBearerIdentify
	xoauth2  XOAuth2Verify
	state    int // 0: initial; 1: empty challenge sent; 2: error challenge sent; 3: done; 4: failed
	verr     error
	status   string
	authzid  string
	username string
}

func (s *oauthServer) Next(resp []byte) ([]byte, bool, error) {
	switch s.state {
	case 0:
		if resp == nil {
			s.state = 1
			return []byte{}, false, nil
		}
	case 1:
	case 2:
		// RFC 7628 §3.2.3: the client's dummy response ends the exchange,
		// which fails whatever the client sent.
		s.state = 4
		e := authFailed(s.mech, s.status, s.verr)
		if s.mech == OAuthBearer && string(resp) != "\x01" {
			e.Reason += " (client sent no %x01 dummy response)"
		}
		return nil, false, e
	default:
		return nil, false, newError(s.mech, ErrUnexpected, "exchange has ended")
	}
	s.state = 4
	if err := s.check(s.mech, resp); err != nil {
		return nil, false, err
	}
	var user, authzid string
	var err error
	var def OAuthError
	if s.mech == OAuthBearer {
		var req OAuthBearerRequest
		if req, err = parseOAuthBearer(resp); err != nil {
			return nil, false, err
		}
		if s.bearer == nil {
			return nil, false, authFailed(s.mech, "no verify function", nil)
		}
		authzid = req.Username
		user, err = s.bearer(req)
		def = OAuthError{Status: "invalid_token"}
	} else {
		var token string
		if user, token, err = parseXOAuth2(resp); err != nil {
			return nil, false, err
		}
		if s.xoauth2 == nil {
			return nil, false, authFailed(s.mech, "no verify function", nil)
		}
		err = s.xoauth2(user, token)
		def = OAuthError{Status: "401", Schemes: "bearer"}
	}
	if err != nil {
		oe := &def
		errors.As(err, &oe)
		s.verr = err
		s.status = oe.Status
		s.state = 2
		return oe.marshal(), false, nil
	}
	s.state = 3
	s.username = user
	s.authzid = authzid
	if s.authzid == "" {
		s.authzid = user
	}
	return nil, true, nil
}

// Identity returns who logged in, after success: for XOAUTH2 the user; for
// OAUTHBEARER the identity from [NewOAuthBearerIdentityServer]'s verify
// function, or with [NewOAuthBearerServer] the GS2 authzid (possibly empty:
// then only the application's verify function knows whose token it was).
func (s *oauthServer) Identity() (authzid, authcid string) {
	if s.state != 3 {
		return "", ""
	}
	return s.authzid, s.username
}

// parseOAuthBearer parses RFC 7628 §3.1's client-resp. Its errors do not
// quote the message, which holds a token.
func parseOAuthBearer(resp []byte) (OAuthBearerRequest, error) {
	var req OAuthBearerRequest
	if string(resp) == "\x01" {
		// RFC 7628 §3.1: a lone kvsep as first message MAY simply fail.
		return req, newError(OAuthBearer, ErrAuthFailed, "empty client response")
	}
	// gs2-header = [gs2-nonstd-flag ","] gs2-cb-flag "," [gs2-authzid] ","
	msg := string(resp)
	var flag, authz string
	var ok bool
	if flag, msg, ok = strings.Cut(msg, ","); !ok {
		return req, newError(OAuthBearer, ErrMalformed, "no GS2 header")
	}
	if authz, msg, ok = strings.Cut(msg, ","); !ok {
		return req, newError(OAuthBearer, ErrMalformed, "no GS2 header")
	}
	switch {
	case flag == "n" || flag == "y":
	case strings.HasPrefix(flag, "p="):
		return req, newError(OAuthBearer, ErrChannelBinding, "OAUTHBEARER has no channel binding")
	default:
		return req, newError(OAuthBearer, ErrMalformed, "invalid GS2 flag")
	}
	if authz != "" {
		if !strings.HasPrefix(authz, "a=") {
			return req, newError(OAuthBearer, ErrMalformed, "invalid GS2 authzid")
		}
		if req.Username, ok = scramUnescape(authz[2:]); !ok {
			return req, newError(OAuthBearer, ErrMalformed, "invalid GS2 authzid encoding")
		}
	}
	// kvsep *kvpair kvsep, kvpair = key "=" value kvsep
	if !strings.HasPrefix(msg, "\x01") || !strings.HasSuffix(msg, "\x01\x01") {
		return req, newError(OAuthBearer, ErrMalformed, "key/value pairs not framed by ^A")
	}
	pairs := msg[1:]
	req.Params = map[string]string{}
	for pairs != "\x01" {
		kv, rest, _ := strings.Cut(pairs, "\x01")
		pairs = rest
		key, val, ok := strings.Cut(kv, "=")
		if !ok || key == "" || !allAlpha(key) || !oauthValue(val) {
			return req, newError(OAuthBearer, ErrMalformed, "invalid key/value pair")
		}
		if _, dup := req.Params[key]; dup {
			return req, newError(OAuthBearer, ErrMalformed, "duplicate key "+key)
		}
		req.Params[key] = val
	}
	// RFC 7628 §3.1: auth is REQUIRED.
	auth, ok := req.Params["auth"]
	if !ok {
		return req, newError(OAuthBearer, ErrMalformed, "no auth key")
	}
	req.Auth = auth
	if scheme, token, ok := strings.Cut(auth, " "); ok && strings.EqualFold(scheme, "Bearer") {
		req.Token = strings.TrimLeft(token, " ")
	}
	req.Host = req.Params["host"]
	if p, ok := req.Params["port"]; ok {
		n, err := parsePositive(p)
		if err != nil || n > 65535 {
			return req, newError(OAuthBearer, ErrMalformed, "invalid port")
		}
		req.Port = n
	}
	return req, nil
}

func allAlpha(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isAlpha(s[i]) {
			return false
		}
	}
	return true
}

// parseXOAuth2 parses "user=" user ^A "auth=Bearer " token ^A ^A.
func parseXOAuth2(resp []byte) (user, token string, err error) {
	msg, ok := strings.CutSuffix(string(resp), "\x01\x01")
	if !ok {
		return "", "", newError(XOAuth2, ErrMalformed, "not ended by ^A^A")
	}
	u, a, ok := strings.Cut(msg, "\x01")
	if !ok || !strings.HasPrefix(u, "user=") || !strings.HasPrefix(a, "auth=") || strings.Contains(a, "\x01") {
		return "", "", newError(XOAuth2, ErrMalformed, "want user=...^Aauth=...")
	}
	user = u[len("user="):]
	scheme, token, ok := strings.Cut(a[len("auth="):], " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || user == "" || token == "" || !validUTF8NoNUL(user) {
		return "", "", newError(XOAuth2, ErrMalformed, "want a user and a Bearer token")
	}
	return user, strings.TrimLeft(token, " "), nil
}
