package imapserver

import (
	"strconv"
	"strings"
	"time"

	"github.com/mailwire/mailwire/internal/imapwire"
)

// Append-style encoders for response syntax (RFC 9051 §9). They build
// bytes that are cached (ENVELOPE, BODYSTRUCTURE) or written at once.

// quotable reports whether s can be sent as a quoted string: no CR, LF or
// NUL, and no 8-bit byte unless utf8 (RFC 9051 §4.3: quoted is for
// 7-bit text; RFC 6855 allows UTF-8 once enabled).
func quotable(s string, utf8 bool) bool {
	if len(s) > 1024 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || c == '\n' || c == 0 || (c >= 0x80 && !utf8) {
			return false
		}
	}
	return true
}

// appendString appends s as a quoted string or, when it cannot be quoted,
// as a literal.
func appendString(b []byte, s string) []byte {
	if quotable(s, false) {
		return appendQuoted(b, s)
	}
	b = append(b, '{')
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, "}\r\n"...)
	return append(b, s...)
}

func appendQuoted(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' {
			b = append(b, '\\')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

// appendNString appends NIL for the empty string, else the string.
func appendNString(b []byte, s string) []byte {
	if s == "" {
		return append(b, "NIL"...)
	}
	return appendString(b, s)
}

// appendAString appends s as an atom when it is one, else as a string.
func appendAString(b []byte, s string) []byte {
	if imapwire.IsAtom(s) && !strings.EqualFold(s, "NIL") {
		return append(b, s...)
	}
	return appendString(b, s)
}

// appendFlags appends a parenthesised flag list.
func appendFlags(b []byte, flags []string) []byte {
	b = append(b, '(')
	for i, f := range flags {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, f...)
	}
	return append(b, ')')
}

// appendDateTime appends a date-time (RFC 9051 §9 date-time), quoted.
func appendDateTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, "_2-Jan-2006 15:04:05 -0700")
	return append(b, '"')
}

func appendUint(b []byte, n uint64) []byte { return strconv.AppendUint(b, n, 10) }
