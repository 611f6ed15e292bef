package smtp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/mailwire/mailwire/sasl"
)

// DefaultMaxBufferedMessage bounds the copy of a message that SendMail
// keeps when it must send it in more than one transaction (the server's
// LIMITS RCPTMAX is smaller than the number of recipients) and the body is
// not an io.Seeker.
const DefaultMaxBufferedMessage = 32 << 20

// SendOptions configures [SendMail] and [Client.SendMail].
type SendOptions struct {
	// Mail holds the MAIL parameters and Rcpt those of every RCPT.
	Mail MailOptions
	Rcpt RcptOptions
	// NoChunking sends with DATA even when the server offers CHUNKING.
	// By default BDAT is used then: no dot-stuffing, and with PIPELINING
	// a small message goes out in one round trip.
	NoChunking bool
	// MaxBufferedMessage overrides DefaultMaxBufferedMessage.
	MaxBufferedMessage int64

	// The fields below are used by the package-level SendMail only.

	// Client configures the connection.
	Client ClientOptions
	// Auth, when not nil, logs in with the strongest mechanism both sides
	// support (sasl.Choose), after STARTTLS.
	Auth *sasl.Credentials
	// RequireStartTLS fails when the server does not offer STARTTLS; by
	// default STARTTLS is used when offered (with a certificate verified
	// for the host of addr unless Client.TLSConfig says otherwise).
	RequireStartTLS bool
	// NoStartTLS never upgrades the connection.
	NoStartTLS bool
}

