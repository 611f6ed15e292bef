package smtp

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/mailwire/mailwire/internal/textwire"
)

// RcptError is the failure of one recipient: its RCPT reply, or in LMTP
// its reply after the data.
type RcptError struct {
	Rcpt string
	Err  error // usually an [*Error]
}

// Error implements the error interface.
func (e RcptError) Error() string { return "<" + e.Rcpt + ">: " + e.Err.Error() }

// Unwrap returns the recipient's error.
func (e RcptError) Unwrap() error { return e.Err }

// RecipientsError reports recipients that failed while others may have
// succeeded: one bad recipient does not fail the others. When Accepted is
// not empty the message was accepted for those.
type RecipientsError struct {
	Accepted []string    // recipients the message was accepted for
	Failed   []RcptError // the others
}

// Error implements the error interface.
func (e *RecipientsError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "smtp: %d of %d recipients failed", len(e.Failed), len(e.Failed)+len(e.Accepted))
	for i, f := range e.Failed {
		if i == 3 {
			b.WriteString("; ...")
			break
		}
		b.WriteString("; ")
		b.WriteString(f.Error())
	}
	return b.String()
}

// Unwrap returns the errors of the failed recipients.
func (e *RecipientsError) Unwrap() []error {
	errs := make([]error, len(e.Failed))
	for i, f := range e.Failed {
		errs[i] = f.Err
	}
	return errs
}

// DataWriter writes the message of a transaction, started by
// [Client.Data] (DATA, dot-stuffed) or [Client.Bdat] (BDAT chunks). Close
// ends the message and returns the server's verdict.
type DataWriter struct {
	c        *Client
	ctx      context.Context
	dot      *textwire.DotWriter // DATA mode
	bdat     bool                // BDAT mode
	binary   bool                // BINARYMIME: send bytes as they are
	lastCR   bool                // BDAT line-end normalisation state
	lastByte byte                // last byte buffered for BDAT
	pre      *pipeline           // commands pipelined ahead of the first chunk
	owed     int                 // replies to chunks sent but not read yet
	n        int64               // bytes written by the caller
	err      error
	closed   bool
}

// Data sends DATA (RFC 5321 §4.1.1.4) and, on the 354 reply, returns a
// writer for the message. The writer dot-stuffs (RFC 5321 §4.5.2) and
// writes a bare CR or LF as CRLF, so that the message cannot end early on
// any receiver. ctx bounds the whole transfer, until Close returns.
func (c *Client) Data(ctx context.Context) (*DataWriter, error) {
	if c.state != clientMail {
		return nil, c.stateErr("DATA")
	}
	c.startCmd("DATA")
	if _, err := c.cmd(ctx, c.opts.timeout(c.opts.DataInitTimeout, DefaultDataInitTimeout), 354); err != nil {
		return nil, err
	}
	return c.newDataWriter(ctx, false), nil
}

func (c *Client) newDataWriter(ctx context.Context, bdat bool) *DataWriter {
	c.state = clientData
	w := &DataWriter{c: c, ctx: ctx, bdat: bdat}
	if !bdat {
		w.dot = textwire.NewDotWriter(c.w)
	}
	return w
}

// blockDeadline sets the deadline for one block of data (RFC 5321
// §4.5.3.2.5).
func (w *DataWriter) blockDeadline() {
	c := w.c
	c.watch(w.ctx, c.opts.timeout(c.opts.DataBlockTimeout, DefaultDataBlockTimeout))
}

// Write writes message data.
func (w *DataWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.closed {
		return 0, fmt.Errorf("%w: write after Close", ErrClientState)
	}
	if err := w.ctx.Err(); err != nil {
		w.fail(err)
		return 0, w.err
	}
	w.blockDeadline()
	var n int
	var err error
	if w.bdat {
		n, err = w.writeChunked(p)
	} else {
		n, err = w.dot.Write(p)
	}
	w.n += int64(n)
	if err != nil {
		w.fail(err)
		return n, w.err
	}
	return n, nil
}

func (w *DataWriter) fail(err error) {
	if w.ctx.Err() != nil && !errors.Is(err, w.ctx.Err()) {
		err = fmt.Errorf("%w (%v)", w.ctx.Err(), err)
	}
	w.err = err
	w.c.fail(err)
	w.release()
}

func (w *DataWriter) release() {
	w.c.end(w.ctx, nil)
}

// Close ends the message (the terminating line for DATA, BDAT LAST for
// BDAT) and reads the server's reply. In LMTP it reads one reply per
// accepted recipient (RFC 2033 §4.2) and returns a [*RecipientsError]
// when some of them failed. Close may be called once; a failed Write
// leaves the connection unusable, and Close then returns that error.
func (w *DataWriter) Close() error {
	if w.closed {
		return fmt.Errorf("%w: DataWriter closed twice", ErrClientState)
	}
	w.closed = true
	if w.err != nil {
		return w.err
	}
	c := w.c
	defer w.release()
	if err := w.ctx.Err(); err != nil {
		w.fail(err)
		return w.err
	}
	w.blockDeadline()
	var err error
	if w.bdat {
		err = w.flushChunk(true)
	} else {
		err = w.dot.Close()
	}
	if err != nil {
		w.fail(err)
		return w.err
	}
	return c.endData(w.ctx, w.bdat)
}

// endData reads the replies that end a transaction: one, or in LMTP one
// per accepted recipient. It leaves the client ready for the next MAIL.
func (c *Client) endData(ctx context.Context, bdat bool) error {
	c.watch(ctx, c.opts.timeout(c.opts.DataTermTimeout, DefaultDataTermTimeout))
	if c.opts.LMTP {
		return c.readLMTPReplies(ctx)
	}
	code, enh, lines, err := c.readReply()
	if err != nil {
		if ctx.Err() != nil {
			err = fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		c.fail(err)
		return err
	}
	c.state = clientReady
	c.debugReply("end of data", code)
	if code != 250 {
		err := replyError(code, enh, lines)
		c.fail(err)
		return err
	}
	return nil
}

// Size reports how many bytes of message the caller has written.
func (w *DataWriter) Size() int64 { return w.n }
