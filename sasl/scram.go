package sasl

import (
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"hash"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/secure/precis"
)

// Bounds on the iteration count a SCRAM client accepts from a server. RFC
// 5802 §5.1 and RFC 7677 §3 say servers SHOULD announce at least 4096; a
// lower count makes an offline guess on a captured exchange cheaper, and a
// huge one lets a server make the client spin. Change them with the
// MinIterations and MaxIterations fields of [ScramClient].
const (
	DefaultScramMinIterations = 4096
	DefaultScramMaxIterations = 1_000_000
)

// scramNonceLen is the number of random bytes in a nonce; base64 makes it 24
// printable characters without ','.
const scramNonceLen = 18

// scramMech describes one SCRAM mechanism.
type scramMech struct {
	name    string
	newHash func() hash.Hash
	plus    bool
}

// lookupScram finds the mechanism of a name, case-insensitively.
func lookupScram(name string) (scramMech, bool) {
	switch strings.ToUpper(name) {
	case ScramSHA1:
		return scramMech{ScramSHA1, sha1.New, false}, true
	case ScramSHA1Plus:
		return scramMech{ScramSHA1Plus, sha1.New, true}, true
	case ScramSHA256:
		return scramMech{ScramSHA256, sha256.New, false}, true
	case ScramSHA256Plus:
		return scramMech{ScramSHA256Plus, sha256.New, true}, true
	}
	return scramMech{}, false
}

// ScramCredentials is what a server stores for a SCRAM user instead of the
// password (RFC 5802 §3): the salt, the iteration count, StoredKey =
// H(ClientKey) and ServerKey. They belong to one hash: credentials for
// SCRAM-SHA-256 do not work for SCRAM-SHA-1.
type ScramCredentials struct {
	Salt       []byte
	Iterations int
	StoredKey  []byte
	ServerKey  []byte
}

// ScramLookup returns the stored credentials of username for the hash of the
// mechanism the server was created for (-PLUS and plain variants of one hash
// share credentials; a server offering both SHA-1 and SHA-256 gives each
// [NewScramServer] a lookup for its hash). username has been prepared with
// the PRECIS OpaqueString profile. An error rejects the login
// ("unknown-user").
type ScramLookup func(username string) (ScramCredentials, error)

// DeriveScramCredentials computes the credentials a server stores for a
// password (RFC 5802 §3). hashName is "SHA-1" or "SHA-256", or a SCRAM
// mechanism name. The password is prepared with the PRECIS OpaqueString
// profile (RFC 8265 §4.2, the successor of SASLprep) before hashing, as
// RFC 4616 §2 requires of any stored hash. Iterations must be at least 1;
// use 4096 or more.
func DeriveScramCredentials(hashName string, password string, salt []byte, iterations int) (ScramCredentials, error) {
	var m scramMech
	switch strings.ToUpper(hashName) {
	case "SHA-1", "SHA1":
		m, _ = lookupScram(ScramSHA1)
	case "SHA-256", "SHA256":
		m, _ = lookupScram(ScramSHA256)
	default:
		var ok bool
		if m, ok = lookupScram(hashName); !ok {
			return ScramCredentials{}, newError(hashName, ErrUnsupported, "unknown hash")
		}
	}
	if iterations < 1 || len(salt) == 0 {
		return ScramCredentials{}, newError(m.name, ErrInvalidCredentials, "empty salt or iteration count below 1")
	}
	p, err := precis.OpaqueString.String(password)
	if err != nil {
		return ScramCredentials{}, &Error{Mechanism: m.name, Err: ErrInvalidCredentials, Reason: "password rejected by SASLprep", Cause: err}
	}
	salted, err := pbkdf2.Key(m.newHash, p, salt, iterations, m.newHash().Size())
	if err != nil {
		return ScramCredentials{}, &Error{Mechanism: m.name, Err: ErrInvalidCredentials, Cause: err}
	}
	clientKey := hmacSum(m.newHash, salted, "Client Key")
	stored := m.newHash()
	stored.Write(clientKey)
	return ScramCredentials{
		Salt:       append([]byte(nil), salt...),
		Iterations: iterations,
		StoredKey:  stored.Sum(nil),
		ServerKey:  hmacSum(m.newHash, salted, "Server Key"),
	}, nil
}

