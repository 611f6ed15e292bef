package smtp

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
)

// pipelineWindow is the largest batch written without reading replies at
// the same time: RFC 2920 §3.1 asks a client that does not read while it
// writes to keep a group within the TCP window, "usually 4K octets".
// Larger batches are written by a second goroutine while this one reads.
const pipelineWindow = 4096

// Bdat starts sending the message with BDAT chunks (RFC 3030 §2), which
// the server must have announced with CHUNKING. The writer sends a chunk
// each time ChunkSize bytes are buffered and the last one, with LAST, on
// Close. Unless the transaction is BINARYMIME, a bare CR or LF is sent as
// CRLF, and CRLF is added at the end if the message lacks it. ctx bounds
// the whole transfer.
func (c *Client) Bdat(ctx context.Context) (*DataWriter, error) {
	if c.state != clientMail {
		return nil, c.stateErr("BDAT")
	}
	if !c.has("CHUNKING") {
		return nil, fmt.Errorf("%w: CHUNKING", ErrExtensionUnsupported)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return c.newBdatWriter(ctx), nil
}

func (c *Client) newBdatWriter(ctx context.Context) *DataWriter {
	w := c.newDataWriter(ctx, true)
	w.binary = c.txBinary
	size := c.opts.ChunkSize
	if size <= 0 {
		size = DefaultChunkSize
	}
	if cap(c.chunk) < size {
		c.chunk = make([]byte, 0, size)
	}
	c.chunk = c.chunk[:0]
	return w
}

// writeChunked buffers p, with each bare CR or LF written as CRLF, and
// sends full chunks.
func (w *DataWriter) writeChunked(p []byte) (int, error) {
	if w.binary {
		return len(p), w.emit(p)
	}
	n := len(p)
	for len(p) > 0 {
		if w.lastCR {
			// A CR ended the previous write; complete it as CRLF.
			w.lastCR = false
			if err := w.emit(crlf[1:]); err != nil {
				return 0, err
			}
			if p[0] == '\n' {
				p = p[1:]
			}
			continue
		}
		// The longest prefix of well-formed CRLF lines goes as it is.
		good := 0
		for {
			i := bytes.IndexByte(p[good:], '\n')
			if i < 0 {
				break
			}
			line := p[good : good+i]
			if len(line) == 0 || line[len(line)-1] != '\r' || bytes.IndexByte(line[:len(line)-1], '\r') >= 0 {
				break
			}
			good += i + 1
		}
		if good > 0 {
			if err := w.emit(p[:good]); err != nil {
				return 0, err
			}
			p = p[good:]
			continue
		}
		i := bytes.IndexAny(p, "\r\n")
		if i < 0 {
			if err := w.emit(p); err != nil {
				return 0, err
			}
			break
		}
		if err := w.emit(p[:i]); err != nil {
			return 0, err
		}
		switch {
		case p[i] == '\r' && i+1 < len(p) && p[i+1] == '\n':
			p = p[i+2:]
		case p[i] == '\r' && i+1 == len(p):
			// Maybe the CR of a CRLF split between writes.
			w.lastCR = true
			if err := w.emit(crlf[:1]); err != nil {
				return 0, err
			}
			return n, nil
		default:
			// A bare CR or a bare LF.
			p = p[i+1:]
		}
		if err := w.emit(crlf); err != nil {
			return 0, err
		}
	}
	return n, nil
}

var crlf = []byte("\r\n")

// emit appends to the chunk, sending it whenever it fills.
func (w *DataWriter) emit(p []byte) error {
	c := w.c
	for len(p) > 0 {
		room := cap(c.chunk) - len(c.chunk)
		if room == 0 {
			if err := w.flushChunk(false); err != nil {
				return err
			}
			continue
		}
		k := min(room, len(p))
		c.chunk = append(c.chunk, p[:k]...)
		p = p[k:]
		w.lastByte = c.chunk[len(c.chunk)-1]
	}
	return nil
}

// flushChunk sends the buffered chunk, as the last one when last is set
// (after ending the message with CRLF if needed), and reads the replies
// that are due: those of commands pipelined ahead of it and, with
// PIPELINING, those of earlier chunks (RFC 3030 §4.2 pipelines its
// chunks); without PIPELINING, its own. The reply to the last chunk is
// left for endData.
func (w *DataWriter) flushChunk(last bool) error {
	c := w.c
	if last && !w.binary {
		if w.lastCR {
			c.chunk = append(c.chunk, '\n')
			w.lastCR = false
		} else if w.n > 0 && w.lastByte != '\n' {
			c.chunk = append(c.chunk, '\r', '\n')
		}
	}
	c.startCmd("BDAT ")
	c.buf = strconv.AppendInt(c.buf, int64(len(c.chunk)), 10)
	if last {
		c.buf = append(c.buf, " LAST"...)
	}
	if err := c.writeCmd(); err != nil {
		return err
	}
	pipelining := c.has("PIPELINING")
	mode := batchAlone
	switch {
	case w.owed > 0:
		mode = batchBehindReplies
	case w.pre != nil:
		mode = batchPipelined
	}
	wait := c.writeBatch(c.chunk, mode)
	var cause error // the transaction failed; read this chunk's reply and stop
	if w.pre != nil {
		pre := w.pre
		w.pre = nil
		err := c.readPipelined(pre)
		if err = wait(err); err != nil {
			return err
		}
		if pre.abort() {
			cause = pre.err()
		}
	}
	for ; w.owed > 0; w.owed-- {
		code, enh, lines, err := c.readReply()
		if err = wait(err); err != nil {
			return err
		}
		c.debugReply("BDAT", code)
		if code != 250 && cause == nil {
			// RFC 3030 §2: after a failed chunk the transaction has
			// failed; no further chunk is sent.
			cause = replyError(code, enh, lines)
		}
	}
	if err := wait(nil); err != nil {
		return err
	}
	c.chunk = c.chunk[:0]
	if cause == nil && (last || pipelining) {
		if !last {
			w.owed++
		}
		return nil
	}
	code, enh, lines, err := c.readReply()
	if err != nil {
		return err
	}
	c.debugReply("BDAT", code)
	if cause == nil && code != 250 {
		cause = replyError(code, enh, lines)
	}
	if cause != nil {
		return c.abortTransaction(w.ctx, cause)
	}
	return nil
}

// abortTransaction ends a failed transaction with RSET and returns cause.
func (c *Client) abortTransaction(ctx context.Context, cause error) error {
	c.state = clientMail
	if err := c.Reset(ctx); err != nil {
		return err
	}
	return cause
}
