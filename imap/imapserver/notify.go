package imapserver

import (
	"sort"
	"strings"
)

// EventKind is the kind of an [Event].
type EventKind int

const (
	// EventMessageNew: messages were added to Mailbox.
	EventMessageNew EventKind = iota + 1
	// EventMessageExpunge: messages were removed from Mailbox.
	EventMessageExpunge
	// EventFlagChange: flags changed in Mailbox.
	EventFlagChange
	// EventMailboxCreate: Mailbox was created.
	EventMailboxCreate
	// EventMailboxDelete: Mailbox was deleted.
	EventMailboxDelete
	// EventMailboxRename: OldName became Mailbox, its children with it.
	EventMailboxRename
	// EventSubscription: Mailbox was subscribed or unsubscribed.
	EventSubscription
	// EventMetadata: the annotation Entry of Mailbox changed; Mailbox is
	// "" for a server annotation (RFC 5464).
	EventMetadata
)

// Event is one change somewhere in a user's mailboxes, for NOTIFY.
type Event struct {
	Kind    EventKind
	Mailbox string
	OldName string // EventMailboxRename
	Entry   string // EventMetadata
}

// NotifyUser is a User that reports changes made anywhere in its mailboxes,
// by any session, so that NOTIFY (RFC 5465) can tell the client about
// mailboxes other than the selected one. The server advertises NOTIFY only
// for such users.
type NotifyUser interface {
	User
	// Watch starts reporting changes. wake is called, from any goroutine
	// and without blocking, whenever events are waiting in the Watcher.
	// Changes made through this User should be left out (RFC 5465 §5).
	Watch(wake func()) Watcher
}

// Watcher holds the events of a [NotifyUser.Watch].
type Watcher interface {
	// Events returns, and forgets, the events waiting, oldest first.
	// overflow reports that some were dropped because too many waited;
	// the server then stops NOTIFY with NOTIFICATIONOVERFLOW (§5.8).
	Events() (events []Event, overflow bool)
	// Close stops the reporting.
	Close()
}

// The events of NOTIFY (RFC 5465 §5), as a set.
type eventSet uint8

const (
	evMessageNew eventSet = 1 << iota
	evMessageExpunge
	evFlagChange
	evMailboxName
	evSubscriptionChange
	evMailboxMetadataChange
	evServerMetadataChange

	evMessageEvents = evMessageNew | evMessageExpunge | evFlagChange
)

// notifyEvents names the events we support, in BADEVENT's order.
var notifyEvents = []struct {
	name string
	bit  eventSet
}{
	{"MessageNew", evMessageNew},
	{"MessageExpunge", evMessageExpunge},
	{"FlagChange", evFlagChange},
	{"MailboxName", evMailboxName},
	{"SubscriptionChange", evSubscriptionChange},
	{"MailboxMetadataChange", evMailboxMetadataChange},
	{"ServerMetadataChange", evServerMetadataChange},
}

// notifySpec is a NOTIFY SET in effect.
type notifySpec struct {
	selected  bool // a SELECTED or SELECTED-DELAYED group was given
	delayed   bool // SELECTED-DELAYED: expunges wait for a command
	selEvents eventSet
	fetch     []fetchItem // MessageNew's fetch-att for the selected mailbox
	groups    []notifyGroup
}

type notifyGroup struct {
	filter string // inboxes, personal, subscribed, subtree, mailboxes
	names  []string
	events eventSet
}

// matches reports whether group g covers mailbox name; subscribed tells
// whether name is subscribed.
func (g *notifyGroup) matches(name string, subscribed func(string) bool) bool {
	switch g.filter {
	case "inboxes", "personal":
		// RFC 5465 §6.3: inboxes may be taken as personal; every mailbox
		// of the user is personal here.
		return true
	case "subscribed":
		return subscribed(name)
	case "subtree":
		for _, n := range g.names {
			if sameMailbox(n, name) || strings.HasPrefix(name, n+"/") {
				return true
			}
		}
	case "mailboxes":
		for _, n := range g.names {
			if sameMailbox(n, name) {
				return true
			}
		}
	}
	return false
}

func sameMailbox(a, b string) bool {
	if strings.EqualFold(a, "INBOX") {
		return strings.EqualFold(b, "INBOX")
	}
	return a == b
}

