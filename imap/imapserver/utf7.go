package imapserver

import (
	"encoding/base64"
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Modified UTF-7 mailbox names (RFC 3501 §5.1.3), used unless the client
// enabled UTF8=ACCEPT.

var mutf7 = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,").WithPadding(base64.NoPadding)

var errBadMUTF7 = errors.New("imapserver: bad modified UTF-7 mailbox name")

func decodeMUTF7(s string) (string, error) {
	if !strings.Contains(s, "&") {
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				return "", errBadMUTF7
			}
		}
		return s, nil
	}
	var sb strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x80 {
			return "", errBadMUTF7
		}
		if c != '&' {
			sb.WriteByte(c)
			i++
			continue
		}
		j := strings.IndexByte(s[i:], '-')
		if j < 0 {
			return "", errBadMUTF7
		}
		enc := s[i+1 : i+j]
		i += j + 1
		if enc == "" {
			sb.WriteByte('&')
			continue
		}
		b, err := mutf7.DecodeString(enc)
		if err != nil || len(b)%2 != 0 {
			return "", errBadMUTF7
		}
		u := make([]uint16, len(b)/2)
		for k := range u {
			u[k] = uint16(b[2*k])<<8 | uint16(b[2*k+1])
		}
		for _, r := range utf16.Decode(u) {
			if r >= 0x20 && r <= 0x7e {
				return "", errBadMUTF7 // RFC 3501 §5.1.3: printable ASCII is sent as itself
			}
			sb.WriteRune(r)
		}
	}
	return sb.String(), nil
}

func encodeMUTF7(s string) string {
	var sb strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7f {
			if c == '&' {
				sb.WriteString("&-")
			} else {
				sb.WriteByte(c)
			}
			i++
			continue
		}
		j := i
		var u []uint16
		for j < len(s) && (s[j] < 0x20 || s[j] >= 0x7f) {
			r, n := utf8.DecodeRuneInString(s[j:])
			u = utf16.AppendRune(u, r)
			j += n
		}
		b := make([]byte, 2*len(u))
		for k, v := range u {
			b[2*k], b[2*k+1] = byte(v>>8), byte(v)
		}
		sb.WriteByte('&')
		sb.WriteString(mutf7.EncodeToString(b))
		sb.WriteByte('-')
		i = j
	}
	return sb.String()
}