// ScramMechanisms lists the SCRAM mechanisms a server should advertise,
// strongest first: the -PLUS variants only when cb is not nil (RFC 5802 §6).
func ScramMechanisms(cb *ChannelBinding) []string {
	if cb != nil {
		return []string{ScramSHA256Plus, ScramSHA256, ScramSHA1Plus, ScramSHA1}
	}
	return []string{ScramSHA256, ScramSHA1}
}

func hmacSum(h func() hash.Hash, key []byte, msgs ...string) []byte {
	m := hmac.New(h, key)
	for _, s := range msgs {
		m.Write([]byte(s))
	}
	return m.Sum(nil)
}

func scramNonce() (string, error) {
	var b [scramNonceLen]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawStdEncoding.EncodeToString(b[:]), nil
}

// scramEscape encodes a saslname (RFC 5802 §5.1: ',' and '=' are sent as
// "=2C" and "=3D").
func scramEscape(s string) string {
	if !strings.ContainsAny(s, ",=") {
		return s
	}
	r := strings.NewReplacer("=", "=3D", ",", "=2C")
	return r.Replace(s)
}

// scramUnescape decodes a saslname; ok is false if '=' is followed by
// anything but "2C" or "3D" (RFC 5802 §5.1: the server MUST fail), or the
// name is empty, not UTF-8, or holds NUL.
func scramUnescape(s string) (string, bool) {
	if s == "" || !validUTF8NoNUL(s) {
		return "", false
	}
	if strings.IndexByte(s, '=') < 0 {
		return s, true
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '=' {
			b.WriteByte(s[i])
			continue
		}
		switch {
		case strings.HasPrefix(s[i:], "=2C"):
			b.WriteByte(',')
		case strings.HasPrefix(s[i:], "=3D"):
			b.WriteByte('=')
		default:
			return "", false
		}
		i += 2
	}
	return b.String(), true
}

// scramPrintable reports whether s is a valid nonce (RFC 5802 §7:
// printable = %x21-2B / %x2D-7E).
func scramPrintable(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e || s[i] == ',' {
			return false
		}
	}
	return true
}

// scramAttr is one attr-val of a SCRAM message.
type scramAttr struct {
	key byte
	val string
}

