package imapclient

import (
	"context"
	"sort"
)

// IDCommand is an ID in flight.
type IDCommand struct {
	*Command
	data map[string]string
}

func (cmd *IDCommand) wants(kind string) bool { return kind == "ID" }
func (cmd *IDCommand) handle(kind string, num uint32) error {
	d := cmd.c.dec
	cmd.data = map[string]string{}
	d.ExpectNList(func() error {
		var k, v string
		if d.ExpectString(&k) && d.ExpectSP() && d.ExpectNString(&v) {
			cmd.data[k] = v
		}
		return nil
	})
	return nil
}

// Wait returns the server's identification (nil when it sent NIL).
func (cmd *IDCommand) Wait() (map[string]string, error) { return cmd.WaitContext(context.Background()) }

// WaitContext is Wait bounded by ctx. When ctx ends first the connection,
// whose state is then unknown, is closed.
func (cmd *IDCommand) WaitContext(ctx context.Context) (map[string]string, error) {
	err := cmd.Command.WaitContext(ctx)
	return cmd.data, err
}

// ID sends ID (RFC 2971) with the client's fields (nil for NIL). Field
// names go in sorted order.
func (c *Client) ID(fields map[string]string) *IDCommand {
	cmd := &IDCommand{}
	cmd.Command = c.newCommand("ID", cmd)
	c.enc.SP()
	if len(fields) == 0 {
		c.enc.NIL()
	} else {
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		c.enc.List(len(keys), func(i int) {
			c.enc.String(keys[i]).SP().String(fields[keys[i]])
		})
	}
	c.send(cmd.Command)
	return cmd
}
