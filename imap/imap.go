package imap

import (
	"strings"
)

// ConnState is the state of an IMAP connection (RFC 9051 §3).
type ConnState uint8

// Connection states.
const (
	// ConnStateNone is the zero state: no greeting yet.
	ConnStateNone ConnState = iota
	ConnStateNotAuthenticated
	ConnStateAuthenticated
	ConnStateSelected
	ConnStateLogout
)

// String returns the state's name.
func (s ConnState) String() string {
	switch s {
	case ConnStateNotAuthenticated:
		return "not authenticated"
	case ConnStateAuthenticated:
		return "authenticated"
	case ConnStateSelected:
		return "selected"
	case ConnStateLogout:
		return "logout"
	}
	return "none"
}

// UID is a message unique identifier.
type UID uint32

// Cap is a capability name, as sent in CAPABILITY.
type Cap string

// Capabilities.
const (
	CapIMAP4rev1      Cap = "IMAP4rev1"
	CapIMAP4rev2      Cap = "IMAP4rev2"
	CapStartTLS       Cap = "STARTTLS"
	CapLoginDisabled  Cap = "LOGINDISABLED"
	CapSASLIR         Cap = "SASL-IR"
	CapLiteralPlus    Cap = "LITERAL+"
	CapLiteralMinus   Cap = "LITERAL-"
	CapIdle           Cap = "IDLE"
	CapNamespace      Cap = "NAMESPACE"
	CapUnselect       Cap = "UNSELECT"
	CapUIDPlus        Cap = "UIDPLUS"
	CapESearch        Cap = "ESEARCH"
	CapSearchRes      Cap = "SEARCHRES"
	CapEnable         Cap = "ENABLE"
	CapID             Cap = "ID"
	CapMove           Cap = "MOVE"
	CapBinary         Cap = "BINARY"
	CapMultiAppend    Cap = "MULTIAPPEND"
	CapCatenate       Cap = "CATENATE"
	CapCondStore      Cap = "CONDSTORE"
	CapQResync        Cap = "QRESYNC"
	CapSort           Cap = "SORT"
	CapSortDisplay    Cap = "SORT=DISPLAY"
	CapESort          Cap = "ESORT"
	CapContextSort    Cap = "CONTEXT=SORT"
	CapContextSearch  Cap = "CONTEXT=SEARCH"
	CapThreadRefs     Cap = "THREAD=REFERENCES"
	CapThreadOrdSubj  Cap = "THREAD=ORDEREDSUBJECT"
	CapListExtended   Cap = "LIST-EXTENDED"
	CapListStatus     Cap = "LIST-STATUS"
	CapSpecialUse     Cap = "SPECIAL-USE"
	CapCreateSpecial  Cap = "CREATE-SPECIAL-USE"
	CapChildren       Cap = "CHILDREN"
	CapStatusSize     Cap = "STATUS=SIZE"
	CapQuota          Cap = "QUOTA"
	CapQuotaSetRes    Cap = "QUOTASET"
	CapACL            Cap = "ACL"
	CapRights         Cap = "RIGHTS=ektx"
	CapMetadata       Cap = "METADATA"
	CapMetadataServer Cap = "METADATA-SERVER"
	CapNotify         Cap = "NOTIFY"
	CapWithin         Cap = "WITHIN"
	CapPreview        Cap = "PREVIEW"
	CapSaveDate       Cap = "SAVEDATE"
	CapObjectID       Cap = "OBJECTID"
	CapCompress       Cap = "COMPRESS=DEFLATE"
	CapUnauthenticate Cap = "UNAUTHENTICATE"
	CapUTF8Accept     Cap = "UTF8=ACCEPT"
	CapAppendLimit    Cap = "APPENDLIMIT"
	CapGmail          Cap = "X-GM-EXT-1"
	CapXList          Cap = "XLIST"
)

// CapSet is a set of capabilities, compared case-insensitively.
type CapSet map[Cap]struct{}

// NewCapSet builds a set from names.
func NewCapSet(caps ...Cap) CapSet {
	s := make(CapSet, len(caps))
	for _, c := range caps {
		s.Add(c)
	}
	return s
}

// Add adds c.
func (s CapSet) Add(c Cap) { s[Cap(strings.ToUpper(string(c)))] = struct{}{} }

// Has reports whether c is in the set. IMAP4rev2 implies the extensions
// folded into it (RFC 9051 Appendix E).
func (s CapSet) Has(c Cap) bool {
	u := Cap(strings.ToUpper(string(c)))
	if _, ok := s[u]; ok {
		return true
	}
	if _, ok := s[Cap(strings.ToUpper(string(CapIMAP4rev2)))]; ok {
		switch c {
		case CapNamespace, CapUnselect, CapUIDPlus, CapESearch, CapSearchRes,
			CapEnable, CapIdle, CapSASLIR, CapListExtended, CapListStatus,
			CapMove, CapLiteralMinus, CapBinary, CapSpecialUse, CapStatusSize, CapChildren:
			return true
		}
	}
	return false
}

// AuthMechanisms returns the SASL mechanisms advertised as AUTH=...
func (s CapSet) AuthMechanisms() []string {
	var m []string
	for c := range s {
		if strings.HasPrefix(string(c), "AUTH=") {
			m = append(m, string(c[5:]))
		}
	}
	return m
}

// AppendLimit returns the APPENDLIMIT=n value and whether one was given.
func (s CapSet) AppendLimit() (int64, bool) {
	for c := range s {
		if v, ok := strings.CutPrefix(string(c), "APPENDLIMIT="); ok {
			var n int64
			for _, d := range v {
				if d < '0' || d > '9' {
					return 0, false
				}
				n = n*10 + int64(d-'0')
			}
			return n, true
		}
	}
	return 0, false
}

// Names returns the capability names in the set.
func (s CapSet) Names() []Cap {
	out := make([]Cap, 0, len(s))
	for c := range s {
		out = append(out, c)
	}
	return out
}
