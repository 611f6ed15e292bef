package mime

import (
	"strconv"
	"strings"
)

// A Param is one Content-Type or Content-Disposition parameter.
type Param struct{ Name, Value string } // Name lowercased; Value decoded to UTF-8 (RFC 2231 charsets and continuations joined, RFC 2047 words in quoted values decoded)

// Params is a parameter list in the order first written.
type Params []Param

// Get returns the value of the parameter called name (compared
// case-insensitively), or "" if there is none.
func (ps Params) Get(name string) string {
	for i := range ps {
		if equalFoldASCII(ps[i].Name, name) {
			return ps[i].Value
		}
	}
	return ""
}

// A MediaType is a parsed Content-Type value (RFC 2045 §5.1).
type MediaType struct {
	Type, Subtype string // lowercased
	Params        Params
}

// A Disposition is a parsed Content-Disposition value (RFC 2183).
type Disposition struct {
	Type   string // lowercased: "inline", "attachment", ...
	Params Params
}

// ParseMediaType parses a Content-Type value. ok is false when the value is
// unusable; callers then apply RFC 2045 §5.2's default (text/plain; charset=us-ascii).
//
// Parameters are read tolerantly: comments, empty parameters (";;"), a
// missing ";", unquoted values with spaces or specials, unterminated
// quotes, and RFC 2231 continuations given out of order or with a gap
// (joined up to the gap) are all read, the malformed ones reported as a
// [Defect]. RFC 2047 words inside values, which every mailer decodes, are
// decoded without a defect.
// Of two parameters with the same name the first is kept, except that an
// RFC 2231 form wins over a plain one. RFC 2231 language tags are dropped
// (see [ParamLanguage]).
func ParseMediaType(value string) (mt MediaType, ok bool, defects []Defect) {
	p := paramParser{s: value}
	typ, ok := p.mediaType()
	if !ok {
		defects = append(p.defects, Defect{Kind: DefectInvalidParameter, Detail: quoteDetail("bad media type: " + value)})
		return MediaType{}, false, defects
	}
	i := strings.IndexByte(typ, '/')
	mt.Type, mt.Subtype = lowerASCII(typ[:i]), lowerASCII(typ[i+1:])
	raws := p.params()
	mt.Params, defects = decodeParams(raws, p.defects)
	return mt, true, defects
}

// ParseDisposition parses a Content-Disposition value (RFC 2183 §2). ok is
// false when there is no disposition type.
func ParseDisposition(value string) (d Disposition, ok bool, defects []Defect) {
	p := paramParser{s: value}
	p.skipCFWS()
	typ := p.token()
	if typ == "" {
		defects = append(p.defects, Defect{Kind: DefectInvalidParameter, Detail: quoteDetail("bad disposition: " + value)})
		return Disposition{}, false, defects
	}
	d.Type = lowerASCII(typ)
	raws := p.params()
	d.Params, defects = decodeParams(raws, p.defects)
	return d, true, defects
}

// ParseParamsRaw returns the leading token and the parameters exactly as written
// (names as written including RFC 2231 "*0*" suffixes, values unquoted but not decoded) — what IMAP BODYSTRUCTURE shows.
//
// For a Content-Type value the token is "type/subtype" as written. ok is
// false when there is no leading token.
func ParseParamsRaw(value string) (token string, params Params, ok bool) {
	p := paramParser{s: value}
	p.skipCFWS()
	start := p.i
	token, ok = p.mediaType()
	if !ok {
		p.i = start
		token = p.token()
		if token == "" {
			return "", nil, false
		}
	}
	for _, r := range p.params() {
		params = append(params, Param{Name: r.name, Value: r.value})
	}
	return token, params, true
}

// rawParam is a parameter as written, its value unquoted.
type rawParam struct {
	name, value string
	quoted      bool
}

// paramParser reads RFC 2045 §5.1 "type/subtype *(; parameter)" with the
// RFC 822 comments RFC 2045 allows between tokens.
type paramParser struct {
	s       string
	i       int
	defects []Defect
}