// scramAttrs splits a message into attr-val pairs (RFC 5802 §7:
// attr-val = ALPHA "=" value, value = 1*value-char).
func scramAttrs(msg string) ([]scramAttr, bool) {
	if !utf8.ValidString(msg) {
		return nil, false
	}
	var out []scramAttr
	for len(msg) > 0 || out == nil {
		field := msg
		if i := strings.IndexByte(msg, ','); i >= 0 {
			field, msg = msg[:i], msg[i+1:]
			if msg == "" {
				return nil, false // trailing comma
			}
		} else {
			msg = ""
		}
		if len(field) < 3 || field[1] != '=' || !isAlpha(field[0]) || strings.IndexByte(field, 0) >= 0 {
			return nil, false
		}
		out = append(out, scramAttr{field[0], field[2:]})
	}
	return out, true
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func decodeB64(s string) ([]byte, bool) {
	b, err := base64.StdEncoding.Strict().DecodeString(s)
	return b, err == nil
}

// scramSentinel maps an RFC 5802 §7 server-error-value to a sentinel.
func scramSentinel(value string) error {
	switch value {
	case "invalid-encoding", "extensions-not-supported", "invalid-username-encoding":
		return ErrMalformed
	case "channel-bindings-dont-match", "server-does-support-channel-binding",
		"channel-binding-not-supported", "unsupported-channel-binding-type":
		return ErrChannelBinding
	}
	return ErrAuthFailed
}

// scramErr builds the error of a failed exchange; reason is the
// server-error-value, detail (may be empty) says more.
func scramErr(mech, reason, detail string) *Error {
	e := newError(mech, scramSentinel(reason), reason)
	if detail != "" {
		e.Cause = errors.New(detail)
	}
	return e
}

// ScramClient is the client side of SCRAM-SHA-1, SCRAM-SHA-256 and their
// -PLUS variants (RFC 5802, RFC 7677). Create it with [NewScramClient].
type ScramClient struct {
	limit
	irReplay
	// MinIterations and MaxIterations bound the iteration count the server
	// may ask for; outside them the exchange fails with [ErrMalformed].
	// NewScramClient sets them to DefaultScramMinIterations and
	// DefaultScramMaxIterations.
	MinIterations, MaxIterations int

	mech                        scramMech
	known                       bool
	authzid, username, password string
	cb                          *ChannelBinding
	nonce                       func() (string, error) // replaced by tests

	state     int // 0: not started; 1: client-first sent; 2: client-final sent; 3: done; 4: failed
	gs2       string
	bare      string
	cnonce    string
	serverSig []byte
}

// NewScramClient returns a client for mech, one of [ScramSHA1],
// [ScramSHA1Plus], [ScramSHA256] and [ScramSHA256Plus] (any case). authzid
// is the identity to act as, empty for username itself. username and
// password are prepared with the PRECIS OpaqueString profile (RFC 8265, the
// successor of SASLprep).
//
// cb is the channel binding of the TLS connection, nil if there is none.
// A -PLUS mechanism needs it (Start fails with [ErrChannelBinding]
// otherwise) and sends the "p" flag. Given to a plain SCRAM mechanism, cb
// makes the client send the "y" flag, which says "I support channel binding
// but you did not offer it" (RFC 5802 §6): use that only when the server did
// not advertise the -PLUS variant, as [Choose] does.
//
// Start fails with [ErrUnsupported] for another mechanism name.
func NewScramClient(mech string, authzid, username, password string, cb *ChannelBinding) *ScramClient {
	m, ok := lookupScram(mech)
	if !ok {
		m.name = mech
	}
	return &ScramClient{
		MinIterations: DefaultScramMinIterations,
		MaxIterations: DefaultScramMaxIterations,
		mech:          m,
		known:         ok,
		authzid:       authzid,
		username:      username,
		password:      password,
		cb:            cb,
		nonce:         scramNonce,
	}
}

func (c *ScramClient) fail(err error) error {
	c.state = 4
	return err
}

// Start returns the client-first-message.
func (c *ScramClient) Start() (string, []byte, error) {
	mech := c.mech.name
	if c.state != 0 {
		return mech, nil, newError(mech, ErrUnexpected, "Start called twice")
	}
	c.state = 4
	if !c.known {
		return mech, nil, newError(mech, ErrUnsupported, "not a SCRAM mechanism")
	}
	user, err := precis.OpaqueString.String(c.username)
	if err != nil {
		return mech, nil, &Error{Mechanism: mech, Err: ErrInvalidCredentials, Reason: "username rejected by SASLprep", Cause: err}
	}
	if c.password, err = precis.OpaqueString.String(c.password); err != nil {
		return mech, nil, &Error{Mechanism: mech, Err: ErrInvalidCredentials, Reason: "password rejected by SASLprep", Cause: err}
	}
	if c.authzid != "" && !validUTF8NoNUL(c.authzid) {
		return mech, nil, newError(mech, ErrInvalidCredentials, "authzid is not UTF-8 or holds NUL")
	}
	// RFC 5802 §7: gs2-cbind-flag = ("p=" cb-name) / "n" / "y".
	var flag string
	switch {
	case c.mech.plus && c.cb == nil:
		return mech, nil, newError(mech, ErrChannelBinding, "no channel binding for a -PLUS mechanism")
	case c.mech.plus:
		if !validCBName(c.cb.Type) {
			return mech, nil, newError(mech, ErrChannelBinding, "invalid channel binding type")
		}
		flag = "p=" + c.cb.Type
	case c.cb != nil:
		flag = "y"
	default:
		flag = "n"
	}
	c.gs2 = flag + ","
	if c.authzid != "" {
		c.gs2 += "a=" + scramEscape(c.authzid)
	}
	c.gs2 += ","
	if c.cnonce, err = c.nonce(); err != nil {
		return mech, nil, &Error{Mechanism: mech, Err: ErrAuthFailed, Reason: "no nonce", Cause: err}
	}
	c.bare = "n=" + scramEscape(user) + ",r=" + c.cnonce
	c.state = 1
	c.ir = []byte(c.gs2 + c.bare)
	return mech, c.ir, nil
}

// validCBName checks RFC 5802 §7: cb-name = 1*(ALPHA / DIGIT / "." / "-").
func validCBName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlpha(s[i]) && !(s[i] >= '0' && s[i] <= '9') && s[i] != '.' && s[i] != '-' {
			return false
		}
	}
	return true
}

// Next answers the server-first-message with the client-final-message, and
// checks the server-final-message.
func (c *ScramClient) Next(challenge []byte) ([]byte, error) {
	mech := c.mech.name
	if err := c.check(mech, challenge); err != nil {
		return nil, c.fail(err)
	}
	switch c.state {
	case 1:
		if c.replay(challenge) {
			return c.ir, nil
		}
		return c.serverFirst(string(challenge))
	case 2:
		return c.serverFinal(string(challenge))
	}
	return nil, c.fail(newError(mech, ErrUnexpected, "no challenge expected"))
}

func (c *ScramClient) serverFirst(msg string) ([]byte, error) {
	mech := c.mech.name
	c.state = 4
	attrs, ok := scramAttrs(msg)
	if !ok {
		return nil, malformed(mech, "server-first-message syntax", []byte(msg))
	}
	// RFC 5802 §5.1: an "m" attribute MUST cause authentication failure.
	if attrs[0].key == 'm' {
		return nil, scramErr(mech, "extensions-not-supported", "server sent a mandatory extension")
	}
	// server-first-message = nonce "," salt "," iteration-count ["," extensions]
	if len(attrs) < 3 || attrs[0].key != 'r' || attrs[1].key != 's' || attrs[2].key != 'i' {
		return nil, malformed(mech, "server-first-message must be r=,s=,i=", []byte(msg))
	}
	nonce := attrs[0].val
	// RFC 5802 §5.1: the client MUST verify that the initial part of the
	// nonce is the nonce it sent.
	if !strings.HasPrefix(nonce, c.cnonce) || len(nonce) == len(c.cnonce) || !scramPrintable(nonce) {
		return nil, malformed(mech, "server nonce does not extend the client nonce", []byte(msg))
	}
	salt, ok := decodeB64(attrs[1].val)
	if !ok || len(salt) == 0 {
		return nil, malformed(mech, "invalid salt", []byte(msg))
	}
	iter, err := parsePositive(attrs[2].val)
	if err != nil {
		return nil, malformed(mech, "invalid iteration count", []byte(msg))
	}
	if iter < c.MinIterations || iter > c.MaxIterations {
		return nil, newError(mech, ErrMalformed, "iteration count "+strconv.Itoa(iter)+" outside ["+strconv.Itoa(c.MinIterations)+", "+strconv.Itoa(c.MaxIterations)+"]")
	}
	h := c.mech.newHash
	salted, err := pbkdf2.Key(h, c.password, salt, iter, h().Size())
	if err != nil {
		return nil, &Error{Mechanism: mech, Err: ErrAuthFailed, Cause: err}
	}
	cbind := []byte(c.gs2)
	if c.mech.plus {
		cbind = append(cbind, c.cb.Data...)
	}
	withoutProof := "c=" + base64.StdEncoding.EncodeToString(cbind) + ",r=" + nonce
	authMsg := c.bare + "," + msg + "," + withoutProof
	clientKey := hmacSum(h, salted, "Client Key")
	d := h()
	d.Write(clientKey)
	storedKey := d.Sum(nil)
	proof := hmacSum(h, storedKey, authMsg)
	subtle.XORBytes(proof, proof, clientKey)
	c.serverSig = hmacSum(h, hmacSum(h, salted, "Server Key"), authMsg)
	c.state = 2
	return []byte(withoutProof + ",p=" + base64.StdEncoding.EncodeToString(proof)), nil
}

