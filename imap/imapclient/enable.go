package imapclient

import (
	"context"

	"github.com/mailwire/mailwire/imap"
)

// EnableCommand is an ENABLE in flight.
type EnableCommand struct {
	*Command
	caps imap.CapSet
}

func (cmd *EnableCommand) wants(kind string) bool { return kind == "ENABLED" }
func (cmd *EnableCommand) handle(kind string, num uint32) error {
	cmd.caps = readCaps(cmd.c.dec)
	return nil
}

// Wait returns the extensions the server enabled.
func (cmd *EnableCommand) Wait() (imap.CapSet, error) { return cmd.WaitContext(context.Background()) }

// WaitContext is Wait bounded by ctx. When ctx ends first the connection,
// whose state is then unknown, is closed.
func (cmd *EnableCommand) WaitContext(ctx context.Context) (imap.CapSet, error) {
	err := cmd.Command.WaitContext(ctx)
	return cmd.caps, err
}

// Enable sends ENABLE (RFC 9051 §6.3.1, RFC 5161). Enabling UTF8=ACCEPT
// switches mailbox names and strings to UTF-8 (RFC 6855).
func (c *Client) Enable(caps ...imap.Cap) *EnableCommand {
	cmd := &EnableCommand{}
	cmd.Command = c.newCommand("ENABLE", cmd)
	for _, cp := range caps {
		c.enc.SP().Atom(string(cp))
	}
	cmd.onOK = func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.enabled == nil {
			c.enabled = imap.NewCapSet()
		}
		for cp := range cmd.caps {
			c.enabled.Add(cp)
			if cp == imap.Cap("UTF8=ACCEPT") || cp == imap.Cap("IMAP4REV2") {
				c.utf8On = true
			}
		}
	}
	c.send(cmd.Command)
	return cmd
}
