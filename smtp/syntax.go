package smtp

import (
	"errors"
	"strings"
	"unicode/utf8"
)

// Syntax shared by the client and the server: paths, mailboxes and ESMTP
// parameters (RFC 5321 §4.1.2, extended for UTF-8 by RFC 6531 §3.3), and
// xtext (RFC 3461 §4).

// Syntax errors, for use with [errors.Is].
var (
	// ErrBadPath: a reverse-path or forward-path does not follow RFC 5321
	// §4.1.2 (or holds a forbidden byte such as CR or LF).
	ErrBadPath = errors.New("smtp: malformed path")
	// ErrBadParam: an ESMTP parameter does not follow RFC 5321 §4.1.2.
	ErrBadParam = errors.New("smtp: malformed parameter")
	// ErrBadXtext: a value is not valid xtext (RFC 3461 §4).
	ErrBadXtext = errors.New("smtp: malformed xtext")
)

// Param is one ESMTP parameter of MAIL or RCPT (RFC 5321 §4.1.2
// esmtp-param): a keyword and an optional value. Parsed keywords are upper
// case; Value is "" for a parameter without "=value".
type Param struct {
	Key, Value string
}

// ParseReversePath parses the reverse-path of MAIL FROM (RFC 5321 §4.1.2
// Reverse-path = Path / "<>"), given exactly, angle brackets included. It
// returns the mailbox without its source route, or "" for the null path
// "<>". UTF-8 is accepted (RFC 6531 §3.3); the server checks separately
// whether SMTPUTF8 was asked for.
func ParseReversePath(s string) (addr string, err error) {
	if s == "<>" {
		return "", nil
	}
	return parsePath(s)
}

// ParseForwardPath parses the forward-path of RCPT TO (RFC 5321 §4.1.2
// Forward-path = Path, and the special "<Postmaster>"), given exactly,
// angle brackets included. It returns the mailbox without its source route;
// "<Postmaster>" (any case) is returned as "Postmaster".
func ParseForwardPath(s string) (addr string, err error) {
	if len(s) == len("<Postmaster>") && strings.EqualFold(s, "<Postmaster>") {
		return "Postmaster", nil
	}
	return parsePath(s)
}

// parsePath parses Path = "<" [ A-d-l ":" ] Mailbox ">".
func parsePath(s string) (string, error) {
	if len(s) < 2 || s[0] != '<' || s[len(s)-1] != '>' {
		return "", ErrBadPath
	}
	s = s[1 : len(s)-1]
	if strings.HasPrefix(s, "@") {
		// RFC 5321 §4.1.2 / appendix C: the source route is parsed and
		// then ignored.
		i := strings.IndexByte(s, ':')
		if i < 0 {
			return "", ErrBadPath
		}
		for _, ad := range strings.Split(s[:i], ",") {
			if len(ad) < 2 || ad[0] != '@' || !validDomain(ad[1:], true) {
				return "", ErrBadPath
			}
		}
		s = s[i+1:]
	}
	if !ValidAddress(s, true) {
		return "", ErrBadPath
	}
	return s, nil
}

// cutPath splits the start of a MAIL or RCPT argument into the path (from
// "<" to its ">", honouring quoted local parts, which may hold ">" and
// spaces) and what follows it. A path without brackets is not accepted.
func cutPath(s string) (path, rest string, ok bool) {
	if len(s) == 0 || s[0] != '<' {
		return "", "", false
	}
	quoted := false
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted && c == '\\':
			i++
		case c == '"':
			quoted = !quoted
		case !quoted && c == '>':
			return s[:i+1], s[i+1:], true
		}
	}
	return "", "", false
}