func (p *paramParser) defect(detail string) {
	if len(p.defects) < 32 { // a hostile value must not grow the list without bound
		p.defects = append(p.defects, Defect{Kind: DefectInvalidParameter, Detail: quoteDetail(detail)})
	}
}

// skipCFWS skips whitespace and (nested) comments.
func (p *paramParser) skipCFWS() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		case '(':
			p.skipComment()
		default:
			return
		}
	}
}

func (p *paramParser) skipComment() {
	depth := 0
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case '\\':
			p.i++
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				p.i++
				return
			}
		}
		p.i++
	}
	p.i = len(p.s)
}

// isTSpecial is RFC 2045 §5.1's tspecials.
func isTSpecial(c byte) bool {
	return strings.IndexByte(`()<>@,;:\"/[]?=`, c) >= 0
}

func isTokenChar(c byte) bool {
	return c > ' ' && c < 0x7f && !isTSpecial(c)
}

func (p *paramParser) token() string {
	start := p.i
	for p.i < len(p.s) && isTokenChar(p.s[p.i]) {
		p.i++
	}
	return p.s[start:p.i]
}

// mediaType reads "type/subtype", allowing CFWS around the slash, and
// returns it as "type/subtype".
func (p *paramParser) mediaType() (string, bool) {
	p.skipCFWS()
	start := p.i
	t := p.token()
	if t == "" {
		return "", false
	}
	mid := p.i
	p.skipCFWS()
	if p.i >= len(p.s) || p.s[p.i] != '/' {
		return "", false
	}
	slash := p.i
	p.i++
	p.skipCFWS()
	sub := p.token()
	if sub == "" {
		return "", false
	}
	if mid == slash && slash+1 == p.i-len(sub) {
		return p.s[start:p.i], true
	}
	return t + "/" + sub, true
}

// quotedString reads a quoted-string at p.i (which is '"'), undoing
// quoted-pairs. An unterminated string runs to the end.
func (p *paramParser) quotedString() string {
	p.i++
	start := p.i
	simple := true
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case '"':
			v := p.s[start:p.i]
			p.i++
			if simple {
				return v
			}
			return unquotePairs(v)
		case '\\':
			simple = false
			p.i++
		}
		p.i++
	}
	p.defect("unterminated quoted-string")
	p.i = len(p.s)
	v := p.s[start:]
	if simple {
		return v
	}
	return unquotePairs(v)
}

func unquotePairs(v string) string {
	var b strings.Builder
	b.Grow(len(v))
	for i := 0; i < len(v); i++ {
		if v[i] == '\\' && i+1 < len(v) {
			i++
		}
		b.WriteByte(v[i])
	}
	return b.String()
}

// skipToSemi moves past junk to the next ';' outside quotes.
func (p *paramParser) skipToSemi() {
	for p.i < len(p.s) && p.s[p.i] != ';' {
		if p.s[p.i] == '"' {
			p.quotedString()
			continue
		}
		p.i++
	}
}

// maxParams bounds the parameters read from one value.
const maxParams = 256

