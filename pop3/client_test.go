package pop3

import (
	"context"
	"errors"
	"io"
	"net"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mailwire/mailwire/internal/transcript"
	"github.com/mailwire/mailwire/sasl"
)

// runClient plays a client transcript from testdata.
func runClient(t *testing.T, file string, fn func(ctx context.Context, c *Client) error) {
	t.Helper()
	err := transcript.Load(t, "testdata/"+file).RunClient(t, func(nc net.Conn) error {
		c, err := NewClient(nc)
		if err != nil {
			return err
		}
		defer c.Close()
		return fn(context.Background(), c)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientRFC1939Example(t *testing.T) {
	runClient(t, "rfc1939-example.txt", func(ctx context.Context, c *Client) error {
		if err := c.APOP(ctx, "mrose", "tanstaaf"); err != nil {
			return err
		}
		n, size, err := c.Stat(ctx)
		if err != nil || n != 2 || size != 320 {
			t.Errorf("Stat = %d, %d, %v; want 2, 320", n, size, err)
		}
		list, err := c.List(ctx)
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]ListEntry{{1, 120}, {2, 200}}, list); diff != "" {
			t.Errorf("List (-want +got):\n%s", diff)
		}
		for i, want := range []string{rfcMsg1, rfcMsg2} {
			got, err := c.RetrBytes(ctx, i+1)
			if err != nil {
				return err
			}
			if string(got) != want {
				t.Errorf("message %d:\n got %q\nwant %q", i+1, got, want)
			}
			if err := c.Dele(ctx, i+1); err != nil {
				return err
			}
		}
		return c.Quit(ctx)
	})
}

func TestClientCapabilitiesAndAutoAuth(t *testing.T) {
	runClient(t, "client-capa-auth.txt", func(ctx context.Context, c *Client) error {
		c.AllowInsecureAuth = true
		caps, err := c.Capabilities(ctx)
		if err != nil {
			return err
		}
		want := Capabilities{"TOP": {}, "USER": {}, "SASL": {"PLAIN", "LOGIN"},
			"IMPLEMENTATION": {"Shlemazle Plotz v302"}, ".STUFFED": {}}
		if diff := cmp.Diff(want, caps); diff != "" {
			t.Errorf("capabilities (-want +got):\n%s", diff)
		}
		if err := c.AuthenticateAuto(ctx, sasl.Credentials{Username: "alice", Password: "secret"}); err != nil {
			return err
		}
		caps, err = c.Capabilities(ctx)
		if err != nil || len(caps) != 0 {
			t.Errorf("CAPA after -ERR = %v, %v; want empty, nil", caps, err)
		}
		return c.Quit(ctx)
	})
}

func TestClientResponseCodes(t *testing.T) {
	wants := []error{ErrInUse, ErrLoginDelay, ErrSysTemp, ErrAuth}
	runClient(t, "client-resp-codes.txt", func(ctx context.Context, c *Client) error {
		c.AllowInsecureAuth = true
		for _, want := range wants {
			err := c.Login(ctx, "alice", map[bool]string{true: "wrong", false: "secret"}[want == ErrAuth])
			if !errors.Is(err, want) {
				t.Errorf("Login error = %v; want %v", err, want)
			}
			for _, other := range wants {
				if other != want && errors.Is(err, other) {
					t.Errorf("error %v matches %v too", err, other)
				}
			}
		}
		err := c.Login(ctx, "alice", "secret")
		var e *Error
		if !errors.As(err, &e) || e.Code != "X-PRIVATE/SUB" || e.Message != "custom" {
			t.Errorf("private code: %#v", err)
		}
		if !errors.Is(err, &Error{Code: "x-private"}) {
			t.Errorf("%v does not match its parent code X-PRIVATE", err)
		}
		err = c.Login(ctx, "alice", "secret")
		if !errors.As(err, &e) || e.Code != "" || e.Message != "no code here" || errors.Is(err, ErrAuth) {
			t.Errorf("no code: %#v", err)
		}
		return c.Quit(ctx)
	})
}

func TestClientDelePipelined(t *testing.T) {
	runClient(t, "client-pipelining.txt", func(ctx context.Context, c *Client) error {
		c.AllowInsecureAuth = true
		if err := c.Login(ctx, "alice", "secret"); err != nil {
			return err
		}
		err := c.Dele(ctx, 1, 7, 3)
		var e *Error
		if !errors.As(err, &e) || e.Message != "no such message" {
			t.Errorf("Dele error = %v; want the -ERR for 7", err)
		}
		if n, size, err := c.Stat(ctx); n != 1 || size != 27 || err != nil {
			t.Errorf("Stat = %d, %d, %v", n, size, err)
		}
		return c.Quit(ctx)
	})
}

func TestClientListings(t *testing.T) {
	runClient(t, "client-listing.txt", func(ctx context.Context, c *Client) error {
		c.AllowInsecureAuth = true
		if err := c.Login(ctx, "alice", "secret"); err != nil {
			return err
		}
		list, err := c.List(ctx)
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]ListEntry{{1, 120}, {2, 200}}, list); diff != "" {
			t.Errorf("List (-want +got):\n%s", diff)
		}
		one, err := c.ListOne(ctx, 2)
		if err != nil || one != (ListEntry{2, 200}) {
			t.Errorf("ListOne = %v, %v", one, err)
		}
		uids, err := c.UIDL(ctx)
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]UIDEntry{{1, "whqtswO00WBw418f9t5JxYwZ"}, {2, "QhdPYR:00WBw1Ph7x7"}}, uids); diff != "" {
			t.Errorf("UIDL (-want +got):\n%s", diff)
		}
		u, err := c.UIDLOne(ctx, 1)
		if err != nil || u.UID != "whqtswO00WBw418f9t5JxYwZ" {
			t.Errorf("UIDLOne = %v, %v", u, err)
		}
		r, err := c.Top(ctx, 1, 1)
		if err != nil {
			return err
		}
		b, err := io.ReadAll(r)
		if err != nil || string(b) != "Subject: x\r\n\r\n.dotted\r\n" {
			t.Errorf("Top = %q, %v", b, err)
		}
		if err := c.Rset(ctx); err != nil {
			return err
		}
		if err := c.Noop(ctx); err != nil {
			return err
		}
		return c.Quit(ctx)
	})
}

