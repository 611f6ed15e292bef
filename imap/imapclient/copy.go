package imapclient

import (
	"context"

	"github.com/mailwire/mailwire/imap"
)

// CopyCommand is a COPY or MOVE in flight.
type CopyCommand struct {
	*Command
	move bool
	data *imap.CopyUIDData
}

func (cmd *CopyCommand) wants(kind string) bool {
	return cmd.move && kind == "status:COPYUID"
}
func (cmd *CopyCommand) handle(kind string, num uint32) error { return nil }
func (cmd *CopyCommand) takeStatus(r *imap.StatusResponse) {
	if d, err := imap.ParseCopyUID(r.CodeArg); err == nil {
		cmd.data = d
	}
}

// Wait returns the COPYUID data (UIDPLUS, RFC 4315), nil when the server
// sent none.
func (cmd *CopyCommand) Wait() (*imap.CopyUIDData, error) {
	return cmd.WaitContext(context.Background())
}

// WaitContext is Wait bounded by ctx. When ctx ends first the connection,
// whose state is then unknown, is closed.
func (cmd *CopyCommand) WaitContext(ctx context.Context) (*imap.CopyUIDData, error) {
	if err := cmd.Command.WaitContext(ctx); err != nil {
		return nil, err
	}
	if cmd.status.Code == imap.CodeCopyUID {
		if d, err := imap.ParseCopyUID(cmd.status.CodeArg); err == nil {
			cmd.data = d
		}
	}
	return cmd.data, nil
}

// Copy sends COPY, or UID COPY for an imap.UIDSet (RFC 9051 §6.4.7).
func (c *Client) Copy(set imap.NumSet, mailbox string) *CopyCommand {
	_, uid := set.(imap.UIDSet)
	return c.copyOrMove("COPY", uid, set, mailbox)
}

// UIDCopy sends UID COPY whatever the set's type (for "$").
func (c *Client) UIDCopy(set imap.NumSet, mailbox string) *CopyCommand {
	return c.copyOrMove("COPY", true, set, mailbox)
}

// UIDMove sends UID MOVE whatever the set's type (for "$").
func (c *Client) UIDMove(set imap.NumSet, mailbox string) *CopyCommand {
	return c.copyOrMove("MOVE", true, set, mailbox)
}

// Move sends MOVE, or UID MOVE (RFC 6851). The expunges it causes reach
// the unilateral Expunge/Vanished handler.
func (c *Client) Move(set imap.NumSet, mailbox string) *CopyCommand {
	_, uid := set.(imap.UIDSet)
	return c.copyOrMove("MOVE", uid, set, mailbox)
}

func (c *Client) copyOrMove(name string, uid bool, set imap.NumSet, mailbox string) *CopyCommand {
	cmd := &CopyCommand{move: name == "MOVE"}
	if uid {
		name = "UID " + name
	}
	cmd.Command = c.newCommand(name, cmd)
	c.enc.SP()
	imap.WriteNumSet(c.enc, set)
	c.enc.SP().Mailbox(mailbox)
	c.send(cmd.Command)
	return cmd
}