// params reads the "; name=value" list that follows the leading token.
func (p *paramParser) params() []rawParam {
	var out []rawParam
	for {
		p.skipCFWS()
		if p.i >= len(p.s) {
			return out
		}
		if p.s[p.i] == ';' {
			p.i++
			p.skipCFWS()
			if p.i >= len(p.s) || p.s[p.i] == ';' {
				continue // ";;" or a trailing ";"
			}
		} else if isTokenChar(p.s[p.i]) {
			// "text/plain charset=utf-8": read it as a parameter anyway.
			p.defect("missing ';' before " + p.s[p.i:])
		} else {
			p.defect("junk before parameter: " + p.s[p.i:])
			p.skipToSemi()
			continue
		}
		name := p.token()
		if name == "" {
			p.defect("bad parameter name: " + p.s[p.i:])
			p.skipToSemi()
			continue
		}
		p.skipCFWS()
		if p.i >= len(p.s) || p.s[p.i] != '=' {
			p.defect("parameter without value: " + name)
			p.skipToSemi()
			continue
		}
		p.i++
		p.skipCFWS()
		var rp rawParam
		rp.name = name
		if p.i < len(p.s) && p.s[p.i] == '"' {
			rp.value, rp.quoted = p.quotedString(), true
			p.skipCFWS()
			if p.i < len(p.s) && p.s[p.i] != ';' && !isTokenChar(p.s[p.i]) {
				p.defect("junk after quoted value: " + p.s[p.i:])
				p.skipToSemi()
			} // else a parameter follows with no ';', reported by the loop
		} else {
			start := p.i
			rp.value = p.token()
			p.skipCFWS()
			if p.i < len(p.s) && p.s[p.i] != ';' {
				// Non-standard: an unquoted value with spaces or specials.
				// Take everything up to the next ';'.
				end := strings.IndexByte(p.s[start:], ';')
				if end < 0 {
					end = len(p.s) - start
				}
				rp.value = strings.TrimRight(p.s[start:start+end], " \t\r\n")
				p.i = start + end
				p.defect("unquoted value with specials: " + rp.value)
			}
		}
		if len(out) >= maxParams {
			p.defect("too many parameters")
			p.i = len(p.s)
			return out
		}
		out = append(out, rp)
	}
}

// A section of an RFC 2231 parameter.
type section struct {
	value   string
	encoded bool
	quoted  bool
}

// decodeParams applies RFC 2231 (continuations, charsets) and the
// non-standard RFC 2047 words in values, and lowercases names.
func decodeParams(raws []rawParam, defects []Defect) (Params, []Defect) {
	if len(raws) == 0 {
		return nil, defects
	}
	out := make(Params, 0, len(raws))
	var ext map[string]map[int]section // base name → sections, only when a '*' appears
	has := func(name string) int {
		for i := range out {
			if out[i].Name == name {
				return i
			}
		}
		return -1
	}
	for _, r := range raws {
		name := lowerASCII(r.name)
		star := strings.IndexByte(name, '*')
		if star < 0 {
			if has(name) >= 0 {
				defects = append(defects, Defect{Kind: DefectInvalidParameter, Detail: quoteDetail("duplicate parameter: " + name)})
				continue
			}
			v := r.value
			if strings.Contains(v, "=?") {
				// Non-standard but common: RFC 2047 words in a parameter value.
				var ds []Defect
				v, ds = DecodeWords(v)
				defects = append(defects, ds...)
			}
			out = append(out, Param{Name: name, Value: v})
			continue
		}
		// RFC 2231 §3, §4: name*, name*N, name*N*.
		base, rest := name[:star], name[star+1:]
		idx, enc := 0, false
		switch {
		case rest == "":
			enc = true
		default:
			if strings.HasSuffix(rest, "*") {
				enc = true
				rest = rest[:len(rest)-1]
			}
			n, err := strconv.Atoi(rest)
			if err != nil || n < 0 || rest[0] == '+' {
				defects = append(defects, Defect{Kind: DefectInvalidParameter, Detail: quoteDetail("bad RFC 2231 section: " + r.name)})
				continue
			}
			idx = n
		}
		if base == "" {
			defects = append(defects, Defect{Kind: DefectInvalidParameter, Detail: quoteDetail("bad parameter name: " + r.name)})
			continue
		}
		if ext == nil {
			ext = make(map[string]map[int]section)
		}
		secs := ext[base]
		if secs == nil {
			secs = make(map[int]section)
			ext[base] = secs
			// Keep the position of the first mention.
			if i := has(base); i < 0 {
				out = append(out, Param{Name: base})
			}
		}
		if _, dup := secs[idx]; dup {
			defects = append(defects, Defect{Kind: DefectInvalidParameter, Detail: quoteDetail("duplicate parameter section: " + r.name)})
			continue
		}
		secs[idx] = section{value: r.value, encoded: enc, quoted: r.quoted}
	}
	for i := range out {
		if secs, ok := ext[out[i].Name]; ok {
			v, ds := joinSections(out[i].Name, secs)
			defects = append(defects, ds...)
			out[i].Value = v
		}
	}
	return out, defects
}

