package pop3

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"io"
	"strconv"
	"sync"

	"github.com/mailwire/mailwire/sasl"
)

// Backend authenticates users and opens their maildrops. It never sees
// wire syntax. A Backend may return an [*Error] (or one of the sentinels,
// like [ErrInUse]) to choose the response the client gets; any other error
// is answered with a generic -ERR and logged.
type Backend interface {
	// CheckPassword checks username's password, as USER/PASS and the SASL
	// PLAIN and LOGIN mechanisms carry it. It returns nil to accept.
	// Compare passwords with [sasl.SecretEqual] or a password hash.
	CheckPassword(ctx context.Context, username, password string) error
	// OpenMaildrop opens the maildrop of username, who has been
	// authenticated, and locks it until [Maildrop.Close]: while it is
	// locked, OpenMaildrop for the same user returns [ErrInUse].
	OpenMaildrop(ctx context.Context, username string) (Maildrop, error)
}

// APOPBackend is a [Backend] that can give a user's shared secret in
// plaintext, which APOP (RFC 1939 §7) and SASL CRAM-MD5 need. The server
// offers them only when its Backend implements it.
type APOPBackend interface {
	Backend
	// Secret returns username's shared secret.
	Secret(ctx context.Context, username string) (string, error)
}

// ScramBackend is a [Backend] that stores SCRAM credentials. The server
// offers SCRAM-SHA-256 and SCRAM-SHA-1 (and their -PLUS variants over TLS)
// only when its Backend implements it.
type ScramBackend interface {
	Backend
	// ScramCredentials returns username's credentials for hash, "SHA-1"
	// or "SHA-256".
	ScramCredentials(ctx context.Context, username, hash string) (sasl.ScramCredentials, error)
}

// SASLBackend is a [Backend] that brings SASL mechanisms of its own
// (OAUTHBEARER, XOAUTH2, EXTERNAL...), offered after the built-in ones.
type SASLBackend interface {
	Backend
	// SASLMechanisms lists the extra mechanisms to offer on a connection;
	// cs is its TLS state, nil without TLS.
	SASLMechanisms(cs *tls.ConnectionState) []string
	// NewSASLServer returns the server side of one exchange of mech. On
	// success it must implement [sasl.Identity]: the authorisation
	// identity (or, when empty, the authentication identity) names the
	// maildrop to open.
	NewSASLServer(ctx context.Context, mech string, cs *tls.ConnectionState) (sasl.Server, error)
}

// MessageInfo describes one message of a maildrop.
type MessageInfo struct {
	// Size is the exact size of the message in octets as RETR sends it,
	// with CRLF line ends and before dot-stuffing (RFC 1939 §5, §11).
	Size int64
	// UID is the unique id UIDL reports: 1 to 70 characters in the range
	// 0x21 to 0x7E, the same for the message in every session (RFC 1939
	// §7).
	UID string
}

// Maildrop is one user's maildrop, opened and locked for one session.
// Messages are numbered by their position in the slice Messages returns:
// message number n is index n-1.
type Maildrop interface {
	// Messages lists the messages. It is called once, when the session
	// enters the TRANSACTION state; the list stays the same for the whole
	// session.
	Messages(ctx context.Context) ([]MessageInfo, error)
	// Open returns a reader for the message at index i. The server
	// streams it to the client, changing bare LF into CRLF.
	Open(ctx context.Context, i int) (io.ReadCloser, error)
	// Commit removes the messages at the given indexes, in increasing
	// order. The server calls it only when the client's QUIT enters the
	// UPDATE state (RFC 1939 §6), and at most once.
	Commit(ctx context.Context, deleted []int) error
	// Close releases the lock. The server calls it once when the session
	// ends, however it ends.
	Close() error
}

// MemBackend is a [Backend] (an [APOPBackend] and a [ScramBackend] too)
// holding users and their messages in memory. It is safe for concurrent
// use. The zero value is ready to use.
type MemBackend struct {
	mu    sync.Mutex
	users map[string]*memUser
	next  uint64
}

type memUser struct {
	password string
	scram    map[string]sasl.ScramCredentials
	msgs     []memMessage
	locked   bool
}

type memMessage struct {
	uid  string
	data []byte
}

// NewMemBackend returns an empty MemBackend.
func NewMemBackend() *MemBackend { return &MemBackend{} }

// AddUser adds a user with a password, or changes the password of an
// existing one.
func (b *MemBackend) AddUser(username, password string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.users == nil {
		b.users = make(map[string]*memUser)
	}
	u := b.users[username]
	if u == nil {
		u = &memUser{}
		b.users[username] = u
	}
	u.password = password
	u.scram = nil
}

