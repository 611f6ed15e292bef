package mime

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

// maxMessageIDs bounds the ids read from one References field.
const maxMessageIDs = 10000

// ParseMessageIDList parses the value of Message-ID, In-Reply-To or
// References (RFC 5322 §3.6.4) and returns each msg-id without its angle
// brackets ("id-left@id-right"), in order.
//
// It is tolerant: folding whitespace and comments inside an id are removed
// (the obsolete §4.5.4 forms), the phrases of obs-in-reply-to are skipped,
// and an id written without brackets ("abc@example.com", or one "<" never
// closed) is still returned, with a [Defect] of kind DefectInvalidMessageID.
func ParseMessageIDList(s string) ([]string, []Defect) {
	var (
		ids     []string
		defects []Defect
	)
	bad := func(d string) {
		if len(defects) < 64 {
			defects = append(defects, Defect{Kind: DefectInvalidMessageID, Detail: quoteDetail(d)})
		}
	}
	i := 0
	for i < len(s) && len(ids) < maxMessageIDs {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',':
			i++
		case c == '(':
			p := addrParser{s: s, i: i}
			p.commentText()
			i = p.i
		case c == '"':
			p := addrParser{s: s, i: i}
			p.quoted()
			i = p.i
		case c == '<':
			end := strings.IndexByte(s[i+1:], '>')
			var id string
			if end < 0 {
				// Never closed: up to the next whitespace.
				rest := s[i+1:]
				k := strings.IndexAny(rest, " \t\r\n<")
				if k < 0 {
					k = len(rest)
				}
				id, i = rest[:k], i+1+k
				bad("unclosed msg-id: " + id)
			} else {
				id, i = s[i+1:i+1+end], i+1+end+1
			}
			id = cleanID(id)
			if id == "" {
				bad("empty msg-id")
				continue
			}
			if !strings.Contains(id, "@") {
				bad("msg-id without '@': " + id)
			}
			ids = append(ids, id)
		default:
			// A bare word: an id without brackets if it has an "@",
			// else part of an obs-in-reply-to phrase.
			k := i
			for k < len(s) && !strings.ContainsRune(" \t\r\n,<(\"", rune(s[k])) {
				k++
			}
			w := s[i:k]
			i = k
			if strings.Contains(w, "@") {
				bad("msg-id without brackets: " + w)
				ids = append(ids, w)
			}
		}
	}
	if len(ids) >= maxMessageIDs && i < len(s) {
		bad("too many msg-ids")
	}
	return ids, defects
}

// cleanID drops the whitespace and comments that the obsolete syntax
// allows around the parts of an id.
func cleanID(id string) string {
	if !strings.ContainsAny(id, " \t\r\n(") {
		return id
	}
	var b strings.Builder
	p := addrParser{s: id}
	for p.i < len(id) {
		switch c := id[p.i]; c {
		case ' ', '\t', '\r', '\n':
			p.i++
		case '(':
			p.commentText()
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return b.String()
}

// FormatMessageIDList formats ids (without brackets) as a space-separated
// msg-id list for Message-ID, In-Reply-To or References.
func FormatMessageIDList(ids []string) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteByte('<')
		b.WriteString(id)
		b.WriteByte('>')
	}
	return b.String()
}

var idEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewMessageID returns a fresh msg-id for host, without brackets: 128
// random bits, base32, "@" host (RFC 5322 §3.6.4 asks that it be unique).
func NewMessageID(host string) string {
	var r [16]byte
	_, _ = rand.Read(r[:])
	if host == "" {
		host = "localhost"
	}
	return strings.ToLower(idEncoding.EncodeToString(r[:])) + "@" + host
}
