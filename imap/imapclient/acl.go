package imapclient

import (
	"sort"

	"github.com/mailwire/mailwire/imap"
)

func sortStrings(s []string) { sort.Strings(s) }

// ACLCommand is a GETACL, LISTRIGHTS or MYRIGHTS in flight (RFC 4314).
type ACLCommand struct {
	*Command
	kind string
	// ACL maps identifiers to rights (GETACL).
	acl map[string]string
	// rights: MYRIGHTS's rights, or LISTRIGHTS's required rights then the
	// optional groups.
	rights []string
}

func (cmd *ACLCommand) wants(kind string) bool { return kind == cmd.kind }
func (cmd *ACLCommand) handle(kind string, num uint32) error {
	d := cmd.c.dec
	var mbox string
	if !imap.ReadMailbox(d, &mbox, cmd.c.utf8()) {
		return nil
	}
	switch kind {
	case "ACL":
		cmd.acl = map[string]string{}
		for d.SP() {
			var id, r string
			if !d.ExpectAString(&id) || !d.ExpectSP() || !d.ExpectAString(&r) {
				break
			}
			cmd.acl[id] = r
		}
	case "LISTRIGHTS":
		var id string
		if d.ExpectSP() && d.ExpectAString(&id) {
			for d.SP() {
				var r string
				if !d.ExpectAString(&r) {
					break
				}
				cmd.rights = append(cmd.rights, r)
			}
		}
	case "MYRIGHTS":
		var r string
		if d.ExpectSP() && d.ExpectAString(&r) {
			cmd.rights = []string{r}
		}
	}
	return nil
}

// ACL returns GETACL's identifiers and rights.
func (cmd *ACLCommand) ACL() (map[string]string, error) {
	err := cmd.Command.Wait()
	return cmd.acl, err
}

// Rights returns MYRIGHTS's rights (one string) or LISTRIGHTS's required
// rights followed by the optional ones.
func (cmd *ACLCommand) Rights() ([]string, error) {
	err := cmd.Command.Wait()
	return cmd.rights, err
}

// SetACL sends SETACL (RFC 4314 §3.1); rights may start with "+" or "-".
func (c *Client) SetACL(mailbox, identifier, rights string) *Command {
	cmd := c.newCommand("SETACL", nil)
	c.enc.SP().Mailbox(mailbox).SP().AString(identifier).SP().AString(rights)
	return c.send(cmd)
}

// DeleteACL sends DELETEACL (RFC 4314 §3.2).
func (c *Client) DeleteACL(mailbox, identifier string) *Command {
	cmd := c.newCommand("DELETEACL", nil)
	c.enc.SP().Mailbox(mailbox).SP().AString(identifier)
	return c.send(cmd)
}

// GetACL sends GETACL (RFC 4314 §3.3).
func (c *Client) GetACL(mailbox string) *ACLCommand {
	cmd := &ACLCommand{kind: "ACL"}
	cmd.Command = c.newCommand("GETACL", cmd)
	c.enc.SP().Mailbox(mailbox)
	c.send(cmd.Command)
	return cmd
}

// ListRights sends LISTRIGHTS (RFC 4314 §3.4).
func (c *Client) ListRights(mailbox, identifier string) *ACLCommand {
	cmd := &ACLCommand{kind: "LISTRIGHTS"}
	cmd.Command = c.newCommand("LISTRIGHTS", cmd)
	c.enc.SP().Mailbox(mailbox).SP().AString(identifier)
	c.send(cmd.Command)
	return cmd
}

// MyRights sends MYRIGHTS (RFC 4314 §3.5).
func (c *Client) MyRights(mailbox string) *ACLCommand {
	cmd := &ACLCommand{kind: "MYRIGHTS"}
	cmd.Command = c.newCommand("MYRIGHTS", cmd)
	c.enc.SP().Mailbox(mailbox)
	c.send(cmd.Command)
	return cmd
}
