package pop3

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// ListEntry is one line of LIST (RFC 1939 §5).
type ListEntry struct {
	Number int   // message number
	Size   int64 // size in octets
}

// UIDEntry is one line of UIDL (RFC 1939 §7).
type UIDEntry struct {
	Number int    // message number
	UID    string // unique id
}

// parseScanListing parses "n size" (LIST) or "n uid" (UIDL).
func parseScanListing(s string) (int, string, bool) {
	num, val, ok := strings.Cut(strings.TrimSpace(s), " ")
	if !ok {
		return 0, "", false
	}
	n, err := strconv.Atoi(num)
	val = strings.TrimSpace(val)
	if i := strings.IndexByte(val, ' '); i >= 0 {
		// RFC 1939 §5: the server may add information after the size.
		val = val[:i]
	}
	if err != nil || n < 1 || val == "" {
		return 0, "", false
	}
	return n, val, true
}

func parseListEntry(s string) (ListEntry, error) {
	n, v, ok := parseScanListing(s)
	size, err := strconv.ParseInt(v, 10, 64)
	if !ok || err != nil || size < 0 {
		return ListEntry{}, fmt.Errorf("%w: LIST entry %q", ErrProtocol, quote([]byte(s)))
	}
	return ListEntry{n, size}, nil
}

func parseUIDEntry(s string) (UIDEntry, error) {
	n, v, ok := parseScanListing(s)
	if !ok || len(v) > 70 {
		return UIDEntry{}, fmt.Errorf("%w: UIDL entry %q", ErrProtocol, quote([]byte(s)))
	}
	return UIDEntry{n, v}, nil
}

// List lists every message not marked deleted (LIST).
func (c *Client) List(ctx context.Context) (list []ListEntry, err error) {
	err = c.multi(ctx, func(line string) error {
		e, err := parseListEntry(line)
		list = append(list, e)
		return err
	}, "LIST")
	return list, err
}

// ListOne returns the entry of message n (LIST n).
func (c *Client) ListOne(ctx context.Context, n int) (ListEntry, error) {
	if n < 1 {
		return ListEntry{}, fmt.Errorf("%w: message number %d", ErrInvalidArgument, n)
	}
	text, err := c.cmd(ctx, "LIST", strconv.Itoa(n))
	if err != nil {
		return ListEntry{}, err
	}
	return parseListEntry(text)
}

// UIDL lists the unique id of every message not marked deleted (UIDL).
func (c *Client) UIDL(ctx context.Context) (list []UIDEntry, err error) {
	err = c.multi(ctx, func(line string) error {
		e, err := parseUIDEntry(line)
		list = append(list, e)
		return err
	}, "UIDL")
	return list, err
}

// UIDLOne returns the unique id of message n (UIDL n).
func (c *Client) UIDLOne(ctx context.Context, n int) (UIDEntry, error) {
	if n < 1 {
		return UIDEntry{}, fmt.Errorf("%w: message number %d", ErrInvalidArgument, n)
	}
	text, err := c.cmd(ctx, "UIDL", strconv.Itoa(n))
	if err != nil {
		return UIDEntry{}, err
	}
	return parseUIDEntry(text)
}

// multi sends a command whose +OK is followed by a listing.
func (c *Client) multi(ctx context.Context, fn func(string) error, verb string, args ...string) (err error) {
	if _, err := c.cmd(ctx, verb, args...); err != nil {
		return err
	}
	o, err := c.begin(ctx)
	if err != nil {
		return err
	}
	defer c.end(o, &err)
	return c.readListing(func(line []byte) error { return fn(string(line)) })
}
