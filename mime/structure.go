package mime

import (
	"io"
	"strings"
	"sync"
)

// readerPool keeps the buffers of ReadStructure's readers between calls.
var readerPool sync.Pool

// An Envelope holds what IMAP's ENVELOPE shows of a message header
// (RFC 9051 §7.5.2): the fields as written (unfolded, encoded words not
// decoded), "" for an absent field (NIL), and the address lists split into
// their parts.
//
// Sender and ReplyTo are nil when the header has no such field: RFC 9051
// asks the server to send From in their place, and that is left to the
// IMAP server, which also knows whether a field was present.
type Envelope struct {
	Date, Subject                      string
	From, Sender, ReplyTo, To, Cc, Bcc []EnvelopeAddress
	InReplyTo, MessageID               string
}

// An EnvelopeAddress is one entry of an ENVELOPE address list (RFC 9051
// §7.5.2): addr-name (the display name as written, RFC 2047 words left
// encoded), addr-adl (the obsolete source route, "@a,@b"), addr-mailbox and
// addr-host. A group is a start marker (GroupStart, Mailbox holding the
// group's name, Host "" i.e. NIL), its members, then an end marker
// (GroupEnd, all fields "").
type EnvelopeAddress struct {
	Name, ADL, Mailbox, Host string
	GroupStart, GroupEnd     bool
}

// NewEnvelope computes the envelope of a message header.
func NewEnvelope(h *Header) *Envelope {
	return &Envelope{
		Date:      h.Get("Date"),
		Subject:   h.Get("Subject"),
		From:      envelopeAddresses(h, "From"),
		Sender:    envelopeAddresses(h, "Sender"),
		ReplyTo:   envelopeAddresses(h, "Reply-To"),
		To:        envelopeAddresses(h, "To"),
		Cc:        envelopeAddresses(h, "Cc"),
		Bcc:       envelopeAddresses(h, "Bcc"),
		InReplyTo: h.Get("In-Reply-To"),
		MessageID: h.Get("Message-ID"),
	}
}

func envelopeAddresses(h *Header, key string) []EnvelopeAddress {
	vs := h.Values(key)
	if len(vs) == 0 {
		return nil
	}
	var out []EnvelopeAddress
	for _, v := range vs {
		list, _ := ParseAddressList(v)
		for _, a := range list {
			if a.Group {
				out = append(out, EnvelopeAddress{Mailbox: a.RawName, GroupStart: true})
				for _, m := range a.Members {
					out = append(out, envelopeAddress(m))
				}
				out = append(out, EnvelopeAddress{GroupEnd: true})
				continue
			}
			out = append(out, envelopeAddress(a))
		}
	}
	return out
}

func envelopeAddress(a Address) EnvelopeAddress {
	e := EnvelopeAddress{Name: a.RawName, Mailbox: a.Mailbox, Host: a.Host}
	if len(a.Route) > 0 {
		e.ADL = "@" + strings.Join(a.Route, ",@")
	}
	return e
}

// A BodyStructure describes one part as IMAP's BODYSTRUCTURE does (RFC 9051
// §7.5.2), plus where the part lies in the message, so that a server can
// answer BODY[n.MIME], BODY[n], BODY[n.HEADER] and BODY[n.TEXT] from byte
// ranges of the stored message.
type BodyStructure struct {
	// Number is the IMAP part number ("" for the message itself).
	Number string
	// Type and Subtype, lowercased. A multipart that has no parts (its
	// boundary missing or never found) is given as text/plain, as RFC 2045
	// §5.2 reads a content type that cannot be used.
	Type, Subtype string
	// Params are the Content-Type parameters as written (RFC 2231 names and
	// values not decoded), as BODYSTRUCTURE shows them.
	Params Params
	// ID, Description, MD5 and Location are the Content-ID,
	// Content-Description, Content-MD5 and Content-Location values.
	ID, Description, MD5, Location string
	// Encoding is the Content-Transfer-Encoding, lowercased ("7bit" when
	// absent).
	Encoding string
	// Size is the body's size in octets; Lines its number of lines (for
	// text/* and message/rfc822).
	Size, Lines int64
	// Disposition is the Content-Disposition type, lowercased ("" when
	// absent), DispositionParams its parameters as written.
	Disposition       string
	DispositionParams Params
	// Language lists the Content-Language tags.
	Language []string
	// Parts are a multipart's parts.
	Parts []*BodyStructure
	// For a message/rfc822 part: the enclosed message's envelope and its
	// structure (whose header range is BODY[n.HEADER] and whose body range
	// is BODY[n.TEXT]).
	Envelope *Envelope
	Message  *BodyStructure
	// Byte ranges in the message: the part's header block (for the message
	// itself BODY[HEADER], for a part BODY[n.MIME]) and its body.
	HeaderOffset, HeaderSize, BodyOffset int64
	// Defects found in this part.
	Defects []Defect
}

// Structure is the result of [ReadStructure]: the message's envelope and
// the structure of its parts.
type Structure struct {
	Envelope *Envelope
	// Body describes the message itself (Number ""); for a multipart
	// message its Parts are parts 1, 2...; for a single-part message the
	// body is part 1.
	Body *BodyStructure
	// Size is the size of the whole message in octets.
	Size int64
}

