package imapserver

import (
	"strconv"
	"strings"
)

// capabilities lists what this connection can use now (RFC 9051 §6.1.1):
// LOGINDISABLED and no AUTH=PLAIN before TLS unless AllowInsecureAuth;
// STARTTLS only when configured and not yet done.
func (c *conn) capabilities() string {
	caps := []string{"IMAP4rev1", "IMAP4rev2"}
	switch c.state {
	case stateNotAuth:
		if c.srv.TLSConfig != nil && !c.isTLS {
			caps = append(caps, "STARTTLS")
		}
		mechs := c.saslMechanisms()
		for _, m := range mechs {
			caps = append(caps, "AUTH="+m)
		}
		if len(mechs) > 0 {
			caps = append(caps, "SASL-IR")
		}
		if c.insecureAuthRefused() {
			caps = append(caps, "LOGINDISABLED")
		}
		caps = append(caps, "LITERAL+", "ID", "ENABLE", "IDLE", "NAMESPACE")
	default:
		caps = append(caps, "LITERAL+", "ID", "ENABLE", "IDLE", "NAMESPACE", "UNSELECT",
			"UIDPLUS", "MOVE", "CHILDREN", "SPECIAL-USE", "CREATE-SPECIAL-USE",
			"ESEARCH", "SEARCHRES", "WITHIN", "STATUS=SIZE", "CONDSTORE", "QRESYNC", "UTF8=ACCEPT",
			"UNAUTHENTICATE", "BINARY", "SORT", "ESORT", "THREAD=ORDEREDSUBJECT", "THREAD=REFERENCES", "PREVIEW", "SAVEDATE", "OBJECTID", "QUOTA", "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE", "METADATA", "METADATA-SERVER", "ACL", "RIGHTS=texk", "CATENATE")
		if _, ok := c.user.(MultiAppendUser); ok {
			caps = append(caps, "MULTIAPPEND")
		}
		if _, ok := c.user.(NotifyUser); ok {
			caps = append(caps, "NOTIFY")
		}
		caps = append(caps, "APPENDLIMIT="+strconv.FormatInt(c.lim.MaxLiteral, 10))
		if c.srv.EnableCompress && c.zw == nil {
			caps = append(caps, "COMPRESS=DEFLATE")
		}
	}
	return strings.Join(caps, " ")
}

func (c *conn) handleCAPABILITY(tag string, uid bool) error {
	if !c.dec.CRLF() {
		return nil
	}
	c.untagged("CAPABILITY %s", c.capabilities())
	return nil
}

func (c *conn) handleNOOP(tag string, uid bool) error {
	c.dec.CRLF()
	return nil
}

func (c *conn) handleLOGOUT(tag string, uid bool) error {
	if !c.dec.CRLF() {
		return nil
	}
	c.untagged("BYE logging out")
	c.logout()
	c.state = stateLogout
	return nil
}

// handleID answers RFC 2971 ID; the client's parameters are read and
// ignored.
func (c *conn) handleID(tag string, uid bool) error {
	d := &c.dec
	if !d.SP() {
		return nil
	}
	if d.Peek('(') {
		d.readByte()
		for i := 0; !d.Peek(')'); i++ {
			if i > 0 && !d.SP() {
				return nil
			}
			if _, ok := d.nstring(); !ok {
				return nil
			}
		}
		d.readByte()
	} else if _, ok := d.nstring(); !ok {
		return nil
	}
	if !d.CRLF() {
		return nil
	}
	c.untagged(`ID ("name" "mailwire")`)
	return nil
}

// nstringOrNil reads a string or NIL, telling which.
func (d *decoder) nstringOrNil() (s string, isNil, ok bool) {
	if d.Peek('N') || d.Peek('n') {
		_, ok = d.nstring()
		return "", true, ok
	}
	s, ok = d.String()
	return s, false, ok
}

// nstring reads a string or NIL ("" for NIL).
func (d *decoder) nstring() (string, bool) {
	if d.Peek('N') || d.Peek('n') {
		a, ok := d.Atom()
		if ok && !strings.EqualFold(a, "NIL") {
			return "", d.syntax("expected NIL")
		}
		return "", ok
	}
	return d.String()
}

// handleENABLE: RFC 5161, with CONDSTORE (RFC 7162) and UTF8=ACCEPT
// (RFC 6855) the extensions it can enable.
func (c *conn) handleENABLE(tag string, uid bool) error {
	d := &c.dec
	var enabled []string
	for d.Peek(' ') {
		d.readByte()
		a, ok := d.Atom()
		if !ok {
			return nil
		}
		switch strings.ToUpper(a) {
		case "CONDSTORE":
			if !c.condstore {
				c.condstore = true
				enabled = append(enabled, "CONDSTORE")
			}
		case "QRESYNC":
			if !c.qresync {
				c.qresync, c.condstore = true, true
				enabled = append(enabled, "QRESYNC")
			}
		case "IMAP4REV2":
			if !c.rev2 {
				c.rev2 = true
				enabled = append(enabled, "IMAP4rev2")
			}
		case "UTF8=ACCEPT":
			if !c.utf8 {
				c.utf8 = true
				enabled = append(enabled, "UTF8=ACCEPT")
			}
		}
	}
	if !d.CRLF() {
		return nil
	}
	c.untagged("ENABLED%s", prefixEach(enabled))
	return nil
}

func prefixEach(a []string) string {
	if len(a) == 0 {
		return ""
	}
	return " " + strings.Join(a, " ")
}

func (c *conn) handleNAMESPACE(tag string, uid bool) error {
	if !c.dec.CRLF() {
		return nil
	}
	other := "NIL"
	if nu, ok := c.user.(NamespaceUser); ok && nu.OtherUsersPrefix() != "" {
		other = `((` + string(appendAString(nil, nu.OtherUsersPrefix())) + ` "/"))`
	}
	c.untagged(`NAMESPACE (("" "/")) %s NIL`, other)
	return nil
}
