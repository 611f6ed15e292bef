package pop3

import (
	"io"
	"log/slog"
	"net"
	"testing"

	"github.com/mailwire/mailwire/internal/transcript"
)

var discardLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

// aliceMessages are the three messages of alice in most tests.
var aliceMessages = []string{
	"Subject: one\r\n\r\nfirst\r\n",
	"Subject: two\r\n\r\nsecond\r\n",
	"Subject: t\r\n\r\nl1\r\n.l2\r\nl3\r\n",
}

// newBackend returns a MemBackend with alice (password "secret", the
// three aliceMessages), bob ("secret", empty) and mrose ("tanstaaf", the
// two messages of RFC 1939 §13).
func newBackend(t testing.TB) *MemBackend {
	b := NewMemBackend()
	b.AddUser("alice", "secret")
	b.AddUser("bob", "secret")
	b.AddUser("mrose", "tanstaaf")
	for _, m := range aliceMessages {
		if _, err := b.Deliver("alice", []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	for _, m := range []string{rfcMsg1, rfcMsg2} {
		if _, err := b.Deliver("mrose", []byte(m)); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// newServer returns a server for tests: no delay after failed logins,
// APOP off, logs discarded.
func newServer(b Backend) *Server {
	return &Server{
		Backend:          b,
		Hostname:         "test.example",
		AuthFailureDelay: -1,
		DisableAPOP:      true,
		Logger:           discardLogger,
	}
}

// passwordOnly hides the optional interfaces of a Backend.
type passwordOnly struct{ Backend }

func TestServerTranscripts(t *testing.T) {
	tests := []struct {
		file  string
		setup func(*Server)
	}{
		{"rfc1939-example.txt", func(s *Server) {
			s.Hostname = "dewey"
			s.DisableAPOP = false
			s.timestamp = func() string { return "<1896.697170952@dbc.mtview.ca.us>" }
		}},
		{"server-user-pass.txt", func(s *Server) {
			s.AllowInsecureAuth = true
			s.Backend.(*MemBackend).AddUser("alice", "secret with spaces")
		}},
		{"server-errors.txt", func(s *Server) { s.AllowInsecureAuth = true; s.MaxBadCommands = 100 }},
		{"server-bad-commands.txt", nil},
		{"server-line-too-long.txt", func(s *Server) { s.MaxLine = 64 }},
		{"server-capa-plaintext.txt", func(s *Server) {
			s.TLSConfig = testTLS(t).server
			s.DisableAPOP = false
			s.Expire = "NEVER"
			s.LoginDelay = 900e9
			s.EnableUTF8 = true
		}},
		{"server-capa-transaction.txt", func(s *Server) {
			s.Backend = passwordOnly{s.Backend}
			s.AllowInsecureAuth = true
		}},
		{"server-auth-plain.txt", func(s *Server) { s.AllowInsecureAuth = true }},
		{"server-auth-login.txt", func(s *Server) { s.AllowInsecureAuth = true }},
		{"server-auth-failures.txt", func(s *Server) { s.AllowInsecureAuth = true }},
		{"server-stls-pipelined.txt", func(s *Server) { s.TLSConfig = testTLS(t).server }},
		{"server-utf8-lang.txt", func(s *Server) { s.AllowInsecureAuth = true; s.EnableUTF8 = true }},
		{"server-top.txt", func(s *Server) { s.AllowInsecureAuth = true }},
		{"server-pipelining.txt", func(s *Server) { s.AllowInsecureAuth = true }},
		{"server-quit-authorization.txt", nil},
		{"rfc5034-example-server.txt", func(s *Server) {
			s.AllowInsecureAuth = true
			s.Backend.(*MemBackend).AddUser("test", "test")
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b := newBackend(t)
			s := newServer(b)
			if tt.setup != nil {
				tt.setup(s)
			}
			transcript.Load(t, "testdata/"+tt.file).RunServer(t, func(c net.Conn) { s.ServeConn(c) })
		})
	}
}
