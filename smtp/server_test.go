package smtp

import (
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mailwire/mailwire/internal/transcript"
	"github.com/mailwire/mailwire/sasl"
)

// testMsg is a message the test backend accepted.
type testMsg struct {
	From     string
	To       []string
	Data     string
	Opts     *MailOptions
	RcptOpts []*RcptOptions
}

// testBackend records accepted messages and the calls it gets.
type testBackend struct {
	mu       sync.Mutex
	msgs     []testMsg
	mails    []string // every MAIL the session saw
	logouts  int
	sessions int
	dataErrs []error // the errors Data read
	// dataHook, when set, replaces reading the message.
	dataHook func(r io.Reader) error
	xclient  bool
}

func (b *testBackend) NewSession(c *Conn) (Session, error) {
	b.mu.Lock()
	b.sessions++
	b.mu.Unlock()
	s := &testSession{b: b, c: c}
	if b.xclient {
		return &testXSession{s}, nil
	}
	return s, nil
}

func (b *testBackend) messages() []testMsg {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]testMsg(nil), b.msgs...)
}

type testSession struct {
	b   *testBackend
	c   *Conn
	cur testMsg
}

func (s *testSession) Mail(from string, opts *MailOptions) error {
	s.b.mu.Lock()
	s.b.mails = append(s.b.mails, from)
	s.b.mu.Unlock()
	if from == "refuse@bar.com" {
		return errors.New("a plain error")
	}
	s.cur = testMsg{From: from, Opts: opts}
	return nil
}

func (s *testSession) Rcpt(to string, opts *RcptOptions) error {
	switch {
	case strings.EqualFold(to, "Green@foo.com"):
		return ErrNoSuchUser
	case to == "nsb@thumper.bellcore.com" || to == "galvin@tis.com":
		return &Error{Code: 550, EnhancedCode: EnhancedCode{5, 7, 1}, Message: "remote mail to <" + to + "> not allowed"}
	}
	s.cur.To = append(s.cur.To, to)
	s.cur.RcptOpts = append(s.cur.RcptOpts, opts)
	return nil
}

func (s *testSession) Data(r io.Reader) error {
	if s.b.dataHook != nil {
		return s.b.dataHook(r)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		s.b.mu.Lock()
		s.b.dataErrs = append(s.b.dataErrs, err)
		s.b.mu.Unlock()
		return err
	}
	m := s.cur
	m.Data = string(data)
	s.b.mu.Lock()
	s.b.msgs = append(s.b.msgs, m)
	s.b.mu.Unlock()
	return nil
}

func (s *testSession) Reset() { s.cur = testMsg{} }

func (s *testSession) Logout() error {
	s.b.mu.Lock()
	s.b.logouts++
	s.b.mu.Unlock()
	return nil
}

func (s *testSession) AuthMechanisms() []string { return []string{sasl.Plain, sasl.Login} }

func (s *testSession) Auth(mech string) (sasl.Server, error) {
	check := func(user, pass string) error {
		if user == "alice" && pass == "secret" {
			return nil
		}
		return sasl.ErrAuthFailed
	}
	switch mech {
	case sasl.Plain:
		return sasl.NewPlainServer(func(_, user, pass string) error { return check(user, pass) }), nil
	case sasl.Login:
		return sasl.NewLoginServer(check), nil
	}
	return nil, errors.New("unknown mechanism")
}

type testXSession struct{ *testSession }

func (s *testXSession) XCLIENT(attrs map[string]string) error {
	if attrs["LOGIN"] == "mallory" {
		return errors.New("untrusted")
	}
	return nil
}

