package mime

import (
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/transform"
)

// charsetKind says how a charset name turned out.
type charsetKind int

const (
	charsetUnknown charsetKind = iota // no decoder knows it (the zero value)
	charsetUTF8                       // utf-8 and us-ascii: bytes pass through
	charsetUTF7                       // RFC 2152, decoded here: x/text has no UTF-7
	charsetOther                      // an x/text encoding
)

type charsetEntry struct {
	kind charsetKind
	enc  encoding.Encoding
}

// charsetCache maps a lowercased known charset name to its charsetEntry,
// so the index lookups run once per name. Only known names are stored:
// names come from untrusted input, and the known ones are a finite set.
var (
	charsetMu    sync.RWMutex
	charsetCache = map[string]charsetEntry{
		"utf-8": {kind: charsetUTF8}, "utf8": {kind: charsetUTF8},
		"us-ascii": {kind: charsetUTF8}, "ascii": {kind: charsetUTF8}, "": {kind: charsetUTF8},
		"utf-7": {kind: charsetUTF7}, "utf7": {kind: charsetUTF7},
		"unicode-1-1-utf-7": {kind: charsetUTF7}, "csunicode11utf7": {kind: charsetUTF7},
	}
)

// normCharset strips the quotes, spaces and RFC 2231 §5 "*language"
// suffix real mailers leave on a charset name.
func normCharset(name string) string {
	name = strings.TrimSpace(name)
	name = strings.Trim(name, `"'`)
	if i := strings.IndexByte(name, '*'); i >= 0 {
		name = name[:i]
	}
	return name
}