func (c *ScramClient) serverFinal(msg string) ([]byte, error) {
	mech := c.mech.name
	c.state = 4
	attrs, ok := scramAttrs(msg)
	if !ok {
		return nil, malformed(mech, "server-final-message syntax", []byte(msg))
	}
	switch attrs[0].key {
	case 'e':
		return nil, scramErr(mech, attrs[0].val, "server reported an error")
	case 'v':
		sig, ok := decodeB64(attrs[0].val)
		if !ok {
			return nil, malformed(mech, "invalid verifier", []byte(msg))
		}
		// RFC 5802 §5: if the signatures differ, the client MUST consider
		// the exchange unsuccessful.
		if !hmac.Equal(sig, c.serverSig) {
			return nil, newError(mech, ErrMutualAuth, "wrong server signature")
		}
		c.state = 3
		return []byte{}, nil
	}
	return nil, malformed(mech, "server-final-message must start with v= or e=", []byte(msg))
}

func (c *ScramClient) finish() error {
	if c.state != 3 {
		return newError(c.mech.name, ErrMutualAuth, "server reported success without a valid server-final-message")
	}
	return nil
}

// parsePositive parses RFC 5802's posit-number = %x31-39 *DIGIT.
func parsePositive(s string) (int, error) {
	if s == "" || s[0] < '1' || s[0] > '9' || len(s) > 9 {
		return 0, strconv.ErrSyntax
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, strconv.ErrSyntax
		}
	}
	return strconv.Atoi(s)
}

// ScramAuthorize decides whether username (the authentication identity,
// whose proof was valid) may act as authzid (empty when the client did not
// ask for another identity). An error rejects the login.
type ScramAuthorize func(authzid, username string) error

// NewScramServer returns a server for mech, one of [ScramSHA1],
// [ScramSHA1Plus], [ScramSHA256] and [ScramSHA256Plus] (any case). It never
// needs the password: lookup returns the stored [ScramCredentials].
//
// cb is the channel binding of the server's side of the TLS connection, nil
// if there is none; a server given a cb is taken to advertise the -PLUS
// variants ([ScramMechanisms]), so a client sending the "y" flag fails
// (RFC 5802 §6, downgrade detection). A -PLUS mechanism without cb fails
// every exchange with [ErrChannelBinding].
//
// authorize may be nil: then a client may only ask for authzid equal to its
// username. To accept several channel binding types on one connection, use
// [NewScramServerConfig] with [ServerChannelBindings].
//
// On failure the error is an [*Error] whose Reason is RFC 5802's
// server-error-value ("invalid-proof", "unknown-user"...). The server does
// not send it: RFC 5802 §5.1 lets a server end a failed exchange without a
// server-final-message. A protocol that does send one should say
// "other-error" for "unknown-user", as RFC 5802 §7 allows: the exchange
// itself hides whether a user exists, as an unknown user gets decoy salt
// and iteration count and fails only at the proof.
func NewScramServer(mech string, lookup ScramLookup, cb *ChannelBinding, authorize ScramAuthorize) Server {
	var cbs []*ChannelBinding
	if cb != nil {
		cbs = []*ChannelBinding{cb}
	}
	return NewScramServerConfig(mech, ScramServerConfig{Lookup: lookup, Authorize: authorize, ChannelBindings: cbs})
}

