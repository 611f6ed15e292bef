package imapclient

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/sasl"
)

func TestRefusedLiteralAndSearchResAndCanceledAuth(t *testing.T) {
	runScript(t, "literal_refused.txt", nil, func(t *testing.T, c *Client) error {
		a := c.Append("INBOX", 100, nil)
		a.Write([]byte(strings.Repeat("x", 100)))
		if _, err := a.Wait(); codeOf(err) != imap.CodeTooBig {
			t.Errorf("append: %v", err)
		}
		msgs, err := c.Fetch(imap.SearchRes{}, &imap.FetchOptions{UID: true}).Collect()
		if err != nil || len(msgs) != 1 || msgs[0].UID != 9 {
			t.Errorf("fetch $: %+v %v", msgs, err)
		}
		err = c.Authenticate(sasl.NewPlainClient("", "a", "b"))
		if !errors.Is(err, sasl.ErrMalformed) {
			t.Errorf("authenticate: %v", err)
		}
		cu, err := c.UIDMove(imap.SearchRes{}, "Trash").Wait()
		if err != nil || cu.DestUIDs.String() != "7" {
			t.Errorf("UID MOVE $: %+v %v", cu, err)
		}
		if _, err := c.UIDStore(imap.SearchRes{}, &StoreFlags{Op: StoreFlagsDel, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Collect(); err != nil {
			t.Errorf("UID STORE $: %v", err)
		}
		return nil
	})
}

func TestDialHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Dial(ctx, "127.0.0.1:1", nil); err == nil {
		t.Fatal("dial with a canceled context succeeded")
	}
}
