package imapclient

import (
	"context"
	"io"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/internal/imapwire"
)

// AppendOptions are the optional parts of APPEND.
type AppendOptions struct {
	Flags []imap.Flag
	Time  time.Time // INTERNALDATE; zero for the server's choice
	// Binary sends the message as a binary literal "~{n}" (RFC 3516), for
	// content with NUL or bare 8-bit octets.
	Binary bool
}

// AppendData is what a successful APPEND returns (UIDPLUS, RFC 4315).
type AppendData struct {
	UIDValidity uint32
	UID         imap.UID    // single append
	UIDs        imap.UIDSet // MULTIAPPEND
}

// AppendCommand is an APPEND in flight: write exactly the announced size,
// Close, then Wait.
type AppendCommand struct {
	*Command
	w      io.WriteCloser
	closed bool
}

// Write writes message data.
func (cmd *AppendCommand) Write(p []byte) (int, error) { return cmd.w.Write(p) }

// ReadFrom copies message data from r.
func (cmd *AppendCommand) ReadFrom(r io.Reader) (int64, error) { return io.Copy(cmd.w, r) }

// Close ends the message and sends the command.
func (cmd *AppendCommand) Close() error {
	if cmd.closed {
		return nil
	}
	cmd.closed = true
	err := cmd.w.Close()
	cmd.c.send(cmd.Command)
	return err
}

// Wait closes the command if needed and returns its result.
func (cmd *AppendCommand) Wait() (*AppendData, error) { return cmd.WaitContext(context.Background()) }

// WaitContext is Wait bounded by ctx. When ctx ends first the connection,
// whose state is then unknown, is closed.
func (cmd *AppendCommand) WaitContext(ctx context.Context) (*AppendData, error) {
	if err := cmd.Close(); err != nil {
		cmd.Command.WaitContext(ctx)
		return nil, err
	}
	if err := cmd.Command.WaitContext(ctx); err != nil {
		return nil, err
	}
	return appendData(&cmd.status), nil
}

func appendData(r *imap.StatusResponse) *AppendData {
	d := &AppendData{}
	if r.Code == imap.CodeAppendUID {
		if au, err := imap.ParseAppendUID(r.CodeArg); err == nil {
			d.UIDValidity, d.UIDs = au.UIDValidity, au.UIDs
			if len(au.UIDs) == 1 && au.UIDs[0].Start == au.UIDs[0].Stop {
				d.UID = imap.UID(au.UIDs[0].Start)
			}
		}
	}
	return d
}

// Append sends APPEND (RFC 9051 §6.3.12) of a message of size bytes. The
// connection's write side is held until Close: other commands wait.
// With LITERAL+ or LITERAL- the data goes without waiting for "+".
func (c *Client) Append(mailbox string, size int64, opts *AppendOptions) *AppendCommand {
	cmd := &AppendCommand{}
	cmd.Command = c.newCommand("APPEND", nil)
	c.enc.SP().Mailbox(mailbox)
	cmd.w = writeAppendMessage(c.enc, size, opts)
	return cmd
}

func writeAppendMessage(enc *imapwire.Encoder, size int64, opts *AppendOptions) io.WriteCloser {
	binary := false
	if opts != nil {
		if len(opts.Flags) > 0 {
			enc.SP()
			imap.WriteFlagList(enc, opts.Flags)
		}
		if !opts.Time.IsZero() {
			enc.SP().Quoted(opts.Time.Format(internalDateLayout))
		}
		binary = opts.Binary
	}
	enc.SP()
	return enc.Literal(size, binary)
}

// AppendMessage is one message of a MULTIAPPEND.
type AppendMessage struct {
	Options *AppendOptions
	Size    int64
	Body    io.Reader
}

// AppendMulti appends several messages in one command (MULTIAPPEND,
// RFC 3502): all are stored or none.
func (c *Client) AppendMulti(mailbox string, msgs []AppendMessage) (*AppendData, error) {
	cmd := c.newCommand("APPEND", nil)
	c.enc.SP().Mailbox(mailbox)
	var err error
	for _, m := range msgs {
		w := writeAppendMessage(c.enc, m.Size, m.Options)
		if _, e := io.Copy(w, m.Body); e != nil && err == nil {
			err = e
		}
		if e := w.Close(); e != nil && err == nil {
			err = e
		}
	}
	c.send(cmd)
	werr := cmd.Wait()
	if err != nil {
		return nil, err
	}
	if werr != nil {
		return nil, werr
	}
	return appendData(&cmd.status), nil
}

// CatenatePart is one part of a CATENATE append (RFC 4469): either a URL
// of existing data or text.
type CatenatePart struct {
	URL  string
	Size int64
	Text io.Reader
}

// AppendCatenate appends a message built by the server from parts
// (CATENATE, RFC 4469).
func (c *Client) AppendCatenate(mailbox string, opts *AppendOptions, parts []CatenatePart) (*AppendData, error) {
	cmd := c.newCommand("APPEND", nil)
	c.enc.SP().Mailbox(mailbox)
	if opts != nil {
		if len(opts.Flags) > 0 {
			c.enc.SP()
			imap.WriteFlagList(c.enc, opts.Flags)
		}
		if !opts.Time.IsZero() {
			c.enc.SP().Quoted(opts.Time.Format(internalDateLayout))
		}
	}
	c.enc.SP().Atom("CATENATE").SP().Special('(')
	var err error
	for i, p := range parts {
		if i > 0 {
			c.enc.SP()
		}
		if p.Text == nil {
			c.enc.Atom("URL").SP().AString(p.URL)
			continue
		}
		c.enc.Atom("TEXT").SP()
		w := c.enc.Literal(p.Size, false)
		if _, e := io.Copy(w, p.Text); e != nil && err == nil {
			err = e
		}
		if e := w.Close(); e != nil && err == nil {
			err = e
		}
	}
	c.enc.Special(')')
	c.send(cmd)
	werr := cmd.Wait()
	if err != nil {
		return nil, err
	}
	if werr != nil {
		return nil, werr
	}
	return appendData(&cmd.status), nil
}
