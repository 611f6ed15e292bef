package imapmem

import (
	"context"
	"io"
	"sort"
	"strings"

	"github.com/mailwire/mailwire/imap/imapserver"
)

// OtherUsers is the prefix under which a user sees the mailboxes other
// users have shared with them (RFC 4314 rights, RFC 2342 namespace):
// "Other Users/alice/Projects" is alice's Projects.
const OtherUsers = "Other Users/"

// allRights are RFC 4314 §2.1's rights, which an owner has on its own
// mailboxes.
const allRights = "lrswipkxtea"

var _ imapserver.NamespaceUser = (*session)(nil)

// OtherUsersPrefix implements [imapserver.NamespaceUser].
func (s *session) OtherUsersPrefix() string { return OtherUsers }

// rightsOf returns the rights identifier has on mb: its own entry and
// "anyone"'s. mb.mu is not held.
func (mb *mailbox) rightsOf(id string) string {
	mb.mu.RLock()
	defer mb.mu.RUnlock()
	return mb.acl[id] + mb.acl["anyone"]
}

// resolve finds the mailbox a name means for this session, and the rights
// the session has there. A mailbox of another user without the "l" or "r"
// right does not exist for it (RFC 4314 §4 hides it from LIST).
func (s *session) resolve(name string) (mb *mailbox, owner *User, rights string, err error) {
	rest, shared := strings.CutPrefix(name, OtherUsers)
	if !shared {
		mb, err := s.mailbox(name)
		return mb, s.User, allRights, err
	}
	ownerName, mbName, _ := strings.Cut(rest, "/")
	if s.be == nil {
		return nil, nil, "", imapserver.ErrNoSuchMailbox
	}
	owner = s.be.user(ownerName)
	if owner == nil || owner == s.User {
		return nil, nil, "", imapserver.ErrNoSuchMailbox
	}
	mb, err = owner.mailbox(mbName)
	if err != nil {
		return nil, nil, "", err
	}
	rights = mb.rightsOf(s.name)
	if !strings.ContainsAny(rights, "lr") {
		return nil, nil, "", imapserver.ErrNoSuchMailbox
	}
	return mb, owner, rights, nil
}

// need fails with ErrNoPerm unless rights has right.
func need(rights string, right byte) error {
	if strings.IndexByte(rights, right) < 0 {
		return imapserver.ErrNoPerm
	}
	return nil
}

// allowedFlag reports whether rights let a user set or clear flag f (RFC
// 4314 §4): "t" for \Deleted, "s" for \Seen, "w" for the others.
func allowedFlag(rights, f string) bool {
	switch {
	case strings.EqualFold(f, `\Deleted`):
		return strings.IndexByte(rights, 't') >= 0
	case strings.EqualFold(f, `\Seen`):
		return strings.IndexByte(rights, 's') >= 0
	}
	return strings.IndexByte(rights, 'w') >= 0
}

// filterFlags keeps the flags rights allow; COPY and APPEND drop the
// others without failing (RFC 4314 §4).
func filterFlags(flags []string, rights string) []string {
	if rights == allRights {
		return flags
	}
	var out []string
	for _, f := range flags {
		if allowedFlag(rights, f) {
			out = append(out, f)
		}
	}
	return out
}

