package pop3

import (
	"errors"
	"unicode/utf8"

	"golang.org/x/text/secure/precis"
	"strconv"
	"time"
)

func (c *conn) handleUSER(arg string) error {
	if !c.insecureOK() {
		// RFC 2595 §2.2 and RFC 5034 §4: no plaintext password without
		// TLS unless the administrator allows it.
		c.errResp("", "USER needs TLS: use STLS first")
		return nil
	}
	if arg == "" {
		c.bad("USER needs a name")
		return nil
	}
	name, ok := c.prepare(arg)
	if !ok {
		c.errResp("", "invalid user name")
		return nil
	}
	c.user = name
	c.ok("send PASS")
	return nil
}

func (c *conn) handlePASS(arg string) error {
	if c.user == "" {
		c.bad("USER first")
		return nil
	}
	user := c.user
	c.user = ""
	// RFC 1939 §7: the argument is the rest of the line, spaces included.
	pass, ok := c.prepare(arg)
	if !ok {
		return c.authFailed(ErrAuth)
	}
	if err := c.s.Backend.CheckPassword(c.ctx, user, pass); err != nil {
		return c.authFailed(err)
	}
	return c.login(user)
}

// authFailed answers a failed login after a delay that doubles with each
// failure, and ends the session after too many.
func (c *conn) authFailed(err error) error {
	c.authFailures++
	c.log.Info("pop3: login failed", "failures", c.authFailures)
	if !c.sleep(c.s.failureDelay(c.authFailures)) {
		return errClose
	}
	var e *Error
	if errors.As(err, &e) && e.Code != "" && !errors.Is(e, ErrAuth) {
		c.errResp(e.Code, oneLine(e.Message))
	} else {
		// RFC 3206 §5: [AUTH] says the credentials were wrong.
		c.errResp("AUTH", "authentication failed")
	}
	if c.authFailures >= c.s.maxAuthFailures() {
		c.errResp("", "too many failed logins, closing")
		return errClose
	}
	return nil
}

// login opens the authenticated user's maildrop and enters TRANSACTION
// (RFC 1939 §4).
func (c *conn) login(user string) error {
	if !c.s.lock(user) {
		c.errResp("IN-USE", "maildrop already locked")
		return nil
	}
	c.locked, c.authUser = true, user
	fail := func() {
		c.s.unlock(user)
		c.locked, c.authUser = false, ""
	}
	if !c.s.loginAllowed(user, time.Now()) {
		fail()
		c.errResp("LOGIN-DELAY", "logged in too recently")
		return nil
	}
	md, err := c.s.Backend.OpenMaildrop(c.ctx, user)
	if err != nil {
		fail()
		c.backendErr(err, "cannot open maildrop")
		return nil
	}
	msgs, err := md.Messages(c.ctx)
	if err != nil {
		md.Close()
		fail()
		c.backendErr(err, "cannot list maildrop")
		return nil
	}
	for i, m := range msgs {
		if !validUID(m.UID) || m.Size < 0 {
			c.log.Warn("pop3: backend gave an invalid message entry; UIDL is off", "msg", i+1)
			c.noUIDL = true
			break
		}
	}
	c.md, c.msgs, c.deleted = md, msgs, make([]bool, len(msgs))
	c.state = stateTransaction
	c.log = c.log.With("user", user)
	c.log.Info("pop3: login", "messages", len(msgs))
	n, size := c.stat()
	c.ok(user + "'s maildrop has " + strconv.Itoa(n) + " messages (" + strconv.FormatInt(size, 10) + " octets)")
	return nil
}

// failureDelay is the wait before answering the n-th failed login of a
// session: AuthFailureDelay, doubled for each earlier failure, capped at
// MaxAuthFailureDelay.
func (s *Server) failureDelay(n int) time.Duration {
	d := s.authDelay()
	if d <= 0 || n < 1 {
		return 0
	}
	d <<= min(n-1, 16)
	if m := s.maxAuthDelay(); d > m || d <= 0 {
		d = m
	}
	return d
}

// validUID reports whether uid is 1 to 70 characters from 0x21 to 0x7E
// (RFC 1939 §7, UIDL).
func validUID(uid string) bool {
	if len(uid) < 1 || len(uid) > 70 {
		return false
	}
	for i := 0; i < len(uid); i++ {
		if uid[i] < 0x21 || uid[i] > 0x7e {
			return false
		}
	}
	return true
}

// prepare checks a USER or PASS argument. ASCII passes as it is; UTF-8 is
// accepted only with EnableUTF8, which announces "UTF8 USER", and is then
// prepared with PRECIS OpaqueString, the successor of the SASLprep that
// RFC 6856 §2.2 asks for.
func (c *conn) prepare(s string) (string, bool) {
	if isASCII(s) {
		return s, true
	}
	if !c.s.EnableUTF8 || !utf8.ValidString(s) {
		return "", false
	}
	p, err := precis.OpaqueString.String(s)
	return p, err == nil && p != ""
}