// ScramServerConfig configures [NewScramServerConfig].
type ScramServerConfig struct {
	// Lookup returns the stored credentials of a user.
	Lookup ScramLookup
	// Authorize decides whether a user may act as the authzid it asked
	// for; nil allows only authzid equal to the username.
	Authorize ScramAuthorize
	// ChannelBindings are the bindings of the server's side of the TLS
	// connection, one per type it supports ([ServerChannelBindings]); the
	// client's choice among them is used (RFC 5802 §6.1). Empty means no
	// channel binding.
	ChannelBindings []*ChannelBinding
}

// NewScramServerConfig is [NewScramServer] with a server that may accept
// several channel binding types.
func NewScramServerConfig(mech string, cfg ScramServerConfig) Server {
	m, ok := lookupScram(mech)
	if !ok {
		m.name = mech
	}
	var cbs []*ChannelBinding
	for _, cb := range cfg.ChannelBindings {
		if cb != nil {
			cbs = append(cbs, cb)
		}
	}
	return &scramServer{mech: m, known: ok, lookup: cfg.Lookup, cbs: cbs, authorize: cfg.Authorize, nonce: scramNonce}
}

type scramServer struct {
	limit
	mech      scramMech
	known     bool
	lookup    ScramLookup
	cbs       []*ChannelBinding
	cb        *ChannelBinding // the one the client chose
	authorize ScramAuthorize
	nonce     func() (string, error) // replaced by tests

	lookupErr   error
	state       int // 0: initial; 1: empty challenge sent; 2: server-first sent; 3: done; 4: failed
	gs2         string
	cbFlag      byte
	bare        string
	serverFirst string
	fullNonce   string
	creds       ScramCredentials
	authzid     string
	username    string
}

func (s *scramServer) fail(reason, detail string) ([]byte, bool, error) {
	s.state = 4
	return nil, false, scramErr(s.mech.name, reason, detail)
}

func (s *scramServer) Next(resp []byte) ([]byte, bool, error) {
	mech := s.mech.name
	switch s.state {
	case 0, 1:
		if !s.known {
			s.state = 4
			return nil, false, newError(mech, ErrUnsupported, "not a SCRAM mechanism")
		}
		if s.mech.plus && len(s.cbs) == 0 {
			return s.fail("channel-binding-not-supported", "no channel binding on this connection")
		}
		if resp == nil && s.state == 0 {
			// RFC 4422 §5: client-first without an initial response.
			s.state = 1
			return []byte{}, false, nil
		}
		if err := s.check(mech, resp); err != nil {
			s.state = 4
			return nil, false, err
		}
		return s.clientFirst(string(resp))
	case 2:
		if err := s.check(mech, resp); err != nil {
			s.state = 4
			return nil, false, err
		}
		return s.clientFinal(string(resp))
	}
	return nil, false, newError(mech, ErrUnexpected, "exchange has ended")
}

