package mime

import (
	"encoding/base64"
	"strings"
	"unicode/utf8"
)

// DecodeWords decodes the RFC 2047 encoded words in s, unstructured header
// text, to UTF-8. Linear whitespace between two adjacent encoded words is
// dropped (RFC 2047 §6.2); adjacent words in the same charset are joined
// before the charset is decoded, so a character split across two words
// survives. Words glued to other text are decoded too, as real mail needs.
//
// A word in a charset nobody knows, or whose B or Q text is malformed, is
// kept as written and reported as a [Defect]; the rest is still decoded.
// Text that is not an encoded word (including raw UTF-8, RFC 6532) is
// returned unchanged.
func DecodeWords(s string) (string, []Defect) {
	if !strings.Contains(s, "=?") {
		return s, nil
	}
	var (
		out      strings.Builder
		defects  []Defect
		pend     []byte // decoded bytes not yet charset-decoded
		pendCS   string // their charset, as written
		havePend bool   // pend and pendCS are in use
		last     int    // end of the text already handled
		prevWord bool   // s[:last] ends with a decoded encoded word
	)
	out.Grow(len(s))
	flush := func() {
		if !havePend {
			return
		}
		if lookupCharset(pendCS).kind == charsetUTF8 {
			out.Write(pend)
		} else {
			t, err := DecodeCharset(pendCS, pend)
			if err != nil {
				// The charset was checked before; only a decoder fault lands here.
				defects = append(defects, Defect{Kind: DefectInvalidEncodedWord, Detail: quoteDetail(pendCS)})
			}
			out.WriteString(t)
		}
		pend, pendCS, havePend = pend[:0], "", false
	}
	from := 0
	for {
		j := strings.Index(s[from:], "=?")
		if j < 0 {
			break
		}
		j += from
		cs, enc, text, n, ok := splitWord(s[j:])
		if !ok {
			from = j + 2
			continue
		}
		gap := s[last:j]
		if !prevWord || !isLWSP(gap) {
			flush()
			out.WriteString(gap)
		}
		word := s[j : j+n]
		last, from = j+n, j+n
		prevWord = false
		ent := lookupCharset(cs)
		if ent.kind == charsetUnknown {
			flush()
			out.WriteString(word)
			defects = append(defects, Defect{Kind: DefectUnknownCharset, Detail: quoteDetail(cs)})
			continue
		}
		if !havePend || !sameCharset(cs, pendCS) {
			flush()
			pendCS, havePend = cs, true
		}
		var good bool
		if enc == 'b' || enc == 'B' {
			if pend, good = appendB(pend, text); !good {
				flush()
				out.WriteString(word)
				defects = append(defects, Defect{Kind: DefectInvalidEncodedWord, Detail: quoteDetail(word)})
				continue
			}
		} else if pend, good = appendQ(pend, text, true); !good {
			// A bad escape stays literal; the rest of the word is decoded.
			defects = append(defects, Defect{Kind: DefectInvalidEncodedWord, Detail: quoteDetail(word)})
		}
		prevWord = true
	}
	flush()
	out.WriteString(s[last:])
	return out.String(), defects
}

// splitWord parses the encoded word at the start of s ("=?cs?e?text?=") and
// returns its length n.
func splitWord(s string) (cs string, enc byte, text string, n int, ok bool) {
	// "=?" charset "?" encoding "?" encoded-text "?="
	q1 := strings.IndexByte(s[2:], '?')
	if q1 <= 0 || q1 > 64 {
		return "", 0, "", 0, false
	}
	q1 += 2
	cs = s[2:q1]
	for i := 0; i < len(cs); i++ {
		if c := cs[i]; c <= ' ' || c >= 0x7f || strings.IndexByte(`()<>@,;:"/[]?=`, c) >= 0 {
			return "", 0, "", 0, false
		}
	}
	if len(s) < q1+3 || s[q1+2] != '?' {
		return "", 0, "", 0, false
	}
	enc = s[q1+1]
	switch enc {
	case 'b', 'B', 'q', 'Q':
	default:
		return "", 0, "", 0, false
	}
	rest := s[q1+3:]
	end := strings.Index(rest, "?=")
	if end < 0 {
		return "", 0, "", 0, false
	}
	text = rest[:end]
	if strings.ContainsAny(text, "\r\n") {
		return "", 0, "", 0, false
	}
	return cs, enc, text, q1 + 3 + end + 2, true
}

func isLWSP(s string) bool {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case ' ', '\t', '\r', '\n':
		default:
			return false
		}
	}
	return true
}

// appendB appends the decoded RFC 2047 "B" text to dst, tolerating
// missing padding and embedded spaces; on failure dst is returned as it was.
func appendB(dst []byte, text string) ([]byte, bool) {
	if strings.ContainsAny(text, " \t") {
		text = strings.Join(strings.Fields(text), "")
	}
	n := len(dst)
	if b, err := base64.StdEncoding.AppendDecode(dst, []byte(text)); err == nil {
		return b, true
	}
	b, err := base64.RawStdEncoding.AppendDecode(dst[:n], []byte(strings.TrimRight(text, "=")))
	if err != nil {
		return dst[:n], false
	}
	return b, true
}

