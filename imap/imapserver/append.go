package imapserver

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/mailwire/mailwire/internal/imapwire"
)

// flagList reads "(\Seen $Label)".
func (d *decoder) flagList() ([]string, bool) {
	if !d.Expect('(') {
		return nil, false
	}
	var flags []string
	for !d.Peek(')') {
		if len(flags) > 0 && !d.SP() {
			return nil, false
		}
		f, ok := d.flag()
		if !ok {
			return nil, false
		}
		flags = append(flags, f)
	}
	d.readByte()
	return flags, true
}

// flag reads a flag: "\" atom or a keyword atom. System flags are given
// their canonical case.
func (d *decoder) flag() (string, bool) {
	if d.Peek('\\') {
		d.readByte()
		a, ok := d.Atom()
		if !ok {
			return "", false
		}
		for _, sf := range []string{`\Seen`, `\Answered`, `\Flagged`, `\Deleted`, `\Draft`, `\Recent`} {
			if strings.EqualFold(sf[1:], a) {
				return sf, true
			}
		}
		return `\` + a, true
	}
	return d.Atom()
}

// dateTime reads a quoted date-time (RFC 9051 §9).
func (d *decoder) dateTime() (time.Time, bool) {
	s, ok := d.quoted()
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse("_2-Jan-2006 15:04:05 -0700", s)
	if err != nil {
		return time.Time{}, d.syntax("bad date-time")
	}
	return t, true
}

// handleAPPEND: RFC 9051 §6.3.12 with MULTIAPPEND (RFC 3502), LITERAL+
// (RFC 7888) and APPENDUID (RFC 4315). The message is streamed to the
// backend, never held here.
func (c *conn) handleAPPEND(tag string, uid bool) error {
	d := &c.dec
	var name string
	ok := d.SP()
	if ok {
		name, ok = c.mailboxName()
	}
	if !ok {
		return nil
	}
	a := appender{c: c, mailbox: name}
	defer a.abort()
	for n := 0; d.Peek(' '); n++ {
		d.readByte()
		if n == 1 && !a.atomic() {
			// Not advertised: a second message could not be undone.
			c.skipRestOfCommand()
			return bad("", "MULTIAPPEND is not supported for this mailbox store")
		}
		var opts AppendOptions
		if d.Peek('(') {
			if opts.Flags, ok = d.flagList(); !ok || !d.SP() {
				return nil
			}
		}
		if d.Peek('"') {
			if opts.Time, ok = d.dateTime(); !ok || !d.SP() {
				return nil
			}
		}
		if d.Peek('C') || d.Peek('c') {
			// CATENATE (RFC 4469): the message is built from parts.
			msg, err := c.catenate()
			if err != nil || msg == nil {
				return err
			}
			if err := a.add(bytes.NewReader(msg), int64(len(msg)), opts); err != nil {
				return a.failed(err)
			}
			continue
		}
		size, ok := d.LiteralHeader()
		if !ok {
			var le *imapwire.LiteralTooLargeError
			if errors.As(d.Err(), &le) && !le.NonSync {
				// Refused before it was sent: the command ends here.
				d.ClearErr()
				return no("TOOBIG", fmt.Sprintf("message larger than APPENDLIMIT %d", c.lim.MaxLiteral))
			}
			return nil
		}
		lr := &io.LimitedReader{R: c.reader(), N: size}
		err := a.add(lr, size, opts)
		if lr.N > 0 {
			// The backend stopped early: skip the rest of the literal.
			if _, derr := io.CopyN(io.Discard, lr, lr.N); derr != nil {
				return derr
			}
		}
		if err != nil {
			return a.failed(err)
		}
	}
	if !d.CRLF() {
		return nil
	}
	if a.n == 0 {
		d.syntax("missing message literal")
		return nil
	}
	res, err := a.commit()
	if err != nil {
		// The command has been read whole: nothing to skip.
		if errors.Is(err, ErrNoSuchMailbox) {
			return no("TRYCREATE", "no such mailbox")
		}
		return err
	}
	uids := make([]uint32, len(res))
	for i, r := range res {
		uids[i] = r.UID
	}
	c.okCode = fmt.Sprintf("APPENDUID %d %s", res[0].UIDValidity, appendUIDSet(nil, uids))
	return nil
}

// appender adds the messages of one APPEND: through an AppendTx when the
// user has one (all or nothing, RFC 3502 §3), else one message with
// User.Append.
type appender struct {
	c       *conn
	mailbox string
	tx      AppendTx
	n       int
	single  []AppendResult
	done    bool
}

func (a *appender) atomic() bool {
	_, ok := a.c.user.(MultiAppendUser)
	return ok
}

func (a *appender) add(r io.Reader, size int64, opts AppendOptions) error {
	a.n++
	mu, ok := a.c.user.(MultiAppendUser)
	if !ok {
		res, err := a.c.user.Append(a.c.ctx(), a.mailbox, r, size, opts)
		if err == nil {
			a.single = append(a.single, res)
		}
		return err
	}
	if a.tx == nil {
		tx, err := mu.BeginAppend(a.c.ctx(), a.mailbox)
		if err != nil {
			return err
		}
		a.tx = tx
	}
	return a.tx.Append(a.c.ctx(), r, size, opts)
}

func (a *appender) commit() ([]AppendResult, error) {
	a.done = true
	if a.tx == nil {
		return a.single, nil
	}
	return a.tx.Commit(a.c.ctx())
}

// abort drops what a transaction kept, unless it was committed.
func (a *appender) abort() {
	if a.tx != nil && !a.done {
		a.tx.Abort()
	}
}

// failed ends the command after a backend error.
func (a *appender) failed(err error) error {
	a.c.skipRestOfCommand()
	if errors.Is(err, ErrNoSuchMailbox) {
		return no("TRYCREATE", "no such mailbox")
	}
	return err
}

// skipRestOfCommand reads what is left of a command that already failed,
// literals included, so the next command starts clean.
func (c *conn) skipRestOfCommand() {
	c.dec.syntax("skipped")
	c.dec.skipLine()
	c.dec.ClearErr()
}

// catenate reads "CATENATE (TEXT literal URL url ...)" and returns the
// message it makes, at most MaxLiteral bytes. A nil message with a nil
// error means a syntax error kept in the decoder.
func (c *conn) catenate() ([]byte, error) {
	d := &c.dec
	a, ok := d.Atom()
	if !ok || !strings.EqualFold(a, "CATENATE") || !d.SP() || !d.Expect('(') {
		return nil, d.bail("expected CATENATE or a literal")
	}
	var msg []byte
	var urlErr error
	for i := 0; !d.Peek(')'); i++ {
		if i > 0 && !d.SP() {
			return nil, nil
		}
		kind, ok := d.Atom()
		if !ok || !d.SP() {
			return nil, nil
		}
		switch strings.ToUpper(kind) {
		case "TEXT":
			size, ok := d.LiteralHeader()
			if !ok {
				return nil, nil
			}
			if int64(len(msg))+size > c.lim.MaxLiteral {
				c.skipRestOfCommand()
				return nil, no("TOOBIG", "message too large")
			}
			start := len(msg)
			msg = append(msg, make([]byte, size)...)
			if _, err := io.ReadFull(c.reader(), msg[start:]); err != nil {
				return nil, err
			}
		case "URL":
			u, ok := d.AString()
			if !ok {
				return nil, nil
			}
			if urlErr != nil {
				continue
			}
			part, err := c.resolveURL(u)
			if err != nil {
				// RFC 4469 §5: NO [BADURL url], after the whole command.
				urlErr = no("BADURL "+quoteBack(u), "cannot use this URL")
				continue
			}
			if int64(len(msg)+len(part)) > c.lim.MaxLiteral {
				urlErr = no("TOOBIG", "message too large")
				continue
			}
			msg = append(msg, part...)
		default:
			return nil, d.bail("expected TEXT or URL")
		}
	}
	d.readByte()
	if urlErr != nil {
		c.skipRestOfCommand()
		return nil, urlErr
	}
	if msg == nil {
		msg = []byte{}
	}
	return msg, nil
}

// resolveURL returns the data an IMAP URL (RFC 5092) names in the user's
// own mailboxes: "/mailbox[;UIDVALIDITY=n]/;UID=n[/;SECTION=s]", or
// ";UID=n[/;SECTION=s]" / "/;UID=n" relative to the selected mailbox.
func (c *conn) resolveURL(u string) ([]byte, error) {
	if i := strings.Index(u, "://"); i >= 0 {
		// imap://user@host/path: only this server is reachable.
		rest := u[i+3:]
		j := strings.IndexByte(rest, '/')
		if j < 0 {
			return nil, errBadURL
		}
		u = rest[j:]
	}
	var mailbox string
	var validity uint32
	path := u
	if strings.HasPrefix(path, "/") && !strings.HasPrefix(path, "/;") {
		j := strings.Index(path, "/;UID=")
		if j < 0 {
			return nil, errBadURL
		}
		mailbox, path = path[1:j], path[j+1:]
		if k := strings.Index(strings.ToUpper(mailbox), ";UIDVALIDITY="); k >= 0 {
			n, err := strconv.ParseUint(mailbox[k+13:], 10, 32)
			if err != nil {
				return nil, errBadURL
			}
			validity, mailbox = uint32(n), mailbox[:k]
		}
		var err error
		if mailbox, err = url.PathUnescape(mailbox); err != nil {
			return nil, errBadURL
		}
		if mb, ok := c.decodeName(mailbox); ok {
			mailbox = mb
		}
	} else {
		if c.sel == nil {
			return nil, errBadURL
		}
		mailbox = c.sel.name
		path = strings.TrimPrefix(path, "/")
	}
	if !strings.HasPrefix(strings.ToUpper(path), ";UID=") {
		return nil, errBadURL
	}
	path = path[5:]
	section := ""
	if k := strings.Index(strings.ToUpper(path), "/;SECTION="); k >= 0 {
		section, path = path[k+10:], path[:k]
	}
	uid, err := strconv.ParseUint(path, 10, 32)
	if err != nil || uid == 0 {
		return nil, errBadURL
	}
	mbox, err := c.user.Open(c.ctx(), mailbox, true, nil)
	if err != nil {
		return nil, err
	}
	defer mbox.Close()
	if validity != 0 && mbox.Info().UIDValidity != validity {
		return nil, errBadURL
	}
	var out []byte
	err = mbox.Fetch(c.ctx(), []uint32{uint32(uid)}, func(m Message) error {
		body, err := m.Body()
		if err != nil {
			return err
		}
		if section == "" {
			out = make([]byte, m.Size())
			_, err := body.ReadAt(out, 0)
			if err == io.EOF {
				err = nil
			}
			return err
		}
		st, err := structureOf(m)
		if err != nil {
			return err
		}
		// Parse the section as FETCH would.
		it := fetchItem{kind: fetchSection}
		cc := &conn{}
		cc.dec.setup(1024, 1, nil)
		cc.dec.LiteralFunc = func(info imapwire.LiteralInfo) error {
			if info.Size > 0 {
				return errBadURL
			}
			return nil
		}
		cc.dec.Reset(bufioReader(strings.NewReader("[" + section + "]")))
		if !cc.sectionSpec(&it) {
			return errBadURL
		}
		p := st.findPart(it.part)
		if p == nil {
			return errBadURL
		}
		data, direct, n, err := sectionContent(body, m.Size(), p, &it)
		if err != nil {
			return err
		}
		if direct != nil {
			out = direct
			return nil
		}
		out = make([]byte, n)
		if data != nil {
			_, err = io.ReadFull(data, out)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, errBadURL
	}
	return out, nil
}

var errBadURL = errors.New("imapserver: bad IMAP URL")
