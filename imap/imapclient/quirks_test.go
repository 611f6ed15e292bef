package imapclient

import (
	"testing"

	"github.com/mailwire/mailwire/imap"
)

func TestServerQuirksAreTolerated(t *testing.T) {
	var logged []error
	runScript(t, "quirks.txt", &Options{ErrorLog: func(err error) { logged = append(logged, err) }}, func(t *testing.T, c *Client) error {
		msgs, err := c.Fetch(imap.SeqSet{{Start: 1, Stop: 3}}, &imap.FetchOptions{Flags: true, Envelope: true, BodyStructure: true}).Collect()
		if err != nil {
			return err
		}
		if len(msgs) != 3 {
			t.Fatalf("%d messages", len(msgs))
		}
		m := msgs[0]
		if m.Flags[0] != imap.FlagSeen || m.Envelope.Subject != "Subject" || m.Envelope.From[0].Addr() != "a@b.c" || m.BodyStructure.Size != 10 {
			t.Errorf("message 1: %+v %+v", m, m.Envelope)
		}
		if bs := msgs[1].BodyStructure; len(bs.Parts) != 2 || bs.Subtype != "alternative" {
			t.Errorf("message 2: %+v", bs)
		}
		if len(msgs[2].Flags) != 2 {
			t.Errorf("message 3: %+v", msgs[2])
		}
		return nil
	})
	if len(logged) != 0 {
		t.Fatalf("logged %v", logged)
	}
}
