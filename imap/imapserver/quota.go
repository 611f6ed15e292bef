package imapserver

import (
	"strings"
)

func (c *conn) quotaUser() QuotaUser {
	q, _ := c.user.(QuotaUser)
	return q
}

func (c *conn) writeQuota(root string, res []QuotaResource) {
	b := []byte("* QUOTA ")
	b = appendAString(b, root)
	b = append(b, " ("...)
	for i, r := range res {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, strings.ToUpper(r.Name)...)
		b = append(b, ' ')
		b = appendUint(b, uint64(r.Usage))
		b = append(b, ' ')
		b = appendUint(b, uint64(r.Limit))
	}
	b = append(b, ")\r\n"...)
	c.writer().Write(b)
}

// handleGETQUOTA: RFC 9208 §4.2.
func (c *conn) handleGETQUOTA(tag string, uid bool) error {
	d := &c.dec
	var root string
	ok := d.SP()
	if ok {
		root, ok = d.AString()
	}
	if !ok || !d.CRLF() {
		return nil
	}
	q := c.quotaUser()
	if q == nil {
		return no("NONEXISTENT", "no such quota root")
	}
	res, err := q.Quota(c.ctx(), root)
	if err != nil {
		return err
	}
	c.writeQuota(root, res)
	return nil
}

// handleGETQUOTAROOT: RFC 9208 §4.3.
func (c *conn) handleGETQUOTAROOT(tag string, uid bool) error {
	d := &c.dec
	var name string
	ok := d.SP()
	if ok {
		name, ok = c.mailboxName()
	}
	if !ok || !d.CRLF() {
		return nil
	}
	q := c.quotaUser()
	var roots []string
	if q != nil {
		var err error
		if roots, err = q.QuotaRoots(c.ctx(), name); err != nil {
			return err
		}
	} else if _, err := c.user.Status(c.ctx(), name); err != nil {
		return err
	}
	b := []byte("* QUOTAROOT ")
	b = c.appendMailbox(b, name)
	for _, r := range roots {
		b = append(b, ' ')
		b = appendAString(b, r)
	}
	c.writer().Write(append(b, "\r\n"...))
	for _, r := range roots {
		res, err := q.Quota(c.ctx(), r)
		if err != nil {
			return err
		}
		c.writeQuota(r, res)
	}
	return nil
}

// handleSETQUOTA: RFC 9208 §4.4; limits are the administrator's here.
func (c *conn) handleSETQUOTA(tag string, uid bool) error {
	c.skipRestOfCommand()
	return no("NOPERM", "quotas cannot be changed over IMAP")
}
