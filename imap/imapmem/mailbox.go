package imapmem

import (
	"bytes"
	"context"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/mailwire/mailwire/imap/imapserver"
)

// flagState is a message's flags and modseq; replaced whole on change so
// that readers need no lock.
type flagState struct {
	flags  []string
	modseq uint64
}

type message struct {
	uid     uint32
	emailID string
	saved   time.Time
	date    time.Time
	body    []byte
	state   atomic.Pointer[flagState]

	stOnce sync.Once
	st     *imapserver.Structure
	stErr  error
}

// msgView is a message as handed to the server during one Fetch.
type msgView struct {
	m  *message
	fs *flagState
}

func (v *msgView) UID() uint32                               { return v.m.uid }
func (v *msgView) Flags() []string                           { return v.fs.flags }
func (v *msgView) InternalDate() time.Time                   { return v.m.date }
func (v *msgView) Size() int64                               { return int64(len(v.m.body)) }
func (v *msgView) ModSeq() uint64                            { return v.fs.modseq }
func (v *msgView) Body() (io.ReaderAt, error)                { return bytes.NewReader(v.m.body), nil }
func (v *msgView) Structure() (*imapserver.Structure, error) { return v.m.structure() }
func (v *msgView) EmailID() string                           { return v.m.emailID }
func (v *msgView) ThreadID() string                          { return "" }
func (v *msgView) SaveDate() time.Time                       { return v.m.saved }

// emailIDs numbers messages for OBJECTID (RFC 8474).
var emailIDs atomic.Uint64

func newEmailID() string { return "M" + strconv.FormatUint(emailIDs.Add(1), 36) }

// structure parses the message once; add calls it outside the mailbox lock
// so that a FETCH of ENVELOPE or BODYSTRUCTURE finds it ready.
func (m *message) structure() (*imapserver.Structure, error) {
	m.stOnce.Do(func() { m.st, m.stErr = imapserver.ParseStructure(bytes.NewReader(m.body)) })
	return m.st, m.stErr
}

type tomb struct {
	uid    uint32
	modseq uint64
}

type mailbox struct {
	owner       *User // nil for a mailbox being built
	mu          sync.RWMutex
	name        string
	specialUse  string
	uidValidity uint32
	uidNext     uint32
	modseq      uint64
	msgs        []*message // ascending UID
	// acl holds the rights given to identifiers other than the owner.
	acl map[string]string
	// tombs remember expunged UIDs and when, for QRESYNC (RFC 7162).
	tombs   []tomb
	handles map[*handle]struct{}
}

func newMailbox(name, use string) *mailbox {
	return &mailbox{name: name, specialUse: use, uidValidity: uidValiditySeq.Add(1), uidNext: 1, modseq: 1, handles: map[*handle]struct{}{}}
}

var permanentFlags = []string{`\Answered`, `\Flagged`, `\Deleted`, `\Seen`, `\Draft`, `\*`}
var systemFlags = []string{`\Answered`, `\Flagged`, `\Deleted`, `\Seen`, `\Draft`}

func (mb *mailbox) status() imapserver.MailboxStatus {
	mb.mu.RLock()
	defer mb.mu.RUnlock()
	st := imapserver.MailboxStatus{
		Messages: uint32(len(mb.msgs)), UIDNext: mb.uidNext, UIDValidity: mb.uidValidity, HighestModSeq: mb.modseq,
	}
	for _, m := range mb.msgs {
		fs := m.state.Load()
		if !has(fs.flags, `\Seen`) {
			st.Unseen++
		}
		if has(fs.flags, `\Deleted`) {
			st.Deleted++
		}
		st.Size += int64(len(m.body))
	}
	return st
}

func has(flags []string, f string) bool {
	for _, x := range flags {
		if strings.EqualFold(x, f) {
			return true
		}
	}
	return false
}

// cleanFlags drops \Recent (the server's to set, RFC 9051 removed it) and
// duplicates.
func cleanFlags(in []string) []string {
	out := make([]string, 0, len(in))
	for _, f := range in {
		if strings.EqualFold(f, `\Recent`) || has(out, f) {
			continue
		}
		out = append(out, f)
	}
	return out
}

// add appends a message and tells every open handle.
func (mb *mailbox) add(body []byte, flags []string, date time.Time) (uid, validity uint32) {
	uids, validity := mb.addMany([]staged{{body, flags, date}})
	return uids[0], validity
}