// ValidAddress reports whether addr is a Mailbox of RFC 5321 §4.1.2,
// Local-part "@" ( Domain / address-literal ), with no control bytes. With
// utf8 set, non-ASCII UTF-8 is allowed in the local part and the domain as
// RFC 6531 §3.3 extends the grammar; otherwise the address must be ASCII.
// The empty string (the null reverse-path) is not a valid address.
func ValidAddress(addr string, utf8 bool) bool {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return false
	}
	local, domain := addr[:at], addr[at+1:]
	if !validLocalPart(local, utf8) {
		return false
	}
	if domain[0] == '[' {
		return validAddressLiteral(domain)
	}
	return validDomain(domain, utf8)
}

// validLocalPart checks Local-part = Dot-string / Quoted-string.
func validLocalPart(s string, allowUTF8 bool) bool {
	if s == "" {
		return false
	}
	if s[0] == '"' {
		return validQuotedString(s, allowUTF8)
	}
	// Dot-string = Atom *("." Atom)
	prevDot := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '.':
			if prevDot {
				return false
			}
			prevDot = true
			continue
		case c >= 0x80:
			if !allowUTF8 {
				return false
			}
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError || r < 0xA0 && r >= 0x80 {
				return false
			}
			i += n - 1
		case !isAtext(c):
			return false
		}
		prevDot = false
	}
	return !prevDot
}

// validQuotedString checks Quoted-string = DQUOTE *QcontentSMTP DQUOTE.
func validQuotedString(s string, allowUTF8 bool) bool {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return false
	}
	s = s[1 : len(s)-1]
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\':
			// quoted-pairSMTP = %d92 %d32-126
			i++
			if i >= len(s) || s[i] < 32 || s[i] > 126 {
				return false
			}
		case c == '"':
			return false
		case c >= 32 && c <= 126:
			// qtextSMTP = %d32-33 / %d35-91 / %d93-126
		case c >= 0x80 && allowUTF8:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError || r < 0xA0 && r >= 0x80 {
				return false
			}
			i += n - 1
		default:
			return false
		}
	}
	return true
}

// isAtext reports whether c is an RFC 5322 atext character.
func isAtext(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

func isLetDig(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// validDomain checks Domain = sub-domain *("." sub-domain), sub-domain =
// Let-dig [Ldh-str]; with allowUTF8 a sub-domain may be a U-label (RFC 6531
// §3.3), here any label of valid non-ASCII UTF-8 without controls, dots or
// spaces.
func validDomain(s string, allowUTF8 bool) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for len(s) > 0 {
		label := s
		if i := strings.IndexByte(s, '.'); i >= 0 {
			label, s = s[:i], s[i+1:]
			if s == "" {
				return false // a trailing dot is not part of the grammar
			}
		} else {
			s = ""
		}
		if !validLabel(label, allowUTF8) {
			return false
		}
	}
	return true
}

func validLabel(l string, allowUTF8 bool) bool {
	if l == "" || len(l) > 63 {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case isLetDig(c):
		case c == '-':
			if i == 0 || i == len(l)-1 {
				return false
			}
		case c >= 0x80:
			if !allowUTF8 {
				return false
			}
			r, n := utf8.DecodeRuneInString(l[i:])
			if r == utf8.RuneError || r < 0xA0 {
				return false
			}
			i += n - 1
		default:
			return false
		}
	}
	return true
}

// validAddressLiteral checks address-literal = "[" ( IPv4-address-literal /
// IPv6-address-literal / General-address-literal ) "]" loosely: the
// brackets and printable ASCII without "[", "]" or "\" inside (dcontent,
// RFC 5321 §4.1.3).
func validAddressLiteral(s string) bool {
	if len(s) < 3 || s[0] != '[' || s[len(s)-1] != ']' {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		c := s[i]
		if c < 33 || c > 126 || c == '[' || c == ']' || c == '\\' {
			return false
		}
	}
	return true
}

// validHelloDomain checks the argument of EHLO/HELO/LHLO strictly: Domain
// or address-literal (RFC 5321 §4.1.1.1). The client sends only such names;
// the server is more lenient (plausibleHelloName).
func validHelloDomain(s string) bool {
	if strings.HasPrefix(s, "[") {
		return validAddressLiteral(s)
	}
	return validDomain(s, true)
}

