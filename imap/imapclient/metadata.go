package imapclient

import (
	"context"

	"github.com/mailwire/mailwire/imap"
)

// MetadataOptions are GETMETADATA options (RFC 5464 §4.2).
type MetadataOptions struct {
	MaxSize int64  // 0: no MAXSIZE
	Depth   string // "", "0", "1" or "infinity"
}

// MetadataCommand is a GETMETADATA in flight.
type MetadataCommand struct {
	*Command
	entries map[string]*string
}

func (cmd *MetadataCommand) wants(kind string) bool { return kind == "METADATA" }
func (cmd *MetadataCommand) handle(kind string, num uint32) error {
	d := cmd.c.dec
	var mbox string
	if !imap.ReadMailbox(d, &mbox, cmd.c.utf8()) || !d.ExpectSP() {
		return nil
	}
	if cmd.entries == nil {
		cmd.entries = map[string]*string{}
	}
	var key string
	i := 0
	d.ExpectList(func() error {
		if i%2 == 0 {
			d.ExpectAString(&key)
		} else {
			b, isNil, ok := d.NStringBytes()
			if ok {
				if isNil {
					cmd.entries[key] = nil
				} else {
					s := string(b)
					cmd.entries[key] = &s
				}
			} else {
				d.ExpectNString(new(string))
			}
		}
		i++
		return nil
	})
	return nil
}

// Wait returns the entries (nil values for NIL).
func (cmd *MetadataCommand) Wait() (map[string]*string, error) {
	return cmd.WaitContext(context.Background())
}

// WaitContext is Wait bounded by ctx. When ctx ends first the connection,
// whose state is then unknown, is closed.
func (cmd *MetadataCommand) WaitContext(ctx context.Context) (map[string]*string, error) {
	err := cmd.Command.WaitContext(ctx)
	return cmd.entries, err
}

// GetMetadata sends GETMETADATA ("" is the server's own metadata).
func (c *Client) GetMetadata(mailbox string, entries []string, opts *MetadataOptions) *MetadataCommand {
	cmd := &MetadataCommand{}
	cmd.Command = c.newCommand("GETMETADATA", cmd)
	if opts != nil && (opts.MaxSize > 0 || opts.Depth != "") {
		c.enc.SP().Special('(')
		if opts.MaxSize > 0 {
			c.enc.Atom("MAXSIZE").SP().Number64(uint64(opts.MaxSize))
			if opts.Depth != "" {
				c.enc.SP()
			}
		}
		if opts.Depth != "" {
			c.enc.Atom("DEPTH").SP().Atom(opts.Depth)
		}
		c.enc.Special(')')
	}
	c.enc.SP().Mailbox(mailbox).SP()
	c.enc.List(len(entries), func(i int) { c.enc.AString(entries[i]) })
	c.send(cmd.Command)
	return cmd
}

// SetMetadata sends SETMETADATA; a nil value removes the entry.
func (c *Client) SetMetadata(mailbox string, entries map[string]*string) *Command {
	cmd := c.newCommand("SETMETADATA", nil)
	keys := make([]string, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	sortStrings(keys)
	c.enc.SP().Mailbox(mailbox).SP()
	c.enc.List(len(keys), func(i int) {
		c.enc.AString(keys[i]).SP()
		if v := entries[keys[i]]; v == nil {
			c.enc.NIL()
		} else {
			w := c.enc.Literal(int64(len(*v)), false)
			w.Write([]byte(*v))
			w.Close()
		}
	})
	return c.send(cmd)
}
