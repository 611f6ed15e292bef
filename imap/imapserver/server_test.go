package imapserver_test

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/imap/imapserver"
	"github.com/mailwire/mailwire/internal/transcript"
)

// rfcSample is message 12 of the RFC 9051 §8 sample dialogue.
const rfcSampleHeader = "Date: Wed, 17 Jul 1996 02:23:25 -0700 (PDT)\r\n" +
	"From: Terry Gray <gray@cac.washington.edu>\r\n" +
	"Subject: IMAP4rev2 WG mtg summary and minutes\r\n" +
	"To: imap@cac.washington.edu\r\n" +
	"cc: minutes@CNRI.Reston.VA.US, John Klensin <KLENSIN@MIT.EDU>\r\n" +
	"Message-Id: <B27397-0100000@cac.washington.edu>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n" +
	"\r\n"

func rfcSample() string {
	var b strings.Builder
	b.WriteString(rfcSampleHeader)
	for i := 0; i < 92; i++ {
		fmt.Fprintf(&b, "line %02d of the minutes\r\n", i)
	}
	return b.String()
}

// multipartSample is message 13: text, a base64 attachment and an
// enclosed message.
const multipartSample = "From: Bob <bob@example.org>\r\n" +
	"To: alice@example.org\r\n" +
	"Subject: =?UTF-8?Q?caf=C3=A9?= photos\r\n" +
	"Date: Tue, 2 Jan 2024 10:00:00 +0100\r\n" +
	"Message-ID: <mp@example.org>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/mixed; boundary=\"XX\"\r\n" +
	"\r\n" +
	"preamble\r\n" +
	"--XX\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"\r\n" +
	"see attached\r\n" +
	"--XX\r\n" +
	"Content-Type: application/octet-stream; name=\"a.bin\"\r\n" +
	"Content-Disposition: attachment; filename=\"a.bin\"\r\n" +
	"Content-Transfer-Encoding: base64\r\n" +
	"\r\n" +
	"AAECAw==\r\n" +
	"--XX\r\n" +
	"Content-Type: message/rfc822\r\n" +
	"\r\n" +
	"From: carol@example.org\r\n" +
	"Subject: inner\r\n" +
	"\r\n" +
	"inner body\r\n" +
	"--XX--\r\n"

var sampleDate = time.Date(1996, 7, 17, 2, 44, 25, 0, time.FixedZone("", -7*3600))

func simpleMessage(i int) string {
	return fmt.Sprintf("From: sender%d@example.org\r\nTo: alice@example.org\r\nSubject: message %d\r\nDate: Mon, 1 Jan 2024 00:%02d:00 +0000\r\nMessage-ID: <m%d@example.org>\r\n\r\nbody of message %d\r\n", i, i, i, i, i)
}

// newBackend gives alice (password "secret") an INBOX of n messages, the
// last one the RFC 9051 §8 sample when n >= 12, and mailboxes Sent and
// Trash with special-use attributes.
func newBackend(t testing.TB, n int) *imapmem.Backend {
	be := imapmem.New()
	u := be.AddUser("alice", "secret")
	be.AddUser("bob", "hunter2")
	for i := 1; i <= n; i++ {
		body := simpleMessage(i)
		flags := []string{}
		if i == 12 {
			body = rfcSample()
			flags = []string{`\Seen`}
		}
		if i == 13 {
			body = multipartSample
		}
		if _, err := u.AppendMessage("INBOX", []byte(body), flags, sampleDate.Add(time.Duration(i-12)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	for _, mb := range [][2]string{{"Sent", `\Sent`}, {"Trash", `\Trash`}} {
		if err := u.CreateMailbox(t.Context(), mb[0], mb[1]); err != nil {
			t.Fatal(err)
		}
	}
	return be
}

func newServer(be imapserver.Backend) *imapserver.Server {
	return &imapserver.Server{
		Backend:           be,
		AllowInsecureAuth: true,
		Limits:            imapserver.Limits{FailedLoginDelay: -1},
	}
}

// serveTCP serves srv on a loopback port until the test ends, and returns
// the address.
func serveTCP(t testing.TB, srv *imapserver.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(ln)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return ln.Addr().String()
}

// TestTranscripts plays every testdata/*.txt script against a server over
// a store of 18 messages (the RFC 9051 §8 sample is number 12).
func TestTranscripts(t *testing.T) {
	files, err := filepath.Glob("testdata/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatal("no transcripts", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		t.Run(name, func(t *testing.T) {
			s := transcript.Load(t, f)
			srv := newServer(newBackend(t, 18))
			if strings.HasPrefix(name, "secure_") {
				srv.AllowInsecureAuth = false
			}
			s.RunServer(t, func(c net.Conn) { srv.ServeConn(c) })
		})
	}
}
