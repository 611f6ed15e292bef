// Package imapmem is a complete in-memory backend for
// [github.com/mailwire/mailwire/imap/imapserver]: several users, mailboxes
// with special-use attributes (RFC 6154), flags and keywords, UIDs and
// modification sequences (RFC 7162), and change notifications so that every
// session on a mailbox sees what the others do. It is safe for concurrent
// use and is what the server's tests and the demo server run on.
//
// Messages are kept whole in memory; their MIME structure is parsed once,
// when they are added, and cached.
package imapmem

import (
	"bytes"
	"context"
	"crypto/subtle"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mailwire/mailwire/imap/imapserver"
)

// Backend holds users. The zero value is not ready: use New.
type Backend struct {
	mu    sync.RWMutex
	users map[string]*User
}

// New returns an empty backend.
func New() *Backend { return &Backend{users: map[string]*User{}} }

// AddUser adds a user with an empty INBOX, replacing any user of that name.
func (b *Backend) AddUser(name, password string) *User {
	u := &User{name: name, password: password, mailboxes: map[string]*mailbox{}, subscribed: map[string]bool{}}
	u.mailboxes["INBOX"] = u.newMailbox("INBOX", "")
	u.subscribed["INBOX"] = true
	b.mu.Lock()
	b.users[name] = u
	b.mu.Unlock()
	return u
}

// User returns a user by name, or nil.
func (b *Backend) User(name string) *User {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return b.users[name]
}

// Login implements [imapserver.Backend], comparing passwords in constant
// time.
func (b *Backend) Login(ctx context.Context, username, password string) (imapserver.User, error) {
	b.mu.RLock()
	u := b.users[username]
	b.mu.RUnlock()
	if u == nil {
		subtle.ConstantTimeCompare([]byte(password), []byte(password))
		return nil, imapserver.ErrAuthFailed
	}
	if subtle.ConstantTimeCompare([]byte(password), []byte(u.password)) != 1 {
		return nil, imapserver.ErrAuthFailed
	}
	return &session{User: u, be: b}, nil
}

// uidValiditySeq makes UIDVALIDITY values unique in the process.
var uidValiditySeq atomic.Uint32

func init() { uidValiditySeq.Store(uint32(time.Now().Unix()) & 0x7fffffff) }

// User is one user's store. Its methods are safe for concurrent use.
type User struct {
	name, password string
	// watchers are the NOTIFY sessions of the user (RFC 5465).
	wmu      sync.Mutex
	watchers map[*watcher]struct{}
	creds    userCreds // SCRAM, derived on first use
	// quota limits, 0 for none: kilobytes and messages over all mailboxes
	maxKB, maxMessages int64
	mu                 sync.Mutex
	mailboxes          map[string]*mailbox
	subscribed         map[string]bool
	// metadata[mailbox][entry], "" for the server (RFC 5464)
	metadata map[string]map[string]string
}

// session is a logged-in User: the [imapserver.User] a Login returns.
type session struct {
	*User
	be *Backend // for the mailboxes other users share
}

func (s *session) Logout() error { return nil }

// Username implements imapserver.User.
func (u *User) Username() string { return u.name }

func (u *User) mailbox(name string) (*mailbox, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	mb := u.mailboxes[name]
	if mb == nil {
		return nil, imapserver.ErrNoSuchMailbox
	}
	return mb, nil
}

// ListMailboxes implements imapserver.User.
func (u *User) ListMailboxes(ctx context.Context) ([]imapserver.MailboxInfo, error) {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make([]imapserver.MailboxInfo, 0, len(u.mailboxes))
	for name, mb := range u.mailboxes {
		info := imapserver.MailboxInfo{Name: name, Subscribed: u.subscribed[name]}
		if mb.specialUse != "" {
			info.Attrs = []string{mb.specialUse}
		}
		out = append(out, info)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// newMailbox makes a mailbox of u's; u.mu is held.
func (u *User) newMailbox(name, use string) *mailbox {
	mb := newMailbox(name, use)
	mb.owner = u
	return mb
}

// CreateMailbox implements imapserver.User; missing parents are created too
// (RFC 9051 §6.3.4).
func (u *User) CreateMailbox(ctx context.Context, name, use string) error {
	return u.createMailbox(name, use, nil)
}

func (u *User) createMailbox(name, use string, origin *session) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.mailboxes[name] != nil {
		return imapserver.ErrMailboxExists
	}
	parts := strings.Split(name, "/")
	for i := 1; i < len(parts); i++ {
		parent := strings.Join(parts[:i], "/")
		if parent != "" && u.mailboxes[parent] == nil {
			u.mailboxes[parent] = u.newMailbox(parent, "")
			u.notify(origin, imapserver.Event{Kind: imapserver.EventMailboxCreate, Mailbox: parent})
		}
	}
	u.mailboxes[name] = u.newMailbox(name, use)
	u.notify(origin, imapserver.Event{Kind: imapserver.EventMailboxCreate, Mailbox: name})
	return nil
}

// DeleteMailbox implements imapserver.User.
func (u *User) DeleteMailbox(ctx context.Context, name string) error {
	return u.deleteMailbox(name, nil)
}

func (u *User) deleteMailbox(name string, origin *session) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if name == "INBOX" {
		return imapserver.ErrReadOnly
	}
	if u.mailboxes[name] == nil {
		return imapserver.ErrNoSuchMailbox
	}
	delete(u.mailboxes, name)
	u.notify(origin, imapserver.Event{Kind: imapserver.EventMailboxDelete, Mailbox: name})
	return nil
}