// appendQ appends the decoded RFC 2047 "Q" text to b (underscore is space
// when under is set). A bad "=" escape is kept literally and makes ok false.
func appendQ(b []byte, text string, under bool) (_ []byte, ok bool) {
	ok = true
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '_' && under:
			b = append(b, ' ')
		case c == '=':
			if i+2 < len(text) {
				h, ok1 := unhex(text[i+1])
				l, ok2 := unhex(text[i+2])
				if ok1 && ok2 {
					b = append(b, h<<4|l)
					i += 2
					continue
				}
			}
			ok = false
			b = append(b, c)
		default:
			b = append(b, c)
		}
	}
	return b, ok
}

func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// quoteDetail cuts untrusted text to 80 bytes for a Defect's Detail.
func quoteDetail(s string) string {
	if len(s) > 80 {
		s = s[:80]
	}
	return s
}

// EncodeWords returns s unchanged when it is printable ASCII (spaces and
// tabs allowed), holds nothing that looks like an encoded word and no word
// too long for a header line. Otherwise each run of words that needs it is
// encoded as UTF-8 "Q" (mostly ASCII text) or "B" encoded words, each at
// most 75 characters, separated by spaces; [DecodeWords] gives s back
// exactly.
func EncodeWords(s string) string {
	plain := true
	for i := 0; i < len(s) && plain; {
		if s[i] == ' ' || s[i] == '\t' {
			i++
			continue
		}
		e := wordEnd(s, i)
		plain = !mustEncodeWord(s[i:e])
		i = e
	}
	if plain {
		return s
	}
	var b strings.Builder
	// Split at spaces; a maximal run of words that need encoding (with the
	// spaces inside it) becomes one encoded chunk, since spaces between
	// adjacent encoded words vanish on decoding.
	i := 0
	for i < len(s) {
		if s[i] == ' ' || s[i] == '\t' {
			// Linear white space, space or tab, is kept as it is
			// between words (RFC 2047 §5 (1)).
			b.WriteByte(s[i])
			i++
			continue
		}
		// Word [i, e).
		e := wordEnd(s, i)
		if !mustEncodeWord(s[i:e]) {
			b.WriteString(s[i:e])
			i = e
			continue
		}
		// Extend the run over following words that need encoding.
		runEnd := e
		for k := e; k < len(s); {
			for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
				k++
			}
			if k == len(s) {
				break
			}
			we := wordEnd(s, k)
			if !mustEncodeWord(s[k:we]) {
				break
			}
			runEnd, k = we, we
		}
		writeEncoded(&b, s[i:runEnd])
		i = runEnd
	}
	return b.String()
}

func wordEnd(s string, i int) int {
	for i < len(s) && s[i] != ' ' && s[i] != '\t' {
		i++
	}
	return i
}

// maxPlainWord is the longest word EncodeWords leaves as it is. A header
// line may not exceed 998 characters (RFC 5322 §2.1.1) and is folded only
// at white space, so a longer word could only be written by breaking it,
// which adds a space to the value; encoded, it splits into encoded words
// whose separating space vanishes on decoding (RFC 2047 §6.2). 900 leaves
// room for the field name on the word's line.
const maxPlainWord = 900

// mustEncodeWord reports whether EncodeWords encodes the word w.
func mustEncodeWord(w string) bool { return len(w) > maxPlainWord || needsEncoding(w) }

func needsEncoding(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < ' ' && c != '\t') || c >= 0x7f {
			return true
		}
	}
	return strings.Contains(s, "=?")
}

// qSafe is RFC 2047 §5 (3): the characters a Q word may carry unencoded
// anywhere, including in a phrase.
func qSafe(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '!' || c == '*' || c == '+' || c == '-' || c == '/'
}

const maxWordPayload = 75 - len("=?utf-8?q??=") // RFC 2047 §2: 75 characters at most

// writeEncoded writes s as adjacent UTF-8 encoded words, never splitting a
// UTF-8 sequence between two words.
func writeEncoded(b *strings.Builder, s string) {
	qlen := 0
	for i := 0; i < len(s); i++ {
		if qSafe(s[i]) || s[i] == ' ' {
			qlen++
		} else {
			qlen += 3
		}
	}
	// Q keeps mostly-ASCII text readable; B is shorter for the rest.
	useQ := qlen <= base64.StdEncoding.EncodedLen(len(s))*3/2
	first := true
	for len(s) > 0 {
		// Take as many whole characters as fit.
		n, w := 0, 0
		for n < len(s) {
			_, size := utf8.DecodeRuneInString(s[n:])
			cw := 0
			if useQ {
				for k := n; k < n+size; k++ {
					if qSafe(s[k]) || s[k] == ' ' {
						cw++
					} else {
						cw += 3
					}
				}
			} else {
				cw = base64.StdEncoding.EncodedLen(n+size) - w
			}
			if w+cw > maxWordPayload && n > 0 {
				break
			}
			n += size
			w += cw
		}
		if !first {
			b.WriteByte(' ')
		}
		first = false
		if useQ {
			b.WriteString("=?utf-8?q?")
			for k := 0; k < n; k++ {
				c := s[k]
				switch {
				case c == ' ':
					b.WriteByte('_')
				case qSafe(c):
					b.WriteByte(c)
				default:
					b.WriteByte('=')
					b.WriteByte(upperhex[c>>4])
					b.WriteByte(upperhex[c&15])
				}
			}
		} else {
			b.WriteString("=?utf-8?b?")
			b.WriteString(base64.StdEncoding.EncodeToString([]byte(s[:n])))
		}
		b.WriteString("?=")
		s = s[n:]
	}
}

const upperhex = "0123456789ABCDEF"
