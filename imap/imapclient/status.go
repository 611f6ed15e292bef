package imapclient

import (
	"context"

	"github.com/mailwire/mailwire/imap"
)

// StatusCommand is a STATUS in flight.
type StatusCommand struct {
	*Command
	data *imap.StatusData
}

func (cmd *StatusCommand) wants(kind string) bool { return kind == "STATUS" }
func (cmd *StatusCommand) handle(kind string, num uint32) error {
	st := new(imap.StatusData)
	if imap.ReadStatusData(cmd.c.dec, st, cmd.c.utf8()) {
		cmd.data = st
	}
	return nil
}

// Wait returns the status data.
func (cmd *StatusCommand) Wait() (*imap.StatusData, error) {
	return cmd.WaitContext(context.Background())
}

// WaitContext is Wait bounded by ctx. When ctx ends first the connection,
// whose state is then unknown, is closed.
func (cmd *StatusCommand) WaitContext(ctx context.Context) (*imap.StatusData, error) {
	if err := cmd.Command.WaitContext(ctx); err != nil {
		return nil, err
	}
	if cmd.data == nil {
		return nil, protoErr("no STATUS data in reply", nil)
	}
	return cmd.data, nil
}

// Status sends STATUS (RFC 9051 §6.3.11; SIZE, DELETED, HIGHESTMODSEQ,
// APPENDLIMIT, MAILBOXID as asked). STATUS needs at least one item: nil or
// empty opts ask for MESSAGES, UIDNEXT, UIDVALIDITY and UNSEEN.
func (c *Client) Status(mailbox string, opts *imap.StatusOptions) *StatusCommand {
	if opts == nil || len(opts.Items()) == 0 {
		opts = &imap.StatusOptions{NumMessages: true, UIDNext: true, UIDValidity: true, NumUnseen: true}
	}
	cmd := &StatusCommand{}
	cmd.Command = c.newCommand("STATUS", cmd)
	c.enc.SP().Mailbox(mailbox).SP()
	imap.WriteStatusOptions(c.enc, opts)
	c.send(cmd.Command)
	return cmd
}
