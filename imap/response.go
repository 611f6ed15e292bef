package imap

import (
	"fmt"
	"strings"

	"github.com/mailwire/mailwire/internal/imapwire"
)

// StatusResponseType is the kind of a status response.
type StatusResponseType string

// Status response kinds (RFC 9051 §7.1).
const (
	StatusOK      StatusResponseType = "OK"
	StatusNO      StatusResponseType = "NO"
	StatusBAD     StatusResponseType = "BAD"
	StatusBYE     StatusResponseType = "BYE"
	StatusPREAUTH StatusResponseType = "PREAUTH"
)

// ResponseCode is the atom of a response code ("[TRYCREATE]").
type ResponseCode string

// Response codes (RFC 9051 §7.1, RFC 5530 and the extensions).
const (
	CodeAlert                ResponseCode = "ALERT"
	CodeAlreadyExists        ResponseCode = "ALREADYEXISTS"
	CodeAppendUID            ResponseCode = "APPENDUID"
	CodeAuthenticationFailed ResponseCode = "AUTHENTICATIONFAILED"
	CodeAuthorizationFailed  ResponseCode = "AUTHORIZATIONFAILED"
	CodeBadCharset           ResponseCode = "BADCHARSET"
	CodeCannot               ResponseCode = "CANNOT"
	CodeCapability           ResponseCode = "CAPABILITY"
	CodeClientBug            ResponseCode = "CLIENTBUG"
	CodeClosed               ResponseCode = "CLOSED"
	CodeContactAdmin         ResponseCode = "CONTACTADMIN"
	CodeCopyUID              ResponseCode = "COPYUID"
	CodeCorruption           ResponseCode = "CORRUPTION"
	CodeExpired              ResponseCode = "EXPIRED"
	CodeExpungeIssued        ResponseCode = "EXPUNGEISSUED"
	CodeHasChildren          ResponseCode = "HASCHILDREN"
	CodeInUse                ResponseCode = "INUSE"
	CodeLimit                ResponseCode = "LIMIT"
	CodeNonExistent          ResponseCode = "NONEXISTENT"
	CodeNoPerm               ResponseCode = "NOPERM"
	CodeOverQuota            ResponseCode = "OVERQUOTA"
	CodeParse                ResponseCode = "PARSE"
	CodePermanentFlags       ResponseCode = "PERMANENTFLAGS"
	CodePrivacyRequired      ResponseCode = "PRIVACYREQUIRED"
	CodeReadOnly             ResponseCode = "READ-ONLY"
	CodeReadWrite            ResponseCode = "READ-WRITE"
	CodeServerBug            ResponseCode = "SERVERBUG"
	CodeTryCreate            ResponseCode = "TRYCREATE"
	CodeUIDNext              ResponseCode = "UIDNEXT"
	CodeUIDValidity          ResponseCode = "UIDVALIDITY"
	CodeUnavailable          ResponseCode = "UNAVAILABLE"
	CodeUnknownCTE           ResponseCode = "UNKNOWN-CTE"
	CodeUnseen               ResponseCode = "UNSEEN"
	CodeUIDNotSticky         ResponseCode = "UIDNOTSTICKY"
	CodeHighestModSeq        ResponseCode = "HIGHESTMODSEQ"
	CodeNoModSeq             ResponseCode = "NOMODSEQ"
	CodeModified             ResponseCode = "MODIFIED"
	CodeCompressionActive    ResponseCode = "COMPRESSIONACTIVE"
	CodeMailboxID            ResponseCode = "MAILBOXID"
	CodeMetadata             ResponseCode = "METADATA"
	CodeNotSaved             ResponseCode = "NOTSAVED"
	CodeUseAttr              ResponseCode = "USEATTR"
	CodeTooBig               ResponseCode = "TOOBIG"
	CodeBadComparator        ResponseCode = "BADCOMPARATOR"
	CodeBadEvent             ResponseCode = "BADEVENT"
	CodeNotificationOverflow ResponseCode = "NOTIFICATIONOVERFLOW"
	CodeNoUpdate             ResponseCode = "NOUPDATE"
)

