package imapserver

import (
	"sort"
	"strings"
)

// allRights are the rights of RFC 4314 §2.1.
const allRights = "lrswipkxtea"

func (c *conn) aclUser() (ACLUser, error) {
	a, ok := c.user.(ACLUser)
	if !ok {
		return nil, no("CANNOT", "no access control lists here")
	}
	return a, nil
}

// mailboxArgs reads "SP mailbox" and n more astrings.
func (c *conn) mailboxArgs(n int) (string, []string, bool) {
	d := &c.dec
	if !d.SP() {
		return "", nil, false
	}
	name, ok := c.mailboxName()
	if !ok {
		return "", nil, false
	}
	var args []string
	for i := 0; i < n; i++ {
		if !d.SP() {
			return "", nil, false
		}
		a, ok := d.AString()
		if !ok {
			return "", nil, false
		}
		args = append(args, a)
	}
	return name, args, d.CRLF()
}

// handleGETACL: RFC 4314 §3.3.
func (c *conn) handleGETACL(tag string, uid bool) error {
	name, _, ok := c.mailboxArgs(0)
	if !ok {
		return nil
	}
	au, err := c.aclUser()
	if err != nil {
		return err
	}
	acl, err := au.ACL(c.ctx(), name)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(acl))
	for id := range acl {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	b := append([]byte("* ACL "), c.appendMailbox(nil, name)...)
	for _, id := range ids {
		b = append(b, ' ')
		b = appendAString(b, id)
		b = append(b, ' ')
		b = appendAString(b, acl[id])
	}
	c.writer().Write(append(b, "\r\n"...))
	return nil
}

// handleMYRIGHTS: RFC 4314 §3.5.
func (c *conn) handleMYRIGHTS(tag string, uid bool) error {
	name, _, ok := c.mailboxArgs(0)
	if !ok {
		return nil
	}
	au, err := c.aclUser()
	if err != nil {
		return err
	}
	r, err := au.MyRights(c.ctx(), name)
	if err != nil {
		return err
	}
	b := append([]byte("* MYRIGHTS "), c.appendMailbox(nil, name)...)
	b = append(b, ' ')
	b = appendAString(b, r)
	c.writer().Write(append(b, "\r\n"...))
	return nil
}

// handleLISTRIGHTS: RFC 4314 §3.4. Every right can be granted on its own.
func (c *conn) handleLISTRIGHTS(tag string, uid bool) error {
	name, args, ok := c.mailboxArgs(1)
	if !ok {
		return nil
	}
	if _, err := c.aclUser(); err != nil {
		return err
	}
	b := append([]byte("* LISTRIGHTS "), c.appendMailbox(nil, name)...)
	b = append(b, ' ')
	b = appendAString(b, args[0])
	b = append(b, ` ""`...)
	for _, r := range allRights {
		b = append(b, ' ', byte(r))
	}
	c.writer().Write(append(b, "\r\n"...))
	return nil
}

// handleSETACL handles SETACL (with +/- modifiers) and DELETEACL (RFC 4314
// §3.1, §3.2).
func (c *conn) handleSETACL(tag string, uid bool) error {
	del := c.verbIs("DELETEACL")
	n := 2
	if del {
		n = 1
	}
	name, args, ok := c.mailboxArgs(n)
	if !ok {
		return nil
	}
	au, err := c.aclUser()
	if err != nil {
		return err
	}
	id := args[0]
	if del {
		return au.SetACL(c.ctx(), name, id, "")
	}
	rights := args[1]
	mod := byte(0)
	if rights != "" && (rights[0] == '+' || rights[0] == '-') {
		mod, rights = rights[0], rights[1:]
	}
	// RFC 4314 §2.1.1: the obsolete "c" and "d" stand for "k" / "x" and
	// "e" / "t".
	rights = strings.NewReplacer("c", "k", "d", "xte").Replace(rights)
	for _, r := range rights {
		if !strings.ContainsRune(allRights, r) {
			return bad("", "unknown right")
		}
	}
	if mod != 0 {
		acl, err := au.ACL(c.ctx(), name)
		if err != nil {
			return err
		}
		cur := acl[id]
		if mod == '+' {
			cur += rights
		} else {
			cur = strings.Map(func(r rune) rune {
				if strings.ContainsRune(rights, r) {
					return -1
				}
				return r
			}, cur)
		}
		rights = cur
	}
	// canonical order, no duplicates
	var sb strings.Builder
	for _, r := range allRights {
		if strings.ContainsRune(rights, r) {
			sb.WriteRune(r)
		}
	}
	return au.SetACL(c.ctx(), name, id, sb.String())
}