// joinSections joins RFC 2231 sections 0, 1, ... up to the first gap and
// decodes them from the charset named in section 0.
func joinSections(base string, secs map[int]section) (string, []Defect) {
	var defects []Defect
	bad := func(d string) {
		defects = append(defects, Defect{Kind: DefectInvalidParameter, Detail: quoteDetail(d)})
	}
	var buf []byte
	charset := ""
	n := 0
	for ; ; n++ {
		s, ok := secs[n]
		if !ok {
			break
		}
		v := s.value
		if s.encoded {
			if n == 0 {
				// RFC 2231 §4: charset "'" language "'" value.
				a := strings.IndexByte(v, '\'')
				b := -1
				if a >= 0 {
					b = strings.IndexByte(v[a+1:], '\'')
				}
				if b >= 0 {
					charset = v[:a]
					v = v[a+1+b+1:]
				} else {
					bad("RFC 2231 value without charset: " + base)
				}
			}
			var ok bool
			buf, ok = appendPercentDecoded(buf, v)
			if !ok {
				bad("bad %-escape in " + base)
			}
		} else {
			buf = append(buf, v...)
		}
	}
	if n != len(secs) {
		bad("RFC 2231 sections missing in " + base)
	}
	if charset == "" {
		return string(buf), defects
	}
	str, err := DecodeCharset(charset, buf)
	if err != nil {
		defects = append(defects, Defect{Kind: DefectUnknownCharset, Detail: quoteDetail(charset)})
	}
	return str, defects
}

// appendPercentDecoded undoes RFC 2231 %XX escapes; a bad escape is kept.
func appendPercentDecoded(b []byte, v string) ([]byte, bool) {
	ok := true
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '%' {
			if i+2 < len(v) {
				h, ok1 := unhex(v[i+1])
				l, ok2 := unhex(v[i+2])
				if ok1 && ok2 {
					b = append(b, h<<4|l)
					i += 2
					continue
				}
			}
			ok = false
		}
		b = append(b, c)
	}
	return b, ok
}

// lowerASCII lowercases ASCII letters, returning s itself when it has none.
func lowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// FormatMediaType/FormatDisposition return an unfolded header value; parameters
// that are non-ASCII or long use RFC 2231 (charset utf-8, continuations), others are quoted when needed.
//
// FormatMediaType writes "type/subtype" lowercased, then each parameter;
// [ParseMediaType] reads the result back to the same value.
func FormatMediaType(mt MediaType) string {
	var b strings.Builder
	b.WriteString(lowerASCII(mt.Type))
	b.WriteByte('/')
	b.WriteString(lowerASCII(mt.Subtype))
	for _, p := range mt.Params {
		appendParam(&b, p)
	}
	return b.String()
}

// FormatDisposition writes a Content-Disposition value the way
// [FormatMediaType] writes a Content-Type value.
func FormatDisposition(d Disposition) string {
	var b strings.Builder
	b.WriteString(lowerASCII(d.Type))
	for _, p := range d.Params {
		appendParam(&b, p)
	}
	return b.String()
}

// maxParamLine is the room for one "name=value" so that "; name=value"
// fits a 78-column line after folding.
const maxParamLine = 76

// sectionText is how much value text one RFC 2231 section carries.
const sectionText = 60

// sectionBudget is how much value text one RFC 2231 section may carry so
// that " name*i=value;" (plus extra octets of quotes or "*" and charset)
// fits a folded line of 78 columns (RFC 5322 §2.1.1 SHOULD), and never
// less than 16 octets so that an absurdly long name still makes progress.
func sectionBudget(name string, i, extra int) int {
	const line = 76 // leading space and trailing ";" included below
	used := 1 + len(name) + 1 + len(strconv.Itoa(i)) + 1 + extra + 1
	return max(min(sectionText, line-used+2), 16)
}

