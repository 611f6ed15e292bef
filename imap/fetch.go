package imap

import (
	"strconv"
	"strings"

	"github.com/mailwire/mailwire/internal/imapwire"
)

// PartSpecifier is the text part of a body section (RFC 9051 §6.4.5).
type PartSpecifier string

// Part specifiers.
const (
	PartSpecifierNone            PartSpecifier = ""
	PartSpecifierHeader          PartSpecifier = "HEADER"
	PartSpecifierHeaderFields    PartSpecifier = "HEADER.FIELDS"
	PartSpecifierHeaderFieldsNot PartSpecifier = "HEADER.FIELDS.NOT"
	PartSpecifierText            PartSpecifier = "TEXT"
	PartSpecifierMIME            PartSpecifier = "MIME"
)

// SectionPartial is "<offset.size>" in a request; in a response only the
// offset is sent and Size is -1.
type SectionPartial struct {
	Offset, Size int64
}

// FetchItemBodySection is BODY[section]<partial> (or BODY.PEEK, or the
// legacy RFC822, RFC822.HEADER and RFC822.TEXT when Legacy is set).
type FetchItemBodySection struct {
	Specifier    PartSpecifier
	Part         []int
	HeaderFields []string
	Partial      *SectionPartial
	Peek         bool
}

// FetchItemBinarySection is BINARY[part]<partial> (RFC 3516).
type FetchItemBinarySection struct {
	Part    []int
	Partial *SectionPartial
	Peek    bool
}

// FetchItemBinarySectionSize is BINARY.SIZE[part] (RFC 3516).
type FetchItemBinarySectionSize struct {
	Part []int
}

// FetchOptions lists the items a FETCH asks for (RFC 9051 §6.4.5).
type FetchOptions struct {
	Flags         bool
	Envelope      bool
	InternalDate  bool
	RFC822Size    bool
	UID           bool
	BodyStructure bool // BODYSTRUCTURE (extensible)
	Body          bool // BODY (non-extensible body structure)
	ModSeq        bool // RFC 7162
	SaveDate      bool // RFC 8514
	EmailID       bool // RFC 8474
	ThreadID      bool // RFC 8474
	Preview       bool // RFC 8970
	PreviewLazy   bool // PREVIEW (LAZY)

	// Legacy IMAP4rev1 items (RFC 3501).
	RFC822, RFC822Header, RFC822Text bool

	GmailMsgID, GmailThrID, GmailLabels bool // X-GM-EXT-1

	BodySection       []*FetchItemBodySection
	BinarySection     []*FetchItemBinarySection
	BinarySectionSize []*FetchItemBinarySectionSize

	// Other holds further items verbatim (a vendor extension's names).
	Other []string

	// Modifiers (RFC 7162): CHANGEDSINCE and, on UID FETCH, VANISHED.
	ChangedSince uint64
	Vanished     bool
}

func writePart(b *strings.Builder, part []int) {
	for i, p := range part {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.Itoa(p))
	}
}

func (s *FetchItemBodySection) section(b *strings.Builder) {
	b.WriteByte('[')
	writePart(b, s.Part)
	if s.Specifier != PartSpecifierNone {
		if len(s.Part) > 0 {
			b.WriteByte('.')
		}
		b.WriteString(string(s.Specifier))
		if s.Specifier == PartSpecifierHeaderFields || s.Specifier == PartSpecifierHeaderFieldsNot {
			b.WriteString(" (")
			for i, f := range s.HeaderFields {
				if i > 0 {
					b.WriteByte(' ')
				}
				if imapwire.IsAString(f) {
					b.WriteString(f)
				} else {
					// An IMAP quoted string (RFC 9051 §9): only '"' and
					// '\' are escaped. strconv.Quote's \x92 and \t are
					// Go, not IMAP.
					b.WriteByte('"')
					for i := 0; i < len(f); i++ {
						if f[i] == '"' || f[i] == '\\' {
							b.WriteByte('\\')
						}
						b.WriteByte(f[i])
					}
					b.WriteByte('"')
				}
			}
			b.WriteByte(')')
		}
	}
	b.WriteByte(']')
}

