package imapclient

import (
	"testing"

	"github.com/mailwire/mailwire/imap"
)

func TestSearchContextUpdates(t *testing.T) {
	var updates []*imap.SearchData
	opts := &Options{UnilateralDataHandler: &UnilateralDataHandler{SearchUpdate: func(sd *imap.SearchData) { updates = append(updates, sd) }}}
	runScript(t, "context.txt", opts, func(t *testing.T, c *Client) error {
		cmd := c.UIDSearch(&imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagDeleted, "$Junk"}},
			&imap.SearchOptions{ReturnCount: true, ReturnUpdate: true, ReturnPartial: &imap.Range{Start: 1, Stop: 500}})
		sd, err := cmd.Wait()
		if err != nil {
			return err
		}
		if sd.Count != 2 || sd.PartialRange.Stop != 500 || sd.Partial.String() != "32766:32767" {
			t.Errorf("search %+v", sd)
		}
		if err := c.Noop().Wait(); err != nil {
			return err
		}
		return c.CancelUpdate(cmd.Tag()).Wait()
	})
	if len(updates) != 2 || updates[0].Tag != "T1" || updates[0].AddTo[0].Set.String() != "32768:32769" || updates[1].RemoveFrom[0].Position != 0 {
		t.Fatalf("updates %+v", updates)
	}
}
