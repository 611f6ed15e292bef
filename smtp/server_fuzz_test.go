package smtp

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// panicWatcher is a slog handler that remembers whether a connection
// panicked.
type panicWatcher struct {
	mu       sync.Mutex
	panicked string
}

func (h *panicWatcher) Enabled(context.Context, slog.Level) bool { return true }
func (h *panicWatcher) Handle(_ context.Context, r slog.Record) error {
	if strings.Contains(r.Message, "panic") {
		h.mu.Lock()
		r.Attrs(func(a slog.Attr) bool {
			h.panicked += a.String() + "\n"
			return true
		})
		h.mu.Unlock()
	}
	return nil
}
func (h *panicWatcher) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *panicWatcher) WithGroup(string) slog.Handler      { return h }

var replyLine = regexp.MustCompile(`^[2-5][0-9][0-9][ -][^\r\n]*$`)

// FuzzServerSession feeds arbitrary bytes to a server as the whole input
// of a connection and checks that it neither panics nor hangs and only
// ever writes well-formed replies.
func FuzzServerSession(f *testing.F) {
	seeds := []string{
		"EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n",
		"EHLO a\r\nMAIL FROM:<a@b> SIZE=10 BODY=8BITMIME\r\nRCPT TO:<c@d> NOTIFY=NEVER\r\nBDAT 2\r\nhiBDAT 0 LAST\r\n",
		"LHLO a\r\nAUTH PLAIN AGFsaWNlAHNlY3JldA==\r\n",
		"EHLO a\r\nAUTH LOGIN\r\nYWxpY2U=\r\nc2VjcmV0\r\nAUTH PLAIN\r\n*\r\n",
		"HELO a\r\nMAIL FROM:<>\r\nRCPT TO:<Postmaster>\r\nDATA\r\na\n.\nb\r\n.\r\n",
		"EHLO a\r\nXCLIENT NAME=x ADDR=1.2.3.4\r\nEHLO b\r\n",
		"EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nBDAT 99999999999\r\n",
		"EHLO a\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nBDAT 5 LAST\r\nhelloMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nBDAT 9 LAST\r\ncut\r\n",
		"EHLO a\r\nSTARTTLS\r\nRSET\r\nNOOP\r\nVRFY x\r\nHELP\r\nEXPN y\r\n",
		"\r\n\n\r\x00 \xff",
		// ORCPT=utf-8 (RFC 6533 §3), unitext under SMTPUTF8, xtext without.
		"EHLO a\r\nMAIL FROM:<a@b> SMTPUTF8\r\nRCPT TO:<c@d> ORCPT=utf-8;用户\\x{2B}t@例子\r\nRCPT TO:<e@d> ORCPT=UTF-8;\\x{E9}\\x{D800}@x\r\nDATA\r\nhi\r\n.\r\n" +
			"MAIL FROM:<a@b>\r\nRCPT TO:<c@d> ORCPT=utf-8;\\x{7528}\\x{1F600}@x NOTIFY=NEVER\r\nRCPT TO:<c@d> ORCPT=utf-8;é@x\r\nQUIT\r\n",
	}
	for _, s := range seeds {
		f.Add([]byte(s), false)
		f.Add([]byte(s), true)
	}
	f.Fuzz(func(t *testing.T, in []byte, lmtp bool) {
		pw := &panicWatcher{}
		b := &testBackend{xclient: true}
		srv := &Server{Backend: b, Domain: "fuzz", LMTP: lmtp, AllowInsecureAuth: true, Logger: slog.New(pw),
			EnableSMTPUTF8: true, EnableDSN: true, EnableBINARYMIME: true, EnableDELIVERBY: true, EnableMTPRIORITY: true, EnableRRVS: true}
		srv.Limits.AuthFailureDelay = -1
		srv.Limits.MaxMessageBytes = 1 << 16
		var out bytes.Buffer
		srv.ServeConn(struct {
			io.Reader
			io.Writer
		}{bytes.NewReader(in), &out})
		if pw.panicked != "" {
			t.Fatalf("panic: %s", pw.panicked)
		}
		text := out.String()
		if !strings.HasSuffix(text, "\r\n") {
			t.Fatalf("output does not end in CRLF: %q", text)
		}
		for _, line := range strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n") {
			if !replyLine.MatchString(line) {
				t.Fatalf("malformed reply line %q", line)
			}
		}
		if b.logouts != 1 {
			t.Fatalf("Logout called %d times", b.logouts)
		}
	})
}

// FuzzServerCommandParsing checks the parsers of MAIL/RCPT arguments and
// parameters: they never panic, and what they accept parses again to the
// same thing.
func FuzzServerCommandParsing(f *testing.F) {
	for _, s := range []string{
		"FROM:<a@b.c> SIZE=10 BODY=8BITMIME",
		"FROM: <\"q >\"@b> RET=HDRS ENVID=a+2Bb",
		"TO:<Postmaster> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;a+40b",
		"TO:<a@[1.2.3.4]> RRVS=2014-04-03T23:01:00Z;C",
		"FROM:<a@b> BY=120;RT MT-PRIORITY=-3",
		"1000 LAST",
		"TO:<a@b> ORCPT=utf-8;\\x{7528}\\x{2B}x@\\x{4F8B}",
		"TO:<a@b> ORCPT=UTF-8;用户@例子 NOTIFY=NEVER",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, kw := range []string{"FROM:", "TO:"} {
			path, params, ok := cutCommandPath([]byte(s), kw)
			if !ok {
				continue
			}
			if addr, err := ParseReversePath(path); err == nil && addr != "" && !ValidAddress(addr, true) {
				t.Fatalf("path %q accepted but its address %q is not valid", path, addr)
			}
			ps, err := parseParams(params)
			if err != nil {
				continue
			}
			var b strings.Builder
			for i, p := range ps {
				if i > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(p.Key)
				if p.Value != "" {
					b.WriteString("=" + p.Value)
				}
				parseDeliverBy(p.Value)
				parseRRVS(p.Value)
				parseNotify(p.Value)
				if typ, addr, ok := strings.Cut(p.Value, ";"); ok && strings.EqualFold(typ, DSNAddressTypeUTF8) {
					for _, unitext := range []bool{false, true} {
						if dec, err := utf8AddrDecode(addr, unitext); err == nil {
							if again, err := utf8AddrDecode(utf8AddrEncode(dec, unitext), unitext); err != nil || again != dec {
								t.Fatalf("ORCPT %q: %q re-encoded decodes to %q, %v", addr, dec, again, err)
							}
						}
					}
				}
			}
			again, err := parseParams(b.String())
			if err != nil || len(again) != len(ps) {
				t.Fatalf("params %q reformatted as %q: %v, %v", params, b.String(), again, err)
			}
			for i := range ps {
				if again[i] != ps[i] {
					t.Fatalf("param %d: %v then %v", i, ps[i], again[i])
				}
			}
		}
		if size, _, ok := parseBDAT([]byte(s)); ok && size < 0 {
			t.Fatalf("BDAT size %d", size)
		}
	})
}