// RenameMailbox implements imapserver.User, children included.
func (u *User) RenameMailbox(ctx context.Context, from, to string) error {
	return u.renameMailbox(from, to, nil)
}

func (u *User) renameMailbox(from, to string, origin *session) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	mb := u.mailboxes[from]
	if mb == nil {
		return imapserver.ErrNoSuchMailbox
	}
	if u.mailboxes[to] != nil {
		return imapserver.ErrMailboxExists
	}
	if from == "INBOX" {
		// RFC 9051 §6.3.6: the messages move, INBOX stays, empty.
		nb := u.newMailbox(to, "")
		mb.mu.Lock()
		nb.msgs, mb.msgs = mb.msgs, nil
		nb.uidNext = mb.uidNext
		nb.modseq = mb.modseq
		gone := make([]uint32, len(nb.msgs))
		for i, m := range nb.msgs {
			gone[i] = m.uid
		}
		for _, uid := range gone {
			mb.publish(nil, imapserver.Update{Kind: imapserver.UpdateExpunge, UID: uid})
		}
		mb.mu.Unlock()
		u.mailboxes[to] = nb
		// RFC 5465 §5.4: a new mailbox, and INBOX is still there.
		u.notify(origin, imapserver.Event{Kind: imapserver.EventMailboxCreate, Mailbox: to})
		return nil
	}
	for name, child := range u.mailboxes {
		if name == from || strings.HasPrefix(name, from+"/") {
			delete(u.mailboxes, name)
			nn := to + strings.TrimPrefix(name, from)
			child.mu.Lock()
			child.name = nn
			child.mu.Unlock()
			u.mailboxes[nn] = child
			if u.subscribed[name] {
				delete(u.subscribed, name)
				u.subscribed[nn] = true
			}
		}
	}
	// One event for the renamed mailbox; its children went with it.
	u.notify(origin, imapserver.Event{Kind: imapserver.EventMailboxRename, Mailbox: to, OldName: from})
	return nil
}

// SetSubscribed implements imapserver.User.
func (u *User) SetSubscribed(ctx context.Context, name string, on bool) error {
	return u.setSubscribed(name, on, nil)
}

func (u *User) setSubscribed(name string, on bool, origin *session) error {
	u.mu.Lock()
	defer u.mu.Unlock()
	if on {
		if u.mailboxes[name] == nil {
			return imapserver.ErrNoSuchMailbox
		}
		u.subscribed[name] = true
	} else {
		delete(u.subscribed, name)
	}
	u.notify(origin, imapserver.Event{Kind: imapserver.EventSubscription, Mailbox: name})
	return nil
}

// Status implements imapserver.User.
func (u *User) Status(ctx context.Context, name string) (imapserver.MailboxStatus, error) {
	mb, err := u.mailbox(name)
	if err != nil {
		return imapserver.MailboxStatus{}, err
	}
	return mb.status(), nil
}

// SetQuota sets the user's quota (RFC 9208): kilobytes and messages over
// all mailboxes, 0 for no limit. APPEND beyond it fails with
// imapserver.ErrOverQuota.
func (u *User) SetQuota(kilobytes, messages int64) {
	u.mu.Lock()
	u.maxKB, u.maxMessages = kilobytes, messages
	u.mu.Unlock()
}

// usage adds up the user's messages and kilobytes.
func (u *User) usage() (kb, msgs int64) {
	u.mu.Lock()
	boxes := make([]*mailbox, 0, len(u.mailboxes))
	for _, mb := range u.mailboxes {
		boxes = append(boxes, mb)
	}
	u.mu.Unlock()
	var bytes int64
	for _, mb := range boxes {
		st := mb.status()
		bytes += st.Size
		msgs += int64(st.Messages)
	}
	return (bytes + 1023) / 1024, msgs
}

// QuotaRoots implements imapserver.QuotaUser: one root, "", for all.
func (s *session) QuotaRoots(ctx context.Context, mailbox string) ([]string, error) {
	if _, err := s.mailbox(mailbox); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.maxKB == 0 && s.maxMessages == 0 {
		return nil, nil
	}
	return []string{""}, nil
}

