package mime

import "errors"

// A DefectKind names one way in which a message departs from the RFCs.
// The decoder records defects and goes on reading; a caller that wants to
// be strict refuses any message that has one.
type DefectKind int

// The defects the decoder recognises.
const (
	// Header block.
	DefectMalformedHeaderLine        DefectKind = iota + 1 // a line with no colon, or an empty field name
	DefectMboxFromLine                                     // a bare "From " line at the top of a header block
	DefectNonASCIIHeader                                   // 8-bit bytes in a header that are not valid UTF-8
	DefectBareCR                                           // a CR not followed by LF (or CR CR LF)
	DefectBareLF                                           // a LF not preceded by CR, where CRLF is required
	DefectMissingHeaderBodySeparator                       // a body line appeared where a header field was due
	DefectHeaderLineTooLong                                // a line longer than 998 octets (RFC 5322 §2.1.1)
	DefectInvalidEncodedWord                               // an RFC 2047 word that could not be decoded
	DefectUnknownCharset                                   // a charset no decoder knows; bytes given raw
	DefectInvalidParameter                                 // a malformed Content-Type or Content-Disposition parameter
	DefectInvalidAddress                                   // an address list that does not parse
	DefectInvalidDate                                      // a date that does not parse
	// Structure.
	DefectMissingBoundary         // multipart without a boundary parameter
	DefectMissingStartBoundary    // no opening boundary line was found
	DefectMissingCloseBoundary    // the body ended before the closing boundary
	DefectBoundaryReused          // a nested part reuses an enclosing boundary
	DefectUnknownTransferEncoding // Content-Transfer-Encoding not understood; body given raw
	DefectInvalidBase64           // junk or bad padding in a base64 body
	DefectInvalidQuotedPrintable  // a bad escape or an over-long line in a quoted-printable body
	DefectForbiddenEncoding       // base64/quoted-printable on a multipart or message/rfc822 part (RFC 2046 §5)
	DefectTooDeep                 // nesting deeper than Limits.MaxDepth; the rest read as one opaque part
	DefectTooManyParts            // more parts than Limits.MaxParts; the rest read as one opaque part
	DefectInvalidMessageID        // a msg-id without angle brackets or "@", or not closed
	DefectHeaderTooLarge          // a part's header block crossed a limit; the rest of the part skipped
)

var defectNames = [...]string{
	DefectMalformedHeaderLine:        "malformed header line",
	DefectMboxFromLine:               "mbox From line",
	DefectNonASCIIHeader:             "invalid 8-bit header",
	DefectBareCR:                     "bare CR",
	DefectBareLF:                     "bare LF",
	DefectMissingHeaderBodySeparator: "missing header/body separator",
	DefectHeaderLineTooLong:          "header line too long",
	DefectInvalidEncodedWord:         "invalid encoded word",
	DefectUnknownCharset:             "unknown charset",
	DefectInvalidParameter:           "invalid parameter",
	DefectInvalidAddress:             "invalid address",
	DefectInvalidDate:                "invalid date",
	DefectMissingBoundary:            "missing boundary parameter",
	DefectMissingStartBoundary:       "missing start boundary",
	DefectMissingCloseBoundary:       "missing close boundary",
	DefectBoundaryReused:             "boundary reused by nested part",
	DefectUnknownTransferEncoding:    "unknown transfer encoding",
	DefectInvalidBase64:              "invalid base64",
	DefectInvalidQuotedPrintable:     "invalid quoted-printable",
	DefectForbiddenEncoding:          "forbidden transfer encoding",
	DefectTooDeep:                    "nesting too deep",
	DefectTooManyParts:               "too many parts",
	DefectInvalidMessageID:           "invalid message-id",
	DefectHeaderTooLarge:             "header block too large",
}

func (k DefectKind) String() string {
	if k > 0 && int(k) < len(defectNames) {
		return defectNames[k]
	}
	return "unknown defect"
}

// A Defect is one departure from the RFCs found while decoding. Detail
// quotes at most 80 bytes of the offending input.
type Defect struct {
	Kind   DefectKind
	Detail string
}

func (d Defect) String() string {
	if d.Detail == "" {
		return d.Kind.String()
	}
	return d.Kind.String() + ": " + d.Detail
}

// Limits bound what the decoder reads. A zero field takes its default.
type Limits struct {
	MaxHeaderBytes  int // one part's header block; default 1 MiB
	MaxHeaderFields int // fields in one header block; default 10,000
	MaxDepth        int // multipart and message/rfc822 nesting; default 64
	MaxParts        int // parts in one message; default 10,000
}

// Default limits, from DESIGN.md.
const (
	DefaultMaxHeaderBytes  = 1 << 20
	DefaultMaxHeaderFields = 10000
	DefaultMaxDepth        = 64
	DefaultMaxParts        = 10000
)

func (l Limits) withDefaults() Limits {
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = DefaultMaxHeaderBytes
	}
	if l.MaxHeaderFields <= 0 {
		l.MaxHeaderFields = DefaultMaxHeaderFields
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxParts <= 0 {
		l.MaxParts = DefaultMaxParts
	}
	return l
}

// Errors returned when a limit is crossed.
var (
	ErrHeaderTooLarge  = errors.New("mime: header block too large")
	ErrTooManyFields   = errors.New("mime: too many header fields")
	ErrTooDeep         = errors.New("mime: parts nested too deeply")
	ErrTooManyParts    = errors.New("mime: too many parts")
	ErrUnknownCharset  = errors.New("mime: unknown charset")
	ErrInvalidAddress  = errors.New("mime: invalid address")
	ErrInvalidDate     = errors.New("mime: invalid date")
	ErrInvalidEncoding = errors.New("mime: invalid transfer encoding")
)
