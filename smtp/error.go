package smtp

import (
	"errors"
	"strconv"
	"strings"
)

// EnhancedCode is an enhanced mail system status code, class.subject.detail
// (RFC 3463, carried in replies per RFC 2034). The zero value means none.
type EnhancedCode [3]int

// NoEnhancedCode asks a server to send a reply without an enhanced code
// even though ENHANCEDSTATUSCODES is on.
var NoEnhancedCode = EnhancedCode{-1, -1, -1}

// String formats the code as "5.1.1", or "" for the zero value.
func (c EnhancedCode) String() string {
	if c == (EnhancedCode{}) || c == NoEnhancedCode {
		return ""
	}
	return strconv.Itoa(c[0]) + "." + strconv.Itoa(c[1]) + "." + strconv.Itoa(c[2])
}

// ParseEnhancedCode parses "class.subject.detail" (RFC 3463 §2: class is
// 2, 4 or 5; subject and detail are 1 to 3 digits).
func ParseEnhancedCode(s string) (EnhancedCode, bool) {
	var c EnhancedCode
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return c, false
	}
	for i, p := range parts {
		if len(p) == 0 || len(p) > 3 {
			return c, false
		}
		for j := 0; j < len(p); j++ {
			if p[j] < '0' || p[j] > '9' {
				return c, false
			}
		}
		c[i], _ = strconv.Atoi(p)
	}
	if c[0] != 2 && c[0] != 4 && c[0] != 5 {
		return c, false
	}
	return c, true
}

// Error is an SMTP reply that reports a failure, the one error type both
// sides use: a [Client] returns it for a 4xx or 5xx reply, and a server
// [Backend] returns it to choose the reply the client gets, which the
// [Server] writes out unchanged.
type Error struct {
	Code         int          // the three-digit reply code, e.g. 550
	EnhancedCode EnhancedCode // RFC 3463 code, zero if none
	Message      string       // the reply text; lines of a multi-line reply joined by "\n"
}

// Error implements the error interface.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("smtp: ")
	b.WriteString(strconv.Itoa(e.Code))
	if s := e.EnhancedCode.String(); s != "" {
		b.WriteByte(' ')
		b.WriteString(s)
	}
	if e.Message != "" {
		b.WriteByte(' ')
		b.WriteString(e.Message)
	}
	return b.String()
}

// Is reports whether target is an *Error with the same reply code and,
// when target has one, the same enhanced code, so that a reply a [Client]
// received matches the server's sentinels: errors.Is(err, ErrAuthFailed).
// The texts are not compared.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok || t.Code != e.Code {
		return false
	}
	return t.EnhancedCode == (EnhancedCode{}) || t.EnhancedCode == NoEnhancedCode || t.EnhancedCode == e.EnhancedCode
}

// Temporary reports whether the failure is transient (a 4xx reply): the
// same command may succeed later.
func (e *Error) Temporary() bool { return e.Code >= 400 && e.Code < 500 }

// Sentinel errors, for use with [errors.Is].
var (
	// ErrServerClosed is returned by Serve after Shutdown or Close.
	ErrServerClosed = errors.New("smtp: server closed")
)