// Quota implements imapserver.QuotaUser.
func (s *session) Quota(ctx context.Context, root string) ([]imapserver.QuotaResource, error) {
	s.mu.Lock()
	maxKB, maxMsgs := s.maxKB, s.maxMessages
	s.mu.Unlock()
	if root != "" || (maxKB == 0 && maxMsgs == 0) {
		return nil, imapserver.ErrNoSuchMailbox
	}
	kb, msgs := s.usage()
	var res []imapserver.QuotaResource
	if maxKB > 0 {
		res = append(res, imapserver.QuotaResource{Name: "STORAGE", Usage: kb, Limit: maxKB})
	}
	if maxMsgs > 0 {
		res = append(res, imapserver.QuotaResource{Name: "MESSAGE", Usage: msgs, Limit: maxMsgs})
	}
	return res, nil
}

// Append implements imapserver.User.
func (u *User) Append(ctx context.Context, name string, r io.Reader, size int64, opts imapserver.AppendOptions) (imapserver.AppendResult, error) {
	mb, err := u.mailbox(name)
	if err != nil {
		return imapserver.AppendResult{}, err
	}
	return u.appendTo(mb, r, size, opts)
}

// appendTo adds a message to mb, one of u's mailboxes, within u's quota.
func (u *User) appendTo(mb *mailbox, r io.Reader, size int64, opts imapserver.AppendOptions) (imapserver.AppendResult, error) {
	if err := u.checkQuota(1, size); err != nil {
		return imapserver.AppendResult{}, err
	}
	body := make([]byte, 0, size)
	buf := bytes.NewBuffer(body)
	if _, err := io.Copy(buf, r); err != nil {
		return imapserver.AppendResult{}, err
	}
	uid, validity := mb.add(buf.Bytes(), opts.Flags, opts.Time)
	return imapserver.AppendResult{UIDValidity: validity, UID: uid}, nil
}

// checkQuota refuses adding msgs messages of size bytes in all when they
// would go over the user's quota.
func (u *User) checkQuota(msgs, size int64) error {
	u.mu.Lock()
	maxKB, maxMsgs := u.maxKB, u.maxMessages
	u.mu.Unlock()
	if maxKB > 0 || maxMsgs > 0 {
		kb, n := u.usage()
		if (maxMsgs > 0 && n+msgs > maxMsgs) || (maxKB > 0 && kb+(size+1023)/1024 > maxKB) {
			return imapserver.ErrOverQuota
		}
	}
	return nil
}

// AppendMessage adds a message to a mailbox, as APPEND would; for tests and
// demos that fill a store.
func (u *User) AppendMessage(name string, body []byte, flags []string, date time.Time) (uint32, error) {
	mb, err := u.mailbox(name)
	if err != nil {
		return 0, err
	}
	uid, _ := mb.add(append([]byte(nil), body...), flags, date)
	return uid, nil
}

// Open implements imapserver.User.
func (u *User) Open(ctx context.Context, name string, readOnly bool, wake func()) (imapserver.Mailbox, error) {
	mb, err := u.mailbox(name)
	if err != nil {
		return nil, err
	}
	return mb.open(u, readOnly, wake), nil
}

var (
	_ imapserver.Backend           = (*Backend)(nil)
	_ imapserver.User              = (*session)(nil)
	_ imapserver.QuotaUser         = (*session)(nil)
	_ imapserver.MetadataUser      = (*session)(nil)
	_ imapserver.ACLUser           = (*session)(nil)
	_ imapserver.Mailbox           = (*handle)(nil)
	_ imapserver.VanishedMailbox   = (*handle)(nil)
	_ imapserver.StructuredMessage = (*msgView)(nil)
	_ imapserver.ObjectIDMessage   = (*msgView)(nil)
	_ imapserver.SaveDateMessage   = (*msgView)(nil)
)

// Metadata implements imapserver.MetadataUser.
func (s *session) Metadata(ctx context.Context, mailbox string) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if mailbox != "" && s.mailboxes[mailbox] == nil {
		return nil, imapserver.ErrNoSuchMailbox
	}
	out := map[string]string{}
	for k, v := range s.metadata[mailbox] {
		out[k] = v
	}
	return out, nil
}

// SetMetadata implements imapserver.MetadataUser.
func (s *session) SetMetadata(ctx context.Context, mailbox, entry string, value *string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if mailbox != "" && s.mailboxes[mailbox] == nil {
		return imapserver.ErrNoSuchMailbox
	}
	if s.metadata == nil {
		s.metadata = map[string]map[string]string{}
	}
	m := s.metadata[mailbox]
	if m == nil {
		m = map[string]string{}
		s.metadata[mailbox] = m
	}
	if value == nil {
		delete(m, entry)
	} else {
		m[entry] = *value
	}
	s.notify(s, imapserver.Event{Kind: imapserver.EventMetadata, Mailbox: mailbox, Entry: entry})
	return nil
}
