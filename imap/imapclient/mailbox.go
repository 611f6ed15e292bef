package imapclient

import (
	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/internal/imapwire"
)

// CreateOptions are options of CREATE.
type CreateOptions struct {
	// SpecialUse asks for special-use attributes (RFC 6154 §3,
	// CREATE-SPECIAL-USE).
	SpecialUse []imap.MailboxAttr
}

// Create sends CREATE (RFC 9051 §6.3.4).
func (c *Client) Create(mailbox string, opts *CreateOptions) *Command {
	return c.simple("CREATE", func(enc *imapwire.Encoder) {
		enc.SP().Mailbox(mailbox)
		if opts != nil && len(opts.SpecialUse) > 0 {
			enc.SP().Raw("(USE ").List(len(opts.SpecialUse), func(i int) { enc.Atom(string(opts.SpecialUse[i])) }).Special(')')
		}
	})
}

// Delete sends DELETE (RFC 9051 §6.3.5).
func (c *Client) Delete(mailbox string) *Command {
	return c.simple("DELETE", func(enc *imapwire.Encoder) { enc.SP().Mailbox(mailbox) })
}

// Rename sends RENAME (RFC 9051 §6.3.6).
func (c *Client) Rename(mailbox, newName string) *Command {
	return c.simple("RENAME", func(enc *imapwire.Encoder) { enc.SP().Mailbox(mailbox).SP().Mailbox(newName) })
}

// Subscribe sends SUBSCRIBE (RFC 9051 §6.3.7).
func (c *Client) Subscribe(mailbox string) *Command {
	return c.simple("SUBSCRIBE", func(enc *imapwire.Encoder) { enc.SP().Mailbox(mailbox) })
}

// Unsubscribe sends UNSUBSCRIBE (RFC 9051 §6.3.8).
func (c *Client) Unsubscribe(mailbox string) *Command {
	return c.simple("UNSUBSCRIBE", func(enc *imapwire.Encoder) { enc.SP().Mailbox(mailbox) })
}
