package imapclient

import (
	"context"

	"github.com/mailwire/mailwire/imap"
)

// SelectOptions are options of SELECT and EXAMINE.
type SelectOptions struct {
	ReadOnly  bool // EXAMINE
	CondStore bool // RFC 7162 §3.1.8
	// QResync, when set, asks for the changes since a known state
	// (RFC 7162 §3.2.5); QRESYNC must be enabled first.
	QResync *QResyncParams
}

// QResyncParams are the QRESYNC parameters of SELECT.
type QResyncParams struct {
	UIDValidity uint32
	ModSeq      uint64
	KnownUIDs   imap.UIDSet // optional
	// SeqMatch is the optional sequence match data: known sequence numbers
	// and their UIDs.
	SeqMatchSeqs imap.SeqSet
	SeqMatchUIDs imap.UIDSet
}

// SelectData is what SELECT returns.
type SelectData struct {
	Flags          []imap.Flag
	PermanentFlags []imap.Flag
	NumMessages    uint32
	UIDNext        imap.UID
	UIDValidity    uint32
	HighestModSeq  uint64 // 0 with NOMODSEQ
	ReadOnly       bool
	MailboxID      string
	// List is the LIST response IMAP4rev2 servers send with SELECT.
	List *imap.ListData
	// Vanished and Fetch hold what a QRESYNC select returned.
	Vanished imap.UIDSet
	Fetch    []*FetchMessageBuffer
}

// SelectCommand is a SELECT or EXAMINE in flight.
type SelectCommand struct {
	*Command
	mailbox string
	data    SelectData
}

func (cmd *SelectCommand) wants(kind string) bool {
	switch kind {
	case "FLAGS", "EXISTS", "LIST", "VANISHED", "FETCH", "status:PERMANENTFLAGS", "status:MAILBOXID", "status:NOMODSEQ":
		return true
	}
	return false
}

func (cmd *SelectCommand) handle(kind string, num uint32) error {
	c := cmd.c
	switch kind {
	case "EXISTS":
		cmd.data.NumMessages = num
	case "LIST":
		l := new(imap.ListData)
		if imap.ReadListData(c.dec, l, c.utf8()) {
			cmd.data.List = l
		}
	}
	return nil
}

func (cmd *SelectCommand) takeStatus(r *imap.StatusResponse) {
	switch r.Code {
	case imap.CodePermanentFlags:
		for _, f := range imap.ParseCodeList(r.CodeArg) {
			cmd.data.PermanentFlags = append(cmd.data.PermanentFlags, imap.CanonicalFlag([]byte(f)))
		}
	case imap.CodeMailboxID:
		l := imap.ParseCodeList(r.CodeArg)
		if len(l) > 0 {
			cmd.data.MailboxID = l[0]
		}
	}
}

func (cmd *SelectCommand) take(b *FetchMessageBuffer) { cmd.data.Fetch = append(cmd.data.Fetch, b) }

func (cmd *SelectCommand) takeVanished(set imap.UIDSet, earlier bool) {
	cmd.data.Vanished = append(cmd.data.Vanished, set...)
}

// Wait returns the mailbox's data.
func (cmd *SelectCommand) Wait() (*SelectData, error) { return cmd.WaitContext(context.Background()) }

// WaitContext is Wait bounded by ctx. When ctx ends first the connection,
// whose state is then unknown, is closed.
func (cmd *SelectCommand) WaitContext(ctx context.Context) (*SelectData, error) {
	if err := cmd.Command.WaitContext(ctx); err != nil {
		return nil, err
	}
	return &cmd.data, nil
}

// Select sends SELECT, or EXAMINE when options say ReadOnly
// (RFC 9051 §6.3.2, §6.3.3).
func (c *Client) Select(mailbox string, opts *SelectOptions) *SelectCommand {
	if opts == nil {
		opts = &SelectOptions{}
	}
	name := "SELECT"
	if opts.ReadOnly {
		name = "EXAMINE"
	}
	cmd := &SelectCommand{mailbox: mailbox}
	cmd.Command = c.newCommand(name, cmd)
	// RFC 9051 §6.3.2: a SELECT deselects the current mailbox first.
	c.mu.Lock()
	c.mailbox = &SelectedMailbox{Name: mailbox}
	if c.state == imap.ConnStateSelected {
		c.state = imap.ConnStateAuthenticated
	}
	c.mu.Unlock()
	c.enc.SP().Mailbox(mailbox)
	if opts.CondStore || opts.QResync != nil {
		c.enc.SP().Special('(')
		if opts.CondStore {
			c.enc.Atom("CONDSTORE")
		}
		if q := opts.QResync; q != nil {
			if opts.CondStore {
				c.enc.SP()
			}
			c.enc.Atom("QRESYNC").SP().Special('(').Number(q.UIDValidity).SP().Number64(q.ModSeq)
			if len(q.KnownUIDs) > 0 {
				c.enc.SP().Atom(q.KnownUIDs.String())
			}
			if len(q.SeqMatchSeqs) > 0 {
				c.enc.SP().Special('(').Atom(q.SeqMatchSeqs.String()).SP().Atom(q.SeqMatchUIDs.String()).Special(')')
			}
			c.enc.Special(')')
		}
		c.enc.Special(')')
	}
	// RFC 9051 §6.3.2: a failed SELECT leaves no mailbox selected.
	cmd.onFail = c.deselect
	cmd.onOK = func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		m := c.mailbox
		if m == nil {
			m = &SelectedMailbox{Name: mailbox}
			c.mailbox = m
		}
		cmd.data.NumMessages = m.NumMessages
		cmd.data.UIDNext, cmd.data.UIDValidity, cmd.data.HighestModSeq = m.UIDNext, m.UIDValidity, m.HighestModSeq
		cmd.data.Flags = m.Flags
		cmd.data.ReadOnly = opts.ReadOnly || cmd.status.Code == imap.CodeReadOnly
		m.ReadOnly = cmd.data.ReadOnly
		c.state = imap.ConnStateSelected
	}
	c.send(cmd.Command)
	return cmd
}

func (c *Client) deselect() {
	c.mu.Lock()
	c.mailbox = nil
	if c.state == imap.ConnStateSelected {
		c.state = imap.ConnStateAuthenticated
	}
	c.mu.Unlock()
}

// CloseMailbox sends CLOSE (RFC 9051 §6.4.1): expunges silently and
// deselects.
func (c *Client) CloseMailbox() *Command {
	cmd := c.simple("CLOSE", nil)
	cmd.onOK = c.deselect
	return cmd
}

// Unselect sends UNSELECT (RFC 9051 §6.4.2, RFC 3691): deselects without
// expunging.
func (c *Client) Unselect() *Command {
	cmd := c.simple("UNSELECT", nil)
	cmd.onOK = c.deselect
	return cmd
}