func (s *scramServer) clientFirst(msg string) ([]byte, bool, error) {
	// client-first-message = gs2-header client-first-message-bare
	// gs2-header = gs2-cbind-flag "," [ authzid ] ","
	i := strings.IndexByte(msg, ',')
	if i < 0 {
		return s.fail("invalid-encoding", "no gs2 header")
	}
	flag := msg[:i]
	rest := msg[i+1:]
	j := strings.IndexByte(rest, ',')
	if j < 0 {
		return s.fail("invalid-encoding", "no gs2 header")
	}
	authzField := rest[:j]
	s.gs2 = msg[:i+1+j+1]
	s.bare = rest[j+1:]

	// RFC 5802 §5: the first message starts with "n", "y" or "p"; otherwise
	// authentication MUST fail.
	switch {
	case flag == "n":
		if s.mech.plus {
			return s.fail("channel-binding-not-supported", "a -PLUS mechanism needs channel binding")
		}
	case flag == "y":
		if s.mech.plus {
			return s.fail("channel-binding-not-supported", "a -PLUS mechanism needs channel binding")
		}
		// RFC 5802 §6: "y" while the server supports channel binding
		// MUST fail: someone removed -PLUS from the offered list.
		if len(s.cbs) > 0 {
			return s.fail("server-does-support-channel-binding", "downgrade detected")
		}
	case strings.HasPrefix(flag, "p="):
		name := flag[2:]
		if !validCBName(name) {
			return s.fail("invalid-encoding", "invalid channel binding name")
		}
		if !s.mech.plus {
			return s.fail("channel-binding-not-supported", "channel binding requested with a mechanism without -PLUS")
		}
		// RFC 5802 §6.1: servers MUST choose the type the client asked
		// for, or fail.
		for _, cb := range s.cbs {
			if cb.Type == name {
				s.cb = cb
				break
			}
		}
		if s.cb == nil {
			return s.fail("unsupported-channel-binding-type", "client asked for "+name)
		}
	default:
		return s.fail("invalid-encoding", "invalid gs2 channel binding flag")
	}
	s.cbFlag = flag[0]
	if authzField != "" {
		if !strings.HasPrefix(authzField, "a=") {
			return s.fail("invalid-encoding", "invalid gs2 authzid")
		}
		a, ok := scramUnescape(authzField[2:])
		if !ok {
			return s.fail("invalid-encoding", "invalid authzid encoding")
		}
		s.authzid = a
	}

	attrs, ok := scramAttrs(s.bare)
	if !ok {
		return s.fail("invalid-encoding", "client-first-message syntax")
	}
	if attrs[0].key == 'm' {
		return s.fail("extensions-not-supported", "mandatory extension")
	}
	// client-first-message-bare = username "," nonce ["," extensions]
	if len(attrs) < 2 || attrs[0].key != 'n' || attrs[1].key != 'r' {
		return s.fail("invalid-encoding", "client-first-message must be n=,r=")
	}
	user, ok := scramUnescape(attrs[0].val)
	if !ok {
		return s.fail("invalid-username-encoding", "")
	}
	// RFC 5802 §5.1: the server MUST prepare the username with SASLprep
	// (or compare SASLprep-aware), but use it as received in hashes.
	prepped, err := precis.OpaqueString.String(user)
	if err != nil {
		return s.fail("invalid-username-encoding", err.Error())
	}
	cnonce := attrs[1].val
	if !scramPrintable(cnonce) {
		return s.fail("invalid-encoding", "invalid client nonce")
	}
	if s.lookup == nil {
		return s.fail("other-error", "no lookup function")
	}
	creds, err := s.lookup(prepped)
	if err != nil {
		// Go on with decoy credentials, and fail only at the proof, so
		// that the exchange does not tell which users exist.
		s.lookupErr = err
		creds = decoyCredentials(s.mech, prepped)
	}
	size := s.mech.newHash().Size()
	if creds.Iterations < 1 || len(creds.Salt) == 0 || len(creds.StoredKey) != size || len(creds.ServerKey) != size {
		return s.fail("other-error", "stored credentials do not fit "+s.mech.name)
	}
	snonce, err := s.nonce()
	if err != nil {
		return s.fail("no-resources", err.Error())
	}
	s.creds = creds
	s.username = prepped
	s.fullNonce = cnonce + snonce
	s.serverFirst = "r=" + s.fullNonce + ",s=" + base64.StdEncoding.EncodeToString(creds.Salt) + ",i=" + strconv.Itoa(creds.Iterations)
	s.state = 2
	return []byte(s.serverFirst), false, nil
}