// String returns the item as a client sends it:
// "BODY.PEEK[1.2.HEADER.FIELDS (From)]<0.1024>".
func (s *FetchItemBodySection) String() string {
	var b strings.Builder
	b.WriteString("BODY")
	if s.Peek {
		b.WriteString(".PEEK")
	}
	s.section(&b)
	if s.Partial != nil {
		b.WriteByte('<')
		b.WriteString(strconv.FormatInt(s.Partial.Offset, 10))
		b.WriteByte('.')
		b.WriteString(strconv.FormatInt(s.Partial.Size, 10))
		b.WriteByte('>')
	}
	return b.String()
}

// ResponseName returns the item's name as a server answers it
// (RFC 9051 §7.5.2): no PEEK, only the partial's offset.
func (s *FetchItemBodySection) ResponseName() string {
	var b strings.Builder
	b.WriteString("BODY")
	s.section(&b)
	if s.Partial != nil {
		b.WriteByte('<')
		b.WriteString(strconv.FormatInt(s.Partial.Offset, 10))
		b.WriteByte('>')
	}
	return b.String()
}

// String returns the item as a client sends it.
func (s *FetchItemBinarySection) String() string {
	var b strings.Builder
	b.WriteString("BINARY")
	if s.Peek {
		b.WriteString(".PEEK")
	}
	b.WriteByte('[')
	writePart(&b, s.Part)
	b.WriteByte(']')
	if s.Partial != nil {
		b.WriteString("<" + strconv.FormatInt(s.Partial.Offset, 10) + "." + strconv.FormatInt(s.Partial.Size, 10) + ">")
	}
	return b.String()
}

// ResponseName returns the item's name as a server answers it.
func (s *FetchItemBinarySection) ResponseName() string {
	var b strings.Builder
	b.WriteString("BINARY[")
	writePart(&b, s.Part)
	b.WriteByte(']')
	if s.Partial != nil {
		b.WriteString("<" + strconv.FormatInt(s.Partial.Offset, 10) + ">")
	}
	return b.String()
}

// String returns "BINARY.SIZE[part]".
func (s *FetchItemBinarySectionSize) String() string {
	var b strings.Builder
	b.WriteString("BINARY.SIZE[")
	writePart(&b, s.Part)
	b.WriteByte(']')
	return b.String()
}

// Items returns the item names in request form.
func (o *FetchOptions) Items() []string {
	if o == nil {
		return nil
	}
	var items []string
	add := func(ok bool, name string) {
		if ok {
			items = append(items, name)
		}
	}
	add(o.UID, "UID")
	add(o.Flags, "FLAGS")
	add(o.InternalDate, "INTERNALDATE")
	add(o.RFC822Size, "RFC822.SIZE")
	add(o.Envelope, "ENVELOPE")
	add(o.BodyStructure, "BODYSTRUCTURE")
	add(o.Body, "BODY")
	add(o.ModSeq, "MODSEQ")
	add(o.SaveDate, "SAVEDATE")
	add(o.EmailID, "EMAILID")
	add(o.ThreadID, "THREADID")
	add(o.Preview && !o.PreviewLazy, "PREVIEW")
	add(o.PreviewLazy, "PREVIEW (LAZY)")
	add(o.RFC822, "RFC822")
	add(o.RFC822Header, "RFC822.HEADER")
	add(o.RFC822Text, "RFC822.TEXT")
	add(o.GmailMsgID, "X-GM-MSGID")
	add(o.GmailThrID, "X-GM-THRID")
	add(o.GmailLabels, "X-GM-LABELS")
	for _, s := range o.BodySection {
		items = append(items, s.String())
	}
	for _, s := range o.BinarySection {
		items = append(items, s.String())
	}
	for _, s := range o.BinarySectionSize {
		items = append(items, s.String())
	}
	items = append(items, o.Other...)
	return items
}