// handleNOTIFY: RFC 5465 §3.1.
func (c *conn) handleNOTIFY(tag string, uid bool) error {
	d := &c.dec
	if !d.SP() {
		return nil
	}
	verb, ok := d.Atom()
	if !ok {
		return nil
	}
	nu, isNotify := c.user.(NotifyUser)
	switch strings.ToUpper(verb) {
	case "NONE":
		if !d.CRLF() {
			return nil
		}
		c.stopNotify()
		return nil
	case "SET":
	default:
		return d.bail("NOTIFY SET or NOTIFY NONE expected")
	}
	status := false
	spec := &notifySpec{}
	var unknown bool
	c.notifyFetch = nil
	defer func() { c.notifyFetch = nil }()
	for n := 0; ; n++ {
		if !d.SP() {
			return nil
		}
		if n == 0 && (d.Peek('S') || d.Peek('s')) {
			if a, ok := d.Atom(); !ok || !strings.EqualFold(a, "STATUS") {
				return d.bail("STATUS or an event group expected")
			}
			status = true
			continue
		}
		g, sel, bad, ok := c.notifyGroup()
		if !ok {
			return nil
		}
		unknown = unknown || bad
		if sel != "" {
			// §6.1: only one of SELECTED and SELECTED-DELAYED, and
			// only message events there.
			if spec.selected {
				return d.bail("only one SELECTED or SELECTED-DELAYED group")
			}
			if g.events&^evMessageEvents != 0 {
				return d.bail("only message events apply to the selected mailbox")
			}
			spec.selected, spec.delayed, spec.selEvents = true, sel == "selected-delayed", g.events
			spec.fetch = c.notifyFetch
		} else {
			if c.notifyFetch != nil {
				return d.bail("fetch attributes apply to the selected mailbox only")
			}
			spec.groups = append(spec.groups, g)
		}
		c.notifyFetch = nil
		if !d.Peek(' ') {
			break
		}
	}
	if !d.CRLF() {
		return nil
	}
	if !isNotify {
		return no("CANNOT", "NOTIFY is not available with this mailbox store")
	}
	if unknown {
		// §3.1: NO, not BAD, with BADEVENT listing what we support.
		var names []string
		for _, e := range notifyEvents {
			names = append(names, e.name)
		}
		return no("BADEVENT ("+strings.Join(names, " ")+")", "unsupported event")
	}
	c.stopNotify()
	c.ntf = spec
	if len(spec.groups) > 0 {
		c.watcher = nu.Watch(c.wake)
	}
	if status {
		c.notifyStatus()
	}
	return nil
}

// notifyGroup reads "(" filter SP events ")". sel is "selected" or
// "selected-delayed" for those filters; bad reports an unsupported event
// (answered with BADEVENT once the command is read).
func (c *conn) notifyGroup() (g notifyGroup, sel string, bad, ok bool) {
	d := &c.dec
	if !d.Expect('(') {
		return g, "", false, false
	}
	filter, ok := d.Atom()
	if !ok || !d.SP() {
		return g, "", false, false
	}
	g.filter = strings.ToLower(filter)
	switch g.filter {
	case "selected", "selected-delayed":
		sel = g.filter
	case "inboxes", "personal", "subscribed":
	case "subtree", "mailboxes":
		if d.Peek('(') {
			d.readByte()
			for i := 0; !d.Peek(')'); i++ {
				if i > 0 && !d.SP() {
					return g, "", false, false
				}
				name, ok := c.mailboxName()
				if !ok {
					return g, "", false, false
				}
				g.names = append(g.names, name)
			}
			d.readByte()
		} else {
			name, ok := c.mailboxName()
			if !ok {
				return g, "", false, false
			}
			g.names = []string{name}
		}
		if !d.SP() {
			return g, "", false, false
		}
	default:
		d.bail("unknown NOTIFY filter %q", quoteBack(filter))
		return g, "", false, false
	}
	if d.Peek('N') || d.Peek('n') {
		if a, ok := d.Atom(); !ok || !strings.EqualFold(a, "NONE") {
			d.bail("event list or NONE expected")
			return g, "", false, false
		}
	} else {
		if !d.Expect('(') {
			return g, "", false, false
		}
		for i := 0; !d.Peek(')'); i++ {
			if i > 0 && !d.SP() {
				return g, "", false, false
			}
			name, ok := d.Atom()
			if !ok {
				return g, "", false, false
			}
			known := false
			for _, e := range notifyEvents {
				if strings.EqualFold(name, e.name) {
					g.events |= e.bit
					known = true
				}
			}
			if !known {
				bad = true
			}
			if strings.EqualFold(name, "MessageNew") && d.Peek(' ') && d.peekAt(1) == '(' {
				d.readByte()
				items, ok := c.fetchItems()
				if !ok {
					return g, "", false, false
				}
				for _, it := range items {
					if (it.kind == fetchSection || it.kind == fetchBinary) && !it.peek {
						d.bail("MessageNew fetch attributes must not set \\Seen")
						return g, "", false, false
					}
				}
				c.notifyFetch = items
			}
		}
		d.readByte()
	}
	if !d.Expect(')') {
		return g, "", false, false
	}
	// §5: MessageNew and MessageExpunge go together, and FlagChange (or
	// AnnotationChange) needs both.
	if (g.events&evMessageNew != 0) != (g.events&evMessageExpunge != 0) {
		d.bail("MessageNew and MessageExpunge must be given together")
		return g, "", false, false
	}
	if g.events&evFlagChange != 0 && g.events&evMessageNew == 0 {
		d.bail("FlagChange needs MessageNew and MessageExpunge")
		return g, "", false, false
	}
	return g, sel, bad, true
}

