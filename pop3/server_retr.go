package pop3

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/mailwire/mailwire/internal/textwire"
)

func (c *conn) handleRETR(arg string) error {
	i := c.msgNumber(arg)
	if i < 0 {
		return nil
	}
	return c.sendMessage(i, -1)
}

func (c *conn) handleTOP(arg string) error {
	msg, lines, ok := strings.Cut(arg, " ")
	n, nok := parseNumber(lines)
	if !ok || !nok {
		c.bad("TOP needs a message number and a line count")
		return nil
	}
	i := c.msgNumber(msg)
	if i < 0 {
		return nil
	}
	return c.sendMessage(i, n)
}

// sendMessage streams message i through the dot-stuffing writer, never
// holding it whole. With lines >= 0 it sends the header, the blank line
// and that many lines of the body (RFC 1939 §7, TOP).
func (c *conn) sendMessage(i, lines int) error {
	rc, err := c.md.Open(c.ctx, i)
	if err != nil {
		c.backendErr(err, "cannot read message")
		return nil
	}
	defer rc.Close()
	if lines < 0 {
		c.scratch = append(strconv.AppendInt(append(c.scratch[:0], "+OK "...), c.msgs[i].Size, 10), " octets\r\n"...)
		c.bw.Write(c.scratch)
	} else {
		c.ok("top of message follows")
	}
	dw := textwire.NewDotWriter(c.bw)
	var w io.Writer = dw
	if lines >= 0 {
		w = &topWriter{w: dw, lines: lines}
	}
	if c.copyBuf == nil {
		c.copyBuf = make([]byte, 32<<10)
	}
	if c.nc != nil {
		// Each buffer-full written gets the timeout; a long message is
		// fine as long as it moves.
		w = &deadlineWriter{c: c, w: w}
	}
	_, err = io.CopyBuffer(w, onlyReader{rc}, c.copyBuf)
	if err != nil && !errors.Is(err, errTopDone) {
		// The +OK is out: the only way left to say it failed is to
		// end the session without the terminating line.
		c.log.Warn("pop3: sending message failed", "msg", i+1, "err", err)
		return err
	}
	return dw.Close()
}

// onlyReader hides a WriterTo so that io.CopyBuffer uses the buffer.
type onlyReader struct{ io.Reader }

type deadlineWriter struct {
	c *conn
	w io.Writer
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	d.c.nc.SetWriteDeadline(time.Now().Add(d.c.s.timeout()))
	return d.w.Write(p)
}

var errTopDone = errors.New("pop3: TOP lines sent")

// topWriter passes the header, the blank line after it and then lines
// lines of the body, and stops with errTopDone. A bare LF ends a line too,
// as the DotWriter turns it into CRLF.
type topWriter struct {
	w     io.Writer
	lines int
	state int // 0: in header at line start (the initial state); 1: in header mid-line; 2: in body
}

func (t *topWriter) Write(p []byte) (int, error) {
	for i := 0; i < len(p); i++ {
		b := p[i]
		switch t.state {
		case 0, 1:
			if b == '\n' {
				if t.state == 0 {
					t.state = 2 // the blank line: the body starts
					if t.lines == 0 {
						return t.finish(p, i)
					}
					continue
				}
				t.state = 0
			} else if b != '\r' {
				t.state = 1
			} else if t.state == 1 {
				continue
			}
		case 2:
			if b == '\n' {
				t.lines--
				if t.lines == 0 {
					return t.finish(p, i)
				}
			}
		}
	}
	return t.w.Write(p)
}

func (t *topWriter) finish(p []byte, i int) (int, error) {
	n, err := t.w.Write(p[:i+1])
	if err != nil {
		return n, err
	}
	return n, errTopDone
}