// parseParams parses Mail-parameters / Rcpt-parameters (RFC 5321 §4.1.2):
// esmtp-param *(SP esmtp-param). Keywords are returned in upper case.
// Several spaces between parameters are tolerated; anything else that
// breaks the grammar is ErrBadParam.
func parseParams(s string) ([]Param, error) {
	var params []Param
	for {
		for len(s) > 0 && s[0] == ' ' {
			s = s[1:]
		}
		if s == "" {
			return params, nil
		}
		field := s
		if i := strings.IndexByte(s, ' '); i >= 0 {
			field, s = s[:i], s[i:]
		} else {
			s = ""
		}
		key, value, hasValue := strings.Cut(field, "=")
		if !validParamKeyword(key) || hasValue && !validParamValue(value) {
			return nil, ErrBadParam
		}
		params = append(params, Param{Key: upperASCII(key), Value: value})
	}
}

// validParamKeyword checks esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT /
// "-").
func validParamKeyword(k string) bool {
	if k == "" || !isLetDig(k[0]) {
		return false
	}
	for i := 1; i < len(k); i++ {
		if !isLetDig(k[i]) && k[i] != '-' {
			return false
		}
	}
	return true
}

// validParamValue checks esmtp-value = 1*(%d33-60 / %d62-126), extended by
// RFC 6531 §3.3 with UTF8-non-ascii.
func validParamValue(v string) bool {
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c >= 33 && c <= 126 && c != '=':
		case c >= 0x80:
			r, n := utf8.DecodeRuneInString(v[i:])
			if r == utf8.RuneError || r < 0xA0 {
				return false
			}
			i += n - 1
		default:
			return false
		}
	}
	return true
}

// upperASCII upper-cases ASCII letters, without allocating when s is
// already upper case.
func upperASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'a' && c <= 'z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'a' && b[j] <= 'z' {
					b[j] -= 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// xtextEncode encodes s as xtext (RFC 3461 §4): every byte outside "!".."~",
// and "+" and "=", becomes "+" and two upper-case hex digits.
func xtextEncode(s string) string {
	const hex = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < '!' || c > '~' || c == '+' || c == '=' {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '!' || c > '~' || c == '+' || c == '=' {
			b = append(b, '+', hex[c>>4], hex[c&15])
		} else {
			b = append(b, c)
		}
	}
	return string(b)
}

// xtextDecode decodes xtext (RFC 3461 §4). It refuses a byte outside
// "!".."~", a bare "=", and a "+" not followed by two upper-case hex digits
// (hexchar uses "0"-"9" and "A"-"F" only).
func xtextDecode(s string) (string, error) {
	if strings.IndexByte(s, '+') < 0 {
		for i := 0; i < len(s); i++ {
			if c := s[i]; c < '!' || c > '~' || c == '=' {
				return "", ErrBadXtext
			}
		}
		return s, nil
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			if i+2 >= len(s) {
				return "", ErrBadXtext
			}
			hi, ok1 := upperHex(s[i+1])
			lo, ok2 := upperHex(s[i+2])
			if !ok1 || !ok2 {
				return "", ErrBadXtext
			}
			b = append(b, hi<<4|lo)
			i += 2
		case c < '!' || c > '~' || c == '=':
			return "", ErrBadXtext
		default:
			b = append(b, c)
		}
	}
	return string(b), nil
}

func upperHex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// The "utf-8" address type of ORCPT (RFC 6533 §3): the address is a
// Mailbox of RFC 6531, written as utf-8-addr-xtext (US-ASCII only, safe
// with any server) or utf-8-addr-unitext (UTF-8 left as it is, only when
// the transaction has SMTPUTF8). Both write a character outside QCHAR
// (%x21-2A / %x2C-3C / %x3E-5B / %x5D-7E: no control, space, "+", "=" or
// "\") as EmbeddedUnicodeChar, "\x{" HEXPOINT "}".