// Deliver appends a message to a user's maildrop, with every line end
// turned into CRLF, and returns its unique id.
func (b *MemBackend) Deliver(username string, msg []byte) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	u := b.users[username]
	if u == nil {
		return "", errors.New("pop3: no such user " + strconv.Quote(username))
	}
	b.next++
	uid := "m" + strconv.FormatUint(b.next, 10)
	u.msgs = append(u.msgs, memMessage{uid: uid, data: crlf(msg)})
	return uid, nil
}

// Messages returns a copy of the messages in a user's maildrop.
func (b *MemBackend) Messages(username string) [][]byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	u := b.users[username]
	if u == nil {
		return nil
	}
	out := make([][]byte, len(u.msgs))
	for i, m := range u.msgs {
		out[i] = bytes.Clone(m.data)
	}
	return out
}

// crlf turns bare CR and bare LF into CRLF.
func crlf(msg []byte) []byte {
	out := make([]byte, 0, len(msg)+len(msg)/32)
	for i := 0; i < len(msg); i++ {
		switch c := msg[i]; {
		case c == '\r' && i+1 < len(msg) && msg[i+1] == '\n':
			out = append(out, '\r', '\n')
			i++
		case c == '\r' || c == '\n':
			out = append(out, '\r', '\n')
		default:
			out = append(out, c)
		}
	}
	return out
}

// CheckPassword implements [Backend].
func (b *MemBackend) CheckPassword(ctx context.Context, username, password string) error {
	b.mu.Lock()
	u := b.users[username]
	b.mu.Unlock()
	if u == nil {
		sasl.SecretEqual(password, password) // spend the same time either way
		return ErrAuth
	}
	if !sasl.SecretEqual(u.password, password) {
		return ErrAuth
	}
	return nil
}

// Secret implements [APOPBackend].
func (b *MemBackend) Secret(ctx context.Context, username string) (string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	u := b.users[username]
	if u == nil {
		return "", ErrAuth
	}
	return u.password, nil
}

// ScramCredentials implements [ScramBackend], deriving the credentials
// from the password on first use with 4096 iterations.
func (b *MemBackend) ScramCredentials(ctx context.Context, username, hash string) (sasl.ScramCredentials, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	u := b.users[username]
	if u == nil {
		return sasl.ScramCredentials{}, ErrAuth
	}
	if c, ok := u.scram[hash]; ok {
		return c, nil
	}
	salt := make([]byte, 16)
	rand.Read(salt)
	c, err := sasl.DeriveScramCredentials(hash, u.password, salt, 4096)
	if err != nil {
		return c, err
	}
	if u.scram == nil {
		u.scram = make(map[string]sasl.ScramCredentials)
	}
	u.scram[hash] = c
	return c, nil
}

// OpenMaildrop implements [Backend]. A second session for the same user
// gets [ErrInUse] until the first one closes its maildrop.
func (b *MemBackend) OpenMaildrop(ctx context.Context, username string) (Maildrop, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	u := b.users[username]
	if u == nil {
		return nil, ErrAuth
	}
	if u.locked {
		return nil, ErrInUse
	}
	u.locked = true
	return &memMaildrop{b: b, u: u, msgs: append([]memMessage(nil), u.msgs...)}, nil
}

type memMaildrop struct {
	b      *MemBackend
	u      *memUser
	msgs   []memMessage // the snapshot the session sees
	closed bool
}

func (m *memMaildrop) Messages(ctx context.Context) ([]MessageInfo, error) {
	out := make([]MessageInfo, len(m.msgs))
	for i, msg := range m.msgs {
		out[i] = MessageInfo{Size: int64(len(msg.data)), UID: msg.uid}
	}
	return out, nil
}

func (m *memMaildrop) Open(ctx context.Context, i int) (io.ReadCloser, error) {
	if i < 0 || i >= len(m.msgs) {
		return nil, &Error{Message: "no such message"}
	}
	return io.NopCloser(bytes.NewReader(m.msgs[i].data)), nil
}

func (m *memMaildrop) Commit(ctx context.Context, deleted []int) error {
	m.b.mu.Lock()
	defer m.b.mu.Unlock()
	gone := make(map[string]bool, len(deleted))
	for _, i := range deleted {
		if i >= 0 && i < len(m.msgs) {
			gone[m.msgs[i].uid] = true
		}
	}
	kept := m.u.msgs[:0]
	for _, msg := range m.u.msgs {
		if !gone[msg.uid] {
			kept = append(kept, msg)
		}
	}
	clear(m.u.msgs[len(kept):])
	m.u.msgs = kept
	return nil
}

func (m *memMaildrop) Close() error {
	m.b.mu.Lock()
	defer m.b.mu.Unlock()
	if !m.closed {
		m.closed = true
		m.u.locked = false
	}
	return nil
}
