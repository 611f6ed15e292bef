package imap

import "strings"

// Flag is a message flag or keyword ("\Seen", "$Forwarded", "Junk").
type Flag string

// System flags (RFC 9051 §2.3.2) and registered keywords.
const (
	FlagSeen     Flag = `\Seen`
	FlagAnswered Flag = `\Answered`
	FlagFlagged  Flag = `\Flagged`
	FlagDeleted  Flag = `\Deleted`
	FlagDraft    Flag = `\Draft`
	// FlagRecent exists only in IMAP4rev1 (RFC 3501).
	FlagRecent Flag = `\Recent`
	// FlagWildcard is "\*" in PERMANENTFLAGS: new keywords may be created.
	FlagWildcard Flag = `\*`

	FlagForwarded Flag = "$Forwarded"
	FlagMDNSent   Flag = "$MDNSent"
	FlagJunk      Flag = "$Junk"
	FlagNotJunk   Flag = "$NotJunk"
	FlagPhishing  Flag = "$Phishing"
	FlagImportant Flag = "$Important"
)

var systemFlags = []Flag{FlagSeen, FlagAnswered, FlagFlagged, FlagDeleted, FlagDraft, FlagRecent, FlagWildcard,
	FlagForwarded, FlagMDNSent, FlagJunk, FlagNotJunk, FlagPhishing, FlagImportant}

// CanonicalFlag returns the flag named by b, spelt canonically when it is a
// system flag ("\SEEN" → "\Seen"). Common flags do not allocate.
func CanonicalFlag(b []byte) Flag {
	for _, f := range systemFlags {
		if len(f) == len(b) && equalFoldBytes(b, string(f)) {
			return f
		}
	}
	return Flag(b)
}

// Equal compares two flags: system flags case-insensitively (RFC 9051
// §2.3.2), keywords too (flag-keyword is an atom, compared without case).
func (f Flag) Equal(g Flag) bool { return strings.EqualFold(string(f), string(g)) }

// HasFlag reports whether flags holds f.
func HasFlag(flags []Flag, f Flag) bool {
	for _, g := range flags {
		if g.Equal(f) {
			return true
		}
	}
	return false
}

func equalFoldBytes(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if 'A' <= x && x <= 'Z' {
			x += 32
		}
		if 'A' <= y && y <= 'Z' {
			y += 32
		}
		if x != y {
			return false
		}
	}
	return true
}

// MailboxAttr is a mailbox attribute in LIST data.
type MailboxAttr string

// Mailbox attributes (RFC 9051 §7.3.1, RFC 5258, RFC 6154 special-use).
const (
	MailboxAttrNonExistent   MailboxAttr = `\NonExistent`
	MailboxAttrNoInferiors   MailboxAttr = `\Noinferiors`
	MailboxAttrNoSelect      MailboxAttr = `\Noselect`
	MailboxAttrHasChildren   MailboxAttr = `\HasChildren`
	MailboxAttrHasNoChildren MailboxAttr = `\HasNoChildren`
	MailboxAttrMarked        MailboxAttr = `\Marked`
	MailboxAttrUnmarked      MailboxAttr = `\Unmarked`
	MailboxAttrSubscribed    MailboxAttr = `\Subscribed`
	MailboxAttrRemote        MailboxAttr = `\Remote`

	MailboxAttrAll       MailboxAttr = `\All`
	MailboxAttrArchive   MailboxAttr = `\Archive`
	MailboxAttrDrafts    MailboxAttr = `\Drafts`
	MailboxAttrFlagged   MailboxAttr = `\Flagged`
	MailboxAttrJunk      MailboxAttr = `\Junk`
	MailboxAttrSent      MailboxAttr = `\Sent`
	MailboxAttrTrash     MailboxAttr = `\Trash`
	MailboxAttrImportant MailboxAttr = `\Important`
)

var knownAttrs = []MailboxAttr{MailboxAttrNonExistent, MailboxAttrNoInferiors, MailboxAttrNoSelect,
	MailboxAttrHasChildren, MailboxAttrHasNoChildren, MailboxAttrMarked, MailboxAttrUnmarked,
	MailboxAttrSubscribed, MailboxAttrRemote, MailboxAttrAll, MailboxAttrArchive, MailboxAttrDrafts,
	MailboxAttrFlagged, MailboxAttrJunk, MailboxAttrSent, MailboxAttrTrash, MailboxAttrImportant}

// CanonicalMailboxAttr returns the attribute named by b in canonical case.
func CanonicalMailboxAttr(b []byte) MailboxAttr {
	for _, a := range knownAttrs {
		if equalFoldBytes(b, string(a)) {
			return a
		}
	}
	return MailboxAttr(b)
}

// IsSpecialUse reports whether a is one of RFC 6154's special-use
// attributes.
func (a MailboxAttr) IsSpecialUse() bool {
	switch a {
	case MailboxAttrAll, MailboxAttrArchive, MailboxAttrDrafts, MailboxAttrFlagged,
		MailboxAttrJunk, MailboxAttrSent, MailboxAttrTrash, MailboxAttrImportant:
		return true
	}
	return false
}
