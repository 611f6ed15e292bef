package imapmem

import (
	"context"
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

// CreateMailbox implements imapserver.User.
func (s *session) CreateMailbox(ctx context.Context, name, use string) error {
	return s.User.createMailbox(name, use, s)
}

// DeleteMailbox implements imapserver.User.
func (s *session) DeleteMailbox(ctx context.Context, name string) error {
	return s.User.deleteMailbox(name, s)
}

// RenameMailbox implements imapserver.User.
func (s *session) RenameMailbox(ctx context.Context, from, to string) error {
	return s.User.renameMailbox(from, to, s)
}

// SetSubscribed implements imapserver.User.
func (s *session) SetSubscribed(ctx context.Context, name string, on bool) error {
	return s.User.setSubscribed(name, on, s)
}

// Open implements imapserver.User.
func (s *session) Open(ctx context.Context, name string, readOnly bool, wake func()) (imapserver.Mailbox, error) {
	mb, err := s.mailbox(name)
	if err != nil {
		return nil, err
	}
	h := mb.open(s.User, readOnly, wake)
	h.origin = s
	return h, nil
}