// newTestServer returns a server named foo.com on b, with no delay after
// a failed AUTH.
func newTestServer(b Backend) *Server {
	s := &Server{Backend: b, Domain: "foo.com", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s.Limits.AuthFailureDelay = -1
	return s
}

// runScript plays testdata/server/name against srv.
func runScript(t *testing.T, srv *Server, name string) {
	t.Helper()
	transcript.Load(t, filepath.Join("testdata", "server", name)).RunServer(t, func(c net.Conn) {
		srv.ServeConn(c)
	})
}

func TestServerTranscripts(t *testing.T) {
	want := map[string][]testMsg{
		"rfc5321_d1_typical.txt": {{From: "Smith@bar.com", To: []string{"Jones@foo.com", "Brown@foo.com"},
			Data: "Blah blah blah...\r\n...etc. etc. etc.\r\n"}},
		"rfc5321_d2_aborted.txt": nil,
		"rfc5321_d3_relayed.txt": {{From: "JQP@bar.com", To: []string{"Jones@XYZ.COM"},
			Data: "Date: Thu, 21 May 1998 05:33:29 -0700\r\nFrom: John Q. Public <JQP@bar.com>\r\nSubject: The Next Meeting of the Board\r\nTo: Jones@xyz.com\r\n\r\nBill:\r\nThe next meeting of the board of directors will be\r\non Tuesday.\r\nJohn.\r\n"}},
		"rfc5321_d4_vrfy.txt": {{From: "EAK@bar.com", To: []string{"Admin.MRC@foo.com"},
			Data: "Blah blah blah...\r\n...etc. etc. etc.\r\n"}},
		"rfc2920_helo.txt": {{From: "mrose@dbc.mtview.ca.us", To: []string{"ned@innosoft.com", "dan@innosoft.com", "kvc@innosoft.com"},
			Data: "Subject: test\r\n\r\nbody\r\n"}},
		"rfc2920_pipelined.txt": {{From: "mrose@dbc.mtview.ca.us", To: []string{"ned@innosoft.com", "dan@innosoft.com", "kvc@innosoft.com"},
			Data: "Subject: pipelined\r\n\r\nbody\r\n"}},
		"rfc2920_no_valid_rcpt.txt": nil,
		"rfc3030_simple_chunking.txt": {{From: "Sam@Random.com", To: []string{"Susan@Random.com"},
			Data: "To: Susan@random.com\r\nFrom: Sam@random.com\r\nSubject: This is a bodyless test message\r\n"}},
		"rfc3030_binarymime.txt": {{From: "ned@ymir.claremont.edu", To: []string{"gvaudre@cnri.reston.va.us", "jstewart@cnri.reston.va.us"},
			Data: "\x00\x01\r\n.\n\r.\xff\xfeabcd"}},
	}
	for name, msgs := range want {
		t.Run(strings.TrimSuffix(name, ".txt"), func(t *testing.T) {
			b := &testBackend{}
			srv := newTestServer(b)
			srv.EnableBINARYMIME = strings.Contains(name, "binarymime")
			runScript(t, srv, name)
			got := b.messages()
			if d := cmp.Diff(msgs, got, cmp.FilterPath(func(p cmp.Path) bool {
				n := p.Last().String()
				return n == ".Opts" || n == ".RcptOpts"
			}, cmp.Ignore())); d != "" {
				t.Errorf("messages (-want +got):\n%s", d)
			}
			if b.logouts != 1 {
				t.Errorf("Logout called %d times", b.logouts)
			}
		})
	}
}

// TestServerTranscriptFilesAllRun makes sure no script is forgotten: the
// generic ones are run by TestServerScripts.
func TestServerScripts(t *testing.T) {
	files, err := fs.Glob(osDirFS("testdata/server"), "*.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if strings.HasPrefix(f, "rfc") {
			continue
		}
		t.Run(strings.TrimSuffix(f, ".txt"), func(t *testing.T) {
			b := &testBackend{xclient: strings.Contains(f, "xclient")}
			srv := newTestServer(b)
			srv.AllowInsecureAuth = strings.Contains(f, "auth") || strings.HasPrefix(f, "starttls")
			if strings.HasPrefix(f, "starttls") {
				srv.TLSConfig = testTLSConfig(t)
			}
			srv.LMTP = strings.HasPrefix(f, "lmtp")
			srv.EnableSMTPUTF8 = true
			srv.EnableDSN = true
			srv.EnableDELIVERBY = true
			srv.EnableMTPRIORITY = true
			srv.EnableRRVS = true
			srv.Limits.MaxRecipients = 3
			srv.Limits.MaxLineLength = 512
			srv.Limits.MaxBadCommands = 50
			runScript(t, srv, f)
		})
	}
}

func osDirFS(dir string) fs.FS { return os.DirFS(dir) }