// WriteFetchOptions writes the item list and the modifiers of a FETCH.
func WriteFetchOptions(enc *imapwire.Encoder, o *FetchOptions) {
	items := o.Items()
	if len(items) == 1 {
		enc.Atom(items[0])
	} else {
		enc.List(len(items), func(i int) { enc.Atom(items[i]) })
	}
	if o.ChangedSince > 0 || o.Vanished {
		enc.SP().Special('(')
		sp := false
		if o.ChangedSince > 0 {
			enc.Atom("CHANGEDSINCE").SP().Number64(o.ChangedSince)
			sp = true
		}
		if o.Vanished {
			if sp {
				enc.SP()
			}
			enc.Atom("VANISHED")
		}
		enc.Special(')')
	}
}

// ReadFetchOptions reads a FETCH's item list (a macro, one item or a
// list) and its optional modifiers, as a server does.
func ReadFetchOptions(dec *imapwire.Decoder, o *FetchOptions) bool {
	if !dec.List(func() error {
		readFetchAtt(dec, o)
		return nil
	}) {
		if dec.Err() != nil || !readFetchAtt(dec, o) {
			return false
		}
	}
	if dec.SP() {
		return dec.ExpectList(func() error {
			var name string
			if !dec.ExpectAtom(&name) {
				return nil
			}
			switch strings.ToUpper(name) {
			case "CHANGEDSINCE":
				if dec.ExpectSP() && !dec.ModSeq(&o.ChangedSince) {
					dec.Fail(&imapwire.SyntaxError{Want: "mod-sequence"})
				}
				o.ModSeq = true // RFC 7162 §3.1.4.1: implies MODSEQ
			case "VANISHED":
				o.Vanished = true
			default:
				dec.Fail(&imapwire.SyntaxError{Want: "fetch modifier", Near: name})
			}
			return nil
		})
	}
	return dec.Err() == nil
}

func readFetchAtt(dec *imapwire.Decoder, o *FetchOptions) bool {
	name := dec.NameBytes()
	if name == nil {
		return dec.ExpectAtom(new(string))
	}
	up := strings.ToUpper(string(name))
	switch up {
	case "ALL":
		o.Flags, o.InternalDate, o.RFC822Size, o.Envelope = true, true, true, true
	case "FAST":
		o.Flags, o.InternalDate, o.RFC822Size = true, true, true
	case "FULL":
		o.Flags, o.InternalDate, o.RFC822Size, o.Envelope, o.Body = true, true, true, true, true
	case "UID":
		o.UID = true
	case "FLAGS":
		o.Flags = true
	case "INTERNALDATE":
		o.InternalDate = true
	case "RFC822.SIZE":
		o.RFC822Size = true
	case "ENVELOPE":
		o.Envelope = true
	case "BODYSTRUCTURE":
		o.BodyStructure = true
	case "MODSEQ":
		o.ModSeq = true
	case "SAVEDATE":
		o.SaveDate = true
	case "EMAILID":
		o.EmailID = true
	case "THREADID":
		o.ThreadID = true
	case "PREVIEW":
		o.Preview = true
		if dec.SP() {
			// RFC 8970 §3: PREVIEW (LAZY)
			dec.ExpectList(func() error {
				var m string
				if dec.ExpectAtom(&m) && strings.EqualFold(m, "LAZY") {
					o.PreviewLazy = true
				}
				return nil
			})
		}
	case "RFC822":
		o.RFC822 = true
	case "RFC822.HEADER":
		o.RFC822Header = true
	case "RFC822.TEXT":
		o.RFC822Text = true
	case "X-GM-MSGID":
		o.GmailMsgID = true
	case "X-GM-THRID":
		o.GmailThrID = true
	case "X-GM-LABELS":
		o.GmailLabels = true
	case "BODY", "BODY.PEEK":
		c, _ := dec.PeekByte()
		if c != '[' {
			if up == "BODY.PEEK" {
				return dec.Fail(&imapwire.SyntaxError{Want: "section", Near: up})
			}
			o.Body = true
			return true
		}
		s := &FetchItemBodySection{Peek: up == "BODY.PEEK"}
		if !ReadSection(dec, s) {
			return false
		}
		if dec.Special('<') {
			s.Partial = &SectionPartial{}
			var size uint32
			var off uint32
			if !dec.ExpectNumber(&off) || !dec.ExpectSpecial('.') || !dec.ExpectNumber(&size) || !dec.ExpectSpecial('>') {
				return false
			}
			s.Partial.Offset, s.Partial.Size = int64(off), int64(size)
		}
		o.BodySection = append(o.BodySection, s)
	case "BINARY", "BINARY.PEEK", "BINARY.SIZE":
		part, ok := readBinaryPart(dec)
		if !ok {
			return false
		}
		if up == "BINARY.SIZE" {
			o.BinarySectionSize = append(o.BinarySectionSize, &FetchItemBinarySectionSize{Part: part})
			return true
		}
		s := &FetchItemBinarySection{Part: part, Peek: up == "BINARY.PEEK"}
		if dec.Special('<') {
			var off, size uint32
			if !dec.ExpectNumber(&off) || !dec.ExpectSpecial('.') || !dec.ExpectNumber(&size) || !dec.ExpectSpecial('>') {
				return false
			}
			s.Partial = &SectionPartial{Offset: int64(off), Size: int64(size)}
		}
		o.BinarySection = append(o.BinarySection, s)
	default:
		return dec.Fail(&imapwire.SyntaxError{Want: "fetch item", Near: up})
	}
	return true
}