// stopNotify ends NOTIFY (NOTIFY NONE, a new NOTIFY SET, an overflow).
func (c *conn) stopNotify() {
	if c.watcher != nil {
		c.watcher.Close()
		c.watcher = nil
	}
	c.ntf = nil
}

// notifyStatus answers NOTIFY SET STATUS: a STATUS response for every
// mailbox other than the selected one with message events (§3.1).
func (c *conn) notifyStatus() {
	boxes, err := c.user.ListMailboxes(c.ctx())
	if err != nil {
		return
	}
	sort.Slice(boxes, func(i, j int) bool { return boxes[i].Name < boxes[j].Name })
	subscribed := func(name string) bool {
		for _, b := range boxes {
			if b.Name == name {
				return b.Subscribed
			}
		}
		return false
	}
	for _, b := range boxes {
		if c.sel != nil && sameMailbox(b.Name, c.sel.name) {
			continue
		}
		ev := c.eventsFor(b.Name, subscribed)
		if items := c.statusItemsFor(ev, true); len(items) > 0 {
			if st, err := c.user.Status(c.ctx(), b.Name); err == nil {
				c.writeStatus(b.Name, st, items)
			}
		}
	}
}

// eventsFor is the union of the events of the groups covering name.
func (c *conn) eventsFor(name string, subscribed func(string) bool) eventSet {
	var ev eventSet
	for i := range c.ntf.groups {
		if g := &c.ntf.groups[i]; g.matches(name, subscribed) {
			ev |= g.events
		}
	}
	return ev
}

// statusItemsFor lists the STATUS items that report events ev (§5.1 to
// §5.3); initial is the STATUS of NOTIFY SET STATUS (§3.1).
func (c *conn) statusItemsFor(ev eventSet, initial bool) []string {
	var items []string
	if ev&(evMessageNew|evMessageExpunge) != 0 {
		items = append(items, "MESSAGES", "UIDNEXT")
		if initial && ev&evMessageNew != 0 {
			items = append(items, "UIDVALIDITY")
		}
	}
	if ev&evFlagChange != 0 {
		if len(items) == 0 || !initial {
			items = append(items, "UIDVALIDITY")
		}
		if !c.condstore {
			// §5.1: without CONDSTORE, UNSEEN tells of \Seen changes.
			items = append(items, "UNSEEN")
		}
	}
	if len(items) > 0 && c.condstore {
		items = append(items, "HIGHESTMODSEQ")
	}
	return dedupe(items)
}

func dedupe(items []string) []string {
	out := items[:0]
	seen := map[string]bool{}
	for _, it := range items {
		if !seen[it] {
			seen[it] = true
			out = append(out, it)
		}
	}
	return out
}

