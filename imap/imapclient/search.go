package imapclient

import (
	"context"

	"github.com/mailwire/mailwire/imap"
)

// SearchCommand is a SEARCH or SORT in flight.
type SearchCommand struct {
	*Command
	uid  bool
	kind string // SEARCH or SORT
	data imap.SearchData
	sort []uint32
}

func (cmd *SearchCommand) wants(kind string) bool { return kind == cmd.kind || kind == "ESEARCH" }
func (cmd *SearchCommand) handle(kind string, num uint32) error {
	d := cmd.c.dec
	switch kind {
	case "ESEARCH":
		var sd imap.SearchData
		if imap.ReadESearchResponse(d, &sd) {
			if sd.Tag != "" && sd.Tag != cmd.tag {
				// An update for an earlier search (RFC 5267 §4.3).
				cmd.c.searchUpdate(&sd)
				return nil
			}
			cmd.data = sd
		}
	case "SORT":
		for {
			var n uint32
			if !d.Number(&n) {
				break
			}
			cmd.sort = append(cmd.sort, n)
			if !d.SP() {
				break
			}
			if d.Special('(') { // (MODSEQ n), RFC 7162 §3.1.5
				var name string
				d.ExpectAtom(&name)
				d.ExpectSP()
				d.ModSeq(&cmd.data.ModSeq)
				d.ExpectSpecial(')')
				break
			}
		}
	default:
		// "* SEARCH" with the SP already read, or nothing at all.
		var sd imap.SearchData
		if readSearchNums(cmd.c, &sd, cmd.uid) {
			cmd.data = sd
		}
	}
	return nil
}

// readSearchNums reads the numbers after "SEARCH SP" (the SP after the
// name was consumed by the router).
func readSearchNums(c *Client, sd *imap.SearchData, uid bool) bool {
	d := c.dec
	var rs imap.UIDSet
	var ss imap.SeqSet
	for {
		if d.Special('(') {
			var name string
			if !d.ExpectAtom(&name) || !d.ExpectSP() || !d.ModSeq(&sd.ModSeq) || !d.ExpectSpecial(')') {
				return false
			}
		} else {
			var n uint32
			if !d.Number(&n) {
				break
			}
			if uid {
				rs.AddNum(n)
			} else {
				ss.AddNum(n)
			}
			sd.Count++
		}
		if !d.SP() {
			break
		}
	}
	sd.UID = uid
	sd.HasCount = true
	if uid {
		sd.All = rs
		if len(rs) > 0 {
			sd.Min, sd.Max = minMax(rs)
		}
	} else {
		sd.All = ss
		if len(ss) > 0 {
			sd.Min, sd.Max = minMax(imap.UIDSet(ss))
		}
	}
	return d.Err() == nil
}

func minMax(rs imap.UIDSet) (uint32, uint32) {
	lo, hi := ^uint32(0), uint32(0)
	for _, r := range rs {
		a, b := r.Start, r.Stop
		if a > b {
			a, b = b, a
		}
		if a < lo {
			lo = a
		}
		if b > hi {
			hi = b
		}
	}
	return lo, hi
}

// Wait returns the search result.
func (cmd *SearchCommand) Wait() (*imap.SearchData, error) {
	return cmd.WaitContext(context.Background())
}

// WaitContext is Wait bounded by ctx. When ctx ends first the connection,
// whose state is then unknown, is closed.
func (cmd *SearchCommand) WaitContext(ctx context.Context) (*imap.SearchData, error) {
	if err := cmd.Command.WaitContext(ctx); err != nil {
		return nil, err
	}
	if cmd.data.All == nil && !cmd.data.HasCount {
		if cmd.uid {
			cmd.data.All = imap.UIDSet(nil)
		} else {
			cmd.data.All = imap.SeqSet(nil)
		}
		cmd.data.UID = cmd.uid
	}
	return &cmd.data, nil
}

// SortResult returns the numbers of a SORT in order (nil for ESORT, where
// the SearchData of Wait holds the result).
func (cmd *SearchCommand) SortResult() ([]uint32, error) {
	if err := cmd.Command.Wait(); err != nil {
		return nil, err
	}
	return cmd.sort, nil
}

func (c *Client) search(uid bool, criteria *imap.SearchCriteria, opts *imap.SearchOptions) *SearchCommand {
	cmd := &SearchCommand{uid: uid, kind: "SEARCH"}
	name := "SEARCH"
	if uid {
		name = "UID SEARCH"
	}
	cmd.Command = c.newCommand(name, cmd)
	if opts.Any() {
		c.enc.SP()
		imap.WriteSearchOptions(c.enc, opts)
	}
	if criteria == nil {
		criteria = &imap.SearchCriteria{}
	}
	if !c.enc.UTF8 && criteria.NeedsUTF8() {
		c.enc.SP().Atom("CHARSET UTF-8")
	}
	c.enc.SP()
	imap.WriteSearchCriteria(c.enc, criteria)
	c.send(cmd.Command)
	return cmd
}

