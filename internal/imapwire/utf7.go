package imapwire

import (
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ErrBadMUTF7 is returned for a mailbox name that is not valid modified
// UTF-7.
var ErrBadMUTF7 = errors.New("imapwire: invalid modified UTF-7")

// RFC 3501 §5.1.3: modified BASE64 uses "," instead of "/".
const mutf7Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,"

var mutf7Index [256]int8

func init() {
	for i := range mutf7Index {
		mutf7Index[i] = -1
	}
	for i := 0; i < len(mutf7Alphabet); i++ {
		mutf7Index[mutf7Alphabet[i]] = int8(i)
	}
}

// EncodeMUTF7 encodes a UTF-8 mailbox name in modified UTF-7
// (RFC 3501 §5.1.3). Invalid UTF-8 is encoded as U+FFFD.
func EncodeMUTF7(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e || s[i] == '&' {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	var run []uint16
	flush := func() {
		if len(run) == 0 {
			return
		}
		b.WriteByte('&')
		var bits, nbits uint32
		for _, u := range run {
			bits = bits<<16 | uint32(u)
			nbits += 16
			for nbits >= 6 {
				nbits -= 6
				b.WriteByte(mutf7Alphabet[(bits>>nbits)&63])
			}
		}
		if nbits > 0 {
			b.WriteByte(mutf7Alphabet[(bits<<(6-nbits))&63])
		}
		b.WriteByte('-')
		run = run[:0]
	}
	for _, r := range s {
		// RFC 3501 §5.1.3: printable US-ASCII (0x20-0x7e) represents itself,
		// "&" is "&-".
		if r >= 0x20 && r <= 0x7e {
			flush()
			if r == '&' {
				b.WriteString("&-")
			} else {
				b.WriteRune(r)
			}
			continue
		}
		run = utf16.AppendRune(run, r)
	}
	flush()
	return b.String()
}

// DecodeMUTF7 decodes a modified UTF-7 mailbox name to UTF-8.
func DecodeMUTF7(s string) (string, error) {
	if strings.IndexByte(s, '&') < 0 {
		for i := 0; i < len(s); i++ {
			if s[i] < 0x20 || s[i] > 0x7e {
				return "", ErrBadMUTF7
			}
		}
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			return "", ErrBadMUTF7
		}
		if c != '&' {
			b.WriteByte(c)
			continue
		}
		j := strings.IndexByte(s[i+1:], '-')
		if j < 0 {
			return "", ErrBadMUTF7
		}
		enc := s[i+1 : i+1+j]
		i += j + 1
		if enc == "" {
			b.WriteByte('&')
			continue
		}
		var bits, nbits uint32
		var units []uint16
		for k := 0; k < len(enc); k++ {
			v := mutf7Index[enc[k]]
			if v < 0 {
				return "", ErrBadMUTF7
			}
			bits = bits<<6 | uint32(v)
			nbits += 6
			if nbits >= 16 {
				nbits -= 16
				units = append(units, uint16(bits>>nbits))
			}
		}
		// Leftover bits must be zero padding, shorter than a unit.
		if nbits >= 6 || bits&(1<<nbits-1) != 0 || len(units) == 0 {
			return "", ErrBadMUTF7
		}
		for k := 0; k < len(units); k++ {
			r := rune(units[k])
			switch {
			case utf16.IsSurrogate(r):
				// A high surrogate must come with a low one.
				if r >= 0xdc00 || k+1 == len(units) {
					return "", ErrBadMUTF7
				}
				r = utf16.DecodeRune(r, rune(units[k+1]))
				if r == utf8.RuneError {
					return "", ErrBadMUTF7
				}
				k++
			case r >= 0x20 && r <= 0x7e:
				// RFC 3501 §5.1.3: printable US-ASCII must not be encoded.
				return "", ErrBadMUTF7
			}
			b.WriteRune(r)
		}
		// Two adjacent encoded runs are not the shortest form (they would
		// be one run); refuse them so that names have one spelling.
		if i+2 < len(s) && s[i+1] == '&' && s[i+2] != '-' {
			return "", ErrBadMUTF7
		}
	}
	return b.String(), nil
}