// addMany adds messages with consecutive UIDs, under one hold of the lock,
// so that no session sees some without the others.
func (mb *mailbox) addMany(msgs []staged) (uids []uint32, validity uint32) {
	ms := make([]*message, len(msgs))
	for i, s := range msgs {
		date := s.date
		if date.IsZero() {
			date = time.Now()
		}
		ms[i] = &message{date: date, body: s.body, emailID: newEmailID(), saved: time.Now()}
		ms[i].structure() // outside the lock: parsing may take a while
	}
	mb.mu.Lock()
	defer mb.mu.Unlock()
	uids = make([]uint32, len(ms))
	for i, m := range ms {
		m.uid = mb.uidNext
		mb.uidNext++
		mb.modseq++
		m.state.Store(&flagState{flags: cleanFlags(msgs[i].flags), modseq: mb.modseq})
		mb.msgs = append(mb.msgs, m)
		mb.publish(nil, imapserver.Update{Kind: imapserver.UpdateExists, UID: m.uid, ModSeq: mb.modseq})
		uids[i] = m.uid
	}
	return uids, mb.uidValidity
}

// publish queues u on every handle but except. mb.mu is held.
func (mb *mailbox) publish(except *handle, u imapserver.Update) {
	if mb.owner != nil {
		var origin *session
		if except != nil {
			origin = except.origin
		}
		kind := imapserver.EventFlagChange
		switch u.Kind {
		case imapserver.UpdateExists:
			kind = imapserver.EventMessageNew
		case imapserver.UpdateExpunge:
			kind = imapserver.EventMessageExpunge
		}
		mb.owner.notify(origin, imapserver.Event{Kind: kind, Mailbox: mb.name})
	}
	for h := range mb.handles {
		if h == except {
			continue
		}
		h.mu.Lock()
		h.pending = append(h.pending, u)
		h.mu.Unlock()
		if h.wake != nil {
			h.wake()
		}
	}
}

func (mb *mailbox) open(u *User, readOnly bool, wake func()) *handle {
	return mb.openRights(u, readOnly, wake, allRights)
}

// permanentFlagsFor lists the flags rights let a user change, for
// PERMANENTFLAGS (RFC 4314 §5.1.1).
func permanentFlagsFor(rights string) []string { return filterFlags(permanentFlags, rights) }

// openRights opens mb for a session with the given rights; u is the
// mailbox's owner.
func (mb *mailbox) openRights(u *User, readOnly bool, wake func(), rights string) *handle {
	h := &handle{mb: mb, user: u, readOnly: readOnly, wake: wake, rights: rights}
	mb.mu.Lock()
	defer mb.mu.Unlock()
	info := &imapserver.SelectInfo{
		UIDs:           make([]uint32, len(mb.msgs)),
		Flags:          systemFlags,
		PermanentFlags: permanentFlagsFor(rights),
		UIDNext:        mb.uidNext,
		UIDValidity:    mb.uidValidity,
		HighestModSeq:  mb.modseq,
		ReadOnly:       readOnly,
	}
	for i, m := range mb.msgs {
		info.UIDs[i] = m.uid
		if info.FirstUnseen == 0 && !has(m.state.Load().flags, `\Seen`) {
			info.FirstUnseen = uint32(i + 1)
		}
	}
	h.info = info
	mb.handles[h] = struct{}{}
	return h
}

// handle is one session's open mailbox.
type handle struct {
	mb       *mailbox
	user     *User
	origin   *session // the session that opened it, if known
	rights   string   // RFC 4314 rights of that session here
	readOnly bool
	wake     func()
	info     *imapserver.SelectInfo

	mu      sync.Mutex
	pending []imapserver.Update
}

func (h *handle) Info() *imapserver.SelectInfo {
	info := h.info
	h.info = nil // the UID list is the session's now
	if info == nil {
		return &imapserver.SelectInfo{}
	}
	return info
}

func (h *handle) Updates() []imapserver.Update {
	h.mu.Lock()
	defer h.mu.Unlock()
	p := h.pending
	h.pending = nil
	return p
}

func (h *handle) Close() error {
	h.mb.mu.Lock()
	delete(h.mb.handles, h)
	h.mb.mu.Unlock()
	return nil
}

// dest finds the target of COPY or MOVE and the rights there; "i" is
// needed (RFC 4314 §4).
func (h *handle) dest(name string) (*mailbox, string, error) {
	if h.origin == nil {
		mb, err := h.user.mailbox(name)
		return mb, allRights, err
	}
	mb, _, rights, err := h.origin.resolve(name)
	if err != nil {
		return nil, "", err
	}
	if err := need(rights, 'i'); err != nil {
		return nil, "", err
	}
	return mb, rights, nil
}

