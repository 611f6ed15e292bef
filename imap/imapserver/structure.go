package imapserver

import (
	"io"
	"strings"

	"github.com/mailwire/mailwire/mime"
)

// Structure is a message's MIME structure as IMAP needs it: byte ranges of
// every part (for BODY[section]) and the ENVELOPE and BODYSTRUCTURE
// responses, computed in one streaming pass by [ParseStructure]. A backend
// may cache it (see [StructuredMessage]).
type Structure struct {
	root *part
	// Wire forms, ready to write.
	envelope      []byte
	bodyStructure []byte // extensible form (BODYSTRUCTURE)
	body          []byte // non-extensible form (BODY)
}

// part is one node of the tree.
type part struct {
	typ, subtype string
	multipart    bool
	enc          string // content-transfer-encoding, lowercased
	charset      string
	headerOff    int64
	headerSize   int64
	bodyOff      int64
	bodySize     int64
	children     []*part // multipart parts
	msg          *part   // message/rfc822: the enclosed message
}

// ParseStructure reads a whole message from r and returns its structure.
// Malformed messages still give a structure (mime records defects; IMAP
// has no way to report them).
func ParseStructure(r io.Reader) (*Structure, error) {
	type entry struct {
		mp *mime.Part
		p  *part
	}
	var all []entry
	index := map[*mime.Part]*part{}
	err := mime.Walk(r, &mime.ReaderOptions{CountLines: true}, func(mp *mime.Part) error {
		p := &part{typ: mp.MediaType.Type, subtype: mp.MediaType.Subtype, multipart: mp.IsMultipart(), enc: mp.Encoding, charset: mp.MediaType.Params.Get("charset")}
		index[mp] = p
		if pp := index[mp.Parent]; pp != nil {
			if mp.IsMessage {
				pp.msg = p
			} else {
				pp.children = append(pp.children, p)
			}
		}
		all = append(all, entry{mp, p})
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(all) == 0 {
		return nil, io.ErrUnexpectedEOF
	}
	for _, e := range all {
		e.p.headerOff, e.p.headerSize = e.mp.HeaderOffset, e.mp.HeaderSize
		e.p.bodyOff, e.p.bodySize = e.mp.BodyOffset, e.mp.BodySize
	}
	s := &Structure{root: all[0].p}
	byPart := map[*part]*mime.Part{}
	for _, e := range all {
		byPart[e.p] = e.mp
	}
	s.envelope = appendEnvelope(nil, &all[0].mp.Header)
	s.bodyStructure = appendBodyStructure(nil, all[0].p, byPart, true)
	s.body = appendBodyStructure(nil, all[0].p, byPart, false)
	return s, nil
}

// appendEnvelope writes an ENVELOPE (RFC 9051 §7.5.2).
func appendEnvelope(b []byte, h *mime.Header) []byte {
	b = append(b, '(')
	b = appendNString(b, h.Get("Date"))
	b = append(b, ' ')
	b = appendNString(b, h.Get("Subject"))
	from := h.Get("From")
	for _, f := range []string{"From", "Sender", "Reply-To", "To", "Cc", "Bcc"} {
		b = append(b, ' ')
		v := h.Get(f)
		// RFC 9051 §7.5.2: sender and reply-to default to from.
		if v == "" && (f == "Sender" || f == "Reply-To") {
			v = from
		}
		b = appendAddressList(b, v)
	}
	b = append(b, ' ')
	b = appendNString(b, h.Get("In-Reply-To"))
	b = append(b, ' ')
	b = appendNString(b, h.Get("Message-Id"))
	return append(b, ')')
}

func appendAddressList(b []byte, v string) []byte {
	if strings.TrimSpace(v) == "" {
		return append(b, "NIL"...)
	}
	list, _ := mime.ParseAddressList(v)
	if len(list) == 0 {
		return append(b, "NIL"...)
	}
	b = append(b, '(')
	for _, a := range list {
		if a.Group {
			// RFC 9051 §7.5.2: a group is a start marker with NIL host
			// and the group name as mailbox, its members, and an end
			// marker with NIL mailbox and host.
			b = append(b, "(NIL NIL "...)
			b = appendNString(b, a.Name)
			b = append(b, " NIL)"...)
			for _, m := range a.Members {
				b = appendAddress(b, m)
			}
			b = append(b, "(NIL NIL NIL NIL)"...)
			continue
		}
		b = appendAddress(b, a)
	}
	return append(b, ')')
}

func appendAddress(b []byte, a mime.Address) []byte {
	b = append(b, '(')
	b = appendNString(b, a.RawName)
	b = append(b, ' ')
	if len(a.Route) > 0 {
		b = appendString(b, "@"+strings.Join(a.Route, ",@"))
	} else {
		b = append(b, "NIL"...)
	}
	b = append(b, ' ')
	b = appendNString(b, a.Mailbox)
	b = append(b, ' ')
	b = appendNString(b, a.Host)
	return append(b, ')')
}

func appendParams(b []byte, ps mime.Params) []byte {
	if len(ps) == 0 {
		return append(b, "NIL"...)
	}
	b = append(b, '(')
	for i, p := range ps {
		if i > 0 {
			b = append(b, ' ')
		}
		b = appendString(b, strings.ToUpper(p.Name))
		b = append(b, ' ')
		b = appendString(b, p.Value)
	}
	return append(b, ')')
}

// appendBodyStructure writes BODYSTRUCTURE (ext) or BODY (RFC 9051 §7.5.2).
func appendBodyStructure(b []byte, p *part, mps map[*part]*mime.Part, ext bool) []byte {
	mp := mps[p]
	h := &mp.Header
	b = append(b, '(')
	if p.multipart {
		if len(p.children) == 0 {
			// RFC 9051 body-type-mpart needs one part at least: give an
			// empty text/plain one.
			b = append(b, `("TEXT" "PLAIN" NIL NIL NIL "7BIT" 0 0)`...)
		}
		for _, c := range p.children {
			b = appendBodyStructure(b, c, mps, ext)
		}
		b = append(b, ' ')
		b = appendString(b, strings.ToUpper(p.subtype))
		if ext {
			b = append(b, ' ')
			b = appendParams(b, mp.MediaType.Params)
			b = appendExtTail(b, h)
		}
		return append(b, ')')
	}
	b = appendString(b, strings.ToUpper(p.typ))
	b = append(b, ' ')
	b = appendString(b, strings.ToUpper(p.subtype))
	b = append(b, ' ')
	b = appendParams(b, mp.MediaType.Params)
	b = append(b, ' ')
	b = appendNString(b, h.Get("Content-Id"))
	b = append(b, ' ')
	b = appendNString(b, h.Get("Content-Description"))
	b = append(b, ' ')
	b = appendString(b, strings.ToUpper(mp.Encoding))
	b = append(b, ' ')
	b = appendUint(b, uint64(p.bodySize))
	switch {
	case p.msg != nil:
		b = append(b, ' ')
		b = appendEnvelope(b, &mps[p.msg].Header)
		b = append(b, ' ')
		b = appendBodyStructure(b, p.msg, mps, ext)
		b = append(b, ' ')
		b = appendUint(b, uint64(mp.BodyLines))
	case p.typ == "text":
		b = append(b, ' ')
		b = appendUint(b, uint64(mp.BodyLines))
	}
	if ext {
		b = append(b, ' ')
		b = appendNString(b, h.Get("Content-Md5"))
		b = appendExtTail(b, h)
	}
	return append(b, ')')
}

// appendExtTail writes body-fld-dsp, body-fld-lang and body-fld-loc.
func appendExtTail(b []byte, h *mime.Header) []byte {
	b = append(b, ' ')
	if d, ok, _ := mime.ParseDisposition(h.Get("Content-Disposition")); ok && d.Type != "" {
		b = append(b, '(')
		b = appendString(b, strings.ToUpper(d.Type))
		b = append(b, ' ')
		b = appendParams(b, d.Params)
		b = append(b, ')')
	} else {
		b = append(b, "NIL"...)
	}
	b = append(b, ' ')
	if lang := strings.TrimSpace(h.Get("Content-Language")); lang != "" {
		langs := strings.Split(lang, ",")
		b = append(b, '(')
		for i, l := range langs {
			if i > 0 {
				b = append(b, ' ')
			}
			b = appendString(b, strings.TrimSpace(l))
		}
		b = append(b, ')')
	} else {
		b = append(b, "NIL"...)
	}
	b = append(b, ' ')
	return appendNString(b, h.Get("Content-Location"))
}

// findPart resolves a section part number ("1.2") from the top message. It
// returns nil when there is no such part. RFC 9051 §6.4.5: the body of a
// non-multipart message is its part 1, and the numbers after a
// message/rfc822 part's number address the enclosed message's parts.
func (s *Structure) findPart(nums []uint32) *part {
	p := s.root
	atMessage := true
	for _, n := range nums {
		if !atMessage && p.msg != nil {
			p = p.msg
		}
		atMessage = false
		if p.multipart {
			if n < 1 || int(n) > len(p.children) {
				return nil
			}
			p = p.children[n-1]
			continue
		}
		if n != 1 {
			return nil
		}
	}
	return p
}
