package imapclient

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/internal/imapwire"
)

func TestGreetingForms(t *testing.T) {
	c := scriptedClient(t, []byte("* PREAUTH [CAPABILITY IMAP4rev2] hi\r\n"))
	if c.State() != imap.ConnStateAuthenticated || !c.Caps().Has(imap.CapIMAP4rev2) {
		t.Fatal(c.State())
	}
	_, err := NewClient(scripted{strings.NewReader("* BYE [UNAVAILABLE] go away\r\n"), io.Discard})
	var ie *imap.Error
	if !errors.As(err, &ie) || ie.Type != imap.StatusBYE || ie.Code != imap.CodeUnavailable {
		t.Fatalf("BYE greeting: %v", err)
	}
	for _, g := range []string{"", "garbage\r\n", "* NO x\r\n", "* OK"} {
		if _, err := NewClient(scripted{strings.NewReader(g), io.Discard}); err == nil {
			t.Errorf("greeting %q accepted", g)
		}
	}
}

func TestLineTooLongFromServerIsTypedError(t *testing.T) {
	srv := "* OK hi\r\n* " + strings.Repeat("A", 300) + "\r\nT1 OK done\r\n"
	c, err := NewClientOptions(scripted{strings.NewReader(srv), io.Discard}, &Options{MaxLine: 100})
	if err != nil {
		t.Fatal(err)
	}
	var logged error
	c.opts.ErrorLog = func(err error) { logged = err }
	// The long line is skipped (the stream stays in sync) and reported.
	if err := c.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(logged, imapwire.ErrLineTooLong) {
		t.Fatalf("logged %v", logged)
	}
}

func TestLiteralTooLargeFromServerFailsTheConnection(t *testing.T) {
	srv := "* OK hi\r\n* 1 FETCH (BODY[] {1000000}\r\n"
	c, err := NewClientOptions(scripted{strings.NewReader(srv), io.Discard}, &Options{MaxLiteral: 1000})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{}}}).Collect()
	var le *imapwire.LiteralTooLargeError
	if !errors.As(err, &le) && !errors.As(c.Err(), &le) {
		t.Fatalf("err %v, conn err %v", err, c.Err())
	}
}

func TestConnectionLossFailsPendingCommands(t *testing.T) {
	c := scriptedClient(t, []byte("* OK hi\r\n* 1 EXISTS\r\n"))
	err := c.Noop().Wait()
	if err == nil || c.Err() == nil {
		t.Fatalf("err %v", err)
	}
	if err := c.Noop().Wait(); err == nil {
		t.Fatal("command on a dead connection succeeded")
	}
}

func TestWaitContextBoundsTheWait(t *testing.T) {
	cc, sc := net.Pipe()
	defer sc.Close()
	go func() {
		sc.Write([]byte("* OK hi\r\n"))
		io.Copy(io.Discard, sc) // never answers
	}()
	c, err := NewClient(cc)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := c.Noop()
	done := make(chan error)
	go func() { done <- cmd.WaitContext(ctx) }()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
}

func TestTimeoutOptionDetectsDeadServer(t *testing.T) {
	cc, sc := net.Pipe()
	defer sc.Close()
	go func() {
		sc.Write([]byte("* OK hi\r\n"))
		io.Copy(io.Discard, sc)
	}()
	c, err := NewClientOptions(cc, &Options{Timeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var ne net.Error
	if err := c.Noop().Wait(); !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("err %v", err)
	}
}

func TestStartTLSRefusesPlaintextInjection(t *testing.T) {
	cc, sc := net.Pipe()
	defer sc.Close()
	go func() {
		sc.Write([]byte("* OK [CAPABILITY IMAP4rev2 STARTTLS] hi\r\n"))
		buf := make([]byte, 100)
		sc.Read(buf)
		// The reply and an injected line in one write.
		sc.Write([]byte("T1 OK begin TLS\r\n* CAPABILITY IMAP4rev2 AUTH=PLAIN\r\n"))
		io.Copy(io.Discard, sc)
	}()
	c, err := NewClient(cc)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.StartTLS(nil); !errors.Is(err, ErrPlaintextAfterStartTLS) {
		t.Fatalf("err %v", err)
	}
}

func TestStartTLSNeedsNetConn(t *testing.T) {
	c := scriptedClient(t, []byte("* OK hi\r\n"))
	if err := c.StartTLS(nil); err == nil {
		t.Fatal("StartTLS over a plain reader")
	}
}

func TestDebugWriterSeesBothDirections(t *testing.T) {
	var log strings.Builder
	c, err := NewClientOptions(scripted{strings.NewReader("* OK hi\r\nT1 OK done\r\n"), io.Discard}, &Options{DebugWriter: &log})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "T1 NOOP\r\n") || !strings.Contains(log.String(), "T1 OK done") {
		t.Fatalf("log %q", log.String())
	}
}

func TestUnilateralBYEIsTheError(t *testing.T) {
	c := scriptedClient(t, []byte("* OK hi\r\n* BYE [UNAVAILABLE] shutting down\r\n"))
	err := c.Noop().Wait()
	var ie *imap.Error
	if !errors.As(err, &ie) || ie.Type != imap.StatusBYE || ie.Code != imap.CodeUnavailable || c.State() != imap.ConnStateLogout {
		t.Fatalf("err %v state %v", err, c.State())
	}
}
