package mime

import (
	"bytes"
	"encoding/binary"
	"io"
	"math/bits"
	"strings"
)

// Transfer encodings (RFC 2045 §6.1), as written in Content-Transfer-Encoding.
const (
	Encoding7Bit            = "7bit"
	Encoding8Bit            = "8bit"
	EncodingBinary          = "binary"
	EncodingQuotedPrintable = "quoted-printable"
	EncodingBase64          = "base64"
)

// normalizeEncoding lowercases and trims a Content-Transfer-Encoding value
// and drops a trailing comment; "" becomes 7bit (RFC 2045 §6.1).
func normalizeEncoding(v string) string {
	if i := strings.IndexByte(v, '('); i >= 0 {
		v = v[:i]
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return Encoding7Bit
	}
	// The common spellings, without allocating.
	for _, e := range [...]string{Encoding7Bit, Encoding8Bit, EncodingBinary, EncodingQuotedPrintable, EncodingBase64} {
		if strings.EqualFold(v, e) {
			return e
		}
	}
	return strings.ToLower(v)
}

// knownEncoding reports whether enc (normalised) is one of RFC 2045's.
func knownEncoding(enc string) bool {
	switch enc {
	case Encoding7Bit, Encoding8Bit, EncodingBinary, EncodingQuotedPrintable, EncodingBase64:
		return true
	}
	return false
}

// NewDecoder returns a reader that undoes the transfer encoding enc (a
// Content-Transfer-Encoding value, any case) on r. 7bit, 8bit and binary
// bodies, and bodies with an encoding nobody knows, are given as they are;
// ok is false for the unknown ones (RFC 2045 §6.4: the body is then to be
// treated as application/octet-stream).
func NewDecoder(enc string, r io.Reader) (dec io.Reader, ok bool) {
	switch normalizeEncoding(enc) {
	case EncodingBase64:
		return NewBase64Reader(r), true
	case EncodingQuotedPrintable:
		return NewQPReader(r), true
	case Encoding7Bit, Encoding8Bit, EncodingBinary:
		return r, true
	}
	return r, false
}

// NewEncoder returns a writer that applies the transfer encoding enc to
// what is written to it, in [QPText] mode for quoted-printable when text is
// true. 7bit, 8bit and binary write through unchanged (the caller has
// checked that the data fits them; see [ChooseEncoding]). Close must be
// called to end the data; it does not close w.
func NewEncoder(enc string, w io.Writer, text bool) io.WriteCloser {
	switch normalizeEncoding(enc) {
	case EncodingBase64:
		return NewBase64Writer(w)
	case EncodingQuotedPrintable:
		mode := QPBinary
		if text {
			mode = QPText
		}
		return NewQPWriter(w, mode)
	}
	return nopCloser{w}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// EncodingOptions says what a transport accepts beyond 7-bit.
type EncodingOptions struct {
	// Allow8Bit permits 8bit for text with lines of at most 998 octets
	// (SMTP 8BITMIME, RFC 6152).
	Allow8Bit bool
	// AllowBinary permits binary for anything (SMTP BINARYMIME, RFC 3030).
	AllowBinary bool
}

// ChooseEncoding picks the transfer encoding for data: 7bit when it already
// is 7-bit text with lines of at most 998 octets (for text, LF line ends
// count as line breaks since a writer makes them CRLF; for other data only
// CRLF does, and a lone CR or LF forces an encoding), 8bit or binary when
// opts allow them and the data needs them, else quoted-printable for text
// that is mostly ASCII and base64 for everything else.
func ChooseEncoding(data []byte, text bool, opts EncodingOptions) string {
	if !text {
		// Most attachments are binary: the first word tells.
		if hasHighBit(data) || bytes.IndexByte(data, 0) >= 0 {
			if opts.AllowBinary {
				return EncodingBinary
			}
			return EncodingBase64
		}
		bareEOL, long := lineShape(data)
		switch {
		case !bareEOL && !long:
			return Encoding7Bit
		case opts.AllowBinary:
			return EncodingBinary
		}
		return EncodingBase64
	}
	high := countHighBits(data)
	nul := bytes.IndexByte(data, 0) >= 0
	bareCR := hasBareCR(data)
	_, long := lineShape(data)
	switch {
	case !nul && !bareCR && !long && high == 0:
		return Encoding7Bit
	case opts.Allow8Bit && !nul && !bareCR && !long:
		return Encoding8Bit
	case opts.AllowBinary:
		return EncodingBinary
	case high*6 <= len(data): // mostly ASCII
		return EncodingQuotedPrintable
	}
	return EncodingBase64
}

const highBits = 0x8080808080808080

// hasHighBit reports whether data holds a byte above 0x7f, eight at a time.
func hasHighBit(data []byte) bool {
	i := 0
	for ; i+8 <= len(data); i += 8 {
		if binary.LittleEndian.Uint64(data[i:])&highBits != 0 {
			return true
		}
	}
	for ; i < len(data); i++ {
		if data[i] >= 0x80 {
			return true
		}
	}
	return false
}

// countHighBits counts the bytes above 0x7f, eight at a time.
func countHighBits(data []byte) int {
	n, i := 0, 0
	for ; i+8 <= len(data); i += 8 {
		n += bits.OnesCount64(binary.LittleEndian.Uint64(data[i:]) & highBits)
	}
	for ; i < len(data); i++ {
		if data[i] >= 0x80 {
			n++
		}
	}
	return n
}

// lineShape reports whether data has a CR or LF that is not part of a
// CRLF, and whether a line is longer than 998 octets (RFC 5322 §2.1.1).
func lineShape(data []byte) (bareEOL, long bool) {
	rest := data
	for {
		i := bytes.IndexByte(rest, '\n')
		line := rest
		if i >= 0 {
			line = rest[:i]
			if i == 0 || rest[i-1] != '\r' {
				bareEOL = true
			} else {
				line = rest[:i-1]
			}
		}
		if len(line) > 998 {
			long = true
		}
		if bytes.IndexByte(line, '\r') >= 0 {
			bareEOL = true
		}
		if i < 0 {
			return bareEOL, long
		}
		rest = rest[i+1:]
	}
}

// hasBareCR reports whether data has a CR not followed by LF.
func hasBareCR(data []byte) bool {
	for {
		i := bytes.IndexByte(data, '\r')
		if i < 0 {
			return false
		}
		if i+1 >= len(data) || data[i+1] != '\n' {
			return true
		}
		data = data[i+2:]
	}
}
