package pop3

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Stat returns the number of messages and their total size (STAT,
// RFC 1939 §5), messages marked deleted not counted.
func (c *Client) Stat(ctx context.Context) (count int, size int64, err error) {
	text, err := c.cmd(ctx, "STAT")
	if err != nil {
		return 0, 0, err
	}
	f := strings.Fields(text)
	if len(f) >= 2 {
		n, err1 := strconv.Atoi(f[0])
		s, err2 := strconv.ParseInt(f[1], 10, 64)
		if err1 == nil && err2 == nil && n >= 0 && s >= 0 {
			return n, s, nil
		}
	}
	return 0, 0, fmt.Errorf("%w: STAT response %q", ErrProtocol, quote([]byte(text)))
}