// StatusResponse is an OK, NO, BAD, BYE or PREAUTH response with its
// optional response code. CodeArg holds what follows the code's atom
// inside the brackets, as sent (parse it with the Parse* helpers).
type StatusResponse struct {
	Type    StatusResponseType
	Code    ResponseCode
	CodeArg string
	Text    string
}

// Error is a status response that reports a failure: a tagged NO or BAD,
// or a BYE. A server backend may return one to choose the reply.
type Error StatusResponse

// Error formats the response: "imap: NO [CODE arg] text".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("imap: ")
	b.WriteString(string(e.Type))
	if e.Code != "" {
		b.WriteString(" [")
		b.WriteString(string(e.Code))
		if e.CodeArg != "" {
			b.WriteByte(' ')
			b.WriteString(e.CodeArg)
		}
		b.WriteByte(']')
	}
	if e.Text != "" {
		b.WriteByte(' ')
		b.WriteString(e.Text)
	}
	return b.String()
}

// Err returns the response as an *Error when it reports a failure, nil
// for OK and PREAUTH.
func (r *StatusResponse) Err() error {
	switch r.Type {
	case StatusOK, StatusPREAUTH:
		return nil
	}
	e := Error(*r)
	return &e
}

// ReadRespText reads resp-text (RFC 9051 §9: ["[" resp-text-code "]" SP]
// text) up to the CRLF, which is left unread. Servers that omit the text,
// or the space before it, are tolerated.
func ReadRespText(dec *imapwire.Decoder, r *StatusResponse) bool {
	if dec.Special('[') {
		name := dec.AtomBytes()
		if name == nil {
			return dec.ExpectAtom(new(string))
		}
		r.Code = ResponseCode(strings.ToUpper(string(name)))
		if dec.SP() {
			arg, ok := readCodeArg(dec)
			if !ok {
				return false
			}
			r.CodeArg = arg
		}
		if !dec.ExpectSpecial(']') {
			return false
		}
		dec.SP()
	}
	text := dec.Text()
	if dec.Err() != nil {
		return false
	}
	r.Text = string(text)
	return true
}

// readCodeArg reads up to the closing "]", keeping quoted strings whole.
func readCodeArg(dec *imapwire.Decoder) (string, bool) {
	var b []byte
	depth := 0
	for {
		c, ok := dec.PeekByte()
		if !ok {
			return "", false
		}
		switch {
		case c == '"':
			q, ok := dec.QuotedBytes()
			if !ok {
				return "", false
			}
			b = append(b, '"')
			for _, x := range q {
				if x == '"' || x == '\\' {
					b = append(b, '\\')
				}
				b = append(b, x)
			}
			b = append(b, '"')
			continue
		case c == ']' && depth == 0:
			return string(b), true
		case c == '\r' || c == '\n':
			return "", dec.ExpectSpecial(']')
		case c == '(':
			depth++
		case c == ')':
			depth--
		}
		dec.Special(c)
		b = append(b, c)
	}
}

// WriteRespText writes resp-text: the code in brackets when there is one,
// then the text (RFC 9051 §9: text is at least one character, so an empty
// text is sent as the type's name).
func WriteRespText(enc *imapwire.Encoder, r *StatusResponse) {
	if r.Code != "" {
		enc.Special('[').Atom(string(r.Code))
		if r.CodeArg != "" {
			enc.SP().Raw(r.CodeArg)
		}
		enc.Raw("] ")
	}
	text := r.Text
	if text == "" {
		text = string(r.Type)
		if text == "" {
			text = "OK"
		}
	}
	// Text must not carry CR or LF.
	text = strings.Map(func(r rune) rune {
		if r == '\r' || r == '\n' {
			return ' '
		}
		return r
	}, text)
	enc.Raw(text)
}