func (s *scramServer) clientFinal(msg string) ([]byte, bool, error) {
	attrs, ok := scramAttrs(msg)
	if !ok {
		return s.fail("invalid-encoding", "client-final-message syntax")
	}
	// client-final-message = channel-binding "," nonce ["," extensions] "," proof
	last := attrs[len(attrs)-1]
	if len(attrs) < 3 || attrs[0].key != 'c' || attrs[1].key != 'r' || last.key != 'p' {
		return s.fail("invalid-encoding", "client-final-message must be c=,r=,...,p=")
	}
	withoutProof := msg[:len(msg)-len(",p=")-len(last.val)]

	// RFC 5802 §6: the server MUST always validate the client's c= field.
	want := []byte(s.gs2)
	if s.cbFlag == 'p' {
		want = append(want, s.cb.Data...)
	}
	got, ok := decodeB64(attrs[0].val)
	if !ok {
		return s.fail("invalid-encoding", "invalid channel binding encoding")
	}
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return s.fail("channel-bindings-dont-match", "")
	}
	// RFC 5802 §5.1: the nonce MUST be the one of the server-first-message.
	if attrs[1].val != s.fullNonce {
		return s.fail("invalid-encoding", "nonce mismatch")
	}
	proof, ok := decodeB64(last.val)
	h := s.mech.newHash
	if !ok || len(proof) != h().Size() {
		return s.fail("invalid-encoding", "invalid proof encoding")
	}
	authMsg := s.bare + "," + s.serverFirst + "," + withoutProof
	// ClientKey = ClientProof XOR HMAC(StoredKey, AuthMessage), then
	// H(ClientKey) must be StoredKey.
	clientKey := hmacSum(h, s.creds.StoredKey, authMsg)
	subtle.XORBytes(clientKey, clientKey, proof)
	d := h()
	d.Write(clientKey)
	proofOK := hmac.Equal(d.Sum(nil), s.creds.StoredKey)
	if s.lookupErr != nil {
		s.state = 4
		e := scramErr(s.mech.name, "unknown-user", "")
		e.Cause = s.lookupErr
		return nil, false, e
	}
	if !proofOK {
		return s.fail("invalid-proof", "")
	}
	if s.authorize != nil {
		if err := s.authorize(s.authzid, s.username); err != nil {
			s.state = 4
			e := scramErr(s.mech.name, "other-error", "not authorized")
			e.Err = ErrAuthFailed
			e.Cause = err
			return nil, false, e
		}
	} else if s.authzid != "" && s.authzid != s.username {
		return s.fail("other-error", "may not act as "+s.authzid)
	}
	if s.authzid == "" {
		s.authzid = s.username
	}
	s.state = 3
	sig := hmacSum(h, s.creds.ServerKey, authMsg)
	return []byte("v=" + base64.StdEncoding.EncodeToString(sig)), true, nil
}

// decoyKey keys the salts of decoy credentials, so that a user who does not
// exist gets the same salt on every attempt, as a real one would.
var decoyKey = sync.OnceValue(func() []byte {
	k := make([]byte, 32)
	rand.Read(k)
	return k
})

// decoyCredentials returns credentials for a user the lookup did not find:
// a stable salt, the usual iteration count, and keys nobody can match.
func decoyCredentials(m scramMech, username string) ScramCredentials {
	salt := hmacSum(sha256.New, decoyKey(), m.name, "\x00", username)[:16]
	size := m.newHash().Size()
	keys := make([]byte, 2*size)
	rand.Read(keys)
	return ScramCredentials{Salt: salt, Iterations: DefaultScramMinIterations, StoredKey: keys[:size], ServerKey: keys[size:]}
}

// Identity returns who logged in, after success.
func (s *scramServer) Identity() (authzid, authcid string) {
	if s.state != 3 {
		return "", ""
	}
	return s.authzid, s.username
}