// isQCHAR reports whether c is a QCHAR of RFC 6533 §3.
func isQCHAR(c byte) bool { return c >= 0x21 && c <= 0x7e && c != '+' && c != '=' && c != '\\' }

// utf8AddrEncode writes addr, valid UTF-8, as utf-8-addr-unitext when
// unitext is set, else as utf-8-addr-xtext. HEXPOINT is upper case with
// no leading zero, two digits at least, as its grammar asks.
func utf8AddrEncode(addr string, unitext bool) string {
	const hex = "0123456789ABCDEF"
	b := make([]byte, 0, len(addr)+8)
	for _, r := range addr {
		switch {
		case r < 0x80 && isQCHAR(byte(r)):
			b = append(b, byte(r))
			continue
		case r >= 0x80 && unitext:
			b = utf8.AppendRune(b, r)
			continue
		}
		b = append(b, `\x{`...)
		n := 0
		for v := r; v > 0; v >>= 4 {
			n++
		}
		n = max(n, 2)
		for i := n - 1; i >= 0; i-- {
			b = append(b, hex[(r>>(4*i))&15])
		}
		b = append(b, '}')
	}
	return string(b)
}

// utf8AddrDecode decodes utf-8-addr-xtext, or with unitext set also
// utf-8-addr-unitext (RFC 6533 §3), strictly: each EmbeddedUnicodeChar
// must be a HEXPOINT of the grammar (no leading zeros, no surrogates, at
// most U+10FFFF, and below U+0080 only the characters QCHAR leaves out),
// and non-ASCII bytes must be well-formed UTF-8. Whether the result is a
// Mailbox is left to the caller (ValidAddress).
func utf8AddrDecode(s string, unitext bool) (string, error) {
	if s == "" {
		return "", ErrBadXtext
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case isQCHAR(c):
			b = append(b, c)
			i++
		case c == '\\':
			r, n, ok := parseEmbeddedUnicodeChar(s[i:])
			if !ok {
				return "", ErrBadXtext
			}
			b = utf8.AppendRune(b, r)
			i += n
		case c >= 0x80 && unitext:
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n <= 1 {
				return "", ErrBadXtext
			}
			b = append(b, s[i:i+n]...)
			i += n
		default:
			return "", ErrBadXtext
		}
	}
	return string(b), nil
}

// parseEmbeddedUnicodeChar parses EmbeddedUnicodeChar = %x5C.78 "{"
// HEXPOINT "}" at the start of s, returning the character and the length
// used.
func parseEmbeddedUnicodeChar(s string) (rune, int, bool) {
	if len(s) < 4 || s[0] != '\\' || s[1] != 'x' || s[2] != '{' {
		return 0, 0, false
	}
	end := strings.IndexByte(s, '}')
	if end < 0 {
		return 0, 0, false
	}
	digits := s[3:end]
	if len(digits) < 2 || len(digits) > 6 {
		return 0, 0, false
	}
	var v rune
	for i := 0; i < len(digits); i++ {
		d, ok := hexDigit(digits[i])
		if !ok {
			return 0, 0, false
		}
		v = v<<4 | rune(d)
	}
	switch {
	case len(digits) == 2:
		// ("0"/"1") %x31-39, "10", "20", "2B", "3D", "7F", "5C", and
		// HEXDIG8 HEXDIG (U+0080 to U+00FF).
		if v < 0x80 && !(v >= 0x01 && v <= 0x09 || v >= 0x10 && v <= 0x19 || v == 0x20 || v == '+' || v == '=' || v == 0x7f || v == '\\') {
			return 0, 0, false
		}
	case digits[0] == '0':
		return 0, 0, false // only the two-digit forms may start with 0
	case v >= 0xd800 && v <= 0xdfff, v > 0x10ffff:
		return 0, 0, false
	}
	return v, end + 1, true
}

// hexDigit reads HEXDIG, in either case (RFC 5234 string literals are
// case-insensitive).
func hexDigit(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	}
	return 0, false
}