// lookupCharset finds a charset by name, without allocating once the name
// has been seen.
func lookupCharset(name string) charsetEntry {
	name = normCharset(name)
	var buf [64]byte
	if len(name) <= len(buf) {
		lower := buf[:len(name)]
		for i := 0; i < len(name); i++ {
			c := name[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			lower[i] = c
		}
		charsetMu.RLock()
		e, ok := charsetCache[string(lower)]
		charsetMu.RUnlock()
		if ok {
			return e
		}
	}
	name = strings.ToLower(name)
	var ent charsetEntry
	// The WHATWG labels come first: like every mail reader, they read
	// iso-8859-1 as windows-1252, gb2312 as gbk, euc-kr as windows-949,
	// supersets that decode what mailers really put under those names.
	enc, err := htmlindex.Get(name)
	if err != nil || enc == nil {
		enc, err = ianaindex.MIME.Encoding(name)
	}
	if err != nil || enc == nil {
		enc, err = ianaindex.IANA.Encoding(name)
	}
	if err == nil && enc != nil {
		ent = charsetEntry{kind: charsetOther, enc: enc}
		charsetMu.Lock()
		charsetCache[name] = ent
		charsetMu.Unlock()
	}
	return ent
}

// sameCharset compares two charset names as lookupCharset would.
func sameCharset(a, b string) bool {
	return equalFoldASCII(normCharset(a), normCharset(b))
}

// KnownCharset reports whether [CharsetReader] and [DecodeCharset] can
// decode the named charset.
func KnownCharset(charset string) bool {
	return lookupCharset(charset).kind != charsetUnknown
}

// CharsetReader returns a reader that decodes r from the named charset to
// UTF-8. Names are matched as IANA names and aliases (including the WHATWG
// labels, so "latin1" and "cp1252" work), case-insensitively; "utf-7" is
// decoded per RFC 2152. For "utf-8" and "us-ascii" it returns r itself,
// with no copy. For a charset it does not know it returns r and
// [ErrUnknownCharset], so a caller may read the bytes raw.
func CharsetReader(charset string, r io.Reader) (io.Reader, error) {
	e := lookupCharset(charset)
	switch e.kind {
	case charsetUTF8:
		return r, nil
	case charsetUTF7:
		return transform.NewReader(r, &utf7Decoder{}), nil
	case charsetOther:
		return transform.NewReader(r, e.enc.NewDecoder()), nil
	}
	return r, ErrUnknownCharset
}

// DecodeCharset decodes b from the named charset to UTF-8. For a charset it
// does not know it returns b as a string and [ErrUnknownCharset]. Bytes that
// are invalid in the charset become U+FFFD, except in utf-8 and us-ascii,
// whose bytes pass through unchanged.
func DecodeCharset(charset string, b []byte) (string, error) {
	e := lookupCharset(charset)
	switch e.kind {
	case charsetUTF8:
		return string(b), nil
	case charsetUTF7:
		out, _, err := transform.Bytes(&utf7Decoder{}, b)
		return string(out), err
	case charsetOther:
		out, _, err := transform.Bytes(e.enc.NewDecoder(), b)
		if err != nil {
			return string(b), err
		}
		return string(out), nil
	}
	return string(b), ErrUnknownCharset
}

// utf7Decoder is a transform.Transformer from UTF-7 (RFC 2152) to UTF-8.
// Malformed input becomes U+FFFD; it never fails.
type utf7Decoder struct {
	inB64 bool   // inside a "+...-" shifted sequence
	start bool   // just after '+': a '-' now means a literal '+'
	bits  uint32 // pending base64 bits
	nbits uint
	hi    rune // a pending high surrogate, or 0
}

func (d *utf7Decoder) Reset() { *d = utf7Decoder{} }

func b64val(c byte) int {
	switch {
	case 'A' <= c && c <= 'Z':
		return int(c - 'A')
	case 'a' <= c && c <= 'z':
		return int(c-'a') + 26
	case '0' <= c && c <= '9':
		return int(c-'0') + 52
	case c == '+':
		return 62
	case c == '/':
		return 63
	}
	return -1
}

func (d *utf7Decoder) emit(dst []byte, nDst int, r rune) (int, bool) {
	if d.hi != 0 {
		if 0xDC00 <= r && r <= 0xDFFF {
			r = (d.hi-0xD800)<<10 + (r - 0xDC00) + 0x10000
			d.hi = 0
		} else {
			d.hi = 0
			if nDst+3 > len(dst) {
				return nDst, false
			}
			nDst += utf8.EncodeRune(dst[nDst:], utf8.RuneError)
		}
	}
	if 0xD800 <= r && r <= 0xDBFF {
		d.hi = r
		return nDst, true
	}
	if 0xDC00 <= r && r <= 0xDFFF {
		r = utf8.RuneError
	}
	if nDst+utf8.RuneLen(r) > len(dst) {
		return nDst, false
	}
	return nDst + utf8.EncodeRune(dst[nDst:], r), true
}

// Transform implements transform.Transformer. Each source byte is consumed
// only once there is room for what it produces, so the state stays exact
// across short destination buffers.
func (d *utf7Decoder) Transform(dst, src []byte, atEOF bool) (nDst, nSrc int, err error) {
	for nSrc < len(src) {
		c := src[nSrc]
		if !d.inB64 {
			if c == '+' {
				d.inB64, d.start, d.bits, d.nbits = true, true, 0, 0
				nSrc++
				continue
			}
			if nDst+3 > len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			if c < 0x80 {
				dst[nDst] = c
				nDst++
			} else {
				nDst += utf8.EncodeRune(dst[nDst:], utf8.RuneError)
			}
			nSrc++
			continue
		}
		v := b64val(c)
		if v < 0 {
			// End of the shifted sequence; a '-' is absorbed.
			if nDst+6 > len(dst) {
				return nDst, nSrc, transform.ErrShortDst
			}
			if d.start && c == '-' {
				dst[nDst] = '+'
				nDst++
			} else if d.hi != 0 {
				d.hi = 0
				nDst += utf8.EncodeRune(dst[nDst:], utf8.RuneError)
			}
			d.inB64, d.start = false, false
			if c == '-' {
				nSrc++
			}
			continue
		}
		if nDst+6 > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		d.start = false
		d.bits = d.bits<<6 | uint32(v)
		d.nbits += 6
		if d.nbits >= 16 {
			d.nbits -= 16
			u := rune(d.bits >> d.nbits & 0xFFFF)
			d.bits &= 1<<d.nbits - 1
			nDst, _ = d.emit(dst, nDst, u)
		}
		nSrc++
	}
	if atEOF && d.hi != 0 {
		if nDst+3 > len(dst) {
			return nDst, nSrc, transform.ErrShortDst
		}
		d.hi = 0
		nDst += utf8.EncodeRune(dst[nDst:], utf8.RuneError)
	}
	return nDst, nSrc, nil
}