// snapshot returns the messages with the given UIDs that exist.
func (mb *mailbox) snapshot(uids []uint32) []*message {
	out := make([]*message, 0, len(uids))
	j := 0
	for _, uid := range uids {
		// uids ascending: walk forward
		for j < len(mb.msgs) && mb.msgs[j].uid < uid {
			j++
		}
		if j < len(mb.msgs) && mb.msgs[j].uid == uid {
			out = append(out, mb.msgs[j])
		}
	}
	return out
}

func (h *handle) Fetch(ctx context.Context, uids []uint32, fn func(imapserver.Message) error) error {
	mb := h.mb
	mb.mu.RLock()
	msgs := mb.snapshot(uids)
	mb.mu.RUnlock()
	// One view reused for every message: a Message is only valid during
	// the callback, and boxing a fresh one would allocate per message.
	v := &msgView{}
	for _, m := range msgs {
		if err := ctx.Err(); err != nil {
			return err
		}
		v.m, v.fs = m, m.state.Load()
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

func (h *handle) Store(ctx context.Context, uids []uint32, op imapserver.StoreOp, flags []string, unchangedSince uint64) ([]imapserver.StoreResult, error) {
	if h.readOnly {
		return nil, imapserver.ErrReadOnly
	}
	flags = cleanFlags(flags)
	// RFC 4314 §4: each flag needs its right; a STORE fails only when
	// none of its flags may be changed.
	if !strings.ContainsAny(h.rights, "stw") || (len(flags) > 0 && len(filterFlags(flags, h.rights)) == 0) {
		return nil, imapserver.ErrNoPerm
	}
	flags = filterFlags(flags, h.rights)
	mb := h.mb
	mb.mu.Lock()
	defer mb.mu.Unlock()
	msgs := mb.snapshot(uids)
	res := make([]imapserver.StoreResult, 0, len(msgs))
	for _, m := range msgs {
		fs := m.state.Load()
		if unchangedSince > 0 && fs.modseq > unchangedSince {
			res = append(res, imapserver.StoreResult{UID: m.uid, Flags: fs.flags, ModSeq: fs.modseq, Failed: true})
			continue
		}
		var nf []string
		switch op {
		case imapserver.StoreSet:
			nf = append([]string(nil), flags...)
			for _, f := range fs.flags {
				if !allowedFlag(h.rights, f) && !has(nf, f) {
					nf = append(nf, f) // kept: the user may not clear it
				}
			}
		case imapserver.StoreAdd:
			nf = append([]string(nil), fs.flags...)
			for _, f := range flags {
				if !has(nf, f) {
					nf = append(nf, f)
				}
			}
		case imapserver.StoreRemove:
			for _, f := range fs.flags {
				if !has(flags, f) {
					nf = append(nf, f)
				}
			}
		}
		if sameFlags(nf, fs.flags) {
			res = append(res, imapserver.StoreResult{UID: m.uid, Flags: fs.flags, ModSeq: fs.modseq})
			continue
		}
		mb.modseq++
		st := &flagState{flags: nf, modseq: mb.modseq}
		m.state.Store(st)
		mb.publish(h, imapserver.Update{Kind: imapserver.UpdateFlags, UID: m.uid, Flags: nf, ModSeq: st.modseq})
		res = append(res, imapserver.StoreResult{UID: m.uid, Flags: nf, ModSeq: st.modseq})
	}
	return res, nil
}

func sameFlags(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, f := range a {
		if !has(b, f) {
			return false
		}
	}
	return true
}

func (h *handle) Expunge(ctx context.Context, uids []uint32) ([]uint32, error) {
	if h.readOnly {
		return nil, imapserver.ErrReadOnly
	}
	if err := need(h.rights, 'e'); err != nil {
		return nil, err
	}
	mb := h.mb
	mb.mu.Lock()
	defer mb.mu.Unlock()
	var gone []uint32
	kept := mb.msgs[:0]
	for _, m := range mb.msgs {
		del := has(m.state.Load().flags, `\Deleted`)
		if del && uids != nil {
			i := sort.Search(len(uids), func(i int) bool { return uids[i] >= m.uid })
			del = i < len(uids) && uids[i] == m.uid
		}
		if del {
			gone = append(gone, m.uid)
			continue
		}
		kept = append(kept, m)
	}
	for i := len(kept); i < len(mb.msgs); i++ {
		mb.msgs[i] = nil
	}
	mb.msgs = kept
	if len(gone) > 0 {
		mb.modseq++
	}
	for _, uid := range gone {
		mb.tombs = append(mb.tombs, tomb{uid, mb.modseq})
		mb.publish(h, imapserver.Update{Kind: imapserver.UpdateExpunge, UID: uid, ModSeq: mb.modseq})
	}
	return gone, nil
}

func (h *handle) copyTo(uids []uint32, dest string) (imapserver.CopyResult, error) {
	dst, rights, err := h.dest(dest)
	if err != nil {
		return imapserver.CopyResult{}, err
	}
	h.mb.mu.RLock()
	msgs := h.mb.snapshot(uids)
	h.mb.mu.RUnlock()
	res := imapserver.CopyResult{}
	dst.mu.Lock()
	defer dst.mu.Unlock()
	res.UIDValidity = dst.uidValidity
	for _, m := range msgs {
		// RFC 8474 §5.1: a copy keeps its EMAILID.
		nm := &message{uid: dst.uidNext, date: m.date, body: m.body, emailID: m.emailID, saved: time.Now()}
		dst.uidNext++
		dst.modseq++
		// RFC 4314 §4: flags without their right in the target are
		// dropped, the copy is not refused.
		nm.state.Store(&flagState{flags: filterFlags(m.state.Load().flags, rights), modseq: dst.modseq})
		if st, err := m.structure(); err == nil {
			nm.stOnce.Do(func() { nm.st = st })
		}
		dst.msgs = append(dst.msgs, nm)
		dst.publish(nil, imapserver.Update{Kind: imapserver.UpdateExists, UID: nm.uid, ModSeq: dst.modseq})
		res.SourceUIDs = append(res.SourceUIDs, m.uid)
		res.DestUIDs = append(res.DestUIDs, nm.uid)
	}
	return res, nil
}

func (h *handle) Copy(ctx context.Context, uids []uint32, dest string) (imapserver.CopyResult, error) {
	return h.copyTo(uids, dest)
}

func (h *handle) Move(ctx context.Context, uids []uint32, dest string) (imapserver.CopyResult, error) {
	if h.readOnly {
		return imapserver.CopyResult{}, imapserver.ErrReadOnly
	}
	if dst, _, err := h.dest(dest); err == nil && dst == h.mb {
		return imapserver.CopyResult{}, imapserver.ErrSameMailbox
	}
	if err := need(h.rights, 'e'); err != nil {
		return imapserver.CopyResult{}, err
	}
	res, err := h.copyTo(uids, dest)
	if err != nil {
		return res, err
	}
	mb := h.mb
	mb.mu.Lock()
	defer mb.mu.Unlock()
	moved := res.SourceUIDs
	kept := mb.msgs[:0]
	var gone []uint32
	for _, m := range mb.msgs {
		i := sort.Search(len(moved), func(i int) bool { return moved[i] >= m.uid })
		if i < len(moved) && moved[i] == m.uid {
			gone = append(gone, m.uid)
			continue
		}
		kept = append(kept, m)
	}
	for i := len(kept); i < len(mb.msgs); i++ {
		mb.msgs[i] = nil
	}
	mb.msgs = kept
	mb.modseq++
	for _, uid := range gone {
		mb.tombs = append(mb.tombs, tomb{uid, mb.modseq})
		mb.publish(h, imapserver.Update{Kind: imapserver.UpdateExpunge, UID: uid, ModSeq: mb.modseq})
	}
	res.SourceUIDs, res.DestUIDs = filterPairs(res.SourceUIDs, res.DestUIDs, gone)
	return res, nil
}

// filterPairs keeps the pairs whose source is in keep (a message expunged
// by another session between the copy and the expunge was copied but is
// not reported as moved twice).
func filterPairs(src, dst, keep []uint32) ([]uint32, []uint32) {
	var s, d []uint32
	for i, u := range src {
		j := sort.Search(len(keep), func(j int) bool { return keep[j] >= u })
		if j < len(keep) && keep[j] == u {
			s = append(s, u)
			d = append(d, dst[i])
		}
	}
	return s, d
}

// Vanished implements imapserver.VanishedMailbox.
func (h *handle) Vanished(ctx context.Context, since uint64) ([]uint32, error) {
	h.mb.mu.RLock()
	defer h.mb.mu.RUnlock()
	var out []uint32
	for _, t := range h.mb.tombs {
		if t.modseq > since {
			out = append(out, t.uid)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}
