package imapclient

import (
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
	if err := cmd.Command.Wait(); err != nil {
		return nil, err
	}
	if cmd.data == nil {
		return nil, protoErr("no STATUS data in reply", nil)
	}
	return cmd.data, nil
}

// Status sends STATUS (RFC 9051 §6.3.11; SIZE, DELETED, HIGHESTMODSEQ,
// APPENDLIMIT, MAILBOXID as asked).
func (c *Client) Status(mailbox string, opts *imap.StatusOptions) *StatusCommand {
	cmd := &StatusCommand{}
	cmd.Command = c.newCommand("STATUS", cmd)
	c.enc.SP().Mailbox(mailbox).SP()
	imap.WriteStatusOptions(c.enc, opts)
	c.send(cmd.Command)
	return cmd
}
