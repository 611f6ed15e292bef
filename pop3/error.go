package pop3

import (
	"errors"
	"strings"
)

// Error is a POP3 "-ERR" response, the error type both sides share: a
// [Client] returns it when the server answers -ERR, and a [Backend] returns
// it to choose the response a client gets, which the [Server] writes out
// unchanged.
type Error struct {
	// Code is the RFC 2449 §8 response code without its brackets, like
	// "IN-USE" or "SYS/TEMP"; "" if none.
	Code string
	// Message is the human-readable text.
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("pop3: -ERR")
	if e.Code != "" {
		b.WriteString(" [")
		b.WriteString(e.Code)
		b.WriteString("]")
	}
	if e.Message != "" {
		b.WriteByte(' ')
		b.WriteString(e.Message)
	}
	return b.String()
}

// Is reports whether target is an *Error with a response code that equals
// e's, or is a parent of it in RFC 2449's hierarchy ("SYS" matches
// "SYS/TEMP"). Codes compare without regard to case. An *Error without a
// code matches nothing, so errors.Is(err, ErrInUse) asks only "was it
// [IN-USE]?".
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok || t.Code == "" || e.Code == "" {
		return false
	}
	if len(e.Code) == len(t.Code) {
		return strings.EqualFold(e.Code, t.Code)
	}
	return len(e.Code) > len(t.Code) && e.Code[len(t.Code)] == '/' &&
		strings.EqualFold(e.Code[:len(t.Code)], t.Code)
}

// Sentinels for the response codes, to be used with errors.Is. A server
// backend may also return them as they are.
var (
	// ErrInUse: RFC 2449 §8.1.2, the maildrop is locked by another session.
	ErrInUse = &Error{Code: "IN-USE", Message: "maildrop already locked"}
	// ErrLoginDelay: RFC 2449 §8.1.1, the user logged in too recently.
	ErrLoginDelay = &Error{Code: "LOGIN-DELAY", Message: "logged in too recently"}
	// ErrSysTemp: RFC 3206 §4, a temporary system failure; retry later.
	ErrSysTemp = &Error{Code: "SYS/TEMP", Message: "temporary system failure"}
	// ErrSysPerm: RFC 3206 §4, a permanent system failure.
	ErrSysPerm = &Error{Code: "SYS/PERM", Message: "permanent system failure"}
	// ErrAuth: RFC 3206 §5, the credentials were wrong.
	ErrAuth = &Error{Code: "AUTH", Message: "authentication failed"}
	// ErrUTF8: RFC 6856 §5, the message needs UTF-8 mode.
	ErrUTF8 = &Error{Code: "UTF8", Message: "message needs UTF8 mode"}
)

// Errors that are not a server's response.
var (
	// ErrServerClosed is returned by [Server.Serve] after [Server.Close]
	// or [Server.Shutdown].
	ErrServerClosed = errors.New("pop3: server closed")
	// ErrProtocol: the peer sent something that does not follow the
	// protocol. Errors wrapping it quote at most 80 bytes of the input.
	ErrProtocol = errors.New("pop3: protocol error")
	// ErrLineTooLong: a line crossed the length limit.
	ErrLineTooLong = errors.New("pop3: line too long")
	// ErrInsecureAuth: the client refused to send a password over a
	// connection without TLS; set [Client.AllowInsecureAuth] to allow it.
	ErrInsecureAuth = errors.New("pop3: refusing to send credentials without TLS")
	// ErrInvalidArgument: a command argument holds CR, LF or NUL, or is
	// empty or out of range; nothing was sent.
	ErrInvalidArgument = errors.New("pop3: invalid argument")
	// ErrNotSupported: the server does not offer what the call needs.
	ErrNotSupported = errors.New("pop3: not supported by the server")
	// ErrClientBroken: an earlier failure (a cancelled context, a network
	// error) left the connection in an unknown state; close the client.
	ErrClientBroken = errors.New("pop3: connection unusable after an earlier error")
	// ErrTooManyMessages: a listing is longer than the client's limit.
	ErrTooManyMessages = errors.New("pop3: too many entries in listing")
	// ErrMessageTooLarge: a message is larger than [Client.RetrBytes]
	// accepts.
	ErrMessageTooLarge = errors.New("pop3: message too large")
)

// quote returns at most 80 bytes of b for an error message.
func quote(b []byte) string {
	if len(b) > 80 {
		b = b[:80]
	}
	return strings.ToValidUTF8(string(b), "?")
}
