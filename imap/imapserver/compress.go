package imapserver

import (
	"compress/flate"
	"strings"
)

// handleCOMPRESS: COMPRESS=DEFLATE (RFC 4978). Both directions become a raw
// DEFLATE stream (RFC 1951) right after the tagged OK; every flush of ours
// is a sync flush so that the client sees whole responses.
func (c *conn) handleCOMPRESS(tag string, uid bool) error {
	d := &c.dec
	if !d.SP() {
		return nil
	}
	alg, ok := d.Atom()
	if !ok || !d.CRLF() {
		return nil
	}
	if !c.srv.EnableCompress {
		return no("CANNOT", "compression is not enabled")
	}
	if !strings.EqualFold(alg, "DEFLATE") {
		return no("CANNOT", "unknown compression mechanism")
	}
	if c.zw != nil {
		// RFC 4978 §3: a second COMPRESS is refused.
		return no("COMPRESSIONACTIVE", "compression already active")
	}
	c.writeResp(tag, "OK", "", "DEFLATE active")
	if err := c.flush(); err != nil {
		return err
	}
	// Bytes already read past the command are compressed data.
	c.releaseBuffers()
	raw := &prefixReader{pre: c.src.pre, r: c.src.r}
	zw, _ := flate.NewWriter(c.w, flate.BestSpeed)
	c.src = prefixReader{r: flate.NewReader(raw)}
	c.w = zw
	c.zw = zw
	c.suppressOK = true
	return nil
}
