package pop3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/mailwire/mailwire/internal/textwire"
)

// MessageReader streams one message of a RETR or TOP response, with the
// byte-stuffing removed (RFC 1939 §3) and the line ends as sent (CRLF).
// It ends with io.EOF at the terminating line. The context of the command
// bounds the reading until EOF or Close.
type MessageReader struct {
	c    *Client
	dr   *textwire.DotReader
	op   op
	err  error // sticky, once the reader is done
	done bool
}

// Read implements io.Reader.
func (m *MessageReader) Read(p []byte) (int, error) {
	if m.done {
		return 0, m.err
	}
	n, err := m.dr.Read(p)
	if err != nil {
		m.finish(err)
	}
	return n, err
}

func (m *MessageReader) finish(err error) {
	m.done = true
	m.err = err
	if m.c.pending == m {
		m.c.pending = nil
	}
	end := err
	if err == io.EOF {
		end = nil
	}
	m.c.end(m.op, &end)
	if err == io.EOF {
		return
	}
	m.err = end
}

// Close skips the rest of the message so that the next command can be
// sent. It returns an error only if the connection failed.
func (m *MessageReader) Close() error {
	if m.done {
		if m.err == io.EOF {
			return nil
		}
		return m.err
	}
	err := m.dr.Drain()
	if err == nil {
		m.finish(io.EOF)
		return nil
	}
	m.finish(err)
	return m.err
}

// Retr retrieves message n (RETR, RFC 1939 §5) as a stream; read it or
// close it before the next command.
func (c *Client) Retr(ctx context.Context, n int) (*MessageReader, error) {
	if n < 1 {
		return nil, fmt.Errorf("%w: message number %d", ErrInvalidArgument, n)
	}
	return c.message(ctx, "RETR", strconv.Itoa(n))
}

// Top retrieves the header of message n and the first lines lines of its
// body (TOP, RFC 1939 §7) as a stream.
func (c *Client) Top(ctx context.Context, n, lines int) (*MessageReader, error) {
	if n < 1 || lines < 0 {
		return nil, fmt.Errorf("%w: TOP %d %d", ErrInvalidArgument, n, lines)
	}
	return c.message(ctx, "TOP", strconv.Itoa(n), strconv.Itoa(lines))
}

func (c *Client) message(ctx context.Context, verb string, args ...string) (*MessageReader, error) {
	o, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	c.writeCmd(verb, args...)
	if err = c.bw.Flush(); err == nil {
		_, err = c.readResponse()
	}
	if err != nil {
		c.end(o, &err)
		return nil, err
	}
	m := &MessageReader{c: c, dr: c.r.DotReader(textwire.AcceptBare), op: o}
	c.pending = m
	return m, nil
}

// RetrBytes retrieves message n whole; it suits small messages. A
// message larger than MaxRetrBytes gives [ErrMessageTooLarge], and the
// rest of it is skipped.
func (c *Client) RetrBytes(ctx context.Context, n int) ([]byte, error) {
	limit := c.MaxRetrBytes
	if limit <= 0 {
		limit = DefaultMaxRetrBytes
	}
	m, err := c.Retr(ctx, n)
	if err != nil {
		return nil, err
	}
	b, err := io.ReadAll(io.LimitReader(m, limit+1))
	if err == nil && int64(len(b)) > limit {
		b, err = nil, ErrMessageTooLarge
	}
	if cerr := m.Close(); err == nil {
		err = cerr
	}
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return b, err
}
