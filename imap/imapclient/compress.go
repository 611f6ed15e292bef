package imapclient

import (
	"bufio"
	"compress/flate"
	"io"
)

// Compress sends COMPRESS DEFLATE (RFC 4978) and, once the server agreed,
// compresses both directions with raw DEFLATE.
func (c *Client) Compress() error {
	cmd := c.newCommand("COMPRESS", nil)
	c.enc.SP().Atom("DEFLATE")
	c.send(cmd)
	if err := cmd.Wait(); err != nil {
		return err
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.rtok <- struct{}{}
	defer func() { <-c.rtok }()
	// RFC 4978 §4: compression starts right after the tagged OK; what is
	// buffered already is compressed data.
	old := c.br
	fw, _ := flate.NewWriter(c.rawWriter(), flate.DefaultCompression)
	zr := flate.NewReader(old)
	c.br, c.src = bufio.NewReaderSize(zr, 32<<10), zr
	c.bw = bufio.NewWriterSize(&syncFlusher{fw}, 8<<10)
	c.dec.Reset(c.br)
	c.enc.Reset(c.bw)
	return nil
}

func (c *Client) rawWriter() io.Writer {
	if c.opts.DebugWriter != nil {
		return io.MultiWriter(c.conn, &lockedWriter{w: c.opts.DebugWriter})
	}
	return c.conn
}

// syncFlusher flushes the compressor after each write (Z_SYNC_FLUSH), so
// that each command reaches the server whole.
type syncFlusher struct{ fw *flate.Writer }

// Write compresses p and flushes it.
func (s *syncFlusher) Write(p []byte) (int, error) {
	n, err := s.fw.Write(p)
	if err == nil {
		err = s.fw.Flush()
	}
	return n, err
}