// drainNotify writes what the Watcher holds: STATUS for message events in
// mailboxes other than the selected one, LIST for mailbox and subscription
// changes, METADATA for annotation changes (RFC 5465 §5).
func (c *conn) drainNotify() {
	if c.watcher == nil || c.ntf == nil {
		return
	}
	events, overflow := c.watcher.Events()
	if overflow {
		c.stopNotify()
		c.untagged("OK [NOTIFICATIONOVERFLOW] too many events; NOTIFY is off")
		return
	}
	if len(events) == 0 {
		return
	}
	var boxes []MailboxInfo
	listed := false
	info := func(name string) (MailboxInfo, bool) {
		if !listed {
			boxes, _ = c.user.ListMailboxes(c.ctx())
			listed = true
		}
		for _, b := range boxes {
			if sameMailbox(b.Name, name) {
				return b, true
			}
		}
		return MailboxInfo{}, false
	}
	subscribed := func(name string) bool {
		b, ok := info(name)
		return ok && b.Subscribed
	}
	hasChildren := func(name string) bool {
		for _, b := range boxes {
			if strings.HasPrefix(b.Name, name+"/") {
				return true
			}
		}
		return false
	}
	// Message events become one STATUS per mailbox, in the order the
	// mailboxes first changed; a mailbox is LISTed once per batch.
	var order []string
	listedNames := map[string]bool{}
	changed := map[string]eventSet{}
	for _, e := range events {
		switch e.Kind {
		case EventMessageNew, EventMessageExpunge, EventFlagChange:
			if c.sel != nil && sameMailbox(e.Mailbox, c.sel.name) {
				continue // the selected mailbox has its own updates
			}
			bit := evFlagChange
			switch e.Kind {
			case EventMessageNew:
				bit = evMessageNew
			case EventMessageExpunge:
				bit = evMessageExpunge
			}
			if c.eventsFor(e.Mailbox, subscribed)&bit == 0 {
				continue
			}
			if _, ok := changed[e.Mailbox]; !ok {
				order = append(order, e.Mailbox)
			}
			changed[e.Mailbox] |= bit
		case EventMailboxCreate, EventMailboxDelete, EventMailboxRename:
			names := []string{e.Mailbox}
			if i := strings.LastIndexByte(e.Mailbox, '/'); i > 0 && e.Kind != EventMailboxRename {
				// §5.4: the direct parent is affected too.
				names = append(names, e.Mailbox[:i])
			}
			for k, name := range names {
				if c.eventsFor(name, subscribed)&evMailboxName == 0 {
					continue
				}
				b, ok := info(name)
				var attrs []string
				if !ok {
					attrs = []string{`\NonExistent`}
				} else {
					attrs = append(attrs, b.Attrs...)
					if hasChildren(name) {
						attrs = append(attrs, `\HasChildren`)
					} else {
						attrs = append(attrs, `\HasNoChildren`)
					}
					if b.Subscribed {
						attrs = append(attrs, `\Subscribed`)
					}
				}
				old := ""
				if k == 0 && e.Kind == EventMailboxRename {
					old = e.OldName
				}
				if old == "" && listedNames[name] {
					continue
				}
				listedNames[name] = true
				c.writeNotifyList(attrs, name, old)
			}
		case EventSubscription:
			if c.eventsFor(e.Mailbox, func(string) bool { return true })&evSubscriptionChange == 0 {
				continue
			}
			b, ok := info(e.Mailbox)
			var attrs []string
			if !ok {
				attrs = []string{`\NonExistent`}
			} else {
				attrs = append(attrs, b.Attrs...)
				if b.Subscribed {
					attrs = append(attrs, `\Subscribed`)
				}
			}
			c.writeNotifyList(attrs, e.Mailbox, "")
		case EventMetadata:
			want := evMailboxMetadataChange
			ev := c.eventsFor(e.Mailbox, subscribed)
			if e.Mailbox == "" {
				want = evServerMetadataChange
				ev = 0
				for _, g := range c.ntf.groups {
					ev |= g.events
				}
			}
			if ev&want == 0 {
				continue
			}
			b := append([]byte(nil), "* METADATA "...)
			b = c.appendMailbox(b, e.Mailbox)
			b = append(b, ' ')
			b = appendAString(b, e.Entry)
			c.writer().Write(append(b, "\r\n"...))
		}
	}
	for _, name := range order {
		if st, err := c.user.Status(c.ctx(), name); err == nil {
			c.writeStatus(name, st, c.statusItemsFor(changed[name], false))
		}
	}
}

// writeNotifyList writes an unsolicited LIST (§5.4, §5.5), with OLDNAME
// for a rename.
func (c *conn) writeNotifyList(attrs []string, name, oldName string) {
	b := append([]byte(nil), "* LIST "...)
	b = appendFlags(b, attrs)
	b = append(b, ` "/" `...)
	b = c.appendMailbox(b, name)
	if oldName != "" {
		b = append(b, ` ("OLDNAME" (`...)
		b = c.appendMailbox(b, oldName)
		b = append(b, "))"...)
	}
	c.writer().Write(append(b, "\r\n"...))
}

// notifyNewMessages sends MessageNew's FETCH for the messages of the
// selected mailbox above lastUID (§5.2): UID and the requested items.
func (c *conn) notifyNewMessages(lastUID uint32) {
	if c.ntf == nil || !c.ntf.selected || c.ntf.selEvents&evMessageNew == 0 || len(c.ntf.fetch) == 0 || c.sel == nil {
		return
	}
	var uids []uint32
	for i := len(c.sel.uids) - 1; i >= 0 && c.sel.uids[i] > lastUID; i-- {
		uids = append(uids, c.sel.uids[i])
	}
	if len(uids) == 0 {
		return
	}
	sort.Slice(uids, func(i, j int) bool { return uids[i] < uids[j] })
	items := c.ntf.fetch
	hasUID := false
	for _, it := range items {
		hasUID = hasUID || it.kind == fetchUID
	}
	if !hasUID {
		items = append([]fetchItem{{kind: fetchUID}}, items...)
	}
	f := fetcher{c: c, items: items}
	c.sel.mbox.Fetch(c.ctx(), uids, f.write)
}
