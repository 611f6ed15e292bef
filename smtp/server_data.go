package smtp

import (
	"errors"
	"io"
	"strconv"

	"github.com/mailwire/mailwire/internal/textwire"
)

// Errors the message reader gives the backend's Data.
var (
	// ErrMessageTooLarge: the message crossed Limits.MaxMessageBytes. The
	// server replies 552 5.3.4 (RFC 1870 §6.3).
	ErrMessageTooLarge = &Error{Code: 552, EnhancedCode: EnhancedCode{5, 3, 4}, Message: "Error: message size exceeds fixed maximum message size"}
	// ErrBareLineEnding: the data held a bare CR or LF and the server
	// refuses those. The server replies 550 5.6.0.
	ErrBareLineEnding = &Error{Code: 550, EnhancedCode: EnhancedCode{5, 6, 0}, Message: "Error: bare CR or LF in message data"}
	// errDataDone: the backend read after Data had returned.
	errDataDone = errors.New("smtp: message reader used after Data returned")
	// errAborted: the transaction was aborted during BDAT.
	errAborted = errors.New("smtp: transaction aborted")
)

var (
	replyQueued    = "250 2.0.0 OK: queued\r\n"
	defaultDataErr = &Error{Code: 451, EnhancedCode: EnhancedCode{4, 3, 0}, Message: "Error: message not accepted, try again later"}
	replyNoRcpts   = "554 5.5.1 Error: no valid recipients\r\n"
)

// dataReader is what the backend reads the message from: it counts the
// size while streaming and remembers why the stream failed, so that the
// reply does not depend on what the backend does with the error.
type dataReader struct {
	c   *conn
	src io.Reader
	n   int64
	max int64
	err error // first error other than io.EOF
	eof bool
	// done is set when Data has returned: later reads fail.
	done bool
}

// Read implements io.Reader.
func (d *dataReader) Read(p []byte) (int, error) {
	if d.done {
		return 0, errDataDone
	}
	if d.err != nil {
		return 0, d.err
	}
	if d.eof {
		return 0, io.EOF
	}
	if d.c != nil {
		d.c.setReadDeadline(d.c.limits.DataTimeout)
	}
	n, err := d.src.Read(p)
	d.n += int64(n)
	if d.n > d.max {
		// RFC 1870 §6.3: the size is checked while streaming; nothing
		// beyond the limit reaches the backend.
		n -= int(d.n - d.max)
		d.n = d.max
		d.err = ErrMessageTooLarge
		return n, d.err
	}
	switch {
	case err == io.EOF:
		d.eof = true
	case errors.Is(err, textwire.ErrBareLF), errors.Is(err, textwire.ErrBareCR):
		d.err = ErrBareLineEnding
		err = d.err
	case err != nil:
		d.err = err
	}
	return n, err
}

// handleDATA receives a message (RFC 5321 §4.1.1.4).
func (c *conn) handleDATA(arg []byte) {
	if len(trimSpace(arg)) != 0 {
		c.syntaxError(EnhancedCode{5, 5, 4}, "Error: DATA takes no argument")
		return
	}
	if c.state == stateMail {
		// RFC 2920 §3.2 (3): no 354 without a valid recipient.
		c.writeString(replyNoRcpts)
		return
	}
	if c.mailOpts.Body == BodyBinaryMIME {
		// RFC 3030 §3: BINARYMIME data only comes in BDAT chunks.
		c.writeString("503 5.5.1 Error: BODY=BINARYMIME needs BDAT\r\n")
		return
	}
	c.writeString("354 Start mail input; end with <CRLF>.<CRLF>\r\n")
	if c.br.Buffered() == 0 {
		if c.flush() != nil {
			return
		}
	}
	policy := textwire.RejectBare
	if c.srv.BareLineEndings == NormalizeBareLineEndings {
		policy = textwire.NormalizeBare
	}
	c.dr = *textwire.NewDotReader(c.br, policy)
	// A new dataReader per message: a backend that kept the last one can
	// never read the next message through it.
	data := &dataReader{c: c, src: c.withReceived(&c.dr), max: c.limits.MaxMessageBytes}
	status, readErr := c.deliver(data)
	c.readFailed = readErr
	if c.readFailed == nil && !data.eof {
		// Skip to the real end of the data, so that the next command is
		// read where the client sends it (RFC 1870 §6.3).
		if err := c.dr.Drain(); err != nil {
			c.readFailed = err
		}
	}
	if c.readFailed == nil {
		c.writeStatus(status)
	}
	c.resetTransaction()
}

// deliver gives the message to the backend and returns the result for
// each recipient (one entry when not in LMTP mode), or the error that broke
// the transport, in which case nothing is delivered and nobody is left to
// answer. It never trusts a nil from the backend when the stream failed.
// It touches no connection state, as BDAT runs it on its own goroutine.
func (c *conn) deliver(r *dataReader) (statuses []error, readErr error) {
	var err error
	if ls, ok := c.sess.(LMTPSession); ok && c.srv.LMTP {
		sc := &statusCollector{rcpts: c.rcpts, errs: make([]error, len(c.rcpts)), set: make([]bool, len(c.rcpts))}
		err = ls.LMTPData(r, sc)
		statuses = sc.errs
		for i := range statuses {
			if !sc.set[i] {
				statuses[i] = err
			}
		}
	} else {
		err = c.sess.Data(r)
	}
	r.done = true
	switch {
	case r.err == ErrMessageTooLarge || r.err == ErrBareLineEnding:
		c.logger().Info("smtp: message refused", "reason", r.err.(*Error).Message)
		err = r.err
		statuses = nil
	case r.err != nil:
		return nil, r.err
	}
	if statuses == nil {
		n := 1
		if c.srv.LMTP {
			n = len(c.rcpts)
		}
		if n == 1 && r.c != nil {
			// One reply after DATA: no allocation.
			statuses = r.c.status[:]
		} else {
			statuses = make([]error, n)
		}
		for i := range statuses {
			statuses[i] = err
		}
	}
	return statuses, nil
}

// writeStatus writes one reply per result: after DATA, one in SMTP, one per
// recipient in LMTP (RFC 2033 §4.2).
func (c *conn) writeStatus(statuses []error) {
	for _, err := range statuses {
		if err == nil {
			c.writeString(replyQueued)
		} else {
			c.writeError(err, defaultDataErr)
		}
	}
}

// statusCollector records per-recipient results in LMTP mode.
type statusCollector struct {
	rcpts []string
	errs  []error
	set   []bool
}

// SetStatus implements StatusCollector. A recipient given twice takes
// results in order.
func (s *statusCollector) SetStatus(rcpt string, err error) {
	for i, r := range s.rcpts {
		if r == rcpt && !s.set[i] {
			s.errs[i], s.set[i] = err, true
			return
		}
	}
}

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }
