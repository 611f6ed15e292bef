package pop3

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/mailwire/mailwire/sasl"
)

func (c *Client) loggedIn() {
	// RFC 2449 §5: capabilities may differ after login.
	c.caps = nil
}

// Login logs in with USER and PASS (RFC 1939 §7). Without TLS it fails
// with [ErrInsecureAuth] unless AllowInsecureAuth is set.
func (c *Client) Login(ctx context.Context, username, password string) error {
	if !c.isTLS && !c.AllowInsecureAuth {
		return ErrInsecureAuth
	}
	if err := checkArg(username); err != nil {
		return err
	}
	if err := checkArg(password); err != nil {
		return err
	}
	if !isASCII(username+password) && !c.utf8User(ctx) {
		// RFC 6856 §2.2: UTF-8 in USER and PASS only when the server
		// announces "UTF8 USER".
		return fmt.Errorf("%w: non-ASCII credentials and no UTF8 USER capability", ErrInvalidArgument)
	}
	if _, err := c.cmd(ctx, "USER", username); err != nil {
		return err
	}
	if _, err := c.cmd(ctx, "PASS", password); err != nil {
		return err
	}
	c.loggedIn()
	return nil
}

// APOP logs in with APOP (RFC 1939 §7), which sends an MD5 digest of the
// greeting's timestamp and secret instead of the secret itself. It fails
// with [ErrNotSupported] when the greeting had no timestamp.
func (c *Client) APOP(ctx context.Context, username, secret string) error {
	if c.timestamp == "" {
		return fmt.Errorf("%w: no APOP timestamp in the greeting", ErrNotSupported)
	}
	if err := checkArg(username); err != nil {
		return err
	}
	if strings.ContainsRune(username, ' ') {
		return fmt.Errorf("%w: space in APOP name", ErrInvalidArgument)
	}
	sum := md5.Sum([]byte(c.timestamp + secret))
	if _, err := c.cmd(ctx, "APOP", username, hex.EncodeToString(sum[:])); err != nil {
		return err
	}
	c.loggedIn()
	return nil
}

// insecureMechanism reports whether mech sends a reusable secret.
func insecureMechanism(mech string) bool {
	switch strings.ToUpper(mech) {
	case sasl.Plain, sasl.Login, sasl.XOAuth2, sasl.OAuthBearer:
		return true
	}
	return false
}

// Authenticate logs in with SASL (RFC 5034). Mechanisms that send a
// reusable secret (PLAIN, LOGIN, XOAUTH2, OAUTHBEARER) fail with
// [ErrInsecureAuth] without TLS unless AllowInsecureAuth is set. The
// initial response goes on the AUTH line when it fits in 255 octets.
func (c *Client) Authenticate(ctx context.Context, sc sasl.Client) (err error) {
	mech, ir, err := sc.Start()
	if err != nil {
		return err
	}
	if !c.isTLS && !c.AllowInsecureAuth && insecureMechanism(mech) {
		return ErrInsecureAuth
	}
	if err := checkArg(mech); err != nil {
		return err
	}
	o, err := c.begin(ctx)
	if err != nil {
		return err
	}
	defer c.end(o, &err)
	args := []string{mech}
	pendingIR := ir
	if ir != nil {
		enc := sasl.EncodeWire(ir)
		// RFC 5034 §4: an initial response that would make the command
		// longer than 255 octets is sent after an empty challenge.
		if len("AUTH ")+len(mech)+1+len(enc)+2 <= maxAuthCommand {
			args = append(args, enc)
			pendingIR = nil
		}
	}
	c.writeCmd("AUTH", args...)
	if err := c.bw.Flush(); err != nil {
		return err
	}
	c.r.MaxLine = max(c.maxLine(), DefaultMaxAuthLine)
	defer func() { c.r.MaxLine = c.maxLine() }()
	for {
		line, err := c.readLine()
		if err != nil {
			return err
		}
		if len(line) == 0 || line[0] != '+' || strings.HasPrefix(string(line), "+OK") {
			if _, err := ParseResponse(line); err != nil {
				return err
			}
			// RFC 5034 §4: POP3 has no additional data with +OK.
			if err := sasl.Finish(sc, nil); err != nil {
				return err
			}
			c.loggedIn()
			return nil
		}
		chal, ok := parseChallenge(line)
		if !ok {
			// RFC 5034 §4: a challenge that does not decode is cancelled.
			c.cancelAuth()
			return fmt.Errorf("%w: invalid challenge %q", ErrProtocol, quote(line))
		}
		var resp []byte
		if pendingIR != nil {
			resp, pendingIR = pendingIR, nil
		} else if resp, err = sc.Next(chal); err != nil {
			c.cancelAuth()
			return err
		}
		c.bw.WriteString(base64.StdEncoding.EncodeToString(resp))
		c.bw.WriteString("\r\n")
		if err := c.bw.Flush(); err != nil {
			return err
		}
	}
}

// cancelAuth sends "*" and reads the -ERR that must follow.
func (c *Client) cancelAuth() {
	c.bw.WriteString("*\r\n")
	if c.bw.Flush() == nil {
		c.readLine()
	}
}

// parseChallenge decodes "+ base64" (RFC 5034 §4); "+" alone, which some
// servers send, is an empty challenge too.
func parseChallenge(line []byte) ([]byte, bool) {
	s := string(line)
	if s == "+" || s == "+ " {
		return []byte{}, true
	}
	if !strings.HasPrefix(s, "+ ") {
		return nil, false
	}
	b, err := base64.StdEncoding.Strict().DecodeString(s[2:])
	return b, err == nil
}

// AuthenticateAuto picks the strongest SASL mechanism the server offers
// for creds ([sasl.Choose]) and logs in with it. Without SASL in CAPA it
// falls back on APOP when the server offers it, then USER/PASS.
func (c *Client) AuthenticateAuto(ctx context.Context, creds sasl.Credentials) error {
	caps, err := c.Capabilities(ctx)
	if err != nil {
		return err
	}
	if mechs := caps.SASL(); len(mechs) > 0 {
		sc, err := sasl.Choose(mechs, creds, c.tlsState(), c.AllowInsecureAuth)
		if err == nil {
			return c.Authenticate(ctx, sc)
		}
	}
	if c.timestamp != "" && creds.Password != "" {
		return c.APOP(ctx, creds.Username, creds.Password)
	}
	return c.Login(ctx, creds.Username, creds.Password)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// utf8User reports whether the server announced "UTF8 USER".
func (c *Client) utf8User(ctx context.Context) bool {
	caps, err := c.Capabilities(ctx)
	if err != nil {
		return false
	}
	for _, a := range caps["UTF8"] {
		if strings.EqualFold(a, "USER") {
			return true
		}
	}
	return false
}
