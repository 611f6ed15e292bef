package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/imap/imapserver"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/sasl"
	"github.com/mailwire/mailwire/smtp"
)

// store is the one mail store the three servers share: the IMAP server's
// in-memory backend. SMTP delivers into INBOX with the same call APPEND
// uses, and POP3 reads and expunges INBOX through the mailbox interface
// the IMAP server uses, so every server sees the others' changes at once.
type store struct {
	mem    *imapmem.Backend
	domain string
	log    *slog.Logger

	mu     sync.Mutex
	locked map[string]bool // POP3 maildrop locks (RFC 1939 §8)
}

func newStore(domain string, users map[string]string, log *slog.Logger) *store {
	s := &store{mem: imapmem.New(), domain: strings.ToLower(domain), log: log, locked: map[string]bool{}}
	for name, pass := range users {
		s.mem.AddUser(name, pass)
	}
	return s
}

// checkPassword verifies a login against the store's users.
func (s *store) checkPassword(ctx context.Context, username, password string) error {
	u, err := s.mem.Login(ctx, username, password)
	if err != nil {
		return sasl.ErrAuthFailed
	}
	return u.Logout()
}

// localUser returns the user an address delivers to, or "" when the
// address is not local.
func (s *store) localUser(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 || !strings.EqualFold(addr[at+1:], s.domain) {
		return ""
	}
	name := addr[:at]
	if s.mem.User(name) == nil {
		return ""
	}
	return name
}

// deliver appends one message to each user's INBOX.
func (s *store) deliver(users []string, msg []byte) error {
	now := time.Now()
	for _, name := range users {
		u := s.mem.User(name)
		if u == nil {
			return fmt.Errorf("maild: no user %q", name)
		}
		if _, err := u.AppendMessage("INBOX", msg, nil, now); err != nil {
			return err
		}
	}
	return nil
}

// --- SMTP ---

// smtpBackend accepts mail for local users (as an MX does) and, from a
// client that has logged in, submission to local users. It relays nothing.
type smtpBackend struct{ s *store }

func (b smtpBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &smtpSession{s: b.s, conn: c}, nil
}

type smtpSession struct {
	s     *store
	conn  *smtp.Conn
	from  string
	rcpts []string
}

func (ss *smtpSession) AuthMechanisms() []string {
	return []string{sasl.Plain, sasl.Login}
}

func (ss *smtpSession) Auth(mech string) (sasl.Server, error) {
	check := func(username, password string) error {
		return ss.s.checkPassword(context.Background(), username, password)
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(authzid, username, password string) error {
			if authzid != "" && authzid != username {
				return sasl.ErrAuthFailed
			}
			return check(username, password)
		}), nil
	case sasl.Login:
		return sasl.NewLoginServer(check), nil
	}
	return nil, &smtp.Error{Code: 504, EnhancedCode: smtp.EnhancedCode{5, 5, 4}, Message: "Unrecognized authentication type"}
}

func (ss *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	ss.from = from
	ss.rcpts = ss.rcpts[:0]
	return nil
}

func (ss *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	user := ss.s.localUser(to)
	if user == "" {
		// RFC 5321 §3.6.2: a server that does not relay says so.
		return &smtp.Error{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1}, Message: "Relaying denied: no local user " + to}
	}
	ss.rcpts = append(ss.rcpts, user)
	return nil
}

func (ss *smtpSession) Data(r io.Reader) error {
	// The store keeps messages in memory anyway; reading the whole message
	// before touching any mailbox means a connection lost mid-DATA, or a
	// shutdown, delivers nothing.
	msg, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if err := ss.s.deliver(ss.rcpts, msg); err != nil {
		return err
	}
	ss.s.log.Info("delivered", "proto", "smtp", "from", ss.from, "to", strings.Join(ss.rcpts, ","), "bytes", len(msg))
	return nil
}

func (ss *smtpSession) Reset() {
	ss.from = ""
	ss.rcpts = ss.rcpts[:0]
}

func (ss *smtpSession) Logout() error { return nil }

// --- POP3 ---

// pop3Backend serves each user's INBOX as the POP3 maildrop.
type pop3Backend struct{ s *store }

func (b pop3Backend) CheckPassword(ctx context.Context, username, password string) error {
	return b.s.checkPassword(ctx, username, password)
}

func (b pop3Backend) OpenMaildrop(ctx context.Context, username string) (pop3.Maildrop, error) {
	u := b.s.mem.User(username)
	if u == nil {
		return nil, errors.New("maild: no such user")
	}
	b.s.mu.Lock()
	if b.s.locked[username] {
		b.s.mu.Unlock()
		return nil, pop3.ErrInUse
	}
	b.s.locked[username] = true
	b.s.mu.Unlock()
	mb, err := u.Open(ctx, "INBOX", false, nil)
	if err != nil {
		b.s.unlock(username)
		return nil, err
	}
	return &maildrop{s: b.s, user: username, mb: mb}, nil
}

func (s *store) unlock(user string) {
	s.mu.Lock()
	delete(s.locked, user)
	s.mu.Unlock()
}

// maildrop is INBOX as it was when the POP3 session began (RFC 1939 §5:
// the list does not change during a session).
type maildrop struct {
	s    *store
	user string
	mb   imapserver.Mailbox
	uids []uint32
}

func (m *maildrop) Messages(ctx context.Context) ([]pop3.MessageInfo, error) {
	info := m.mb.Info()
	var list []pop3.MessageInfo
	err := m.mb.Fetch(ctx, info.UIDs, func(msg imapserver.Message) error {
		m.uids = append(m.uids, msg.UID())
		// UIDVALIDITY and UID together never repeat for another message.
		uid := strconv.FormatUint(uint64(info.UIDValidity), 10) + "." + strconv.FormatUint(uint64(msg.UID()), 10)
		list = append(list, pop3.MessageInfo{Size: msg.Size(), UID: uid})
		return nil
	})
	return list, err
}

func (m *maildrop) Open(ctx context.Context, i int) (io.ReadCloser, error) {
	if i < 0 || i >= len(m.uids) {
		return nil, errors.New("maild: no such message")
	}
	var body []byte
	found := false
	err := m.mb.Fetch(ctx, m.uids[i:i+1], func(msg imapserver.Message) error {
		ra, err := msg.Body()
		if err != nil {
			return err
		}
		// The message is only valid during the callback: copy it out.
		body, err = io.ReadAll(io.NewSectionReader(ra, 0, msg.Size()))
		found = true
		return err
	})
	if err != nil {
		return nil, err
	}
	if !found {
		// Expunged by IMAP meanwhile.
		return nil, &pop3.Error{Code: "SYS/TEMP", Message: "message was deleted by another session"}
	}
	return io.NopCloser(bytes.NewReader(body)), nil
}

func (m *maildrop) Commit(ctx context.Context, deleted []int) error {
	uids := make([]uint32, 0, len(deleted))
	for _, i := range deleted {
		uids = append(uids, m.uids[i])
	}
	if len(uids) == 0 {
		return nil
	}
	if _, err := m.mb.Store(ctx, uids, imapserver.StoreAdd, []string{`\Deleted`}, 0); err != nil {
		return err
	}
	_, err := m.mb.Expunge(ctx, uids)
	if err == nil {
		m.s.log.Info("deleted", "proto", "pop3", "user", m.user, "messages", len(uids))
	}
	return err
}

func (m *maildrop) Close() error {
	err := m.mb.Close()
	m.s.unlock(m.user)
	return err
}
