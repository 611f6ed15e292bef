package imapclient

import (
	"context"

	"github.com/mailwire/mailwire/imap"
)

// ListCommand is a LIST or LSUB in flight.
type ListCommand struct {
	*Command
	kind   string
	status bool // RETURN (STATUS ...) asked
	list   []*imap.ListData
	stats  map[string]*imap.StatusData
}

func (cmd *ListCommand) wants(kind string) bool {
	return kind == cmd.kind || (kind == "STATUS" && cmd.status)
}

func (cmd *ListCommand) handle(kind string, num uint32) error {
	c := cmd.c
	if kind == "STATUS" {
		st := new(imap.StatusData)
		if imap.ReadStatusData(c.dec, st, c.utf8()) {
			if cmd.stats == nil {
				cmd.stats = make(map[string]*imap.StatusData)
			}
			cmd.stats[st.Mailbox] = st
		}
		return nil
	}
	l := new(imap.ListData)
	if imap.ReadListData(c.dec, l, c.utf8()) {
		cmd.list = append(cmd.list, l)
	}
	return nil
}

// Wait returns the mailboxes, each with its STATUS data when asked for
// (LIST-STATUS, RFC 5819).
func (cmd *ListCommand) Wait() ([]*imap.ListData, error) {
	return cmd.WaitContext(context.Background())
}

// WaitContext is Wait bounded by ctx. When ctx ends first the connection,
// whose state is then unknown, is closed.
func (cmd *ListCommand) WaitContext(ctx context.Context) ([]*imap.ListData, error) {
	err := cmd.Command.WaitContext(ctx)
	for _, l := range cmd.list {
		if st, ok := cmd.stats[l.Mailbox]; ok {
			l.Status = st
		}
	}
	return cmd.list, err
}

// List sends LIST (RFC 9051 §6.3.9) with LIST-EXTENDED options (RFC 5258)
// when opts asks for any, and several patterns when given.
func (c *Client) List(ref string, patterns []string, opts *imap.ListOptions) *ListCommand {
	cmd := &ListCommand{kind: "LIST", status: opts != nil && opts.ReturnStatus != nil}
	cmd.Command = c.newCommand("LIST", cmd)
	c.enc.SP()
	imap.WriteListCommand(c.enc, ref, patterns, opts)
	c.send(cmd.Command)
	return cmd
}

// Lsub sends LSUB (RFC 3501 §6.3.9; IMAP4rev1 servers).
func (c *Client) Lsub(ref, pattern string) *ListCommand {
	cmd := &ListCommand{kind: "LSUB"}
	cmd.Command = c.newCommand("LSUB", cmd)
	c.enc.SP()
	imap.WriteListCommand(c.enc, ref, []string{pattern}, nil)
	c.send(cmd.Command)
	return cmd
}
