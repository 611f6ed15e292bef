package imapclient

import (
	"context"

	"github.com/mailwire/mailwire/imap"
)

// CapabilityCommand is a CAPABILITY in flight.
type CapabilityCommand struct {
	*Command
	caps imap.CapSet
}

func (cmd *CapabilityCommand) wants(kind string) bool { return kind == "CAPABILITY" }
func (cmd *CapabilityCommand) handle(kind string, num uint32) error {
	cmd.caps = cmd.c.Caps()
	return nil
}

// Wait returns the capabilities.
func (cmd *CapabilityCommand) Wait() (imap.CapSet, error) {
	return cmd.WaitContext(context.Background())
}

// WaitContext is Wait bounded by ctx. When ctx ends first the connection,
// whose state is then unknown, is closed.
func (cmd *CapabilityCommand) WaitContext(ctx context.Context) (imap.CapSet, error) {
	err := cmd.Command.WaitContext(ctx)
	return cmd.caps, err
}

// Capability sends CAPABILITY (RFC 9051 §6.1.1).
func (c *Client) Capability() *CapabilityCommand {
	cmd := &CapabilityCommand{}
	cmd.Command = c.newCommand("CAPABILITY", cmd)
	c.send(cmd.Command)
	return cmd
}

// Noop sends NOOP (RFC 9051 §6.1.2): a way to poll for updates.
func (c *Client) Noop() *Command { return c.simple("NOOP", nil) }

// Logout sends LOGOUT (RFC 9051 §6.1.3) and closes the connection once
// the server answered.
func (c *Client) Logout() *Command {
	cmd := c.simple("LOGOUT", nil)
	cmd.onOK = func() {
		c.mu.Lock()
		c.state = imap.ConnStateLogout
		c.mu.Unlock()
	}
	go func() {
		<-cmd.done
		c.fail(ErrClosed)
	}()
	return cmd
}

// HasCap reports whether the server announced cap, asking with CAPABILITY
// first if it never did.
func (c *Client) HasCap(cap imap.Cap) bool {
	caps := c.Caps()
	if caps == nil {
		var err error
		if caps, err = c.Capability().Wait(); err != nil {
			return false
		}
	}
	return caps.Has(cap)
}

// Check sends CHECK (RFC 3501 §6.4.1; IMAP4rev1 servers only, RFC 9051
// removed it): a checkpoint of the selected mailbox.
func (c *Client) Check() *Command { return c.simple("CHECK", nil) }
