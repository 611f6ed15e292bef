package pop3

import (
	"context"
	"errors"
	"strings"
)

// Capabilities is a server's CAPA response (RFC 2449 §5): each tag,
// upper-cased, with its arguments.
type Capabilities map[string][]string

// Has reports whether the server announced tag.
func (cs Capabilities) Has(tag string) bool {
	_, ok := cs[strings.ToUpper(tag)]
	return ok
}

// SASL returns the SASL mechanisms offered (RFC 5034 §3).
func (cs Capabilities) SASL() []string { return cs["SASL"] }

// ParseCapability parses one line of a CAPA response into its tag,
// upper-cased, and arguments.
func ParseCapability(line string) (tag string, args []string) {
	f := strings.Fields(line)
	if len(f) == 0 {
		return "", nil
	}
	tag = strings.ToUpper(f[0])
	if tag == "IMPLEMENTATION" {
		// Free text, kept whole.
		if rest := strings.TrimSpace(line[len(f[0]):]); rest != "" {
			return tag, []string{rest}
		}
		return tag, nil
	}
	return tag, f[1:]
}

// Capabilities asks the server for its capabilities (CAPA), once per
// state; the answer is cached until the state changes or TLS starts. A
// server without CAPA gives an empty set, not an error.
func (c *Client) Capabilities(ctx context.Context) (Capabilities, error) {
	if c.caps != nil {
		return c.caps, nil
	}
	caps, err := c.capa(ctx)
	var e *Error
	if errors.As(err, &e) {
		caps, err = Capabilities{}, nil
	}
	if err != nil {
		return nil, err
	}
	c.caps = caps
	return caps, nil
}

func (c *Client) capa(ctx context.Context) (caps Capabilities, err error) {
	if _, err := c.cmd(ctx, "CAPA"); err != nil {
		return nil, err
	}
	o, err := c.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer c.end(o, &err)
	caps = Capabilities{}
	err = c.readListing(func(line []byte) error {
		if tag, args := ParseCapability(string(line)); tag != "" {
			caps[tag] = args
		}
		return nil
	})
	return caps, err
}

// has reports whether a cached CAPA answer announced tag; without a
// cached answer it asks, and a failure counts as "no".
func (c *Client) has(ctx context.Context, tag string) bool {
	caps, err := c.Capabilities(ctx)
	return err == nil && caps.Has(tag)
}
