package imapserver_test

import (
	"bytes"
	"testing"
)

// FuzzAuthenticate feeds arbitrary bytes to a session that has not logged
// in: every AUTHENTICATE mechanism the store allows (SCRAM, CRAM-MD5,
// PLAIN, LOGIN) runs on them. The session must end at EOF without a
// panic, its output ending in a line end. One store serves every input, so
// that deriving SCRAM credentials does not dominate the run.
func FuzzAuthenticate(f *testing.F) {
	for _, s := range []string{
		"a AUTHENTICATE SCRAM-SHA-256 biwsbj1hbGljZSxyPWFiY2Q=\r\nYz1iaXdzLHI9YWJjZCxwPXh4\r\n",
		"a AUTHENTICATE SCRAM-SHA-1\r\nbiwsbj1hbGljZSxyPWFiY2Q=\r\n*\r\n",
		"a AUTHENTICATE SCRAM-SHA-256-PLUS =\r\n",
		"a AUTHENTICATE CRAM-MD5\r\nYWxpY2UgMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA=\r\n",
		"a AUTHENTICATE PLAIN AGFsaWNlAHdyb25n\r\nb AUTHENTICATE LOGIN\r\n!!\r\n",
		"a AUTHENTICATE PLAIN =\r\nb AUTHENTICATE XOAUTH2 eA==\r\n",
	} {
		f.Add([]byte(s))
	}
	be := newBackend(f, 1)
	f.Fuzz(func(t *testing.T, data []byte) {
		srv := newServer(be)
		srv.Limits.MaxLine = 4096
		conn := &rw{Reader: bytes.NewReader(data)}
		srv.ServeConn(conn)
		out := conn.out.Bytes()
		if len(out) > 0 && out[len(out)-1] != '\n' {
			t.Fatalf("output does not end with a line end: %q", out[max(0, len(out)-80):])
		}
	})
}