func TestClientLangUTF8(t *testing.T) {
	runClient(t, "client-lang-utf8.txt", func(ctx context.Context, c *Client) error {
		if err := c.UTF8(ctx); err != nil {
			return err
		}
		if _, err := c.SetLanguage(ctx, "MUL"); err == nil {
			t.Error("LANG MUL succeeded")
		}
		langs, err := c.Languages(ctx)
		if err != nil {
			return err
		}
		want := []Language{{"en", "English"}, {"en-boont", "English Boontling dialect"}, {"de", "Deutsch"}}
		if diff := cmp.Diff(want, langs); diff != "" {
			t.Errorf("Languages (-want +got):\n%s", diff)
		}
		tag, err := c.SetLanguage(ctx, "es")
		if err != nil || tag != "es" {
			t.Errorf("SetLanguage = %q, %v", tag, err)
		}
		return c.Quit(ctx)
	})
}

func TestClientMalformedResponseBreaksClient(t *testing.T) {
	runClient(t, "client-malformed.txt", func(ctx context.Context, c *Client) error {
		err := c.Noop(ctx)
		if !errors.Is(err, ErrProtocol) {
			t.Errorf("Noop = %v; want ErrProtocol", err)
		}
		if err := c.Noop(ctx); !errors.Is(err, ErrClientBroken) {
			t.Errorf("second Noop = %v; want ErrClientBroken", err)
		}
		return nil
	})
}

func TestClientRFC5034Example(t *testing.T) {
	runClient(t, "rfc5034-example-client.txt", func(ctx context.Context, c *Client) error {
		c.AllowInsecureAuth = true
		creds := sasl.Credentials{Authzid: "test", Username: "test", Password: "test"}
		if err := c.AuthenticateAuto(ctx, creds); err != nil {
			return err
		}
		return c.Quit(ctx)
	})
}

func TestClientUTF8Rules(t *testing.T) {
	c, err := NewClient(newRecorder("+OK ready\r\n+OK\r\nUTF8\r\n.\r\n+OK\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	c.AllowInsecureAuth = true
	ctx := context.Background()
	// RFC 6856 §2.2: the server said UTF8 without USER.
	if err := c.Login(ctx, "jörg", "secret"); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("Login with UTF-8 name = %v; want ErrInvalidArgument", err)
	}
	if err := c.UTF8(ctx); err != nil {
		t.Fatal(err)
	}
	// RFC 6856 §2.1: no STLS after UTF8.
	if err := c.StartTLS(ctx, nil); !errors.Is(err, ErrNotSupported) {
		t.Errorf("StartTLS after UTF8 = %v; want ErrNotSupported", err)
	}
}

func TestClientRFC2449Capabilities(t *testing.T) {
	runClient(t, "rfc2449-capa.txt", func(ctx context.Context, c *Client) error {
		caps, err := c.Capabilities(ctx)
		if err != nil {
			return err
		}
		want := Capabilities{
			"TOP": {}, "USER": {}, "SASL": {"CRAM-MD5", "KERBEROS_V4"}, "RESP-CODES": {},
			"LOGIN-DELAY": {"900"}, "PIPELINING": {}, "EXPIRE": {"60"}, "UIDL": {},
			"IMPLEMENTATION": {"Shlemazle-Plotz-v302"},
		}
		if diff := cmp.Diff(want, caps); diff != "" {
			t.Errorf("capabilities (-want +got):\n%s", diff)
		}
		if !caps.Has("pipelining") {
			t.Error("Has is not case-insensitive")
		}
		return c.Quit(ctx)
	})
}
