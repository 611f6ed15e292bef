package imapclient

import (
	"context"

	"github.com/mailwire/mailwire/imap"
)

// ExpungeCommand is an EXPUNGE or UID EXPUNGE in flight.
type ExpungeCommand struct {
	*Command
	seqNums  []uint32
	vanished imap.UIDSet
}

func (cmd *ExpungeCommand) wants(kind string) bool { return kind == "EXPUNGE" || kind == "VANISHED" }
func (cmd *ExpungeCommand) handle(kind string, num uint32) error {
	cmd.seqNums = append(cmd.seqNums, num)
	return nil
}
func (cmd *ExpungeCommand) takeVanished(set imap.UIDSet, earlier bool) {
	if !earlier {
		cmd.vanished = append(cmd.vanished, set...)
	}
}

// ExpungeData is what EXPUNGE reports: sequence numbers in the order the
// server sent them (each relative to the mailbox after the previous
// ones), or, with QRESYNC enabled, the UIDs of VANISHED.
type ExpungeData struct {
	SeqNums  []uint32
	Vanished imap.UIDSet
}

// Wait returns the expunged messages.
func (cmd *ExpungeCommand) Wait() (*ExpungeData, error) { return cmd.WaitContext(context.Background()) }

// WaitContext is Wait bounded by ctx. When ctx ends first the connection,
// whose state is then unknown, is closed.
func (cmd *ExpungeCommand) WaitContext(ctx context.Context) (*ExpungeData, error) {
	err := cmd.Command.WaitContext(ctx)
	return &ExpungeData{SeqNums: cmd.seqNums, Vanished: cmd.vanished}, err
}

// Expunge sends EXPUNGE (RFC 9051 §6.4.3).
func (c *Client) Expunge() *ExpungeCommand {
	cmd := &ExpungeCommand{}
	cmd.Command = c.newCommand("EXPUNGE", cmd)
	c.send(cmd.Command)
	return cmd
}

// UIDExpunge sends UID EXPUNGE (RFC 9051 §6.4.9, RFC 4315 UIDPLUS):
// expunges only the given messages among those marked \Deleted.
func (c *Client) UIDExpunge(uids imap.UIDSet) *ExpungeCommand {
	cmd := &ExpungeCommand{}
	cmd.Command = c.newCommand("UID EXPUNGE", cmd)
	c.enc.SP().Atom(uids.String())
	c.send(cmd.Command)
	return cmd
}
