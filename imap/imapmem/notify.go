package imapmem

import (
	"context"
	"strings"
	"sync"

	"github.com/mailwire/mailwire/imap/imapserver"
)

var _ imapserver.NotifyUser = (*session)(nil)

// maxWatchEvents bounds the events a watcher keeps for a session that does
// not read them; past it the session is told NOTIFICATIONOVERFLOW.
const maxWatchEvents = 4096

type watcher struct {
	u      *User
	origin *session // changes made through it are not reported to it
	wake   func()

	mu       sync.Mutex
	events   []imapserver.Event
	overflow bool
}

// Watch implements [imapserver.NotifyUser].
func (s *session) Watch(wake func()) imapserver.Watcher {
	w := &watcher{u: s.User, origin: s, wake: wake}
	s.wmu.Lock()
	if s.watchers == nil {
		s.watchers = map[*watcher]struct{}{}
	}
	s.watchers[w] = struct{}{}
	s.wmu.Unlock()
	return w
}

func (w *watcher) Events() ([]imapserver.Event, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	ev, ov := w.events, w.overflow
	w.events, w.overflow = nil, false
	return ev, ov
}

func (w *watcher) Close() {
	w.u.wmu.Lock()
	delete(w.u.watchers, w)
	w.u.wmu.Unlock()
}

func (w *watcher) add(e imapserver.Event) {
	w.mu.Lock()
	switch n := len(w.events); {
	case w.overflow:
	case n > 0 && w.events[n-1] == e:
		// A STORE on many messages is one change to report.
	case n >= maxWatchEvents:
		w.overflow, w.events = true, nil
	default:
		w.events = append(w.events, e)
	}
	w.mu.Unlock()
	if w.wake != nil {
		w.wake()
	}
}

// notify hands e to every watcher of the user but origin's. It may be
// called with u.mu or a mailbox's lock held.
func (u *User) notify(origin *session, e imapserver.Event) {
	u.wmu.Lock()
	defer u.wmu.Unlock()
	for w := range u.watchers {
		if origin != nil && w.origin == origin {
			continue
		}
		w.add(e)
	}
}

// The session's changes go through these, so that its own watcher leaves
// them out.

// CreateMailbox implements imapserver.User. Under another user's
// mailboxes it needs "k" on the parent (RFC 4314 §4).
func (s *session) CreateMailbox(ctx context.Context, name, use string) error {
	if rest, ok := strings.CutPrefix(name, OtherUsers); ok {
		ownerName, mbName, _ := strings.Cut(rest, "/")
		i := strings.LastIndexByte(mbName, '/')
		if i < 0 {
			return imapserver.ErrNoPerm
		}
		_, owner, rights, err := s.resolve(OtherUsers + ownerName + "/" + mbName[:i])
		if err != nil {
			return imapserver.ErrNoPerm
		}
		if err := need(rights, 'k'); err != nil {
			return err
		}
		return owner.createMailbox(mbName, use, nil)
	}
	return s.User.createMailbox(name, use, s)
}

// DeleteMailbox implements imapserver.User; another user's mailbox needs
// "x".
func (s *session) DeleteMailbox(ctx context.Context, name string) error {
	if strings.HasPrefix(name, OtherUsers) {
		mb, owner, rights, err := s.resolve(name)
		if err != nil {
			return err
		}
		if err := need(rights, 'x'); err != nil {
			return err
		}
		mb.mu.RLock()
		n := mb.name
		mb.mu.RUnlock()
		return owner.deleteMailbox(n, nil)
	}
	return s.User.deleteMailbox(name, s)
}

// RenameMailbox implements imapserver.User. Within another user's
// mailboxes it needs "x" on the mailbox and "k" on the new parent (RFC
// 4314 §4); moving a mailbox between users is refused.
func (s *session) RenameMailbox(ctx context.Context, from, to string) error {
	fromShared, toShared := strings.HasPrefix(from, OtherUsers), strings.HasPrefix(to, OtherUsers)
	if !fromShared && !toShared {
		return s.User.renameMailbox(from, to, s)
	}
	if !fromShared || !toShared {
		return imapserver.ErrNoPerm
	}
	mb, owner, rights, err := s.resolve(from)
	if err != nil {
		return err
	}
	if err := need(rights, 'x'); err != nil {
		return err
	}
	ownerName, newName, _ := strings.Cut(strings.TrimPrefix(to, OtherUsers), "/")
	if ownerName != owner.name {
		return imapserver.ErrNoPerm
	}
	i := strings.LastIndexByte(newName, '/')
	if i < 0 {
		return imapserver.ErrNoPerm // a new top-level mailbox: only its owner makes those
	}
	_, _, prights, err := s.resolve(OtherUsers + ownerName + "/" + newName[:i])
	if err != nil {
		return imapserver.ErrNoPerm
	}
	if err := need(prights, 'k'); err != nil {
		return err
	}
	mb.mu.RLock()
	oldName := mb.name
	mb.mu.RUnlock()
	return owner.renameMailbox(oldName, newName, nil)
}

// SetSubscribed implements imapserver.User.
func (s *session) SetSubscribed(ctx context.Context, name string, on bool) error {
	if strings.HasPrefix(name, OtherUsers) {
		if on {
			if _, _, _, err := s.resolve(name); err != nil {
				return err
			}
		}
		s.mu.Lock()
		if on {
			s.subscribed[name] = true
		} else {
			delete(s.subscribed, name)
		}
		s.mu.Unlock()
		return nil
	}
	return s.User.setSubscribed(name, on, s)
}

// Open implements imapserver.User: "r" is needed, and the mailbox is
// read-only without any right to change it (RFC 4314 §4).
func (s *session) Open(ctx context.Context, name string, readOnly bool, wake func()) (imapserver.Mailbox, error) {
	mb, owner, rights, err := s.resolve(name)
	if err != nil {
		return nil, err
	}
	if err := need(rights, 'r'); err != nil {
		return nil, err
	}
	if !strings.ContainsAny(rights, "stwe") {
		readOnly = true
	}
	h := mb.openRights(owner, readOnly, wake, rights)
	h.origin = s
	return h, nil
}