// ListMailboxes implements imapserver.User: the user's own mailboxes and
// those others let it look up ("l").
func (s *session) ListMailboxes(ctx context.Context) ([]imapserver.MailboxInfo, error) {
	out, err := s.User.ListMailboxes(ctx)
	if err != nil || s.be == nil {
		return out, err
	}
	s.mu.Lock()
	subscribed := make(map[string]bool, len(s.subscribed))
	for k, v := range s.subscribed {
		subscribed[k] = v
	}
	s.mu.Unlock()
	s.be.mu.RLock()
	others := make([]*User, 0, len(s.be.users))
	for _, u := range s.be.users {
		if u != s.User {
			others = append(others, u)
		}
	}
	s.be.mu.RUnlock()
	for _, u := range others {
		u.mu.Lock()
		boxes := make(map[string]*mailbox, len(u.mailboxes))
		for n, mb := range u.mailboxes {
			boxes[n] = mb
		}
		u.mu.Unlock()
		for n, mb := range boxes {
			if strings.IndexByte(mb.rightsOf(s.name), 'l') < 0 {
				continue
			}
			full := OtherUsers + u.name + "/" + n
			info := imapserver.MailboxInfo{Name: full, Subscribed: subscribed[full]}
			if mb.specialUse != "" {
				info.Attrs = []string{mb.specialUse}
			}
			out = append(out, info)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Status implements imapserver.User; "r" is needed.
func (s *session) Status(ctx context.Context, name string) (imapserver.MailboxStatus, error) {
	mb, _, rights, err := s.resolve(name)
	if err != nil {
		return imapserver.MailboxStatus{}, err
	}
	if err := need(rights, 'r'); err != nil {
		return imapserver.MailboxStatus{}, err
	}
	return mb.status(), nil
}

// Append implements imapserver.User; "i" is needed, and flags without
// their right are dropped.
func (s *session) Append(ctx context.Context, name string, r io.Reader, size int64, opts imapserver.AppendOptions) (imapserver.AppendResult, error) {
	mb, owner, rights, err := s.resolve(name)
	if err != nil {
		return imapserver.AppendResult{}, err
	}
	if err := need(rights, 'i'); err != nil {
		return imapserver.AppendResult{}, err
	}
	opts.Flags = filterFlags(opts.Flags, rights)
	return owner.appendTo(mb, r, size, opts)
}

// BeginAppend implements imapserver.MultiAppendUser, with Append's rules.
func (s *session) BeginAppend(ctx context.Context, name string) (imapserver.AppendTx, error) {
	mb, owner, rights, err := s.resolve(name)
	if err != nil {
		return nil, err
	}
	if err := need(rights, 'i'); err != nil {
		return nil, err
	}
	return &appendTx{u: owner, mb: mb, rights: rights}, nil
}

// MyRights implements imapserver.ACLUser.
func (s *session) MyRights(ctx context.Context, mailbox string) (string, error) {
	_, _, rights, err := s.resolve(mailbox)
	return rights, err
}

// ACL implements imapserver.ACLUser; "a" is needed. The owner has every
// right.
func (s *session) ACL(ctx context.Context, mailbox string) (map[string]string, error) {
	mb, owner, rights, err := s.resolve(mailbox)
	if err != nil {
		return nil, err
	}
	if err := need(rights, 'a'); err != nil {
		return nil, err
	}
	mb.mu.RLock()
	defer mb.mu.RUnlock()
	out := map[string]string{owner.name: allRights}
	for k, v := range mb.acl {
		out[k] = v
	}
	return out, nil
}

// SetACL implements imapserver.ACLUser; "a" is needed. The owner's own
// rights cannot be changed.
func (s *session) SetACL(ctx context.Context, mailbox, id, rights string) error {
	mb, owner, mine, err := s.resolve(mailbox)
	if err != nil {
		return err
	}
	if err := need(mine, 'a'); err != nil {
		return err
	}
	if id == owner.name {
		return imapserver.ErrReadOnly
	}
	mb.mu.Lock()
	if mb.acl == nil {
		mb.acl = map[string]string{}
	}
	if rights == "" {
		delete(mb.acl, id)
	} else {
		mb.acl[id] = rights
	}
	mb.mu.Unlock()
	// RFC 5465 §5.4: gaining or losing "l" is a creation or deletion for
	// the one it is given to.
	if u := s.be.user(id); u != nil && u != owner {
		kind := imapserver.EventMailboxDelete
		if strings.IndexByte(rights, 'l') >= 0 {
			kind = imapserver.EventMailboxCreate
		}
		mb.mu.RLock()
		name := OtherUsers + owner.name + "/" + mb.name
		mb.mu.RUnlock()
		u.notify(nil, imapserver.Event{Kind: kind, Mailbox: name})
	}
	return nil
}