// ReadStructure reads a message once, skipping the bodies, and returns
// what IMAP's ENVELOPE and BODYSTRUCTURE need for every part, with the
// parts' byte ranges. opts may be nil; its CountLines is implied.
// [ErrTooManyParts] and header limit errors are returned with the
// structure read so far.
func ReadStructure(r io.Reader, opts *ReaderOptions) (*Structure, error) {
	return readStructure(opts, func(mr *Reader, o *ReaderOptions) { mr.Reset(r, o) })
}

// ReadStructureBytes is [ReadStructure] on a message in memory, which it
// reads in place, without copying it.
func ReadStructureBytes(msg []byte, opts *ReaderOptions) (*Structure, error) {
	return readStructure(opts, func(mr *Reader, o *ReaderOptions) { mr.ResetBytes(msg, o) })
}

func readStructure(opts *ReaderOptions, reset func(*Reader, *ReaderOptions)) (*Structure, error) {
	o := ReaderOptions{}
	if opts != nil {
		o = *opts
	}
	o.CountLines = true
	o.DecodeCharset = false
	mr, _ := readerPool.Get().(*Reader)
	if mr == nil {
		mr = &Reader{}
	}
	reset(mr, &o)
	defer func() {
		mr.Reset(nil, nil)
		readerPool.Put(mr)
	}()
	nodes := map[*Part]*BodyStructure{}
	var order []*Part
	var st Structure
	var firstErr error
	for {
		p, err := mr.Next()
		if err == io.EOF {
			break
		}
		if p == nil {
			firstErr = err
			break
		}
		if err != nil && firstErr == nil {
			firstErr = err
		}
		n := newBodyStructure(p)
		nodes[p] = n
		order = append(order, p)
		switch {
		case p.Parent == nil:
			st.Body = n
			st.Envelope = NewEnvelope(&p.Header)
		case p.IsMessage:
			pn := nodes[p.Parent]
			pn.Message = n
			pn.Envelope = NewEnvelope(&p.Header)
		default:
			pn := nodes[p.Parent]
			pn.Parts = append(pn.Parts, n)
		}
	}
	// Sizes are known once every part is read.
	for _, p := range order {
		n := nodes[p]
		n.Size = p.BodySize
		if n.Type == "text" || p.IsEncapsulated() {
			n.Lines = p.BodyLines
		}
		n.Defects = p.Defects
		if p.IsMultipart() && len(n.Parts) == 0 {
			n.Type, n.Subtype = "text", "plain"
			n.Params = Params{{Name: "charset", Value: "us-ascii"}}
			n.Lines = p.BodyLines
		}
		if p.IsEncapsulated() && n.Message == nil {
			n.Message = &BodyStructure{Type: "text", Subtype: "plain", Encoding: Encoding7Bit, Number: p.Number, HeaderOffset: p.BodyOffset, BodyOffset: p.BodyOffset}
			n.Envelope = &Envelope{}
		}
	}
	if st.Body != nil {
		st.Size = st.Body.BodyOffset + st.Body.Size
	}
	return &st, firstErr
}

func newBodyStructure(p *Part) *BodyStructure {
	h := &p.Header
	n := &BodyStructure{
		Number:       p.Number,
		Type:         p.MediaType.Type,
		Subtype:      p.MediaType.Subtype,
		Encoding:     p.Encoding,
		ID:           h.Get("Content-ID"),
		Description:  h.Get("Content-Description"),
		MD5:          h.Get("Content-MD5"),
		Location:     h.Get("Content-Location"),
		HeaderOffset: p.HeaderOffset,
		HeaderSize:   p.HeaderSize,
		BodyOffset:   p.BodyOffset,
	}
	if ct := h.Get("Content-Type"); ct != "" {
		// The parameters as written, unless the type written is not the
		// one the part is read as (a default applied).
		if tok, ps, ok := ParseParamsRaw(ct); ok && strings.EqualFold(tok, n.Type+"/"+n.Subtype) {
			n.Params = ps
		}
	}
	if n.Type == "text" && p.MediaType.Params.Get("charset") == "" {
		// RFC 2045 §5.2 (and RFC 2046 §4.1.2): text is us-ascii unless
		// told otherwise; servers show the default.
		n.Params = append(n.Params, Param{Name: "charset", Value: "us-ascii"})
	} else if n.Params == nil && n.Type == "text" {
		n.Params = p.MediaType.Params
	}
	if !p.IsMultipart() && n.Type == "multipart" {
		// A multipart read as a leaf (reused boundary, too deep).
		n.Type, n.Subtype, n.Params = "text", "plain", Params{{Name: "charset", Value: "us-ascii"}}
	}
	if cd := h.Get("Content-Disposition"); cd != "" {
		if tok, ps, ok := ParseParamsRaw(cd); ok {
			n.Disposition = strings.ToLower(tok)
			n.DispositionParams = ps
		}
	}
	if cl := h.Get("Content-Language"); cl != "" {
		for _, t := range strings.Split(cl, ",") {
			if t = strings.TrimSpace(t); t != "" {
				n.Language = append(n.Language, t)
			}
		}
	}
	return n
}