func appendParam(b *strings.Builder, p Param) {
	name := lowerASCII(p.Name)
	if name == "" {
		return
	}
	v := p.Value
	b.WriteString("; ")
	plain := !strings.Contains(v, "=?") // a quoted "=?" would read back as an RFC 2047 word
	for i := 0; i < len(v) && plain; i++ {
		if c := v[i]; c < ' ' || c >= 0x7f {
			plain = false
		}
	}
	// An empty value cannot be split into sections: it is written whole
	// however long the name.
	if plain && (v == "" || len(name)+1+quotedLen(v) <= maxParamLine) {
		b.WriteString(name)
		b.WriteByte('=')
		writeParamValue(b, v)
		return
	}
	if plain {
		// RFC 2231 §3: long ASCII values as quoted continuations.
		for i := 0; len(v) > 0; i++ {
			n := min(sectionBudget(name, i, 2), len(v))
			if i > 0 {
				b.WriteString("; ")
			}
			b.WriteString(name)
			b.WriteByte('*')
			b.WriteString(strconv.Itoa(i))
			b.WriteByte('=')
			writeQuoted(b, v[:n])
			v = v[n:]
		}
		return
	}
	// RFC 2231 §4: utf-8, percent-encoded, with continuations when long.
	enc := percentEncode(v)
	if len(name)+len("*=utf-8''")+len(enc) <= maxParamLine {
		b.WriteString(name)
		b.WriteString("*=utf-8''")
		b.WriteString(enc)
		return
	}
	for i := 0; len(enc) > 0; i++ {
		extra := 1 // "*" before "="
		if i == 0 {
			extra += len("utf-8''")
		}
		n := min(sectionBudget(name, i, extra), len(enc))
		// Never split a %XX escape.
		if n < len(enc) {
			if enc[n-1] == '%' {
				n--
			} else if n >= 2 && enc[n-2] == '%' {
				n -= 2
			}
		}
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(name)
		b.WriteByte('*')
		b.WriteString(strconv.Itoa(i))
		b.WriteString("*=")
		if i == 0 {
			b.WriteString("utf-8''")
		}
		b.WriteString(enc[:n])
		enc = enc[n:]
	}
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isTokenChar(s[i]) {
			return false
		}
	}
	return true
}

func quotedLen(v string) int {
	if isToken(v) {
		return len(v)
	}
	n := 2 + len(v)
	for i := 0; i < len(v); i++ {
		if v[i] == '"' || v[i] == '\\' {
			n++
		}
	}
	return n
}

func writeParamValue(b *strings.Builder, v string) {
	if isToken(v) {
		b.WriteString(v)
		return
	}
	writeQuoted(b, v)
}

func writeQuoted(b *strings.Builder, v string) {
	b.WriteByte('"')
	for i := 0; i < len(v); i++ {
		if v[i] == '"' || v[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(v[i])
	}
	b.WriteByte('"')
}

// percentEncode escapes every byte that is not an RFC 2231 attribute-char.
func percentEncode(v string) string {
	var b strings.Builder
	b.Grow(len(v) * 3)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if isTokenChar(c) && c != '*' && c != '\'' && c != '%' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(upperhex[c>>4])
		b.WriteByte(upperhex[c&15])
	}
	return b.String()
}

// ParamLanguage returns the RFC 2231 §5 language tag written for the
// parameter called name in a Content-Type or Content-Disposition value
// ("en" in `title*=us-ascii'en'...`), or "" when there is none.
// ParseMediaType and ParseDisposition drop these tags.
func ParamLanguage(value, name string) string {
	_, ps, ok := ParseParamsRaw(value)
	if !ok {
		return ""
	}
	for _, p := range ps {
		n := p.Name
		if len(n) <= len(name) || !equalFoldASCII(n[:len(name)], name) {
			continue
		}
		if suffix := n[len(name):]; suffix != "*" && suffix != "*0*" {
			continue
		}
		a := strings.IndexByte(p.Value, '\'')
		if a < 0 {
			return ""
		}
		b := strings.IndexByte(p.Value[a+1:], '\'')
		if b < 0 {
			return ""
		}
		return p.Value[a+1 : a+1+b]
	}
	return ""
}
