package imapclient

import (
	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/internal/imapwire"
)

// NotifyEvents is one event group of NOTIFY SET (RFC 5465 §5): a filter
// ("selected", "selected-delayed", "inboxes", "personal", "subscribed",
// "subtree" or "mailboxes" with Mailboxes) and the events wanted there (none
// means NONE).
type NotifyEvents struct {
	Filter    string
	Mailboxes []string
	Events    []string // MessageNew, MessageExpunge, FlagChange, AnnotationChange, MailboxName, SubscriptionChange, MailboxMetadataChange, ServerMetadataChange
	// Fetch is the fetch-att list sent with MessageNew, if any.
	Fetch *imap.FetchOptions
}

// Notify sends NOTIFY SET (RFC 5465); status asks for the STATUS of the
// watched mailboxes first. Events arrive at the unilateral handler.
func (c *Client) Notify(status bool, groups []NotifyEvents) *Command {
	cmd := c.newCommand("NOTIFY", nil)
	c.enc.SP().Atom("SET")
	if status {
		c.enc.SP().Atom("STATUS")
	}
	for _, g := range groups {
		c.enc.SP().Special('(').Atom(g.Filter)
		if len(g.Mailboxes) > 0 {
			c.enc.SP()
			if len(g.Mailboxes) == 1 {
				c.enc.Mailbox(g.Mailboxes[0])
			} else {
				c.enc.List(len(g.Mailboxes), func(i int) { c.enc.Mailbox(g.Mailboxes[i]) })
			}
		}
		c.enc.SP()
		if len(g.Events) == 0 {
			c.enc.Atom("NONE")
		} else {
			c.enc.List(len(g.Events), func(i int) {
				c.enc.Atom(g.Events[i])
				if g.Events[i] == "MessageNew" && g.Fetch != nil {
					c.enc.SP()
					items := g.Fetch.Items()
					c.enc.List(len(items), func(j int) { c.enc.Atom(items[j]) })
				}
			})
		}
		c.enc.Special(')')
	}
	return c.send(cmd)
}

// NotifyNone sends NOTIFY NONE: no more notifications.
func (c *Client) NotifyNone() *Command {
	return c.simple("NOTIFY", func(enc *imapwire.Encoder) { enc.SP().Atom("NONE") })
}