// SendMail connects to addr, upgrades the connection with STARTTLS when
// the server offers it (a failed handshake is an error, never a fallback
// to plaintext), logs in if opts.Auth is set, sends the message body from
// from to every recipient in to, and quits. See [Client.SendMail] for what
// the error says.
func SendMail(ctx context.Context, addr, from string, to []string, body io.Reader, opts *SendOptions) error {
	if opts == nil {
		opts = &SendOptions{}
	}
	c, err := opts.Client.Dial(ctx, addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello(ctx); err != nil {
		return err
	}
	if _, ok := c.Extension("STARTTLS"); ok && !opts.NoStartTLS && !c.isTLS {
		cfg := tlsConfigFor(opts.Client.tlsConfig(), addr)
		if err := c.StartTLS(ctx, cfg); err != nil {
			return err
		}
	} else if opts.RequireStartTLS && !c.isTLS {
		return fmt.Errorf("%w: STARTTLS", ErrExtensionUnsupported)
	}
	if opts.Auth != nil {
		if err := c.Login(ctx, *opts.Auth); err != nil {
			return err
		}
	}
	if err := c.SendMail(ctx, from, to, body, opts); err != nil {
		var re *RecipientsError
		if errors.As(err, &re) && len(re.Accepted) > 0 {
			_ = c.Quit(ctx)
		}
		return err
	}
	return c.Quit(ctx)
}

// SendMail sends one message from from to the recipients in to, over this
// session, with the extensions the server offers: the commands of a
// transaction pipelined (RFC 2920), BDAT (RFC 3030) unless
// opts.NoChunking, recipients split into several transactions when the
// server's LIMITS RCPTMAX (RFC 9422) asks for it or when it answers 452
// (RFC 5321 §4.5.3.1.10).
//
// When opts.Mail.Size is 0 and body reports its length (Len, as
// bytes.Reader, strings.Reader and bytes.Buffer do), that length is
// declared with SIZE (RFC 1870).
//
// It returns nil when every recipient accepted the message. A recipient
// refused does not fail the others: the error is then a
// [*RecipientsError] listing who got the message and who did not. When
// the message went nowhere because of one failure (MAIL refused, the data
// refused, the connection lost) that failure is returned as it is.
func (c *Client) SendMail(ctx context.Context, from string, to []string, body io.Reader, opts *SendOptions) error {
	if opts == nil {
		opts = &noSendOptions
	}
	if len(to) == 0 {
		return fmt.Errorf("%w: no recipients", ErrForbiddenInput)
	}
	if err := c.hello(ctx); err != nil {
		return err
	}
	if c.state != clientReady {
		return c.stateErr("MAIL")
	}
	// The MAIL parameters of this message, in the client to spare an
	// allocation per message.
	mo := &c.sendMail
	*mo = opts.Mail
	if mo.Size == 0 {
		// RFC 1870 §6: declare the size when it is known (a bytes.Reader,
		// strings.Reader or bytes.Buffer), so that a server that cannot
		// take the message says so before it is sent.
		if l, ok := body.(interface{ Len() int }); ok && l.Len() > 0 {
			mo.Size = int64(l.Len())
		}
	}
	// Refuse a bad MAIL before anything is written.
	if err := c.buildMail(from, mo); err != nil {
		return err
	}
	var seeker io.Seeker
	var start int64
	if s, ok := body.(io.Seeker); ok {
		if pos, err := s.Seek(0, io.SeekCurrent); err == nil {
			seeker, start = s, pos
		}
	}
	if c.rcptMax > 0 && len(to) > c.rcptMax && seeker == nil {
		// Several transactions: keep a copy of the body to send again.
		limit := opts.MaxBufferedMessage
		if limit <= 0 {
			limit = DefaultMaxBufferedMessage
		}
		data, err := io.ReadAll(io.LimitReader(body, limit+1))
		if err != nil {
			return err
		}
		if int64(len(data)) > limit {
			return fmt.Errorf("%w: larger than %d bytes", ErrBufferLimit, limit)
		}
		r := bytes.NewReader(data)
		body, seeker, start = r, r, 0
	}

	var accepted []string
	var failed []RcptError
	var txErr error // the last transaction-level failure
	queue := to     // never written to: appends below make new arrays
	for first := true; len(queue) > 0; first = false {
		if !first {
			if seeker == nil {
				break
			}
			if _, err := seeker.Seek(start, io.SeekStart); err != nil {
				txErr = err
				break
			}
		}
		n := len(queue)
		if c.rcptMax > 0 && n > c.rcptMax {
			n = c.rcptMax
		}
		batch := queue[:n]
		queue = queue[n:]
		acc, fail, retry, err := c.sendTransaction(ctx, from, batch, body, opts, mo)
		accepted = append(accepted, acc...)
		if err != nil {
			txErr = err
			for _, r := range batch {
				failed = append(failed, RcptError{Rcpt: r, Err: err})
			}
			if c.state == clientBroken || c.state == clientClosed {
				break
			}
			continue
		}
		failed = append(failed, fail...)
		// RFC 5321 §4.5.3.1.10: recipients refused as too many go in
		// another transaction, when this one made progress (so that the
		// loop ends) and the body can be sent again.
		if len(retry) > 0 && (len(acc) == 0 || seeker == nil) {
			failed = append(failed, retry...)
			retry = nil
		}
		for i := len(retry) - 1; i >= 0; i-- {
			queue = append([]string{retry[i].Rcpt}, queue...)
		}
	}
	for _, r := range queue {
		// Left over when the body could not be sent again.
		failed = append(failed, RcptError{Rcpt: r, Err: txErr})
	}
	if len(failed) == 0 {
		return nil
	}
	if len(accepted) == 0 && txErr != nil {
		same := true
		for _, f := range failed {
			if f.Err != txErr {
				same = false
				break
			}
		}
		if same {
			return txErr
		}
	}
	return &RecipientsError{Accepted: accepted, Failed: failed}
}

// noSendOptions stands for nil options; it is never written.
var noSendOptions SendOptions

// pipeline holds the MAIL and RCPT commands of a transaction that were
// sent together, and then their results.
type pipeline struct {
	opts     *MailOptions
	mailErr  error
	rcpts    []string
	rcptErrs []error
	ok       int  // recipients accepted
	read     bool // the replies have been read
	reported bool // the refused recipients have been listed
}

func (p *pipeline) abort() bool { return p.mailErr != nil || p.ok == 0 }

// err is the failure of an aborted transaction.
func (p *pipeline) err() error {
	if p.mailErr != nil {
		return p.mailErr
	}
	return errNoRecipient
}

// errNoRecipient stands for "every recipient was refused" inside
// sendTransaction; the recipients' own errors are what the caller sees.
var errNoRecipient = errors.New("smtp: no recipient accepted")

// readPipelined reads the replies to the MAIL and RCPT commands of p.
func (c *Client) readPipelined(p *pipeline) error {
	code, enh, lines, err := c.readReply()
	if err != nil {
		c.fail(err)
		return err
	}
	c.debugReply("MAIL", code)
	if code == 250 {
		c.startTransaction(p.opts)
	} else {
		p.mailErr = replyError(code, enh, lines)
	}
	for _, r := range p.rcpts {
		code, enh, lines, err := c.readReply()
		if err != nil {
			c.fail(err)
			return err
		}
		c.debugReply("RCPT", code)
		if code/100 == 2 && p.mailErr == nil {
			c.rcpts = append(c.rcpts, r)
			p.rcptErrs = append(p.rcptErrs, nil)
			p.ok++
		} else {
			p.rcptErrs = append(p.rcptErrs, replyError(code, enh, lines))
		}
	}
	p.read = true
	return nil
}

// How writeBatch may write, by what the server may send meanwhile.
const (
	// batchAlone: the server answers only after it has read it all.
	batchAlone = iota
	// batchPipelined: the server answers commands of the batch as it
	// reads them; a batch within pipelineWindow fits the buffers.
	batchPipelined
	// batchBehindReplies: replies are already due, and the server may be
	// blocked writing them until they are read.
	batchBehindReplies
)

// writeBatch writes the commands collected in c.batch and data, and
// flushes. When the server may have to write replies before it can read
// it all (see the batch* modes), it writes from another goroutine, so
// that neither side blocks on a full buffer while the other waits. wait
// must be called with the error of reading the replies (nil if none); it
// returns that error, or else the write's.
func (c *Client) writeBatch(data []byte, mode int) (wait func(readErr error) error) {
	batch := c.batch
	c.batching = false
	write := func() error {
		if _, err := c.w.Write(batch); err != nil {
			return err
		}
		if _, err := c.w.Write(data); err != nil {
			return err
		}
		return c.w.Flush()
	}
	if mode == batchAlone || mode == batchPipelined && c.w.Buffered()+len(batch)+len(data) <= pipelineWindow {
		err := write()
		c.batch = c.batch[:0]
		if err != nil {
			c.fail(err)
		}
		return func(readErr error) error {
			if readErr != nil {
				return readErr
			}
			return err
		}
	}
	done := make(chan error, 1)
	go func() { done <- write() }()
	var werr error
	waited := false
	return func(readErr error) error {
		if !waited {
			waited = true
			if readErr != nil {
				// The client is broken; unblock the writer if we can.
				if c.conn != nil {
					c.conn.SetDeadline(aLongTimeAgo)
					c.deadlineSet = false
					<-done
					c.batch = c.batch[:0]
				}
				return readErr
			}
			werr = <-done
			c.batch = c.batch[:0]
			if werr != nil {
				c.fail(werr)
			}
		}
		if readErr != nil {
			return readErr
		}
		return werr
	}
}

// sendTransaction runs one transaction: MAIL, the RCPTs, the data. It
// returns the recipients the message was accepted for and the refused
// ones, or a transaction-level error.
func (c *Client) sendTransaction(ctx context.Context, from string, rcpts []string, body io.Reader, opts *SendOptions, mo *MailOptions) (accepted []string, failed []RcptError, retry []RcptError, err error) {
	if c.mailMax > 0 && c.mails >= c.mailMax {
		return nil, nil, nil, ErrSessionLimit
	}
	if err := c.buildMail(from, mo); err != nil {
		return nil, nil, nil, err
	}
	// Recipients that cannot be sent fail now; when none can, nothing is
	// sent. (With pipelining the RCPTs are built before the MAIL reply
	// is in, hence txUTF8 here.)
	c.txUTF8 = mo.UTF8
	for _, r := range rcpts {
		if err := c.buildRcpt(r, &opts.Rcpt); err != nil {
			failed = append(failed, RcptError{Rcpt: r, Err: err})
		}
	}
	if len(failed) == len(rcpts) {
		return nil, failed, nil, nil
	}
	useBdat := c.has("CHUNKING") && (!opts.NoChunking || mo.Body == BodyBinaryMIME)
	if !c.has("PIPELINING") {
		return c.sendStepByStep(ctx, from, rcpts, body, opts, mo, useBdat, failed)
	}
	if err := c.begin(ctx, c.replyTimeout()); err != nil {
		return nil, nil, nil, err
	}
	p := &pipeline{opts: mo}
	// The group is written at once by writeBatch, which reads the
	// replies while it writes when the group is large.
	c.batching, c.batch = true, c.batch[:0]
	defer func() { c.batching = false }()
	if err := c.buildMail(from, mo); err != nil {
		return nil, nil, nil, c.end(ctx, err)
	}
	if err := c.writeCmd(); err != nil {
		return nil, nil, nil, c.end(ctx, err)
	}
	for _, r := range rcpts {
		if c.buildRcpt(r, &opts.Rcpt) != nil {
			continue // listed above
		}
		if err := c.writeCmd(); err != nil {
			return nil, nil, nil, c.end(ctx, err)
		}
		p.rcpts = append(p.rcpts, r)
	}
	results := func() {
		if !p.read || p.reported {
			return
		}
		p.reported = true
		for i, e := range p.rcptErrs {
			if e != nil {
				failed = append(failed, RcptError{Rcpt: p.rcpts[i], Err: e})
			}
		}
	}
	if useBdat {
		c.end(ctx, nil)
		w := c.newBdatWriter(ctx)
		w.pre = p
		w.binary = mo.Body == BodyBinaryMIME
		_, err := io.Copy(w, body)
		if err == nil {
			err = w.Close()
		} else if w.err == nil {
			// The body failed, not the connection: the message must not
			// be ended as if it were complete.
			c.abandon(err)
			return nil, nil, nil, err
		}
		results()
		return c.finishData(err, failed)
	}
	c.startCmd("DATA")
	if err := c.writeCmd(); err != nil {
		return nil, nil, nil, c.end(ctx, err)
	}
	wait := c.writeBatch(nil, batchPipelined)
	err = c.readPipelined(p)
	if err = wait(err); err != nil {
		return nil, nil, nil, c.end(ctx, err)
	}
	code, enh, lines, err := c.readReply()
	if err = c.end(ctx, err); err != nil {
		c.fail(err)
		return nil, nil, nil, err
	}
	c.debugReply("DATA", code)
	results()
	if p.mailErr != nil || code != 354 {
		if code == 354 {
			// RFC 2920 §3.1: DATA accepted with no valid recipient; send
			// the lone dot, which the server must not deliver.
			if err := c.sendEmptyData(ctx); err != nil {
				return nil, nil, nil, err
			}
		}
		cause := p.mailErr
		if cause == nil && p.ok > 0 {
			cause = replyError(code, enh, lines)
		}
		if c.state == clientMail {
			if err := c.Reset(ctx); err != nil {
				return nil, nil, nil, err
			}
		}
		if cause != nil {
			return nil, nil, nil, cause
		}
		return nil, failed, nil, nil
	}
	if p.ok == 0 {
		if err := c.sendEmptyData(ctx); err != nil {
			return nil, nil, nil, err
		}
		return nil, failed, nil, nil
	}
	w := c.newDataWriter(ctx, false)
	return c.copyData(w, body, failed)
}

// copyData copies the body into w and closes it. If reading the body
// fails, the connection is closed instead, so that the part sent is not
// taken for the whole message.
func (c *Client) copyData(w *DataWriter, body io.Reader, failed []RcptError) ([]string, []RcptError, []RcptError, error) {
	_, err := io.Copy(w, body)
	if err == nil {
		err = w.Close()
	} else if w.err == nil {
		c.abandon(err)
		return nil, nil, nil, err
	}
	return c.finishData(err, failed)
}

// abandon closes the connection in the middle of a transaction.
func (c *Client) abandon(err error) {
	c.fail(fmt.Errorf("smtp: message not sent: %w", err))
	c.Close()
	c.state = clientBroken
}

// finishData sorts out the result of closing the data writer.
func (c *Client) finishData(err error, failed []RcptError) ([]string, []RcptError, []RcptError, error) {
	// Recipients refused as too many (RFC 5321 §4.5.3.1.10) may go in
	// another transaction; only RCPT replies say that, not LMTP's.
	var retry []RcptError
	keep := failed[:0:0]
	for _, f := range failed {
		var e *Error
		if errors.As(f.Err, &e) && e.Code == 452 && (e.EnhancedCode == EnhancedCode{} || e.EnhancedCode == EnhancedCode{4, 5, 3}) {
			retry = append(retry, f)
		} else {
			keep = append(keep, f)
		}
	}
	failed = keep
	if errors.Is(err, errNoRecipient) {
		return nil, append(failed, retry...), nil, nil
	}
	var re *RecipientsError
	if errors.As(err, &re) {
		// LMTP: per-recipient results after the data.
		return re.Accepted, append(failed, re.Failed...), retry, nil
	}
	if err != nil {
		return nil, append(failed, retry...), nil, err
	}
	return append([]string(nil), c.rcpts...), failed, retry, nil
}

// sendEmptyData ends a DATA the server accepted with no recipient.
func (c *Client) sendEmptyData(ctx context.Context) error {
	err := c.begin(ctx, c.opts.timeout(c.opts.DataTermTimeout, DefaultDataTermTimeout))
	if err != nil {
		return err
	}
	c.buf = append(c.buf[:0], ".\r\n"...)
	_, err = c.w.Write(c.buf)
	if err == nil {
		err = c.w.Flush()
	}
	var code int
	if err == nil {
		code, _, _, err = c.readReply()
	}
	if err = c.end(ctx, err); err != nil {
		c.fail(err)
		return err
	}
	c.debugReply("end of data", code)
	c.state = clientReady
	return nil
}

// sendStepByStep runs a transaction one command at a time, for servers
// without PIPELINING.
func (c *Client) sendStepByStep(ctx context.Context, from string, rcpts []string, body io.Reader, opts *SendOptions, mo *MailOptions, useBdat bool, failed []RcptError) ([]string, []RcptError, []RcptError, error) {
	if err := c.Mail(ctx, from, mo); err != nil {
		return nil, nil, nil, err
	}
	for _, r := range rcpts {
		if err := c.Rcpt(ctx, r, &opts.Rcpt); err != nil {
			if c.state == clientBroken {
				return nil, nil, nil, err
			}
			var e *Error
			if !errors.As(err, &e) {
				continue // refused before sending, already in failed
			}
			failed = append(failed, RcptError{Rcpt: r, Err: err})
		}
	}
	if len(c.rcpts) == 0 {
		if err := c.Reset(ctx); err != nil {
			return nil, nil, nil, err
		}
		return nil, failed, nil, nil
	}
	var w *DataWriter
	var err error
	if useBdat {
		w, err = c.Bdat(ctx)
	} else {
		w, err = c.Data(ctx)
	}
	if err != nil {
		if c.state == clientMail {
			if rerr := c.Reset(ctx); rerr != nil {
				return nil, nil, nil, rerr
			}
		}
		return nil, nil, nil, err
	}
	return c.copyData(w, body, failed)
}