// Search sends SEARCH (RFC 9051 §6.4.4), with ESEARCH return options
// (RFC 4731) and SAVE (RFC 5182) when opts asks. CHARSET UTF-8 is sent when
// a string needs it.
func (c *Client) Search(criteria *imap.SearchCriteria, opts *imap.SearchOptions) *SearchCommand {
	return c.search(false, criteria, opts)
}

// UIDSearch sends UID SEARCH.
func (c *Client) UIDSearch(criteria *imap.SearchCriteria, opts *imap.SearchOptions) *SearchCommand {
	return c.search(true, criteria, opts)
}

// SortOptions are the arguments of SORT (RFC 5256) and ESORT (RFC 5267).
type SortOptions struct {
	Criteria []imap.SortCriterion
	Search   *imap.SearchCriteria
	Return   *imap.SearchOptions // ESORT: RETURN (MIN MAX ALL COUNT)
}

// Sort sends SORT, or UID SORT when uid is set. Use SortResult for a
// plain SORT, Wait for ESORT. SORT needs a criterion: none (or nil opts)
// sorts by ARRIVAL, every message.
func (c *Client) Sort(uid bool, opts *SortOptions) *SearchCommand {
	if opts == nil {
		opts = &SortOptions{}
	}
	if len(opts.Criteria) == 0 {
		o := *opts
		o.Criteria = []imap.SortCriterion{{Key: imap.SortArrival}}
		opts = &o
	}
	cmd := &SearchCommand{uid: uid, kind: "SORT"}
	name := "SORT"
	if uid {
		name = "UID SORT"
	}
	cmd.Command = c.newCommand(name, cmd)
	if opts.Return.Any() {
		c.enc.SP()
		imap.WriteSearchOptions(c.enc, opts.Return)
	}
	c.enc.SP()
	imap.WriteSortCriteria(c.enc, opts.Criteria)
	criteria := opts.Search
	if criteria == nil {
		criteria = &imap.SearchCriteria{}
	}
	// RFC 5256 §3: the charset is mandatory in SORT.
	c.enc.SP().Atom("UTF-8").SP()
	imap.WriteSearchCriteria(c.enc, criteria)
	c.send(cmd.Command)
	return cmd
}

// ThreadCommand is a THREAD in flight.
type ThreadCommand struct {
	*Command
	threads []*imap.Thread
}

func (cmd *ThreadCommand) wants(kind string) bool { return kind == "THREAD" }
func (cmd *ThreadCommand) handle(kind string, num uint32) error {
	t, ok := imap.ReadThreadResponse(cmd.c.dec)
	if ok {
		cmd.threads = append(cmd.threads, t...)
	}
	return nil
}

// Wait returns the threads.
func (cmd *ThreadCommand) Wait() ([]*imap.Thread, error) {
	return cmd.WaitContext(context.Background())
}

// WaitContext is Wait bounded by ctx. When ctx ends first the connection,
// whose state is then unknown, is closed.
func (cmd *ThreadCommand) WaitContext(ctx context.Context) ([]*imap.Thread, error) {
	err := cmd.Command.WaitContext(ctx)
	return cmd.threads, err
}

// Thread sends THREAD (RFC 5256), or UID THREAD when uid is set.
func (c *Client) Thread(uid bool, alg imap.ThreadAlgorithm, criteria *imap.SearchCriteria) *ThreadCommand {
	cmd := &ThreadCommand{}
	name := "THREAD"
	if uid {
		name = "UID THREAD"
	}
	cmd.Command = c.newCommand(name, cmd)
	if criteria == nil {
		criteria = &imap.SearchCriteria{}
	}
	c.enc.SP().Atom(string(alg)).SP().Atom("UTF-8").SP()
	imap.WriteSearchCriteria(c.enc, criteria)
	c.send(cmd.Command)
	return cmd
}

func (c *Client) searchUpdate(sd *imap.SearchData) {
	if u := c.opts.UnilateralDataHandler; u != nil && u.SearchUpdate != nil {
		u.SearchUpdate(sd)
	}
}

// CancelUpdate sends CANCELUPDATE (RFC 5267 §4.3.5): no more ADDTO and
// REMOVEFROM updates for the searches with these tags.
func (c *Client) CancelUpdate(tags ...string) *Command {
	cmd := c.newCommand("CANCELUPDATE", nil)
	for _, t := range tags {
		c.enc.SP().Quoted(t)
	}
	return c.send(cmd)
}
