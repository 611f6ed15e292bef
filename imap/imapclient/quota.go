package imapclient

import (
	"context"
	"strings"

	"github.com/mailwire/mailwire/imap"
)

// QuotaResource is one resource of a quota root (RFC 9208 §5).
type QuotaResource struct {
	Name         string // STORAGE (KiB), MESSAGE, MAILBOX, ANNOTATION-STORAGE
	Usage, Limit int64
}

// QuotaData is a QUOTA response.
type QuotaData struct {
	Root      string
	Resources []QuotaResource
}

// QuotaCommand is a GETQUOTA or GETQUOTAROOT in flight.
type QuotaCommand struct {
	*Command
	roots  []string
	quotas []*QuotaData
}

func (cmd *QuotaCommand) wants(kind string) bool { return kind == "QUOTA" || kind == "QUOTAROOT" }
func (cmd *QuotaCommand) handle(kind string, num uint32) error {
	d := cmd.c.dec
	if kind == "QUOTAROOT" {
		var mbox string
		imap.ReadMailbox(d, &mbox, cmd.c.utf8())
		for d.SP() {
			var r string
			if !d.ExpectAString(&r) {
				break
			}
			cmd.roots = append(cmd.roots, r)
		}
		return nil
	}
	q := &QuotaData{}
	if !d.ExpectAString(&q.Root) || !d.ExpectSP() {
		return nil
	}
	d.ExpectList(func() error {
		var r QuotaResource
		if d.ExpectAtom(&r.Name) && d.ExpectSP() && d.ExpectNumber64(&r.Usage) && d.ExpectSP() && d.ExpectNumber64(&r.Limit) {
			r.Name = strings.ToUpper(r.Name)
			q.Resources = append(q.Resources, r)
		}
		return nil
	})
	cmd.quotas = append(cmd.quotas, q)
	return nil
}

// Wait returns the quota roots (GETQUOTAROOT) and the quotas.
func (cmd *QuotaCommand) Wait() (roots []string, quotas []*QuotaData, err error) {
	return cmd.WaitContext(context.Background())
}

// WaitContext is Wait bounded by ctx. When ctx ends first the connection,
// whose state is then unknown, is closed.
func (cmd *QuotaCommand) WaitContext(ctx context.Context) (roots []string, quotas []*QuotaData, err error) {
	err = cmd.Command.WaitContext(ctx)
	return cmd.roots, cmd.quotas, err
}

// GetQuota sends GETQUOTA (RFC 9208 §4.2).
func (c *Client) GetQuota(root string) *QuotaCommand {
	cmd := &QuotaCommand{}
	cmd.Command = c.newCommand("GETQUOTA", cmd)
	c.enc.SP().AString(root)
	c.send(cmd.Command)
	return cmd
}

// GetQuotaRoot sends GETQUOTAROOT (RFC 9208 §4.3).
func (c *Client) GetQuotaRoot(mailbox string) *QuotaCommand {
	cmd := &QuotaCommand{}
	cmd.Command = c.newCommand("GETQUOTAROOT", cmd)
	c.enc.SP().Mailbox(mailbox)
	c.send(cmd.Command)
	return cmd
}

// SetQuota sends SETQUOTA (RFC 9208 §4.1) with resource limits.
func (c *Client) SetQuota(root string, limits map[string]int64) *QuotaCommand {
	cmd := &QuotaCommand{}
	cmd.Command = c.newCommand("SETQUOTA", cmd)
	names := make([]string, 0, len(limits))
	for k := range limits {
		names = append(names, k)
	}
	sortStrings(names)
	c.enc.SP().AString(root).SP().List(len(names), func(i int) {
		c.enc.Atom(names[i]).SP().Number64(uint64(limits[names[i]]))
	})
	c.send(cmd.Command)
	return cmd
}