func readBinaryPart(dec *imapwire.Decoder) ([]int, bool) {
	if !dec.ExpectSpecial('[') {
		return nil, false
	}
	var part []int
	for {
		var n uint32
		if !dec.Number(&n) {
			break
		}
		part = append(part, int(n))
		if !dec.Special('.') {
			break
		}
	}
	return part, dec.ExpectSpecial(']')
}

// ReadSection reads "[" section-spec "]" into s (its Specifier, Part and
// HeaderFields).
func ReadSection(dec *imapwire.Decoder, s *FetchItemBodySection) bool {
	if !dec.ExpectSpecial('[') {
		return false
	}
	if dec.Special(']') {
		return true
	}
	tok := dec.AtomBytes()
	if tok == nil {
		return dec.ExpectSpecial(']')
	}
	spec := string(tok)
	for spec != "" {
		i := 0
		for i < len(spec) && spec[i] >= '0' && spec[i] <= '9' {
			i++
		}
		if i == 0 {
			break
		}
		n, err := strconv.Atoi(spec[:i])
		if err != nil || n == 0 {
			return dec.Fail(&imapwire.SyntaxError{Want: "section-part", Near: spec})
		}
		s.Part = append(s.Part, n)
		spec = spec[i:]
		if spec == "" {
			break
		}
		if spec[0] != '.' {
			return dec.Fail(&imapwire.SyntaxError{Want: "section-part", Near: spec})
		}
		spec = spec[1:]
	}
	switch PartSpecifier(strings.ToUpper(spec)) {
	case PartSpecifierNone:
	case PartSpecifierHeader:
		s.Specifier = PartSpecifierHeader
	case PartSpecifierText:
		s.Specifier = PartSpecifierText
	case PartSpecifierMIME:
		if len(s.Part) == 0 {
			return dec.Fail(&imapwire.SyntaxError{Want: "section-part before MIME", Near: spec})
		}
		s.Specifier = PartSpecifierMIME
	case PartSpecifierHeaderFields, PartSpecifierHeaderFieldsNot:
		s.Specifier = PartSpecifier(strings.ToUpper(spec))
		if !dec.ExpectSP() || !dec.ExpectList(func() error {
			var f string
			if dec.ExpectAString(&f) {
				s.HeaderFields = append(s.HeaderFields, f)
			}
			return nil
		}) {
			return false
		}
	default:
		return dec.Fail(&imapwire.SyntaxError{Want: "section-text", Near: spec})
	}
	return dec.ExpectSpecial(']')
}
