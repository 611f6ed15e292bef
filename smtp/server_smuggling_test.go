package smtp

import (
	"strings"
	"testing"
)

// The end-of-data spellings that SMTP smuggling uses: each is what some
// server takes for CRLF.CRLF. Only CRLF.CRLF may end the data.
var smugglingVariants = map[string]string{
	"LF.LF":      "\n.\n",
	"CR.CR":      "\r.\r",
	"LF.CRLF":    "\n.\r\n",
	"CRLF.LF":    "\r\n.\n",
	"CR.LF":      "\r.\n",
	"CR.CRLF":    "\r.\r\n",
	"CRLF.CR":    "\r\n.\r",
	"LF.CR":      "\n.\r",
	"CRLF.CRLF0": "\r\n.\x00\r\n",
}

const smuggled = "MAIL FROM:<smuggler@evil.example>\r\nRCPT TO:<victim@foo.com>\r\nDATA\r\nSubject: smuggled\r\n\r\nevil\r\n.\r\n"

func TestDataSmugglingVariants(t *testing.T) {
	for name, end := range smugglingVariants {
		for _, pipelined := range []bool{false, true} {
			for _, policy := range []BareLineEndings{RejectBareLineEndings, NormalizeBareLineEndings} {
				tname := name
				if pipelined {
					tname += "/pipelined"
				}
				if policy == NormalizeBareLineEndings {
					tname += "/normalize"
				}
				t.Run(tname, func(t *testing.T) {
					b := &testBackend{}
					srv := newTestServer(b)
					srv.BareLineEndings = policy
					c := dial(t, srv)
					c.cmd("EHLO bar.com", "250")
					payload := "Subject: first\r\n\r\nhello" + end + smuggled
					if pipelined {
						c.write("MAIL FROM:<a@bar.com>\r\nRCPT TO:<b@foo.com>\r\nDATA\r\n" + payload)
						c.expect("250")
						c.expect("250")
						c.expect("354")
					} else {
						c.cmd("MAIL FROM:<a@bar.com>", "250")
						c.cmd("RCPT TO:<b@foo.com>", "250")
						c.cmd("DATA", "354")
						c.write(payload)
					}
					first := c.reply()
					// Whatever the policy, the next thing the server reads
					// is this command: the smuggled one was data.
					c.cmd("NOOP", "250")
					msgs := b.messages()
					b.mu.Lock()
					mails := b.mails
					b.mu.Unlock()
					if len(mails) != 1 {
						t.Fatalf("backend saw MAIL %q: the smuggled command ran", mails)
					}
					if name == "CRLF.CRLF0" {
						// Not a bare line end at all: plain data.
						if !strings.HasPrefix(first, "250") || len(msgs) != 1 || msgs[0].Data != "Subject: first\r\n\r\nhello\r\n\x00\r\n"+smuggled[:len(smuggled)-3] {
							t.Fatalf("reply %q, messages %+v", first, msgs)
						}
						return
					}
					switch policy {
					case RejectBareLineEndings:
						if !strings.HasPrefix(first, "550 5.6.0") {
							t.Errorf("reply %q, want 550 5.6.0", first)
						}
						if len(msgs) != 0 {
							t.Errorf("delivered %+v", msgs)
						}
						// The next message goes through alone.
						c.cmd("MAIL FROM:<a@bar.com>", "250")
						c.cmd("RCPT TO:<b@foo.com>", "250")
						c.cmd("DATA", "354")
						c.cmd("legit\r\n.", "250")
						if msgs := b.messages(); len(msgs) != 1 || msgs[0].Data != "legit\r\n" || msgs[0].From != "a@bar.com" {
							t.Errorf("messages %+v", msgs)
						}
					case NormalizeBareLineEndings:
						if !strings.HasPrefix(first, "250") {
							t.Fatalf("reply %q, want 250", first)
						}
						if len(msgs) != 1 {
							t.Fatalf("%d messages, want exactly one", len(msgs))
						}
						want := "Subject: first\r\n\r\nhello" + normalized(end) + smuggled[:len(smuggled)-3]
						if msgs[0].Data != want {
							t.Errorf("data %q\nwant %q", msgs[0].Data, want)
						}
					}
				})
			}
		}
	}
}

// normalized is end with each bare CR or LF written as CRLF: what the
// backend reads under NormalizeBareLineEndings. The dot then starts a line
// and is removed as stuffing (RFC 5321 §4.5.2).
func normalized(end string) string {
	var b strings.Builder
	for i := 0; i < len(end); i++ {
		switch {
		case end[i] == '\r' && i+1 < len(end) && end[i+1] == '\n':
			b.WriteString("\r\n")
			i++
		case end[i] == '\r' || end[i] == '\n':
			b.WriteString("\r\n")
		case end[i] == '.':
		default:
			b.WriteByte(end[i])
		}
	}
	return b.String()
}
