package smtp

import (
	"io"
	"runtime/debug"
)

// bdatTransfer is a message arriving in BDAT chunks (RFC 3030), streamed to
// the backend's Data, which runs on its own goroutine, through a pipe.
type bdatTransfer struct {
	pw   *io.PipeWriter
	done chan bdatResult
	size int64 // bytes received so far
}

type bdatResult struct {
	statuses []error
	readErr  error
}

// handleBDAT receives one chunk: BDAT chunk-size [LAST] (RFC 3030 §2).
func (c *conn) handleBDAT(arg []byte) {
	size, last, ok := parseBDAT(arg)
	if !ok {
		// Without a size the chunk cannot be skipped, and its bytes would
		// be read as commands: close the connection.
		c.writeString("501 5.5.4 Error: syntax is BDAT size [LAST], closing connection\r\n")
		c.quit = true
		return
	}
	switch {
	case c.state == stateMail:
		c.discardChunk(size, replyNoRcpts)
		return
	case c.state != stateRcpt && c.state != stateBDAT:
		// RFC 3030 §2: chunks pipelined after a failed one are read and
		// discarded.
		c.discardChunk(size, replyNeedMail)
		return
	}
	if c.bdat == nil && last && size <= c.limits.MaxMessageBytes {
		// The whole message in one chunk, the usual case: the backend
		// reads it on this goroutine, with no pipe in between.
		c.singleBDAT(size)
		return
	}
	if c.bdat == nil {
		c.startBDAT()
	}
	t := c.bdat
	c.state = stateBDAT
	if size > c.limits.MaxMessageBytes-t.size {
		// RFC 3030 §2 with RFC 1870: refused without passing the chunk on.
		t.pw.CloseWithError(ErrMessageTooLarge)
		c.discardChunk(size, "")
		c.finishBDAT()
		return
	}
	c.setReadDeadline(c.limits.DataTimeout)
	left, backendDone, err := c.copyChunk(t.pw, size)
	t.size += size - left
	switch {
	case err != nil:
		c.readFailed = err
		c.abortBDAT()
		return
	case backendDone:
		// The backend returned early: skip the rest of the chunk and
		// give its answer.
		c.discardChunk(left, "")
		c.finishBDAT()
		return
	}
	if !last {
		c.reply(250, EnhancedCode{2, 0, 0}, itoa64(size)+" octets received")
		return
	}
	t.pw.Close()
	c.finishBDAT()
}

// singleBDAT receives a message sent as one BDAT LAST chunk of size bytes,
// at most the size limit, and answers it.
func (c *conn) singleBDAT(size int64) {
	cr := &c.chunk // in the conn: no allocation per message
	*cr = chunkReader{c: c, n: size}
	data := &dataReader{c: c, src: c.withReceived(cr), max: c.limits.MaxMessageBytes}
	statuses, readErr := c.deliverRecovering(data)
	c.readFailed = readErr
	if readErr == nil && cr.n > 0 {
		// The backend returned early, or failed: skip the rest of the
		// chunk so that the next command is read where it starts.
		if _, _, err := c.copyChunk(io.Discard, cr.n); err != nil {
			c.readFailed = err
		}
	}
	if c.readFailed == nil {
		c.writeStatus(statuses)
	}
	c.resetTransaction()
}

// deliverRecovering is deliver that turns a panic in the backend into a
// failed message, as for chunks delivered on their own goroutine.
func (c *conn) deliverRecovering(r *dataReader) (statuses []error, readErr error) {
	defer func() {
		if p := recover(); p != nil {
			c.logger().Error("smtp: panic in Data", "panic", p, "stack", string(debug.Stack()))
			r.done = true
			statuses, readErr = []error{defaultDataErr}, nil
		}
	}()
	return c.deliver(r)
}

// chunkReader reads the n bytes of chunk data left on the connection,
// straight into the caller's buffer when the read buffer is empty.
type chunkReader struct {
	c *conn
	n int64
}

func (r *chunkReader) Read(p []byte) (int, error) {
	if r.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.n {
		p = p[:r.n]
	}
	n, err := r.c.br.Read(p)
	r.n -= int64(n)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return n, err
}

// startBDAT starts the backend's Data on a pipe.
func (c *conn) startBDAT() {
	pr, pw := io.Pipe()
	t := &bdatTransfer{pw: pw, done: make(chan bdatResult, 1)}
	c.bdat = t
	src := c.withReceived(pr)
	go func() {
		// The connection goroutine counts the size and sets deadlines;
		// this reader only records how the stream ended.
		var res bdatResult
		defer func() {
			// A panic in the backend must not take the process down
			// from this goroutine; it fails the message.
			if r := recover(); r != nil {
				c.logger().Error("smtp: panic in Data", "panic", r, "stack", string(debug.Stack()))
				res = bdatResult{statuses: []error{defaultDataErr}}
			}
			pr.CloseWithError(errDataDone)
			t.done <- res
		}()
		dr := &dataReader{src: src, max: 1<<63 - 1}
		res.statuses, res.readErr = c.deliver(dr)
	}()
}

// finishBDAT waits for the backend and writes its answer, unless the
// transport failed.
func (c *conn) finishBDAT() {
	res := <-c.bdat.done
	c.bdat = nil
	if c.readFailed == nil {
		if res.readErr != nil {
			c.writeError(res.readErr, defaultDataErr)
		} else {
			c.writeStatus(res.statuses)
		}
	}
	c.resetTransaction()
}

// abortBDAT stops a BDAT transfer in progress: the backend reads an
// error and nothing is delivered.
func (c *conn) abortBDAT() {
	if t := c.bdat; t != nil {
		t.pw.CloseWithError(errAborted)
		<-t.done
		c.bdat = nil
	}
}

// copyChunk passes n bytes of chunk data from the connection to w straight
// out of the read buffer. It stops when reading fails (err) or w fails,
// which for the pipe means the backend has returned (writeFailed), and
// reports how many bytes are left on the connection.
func (c *conn) copyChunk(w io.Writer, n int64) (left int64, writeFailed bool, err error) {
	for n > 0 {
		c.setReadDeadline(c.limits.DataTimeout)
		if c.br.Buffered() == 0 {
			if _, err := c.br.Peek(1); err != nil {
				return n, false, err
			}
		}
		k := int(min(n, int64(c.br.Buffered())))
		p, _ := c.br.Peek(k)
		_, werr := w.Write(p)
		c.br.Discard(k)
		n -= int64(k)
		if werr != nil {
			return n, true, nil
		}
	}
	return 0, false, nil
}

// discardChunk skips size bytes of chunk data and, unless reply is "",
// counts the command as bad and writes reply.
func (c *conn) discardChunk(size int64, reply string) {
	if _, _, err := c.copyChunk(io.Discard, size); err != nil {
		c.readFailed = err
		return
	}
	if reply != "" {
		c.badCommand(reply)
	}
}

// parseBDAT parses chunk-size [SP "LAST"] (RFC 3030 §2).
func parseBDAT(arg []byte) (size int64, last, ok bool) {
	i := 0
	for i < len(arg) && arg[i] >= '0' && arg[i] <= '9' {
		if i >= 18 {
			return 0, false, false
		}
		size = size*10 + int64(arg[i]-'0')
		i++
	}
	if i == 0 {
		return 0, false, false
	}
	rest := arg[i:]
	switch {
	case len(rest) == 0:
		return size, false, true
	case len(rest) == 5 && rest[0] == ' ' && rest[1]|0x20 == 'l' && rest[2]|0x20 == 'a' && rest[3]|0x20 == 's' && rest[4]|0x20 == 't':
		return size, true, true
	}
	return 0, false, false
}
