package imapclient

import (
	"github.com/mailwire/mailwire/imap"
)

// StoreFlagsOp is how STORE changes flags.
type StoreFlagsOp int

// Store operations.
const (
	StoreFlagsSet StoreFlagsOp = iota // FLAGS
	StoreFlagsAdd                     // +FLAGS
	StoreFlagsDel                     // -FLAGS
)

func (op StoreFlagsOp) prefix() string {
	switch op {
	case StoreFlagsAdd:
		return "+"
	case StoreFlagsDel:
		return "-"
	}
	return ""
}

// StoreFlags is a STORE's flag change.
type StoreFlags struct {
	Op     StoreFlagsOp
	Silent bool
	Flags  []imap.Flag
}

// StoreOptions are STORE modifiers.
type StoreOptions struct {
	UnchangedSince uint64 // RFC 7162 §3.1.3
}

// Store sends STORE (or UID STORE for an imap.UIDSet) (RFC 9051 §6.4.6).
// The FETCH responses it causes are read from the returned command; its
// Modified field holds the MODIFIED set after Close.
func (c *Client) Store(set imap.NumSet, flags *StoreFlags, opts *StoreOptions) *FetchCommand {
	_, uid := set.(imap.UIDSet)
	return c.store(uid, set, "FLAGS", flags.Op, flags.Silent, opts, func() {
		imap.WriteFlagList(c.enc, flags.Flags)
	})
}

// UIDStore sends UID STORE whatever the set's type (for "$").
func (c *Client) UIDStore(set imap.NumSet, flags *StoreFlags, opts *StoreOptions) *FetchCommand {
	return c.store(true, set, "FLAGS", flags.Op, flags.Silent, opts, func() {
		imap.WriteFlagList(c.enc, flags.Flags)
	})
}

// StoreGmailLabels changes Gmail labels (X-GM-LABELS, X-GM-EXT-1).
func (c *Client) StoreGmailLabels(set imap.NumSet, op StoreFlagsOp, silent bool, labels []string) *FetchCommand {
	_, uid := set.(imap.UIDSet)
	return c.store(uid, set, "X-GM-LABELS", op, silent, nil, func() {
		c.enc.List(len(labels), func(i int) { c.enc.Mailbox(labels[i]) })
	})
}

func (c *Client) store(uid bool, set imap.NumSet, item string, op StoreFlagsOp, silent bool, opts *StoreOptions, args func()) *FetchCommand {
	cmd := &FetchCommand{uid: uid}
	if ss, ok := set.(imap.SeqSet); ok && !uid {
		cmd.seqs = ss
	}
	if us, ok := set.(imap.UIDSet); ok && uid {
		cmd.uids = us
	}
	name := "STORE"
	if uid {
		name = "UID STORE"
	}
	cmd.Command = c.newCommand(name, cmd)
	c.enc.SP()
	imap.WriteNumSet(c.enc, set)
	if opts != nil && opts.UnchangedSince > 0 {
		c.enc.SP().Raw("(UNCHANGEDSINCE ").Number64(opts.UnchangedSince).Special(')')
	}
	c.enc.SP().Raw(op.prefix()).Atom(item)
	if silent {
		c.enc.Atom(".SILENT")
	}
	c.enc.SP()
	args()
	c.send(cmd.Command)
	return cmd
}
