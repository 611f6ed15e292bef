package smtp

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/internal/transcript"
	"github.com/mailwire/mailwire/sasl"
)

// clientScript plays testdata/client/name.txt against fn, which gets a
// client that has read the greeting.
func clientScript(t *testing.T, name string, opts *ClientOptions, fn func(ctx context.Context, c *Client) error) error {
	t.Helper()
	s := transcript.Load(t, "testdata/client/"+name+".txt")
	return s.RunClient(t, func(conn net.Conn) error {
		ctx := context.Background()
		c, err := opts.NewClient(ctx, conn)
		if err != nil {
			return err
		}
		return fn(ctx, c)
	})
}

func TestClientTranscriptTypicalTransaction(t *testing.T) {
	var sendErr error
	err := clientScript(t, "rfc5321_d1_typical", &ClientOptions{LocalName: "bar.com"}, func(ctx context.Context, c *Client) error {
		sendErr = c.SendMail(ctx, "Smith@bar.com", []string{"Jones@foo.com", "Green@foo.com", "Brown@foo.com"},
			strings.NewReader("Blah blah blah...\r\n...etc. etc. etc.\r\n"), nil)
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
	var re *RecipientsError
	if !errors.As(sendErr, &re) {
		t.Fatalf("SendMail: %v, want a *RecipientsError", sendErr)
	}
	if len(re.Accepted) != 2 || re.Accepted[0] != "Jones@foo.com" || re.Accepted[1] != "Brown@foo.com" {
		t.Errorf("accepted %q", re.Accepted)
	}
	var e *Error
	if len(re.Failed) != 1 || re.Failed[0].Rcpt != "Green@foo.com" || !errors.As(re.Failed[0].Err, &e) || e.Code != 550 {
		t.Errorf("failed %v", re.Failed)
	}
}

func TestClientTranscriptAbortedTransaction(t *testing.T) {
	err := clientScript(t, "rfc5321_d2_aborted", &ClientOptions{LocalName: "bar.com"}, func(ctx context.Context, c *Client) error {
		if err := c.Mail(ctx, "Smith@bar.com", nil); err != nil {
			return err
		}
		if err := c.Rcpt(ctx, "Jones@foo.com", nil); err != nil {
			return err
		}
		var e *Error
		if err := c.Rcpt(ctx, "Green@foo.com", nil); !errors.As(err, &e) || e.Code != 550 || e.Message != "No such user here" {
			t.Errorf("Rcpt Green: %v", err)
		}
		if err := c.Reset(ctx); err != nil {
			return err
		}
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientTranscriptNoExtensions(t *testing.T) {
	body := "Received: from bar.com by foo.com ; Thu, 21 May 1998\r\n" +
		"    05:33:29 -0700\r\n" +
		"Date: Thu, 21 May 1998 05:33:22 -0700\r\n" +
		"From: John Q. Public <JQP@bar.com>\r\n" +
		"Subject:  The Next Meeting of the Board\r\n" +
		"To: Jones@xyz.com\r\n" +
		"\r\n" +
		"Bill:\r\n" +
		"The next meeting of the board of directors will be\r\n" +
		"on Tuesday.\r\n" +
		"                        John.\r\n"
	err := clientScript(t, "rfc5321_d3_relayed", &ClientOptions{LocalName: "foo.com"}, func(ctx context.Context, c *Client) error {
		if err := c.SendMail(ctx, "JQP@bar.com", []string{"Jones@XYZ.COM"}, strings.NewReader(body), nil); err != nil {
			return err
		}
		if len(c.Extensions()) != 0 {
			t.Errorf("extensions %v, want none", c.Extensions())
		}
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientTranscriptVerify(t *testing.T) {
	err := clientScript(t, "rfc5321_d4_verify", &ClientOptions{LocalName: "bar.com"}, func(ctx context.Context, c *Client) error {
		got, err := c.Verify(ctx, "Crispin")
		if err != nil {
			return err
		}
		if got != "Mark Crispin <Admin.MRC@foo.com>" {
			t.Errorf("Verify = %q", got)
		}
		if err := c.SendMail(ctx, "EAK@bar.com", []string{"Admin.MRC@foo.com"}, strings.NewReader("Blah blah blah...\r\n...etc. etc. etc.\r\n"), nil); err != nil {
			return err
		}
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientTranscriptPipelining(t *testing.T) {
	err := clientScript(t, "rfc2920_pipelined", &ClientOptions{LocalName: "dbc.mtview.ca.us"}, func(ctx context.Context, c *Client) error {
		if err := c.SendMail(ctx, "mrose@dbc.mtview.ca.us", []string{"ned@innosoft.com", "dan@innosoft.com", "kvc@innosoft.com"},
			strings.NewReader("Subject: pipelining\r\n\r\nhello\r\n"), nil); err != nil {
			return err
		}
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientTranscriptPipeliningAllRecipientsRejected(t *testing.T) {
	for _, name := range []string{"rfc2920_all_rejected", "rfc2920_data_accepted_no_rcpt"} {
		t.Run(name, func(t *testing.T) {
			var sendErr error
			err := clientScript(t, name, &ClientOptions{LocalName: "dbc.mtview.ca.us"}, func(ctx context.Context, c *Client) error {
				sendErr = c.SendMail(ctx, "mrose@dbc.mtview.ca.us", []string{"nsb@thumper.bellcore.com", "galvin@tis.com"},
					strings.NewReader("Subject: never sent\r\n\r\nsecret\r\n"), nil)
				return c.Quit(ctx)
			})
			if err != nil {
				t.Fatal(err)
			}
			var re *RecipientsError
			if !errors.As(sendErr, &re) || len(re.Accepted) != 0 || len(re.Failed) != 2 {
				t.Fatalf("SendMail: %v", sendErr)
			}
			var e *Error
			if !errors.As(re.Failed[1].Err, &e) || e.Code != 550 {
				t.Errorf("second recipient: %v", re.Failed[1].Err)
			}
		})
	}
}

func TestClientTranscriptChunking(t *testing.T) {
	msg := "To: Susan@random.com\r\nFrom: Sam@random.com\r\nSubject: This is a bodyless test message\r\n"
	err := clientScript(t, "rfc3030_chunking", &ClientOptions{LocalName: "ymir.claremont.edu"}, func(ctx context.Context, c *Client) error {
		if err := c.SendMail(ctx, "Sam@Random.com", []string{"Susan@Random.com"}, strings.NewReader(msg), nil); err != nil {
			return err
		}
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientTranscriptPipelinedBinaryMIME(t *testing.T) {
	msg := "\x00\x01binary\nbytes\r\x00tail"
	opts := &SendOptions{Mail: MailOptions{Body: BodyBinaryMIME}}
	err := clientScript(t, "rfc3030_pipelined_binarymime", &ClientOptions{LocalName: "ymir.claremont.edu", ChunkSize: 16}, func(ctx context.Context, c *Client) error {
		if err := c.SendMail(ctx, "ned@ymir.claremont.edu", []string{"gvaudre@cnri.reston.va.us", "jstewart@cnri.reston.va.us"}, strings.NewReader(msg), opts); err != nil {
			return err
		}
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestClientTranscriptAuth(t *testing.T) {
	tests := []struct {
		name  string
		sc    sasl.Client
		check func(t *testing.T, err error)
	}{
		{"rfc4954_auth_plain_ir", sasl.NewPlainClient("test", "test", "1234"), nil},
		{"rfc4954_auth_external_empty", sasl.NewExternalClient(""), nil},
		{"rfc4954_auth_login_challenges", sasl.NewLoginClient("test", "1234"), nil},
		{"rfc4954_auth_failed", sasl.NewPlainClient("test", "test", "1234"), func(t *testing.T, err error) {
			var e *Error
			if !errors.Is(err, sasl.ErrAuthFailed) || !errors.As(err, &e) || e.Code != 535 || e.EnhancedCode != (EnhancedCode{5, 7, 8}) {
				t.Errorf("Auth: %v, want a 535 *Error matching sasl.ErrAuthFailed", err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := &ClientOptions{LocalName: "client.example.com", AllowInsecureAuth: true}
			err := clientScript(t, tt.name, opts, func(ctx context.Context, c *Client) error {
				err := c.Auth(ctx, tt.sc)
				if tt.check != nil {
					tt.check(t, err)
				} else if err != nil {
					return err
				}
				return c.Quit(ctx)
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func transcriptLoad(t *testing.T, name string) *transcript.Script {
	return transcript.Load(t, "testdata/client/"+name+".txt")
}

func TestClientRefusesStartTLSAndAuthAfterAuth(t *testing.T) {
	opts := &ClientOptions{LocalName: "client.example.com", AllowInsecureAuth: true}
	err := clientScript(t, "starttls_after_auth", opts, func(ctx context.Context, c *Client) error {
		if err := c.Auth(ctx, sasl.NewPlainClient("test", "test", "1234")); err != nil {
			return err
		}
		// The script fails on any line the client writes that it does
		// not expect, so these two must send nothing.
		if err := c.StartTLS(ctx, nil); !errors.Is(err, ErrClientState) {
			t.Errorf("StartTLS after AUTH: %v, want ErrClientState", err)
		}
		if err := c.Auth(ctx, sasl.NewPlainClient("", "other", "x")); !errors.Is(err, ErrClientState) {
			t.Errorf("second Auth: %v, want ErrClientState", err)
		}
		if err := c.Noop(ctx); err != nil {
			return err
		}
		return c.Quit(ctx)
	})
	if err != nil {
		t.Fatal(err)
	}
}