// AppendUIDData is the APPENDUID response code (RFC 4315 §3).
type AppendUIDData struct {
	UIDValidity uint32
	UIDs        UIDSet
}

// ParseAppendUID parses an APPENDUID code argument.
func ParseAppendUID(arg string) (*AppendUIDData, error) {
	v, rest, ok := strings.Cut(arg, " ")
	if !ok {
		return nil, fmt.Errorf("imap: malformed APPENDUID %q", arg)
	}
	n, err := parseUint32(v)
	if err != nil {
		return nil, err
	}
	set, err := ParseUIDSet(rest)
	if err != nil {
		return nil, err
	}
	return &AppendUIDData{UIDValidity: n, UIDs: set}, nil
}

// CopyUIDData is the COPYUID response code (RFC 4315 §3).
type CopyUIDData struct {
	UIDValidity uint32
	SourceUIDs  UIDSet
	DestUIDs    UIDSet
}

// ParseCopyUID parses a COPYUID code argument.
func ParseCopyUID(arg string) (*CopyUIDData, error) {
	f := strings.Fields(arg)
	if len(f) != 3 {
		return nil, fmt.Errorf("imap: malformed COPYUID %q", arg)
	}
	n, err := parseUint32(f[0])
	if err != nil {
		return nil, err
	}
	src, err := ParseUIDSet(f[1])
	if err != nil {
		return nil, err
	}
	dst, err := ParseUIDSet(f[2])
	if err != nil {
		return nil, err
	}
	return &CopyUIDData{UIDValidity: n, SourceUIDs: src, DestUIDs: dst}, nil
}

// String formats a COPYUID code argument.
func (d *CopyUIDData) String() string {
	return fmt.Sprintf("%d %s %s", d.UIDValidity, d.SourceUIDs, d.DestUIDs)
}

// String formats an APPENDUID code argument.
func (d *AppendUIDData) String() string {
	return fmt.Sprintf("%d %s", d.UIDValidity, d.UIDs)
}

// ParseCodeNumber parses the number argument of UIDNEXT, UIDVALIDITY,
// UNSEEN and similar codes.
func ParseCodeNumber(arg string) (uint32, error) { return parseUint32(strings.TrimSpace(arg)) }

// ParseCodeNumber64 parses the argument of HIGHESTMODSEQ and APPENDLIMIT.
func ParseCodeNumber64(arg string) (uint64, error) {
	var n uint64
	arg = strings.TrimSpace(arg)
	if arg == "" {
		return 0, fmt.Errorf("imap: missing number")
	}
	for i := 0; i < len(arg); i++ {
		c := arg[i]
		if c < '0' || c > '9' || n > (1<<63-1)/10 {
			return 0, fmt.Errorf("imap: bad number %q", arg)
		}
		n = n*10 + uint64(c-'0')
	}
	return n, nil
}

// ParseCodeList splits a parenthesised code argument such as
// PERMANENTFLAGS or BADCHARSET into its atoms (quoted ones unquoted).
func ParseCodeList(arg string) []string {
	arg = strings.TrimSpace(arg)
	arg = strings.TrimPrefix(arg, "(")
	arg = strings.TrimSuffix(arg, ")")
	var out []string
	for len(arg) > 0 {
		arg = strings.TrimLeft(arg, " ")
		if arg == "" {
			break
		}
		if arg[0] == '"' {
			var b strings.Builder
			i := 1
			for ; i < len(arg) && arg[i] != '"'; i++ {
				if arg[i] == '\\' && i+1 < len(arg) {
					i++
				}
				b.WriteByte(arg[i])
			}
			out = append(out, b.String())
			if i < len(arg) {
				i++
			}
			arg = arg[i:]
			continue
		}
		j := strings.IndexByte(arg, ' ')
		if j < 0 {
			j = len(arg)
		}
		out = append(out, arg[:j])
		arg = arg[j:]
	}
	return out
}
