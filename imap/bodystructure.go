package imap

import (
	"strings"

	"github.com/mailwire/mailwire/internal/imapwire"
)

// Param is one body parameter (name=value), as sent.
type Param struct {
	Name, Value string
}

// Params is a parameter list.
type Params []Param

// Get returns the value of the parameter named name (case-insensitive).
func (p Params) Get(name string) string {
	for _, x := range p {
		if strings.EqualFold(x.Name, name) {
			return x.Value
		}
	}
	return ""
}

// Disposition is body-fld-dsp (RFC 9051 §9, RFC 2183).
type Disposition struct {
	Value  string
	Params Params
}

// BodyStructure is a BODYSTRUCTURE or BODY response (RFC 9051 §7.5.2): a
// single part, a multipart (Parts set) or a message/rfc822 (Envelope and
// Body set). Extended is set when extension data was present.
type BodyStructure struct {
	Type, Subtype string
	Params        Params

	// single part
	ID, Description, Encoding string
	Size                      uint32
	Lines                     int64          // text/* and message/rfc822
	Envelope                  *Envelope      // message/rfc822
	Body                      *BodyStructure // message/rfc822

	// multipart
	Parts []*BodyStructure

	// extension data
	Extended    bool
	MD5         string // single part only
	Disposition *Disposition
	Language    []string
	Location    string
	// Extensions holds body-extension values after the location, kept as
	// sent: string, uint32 (numbers), nil (NIL) or []any (lists).
	Extensions []any
}

// MediaType returns "type/subtype" in lower case.
func (b *BodyStructure) MediaType() string {
	return strings.ToLower(b.Type) + "/" + strings.ToLower(b.Subtype)
}

// IsMultipart reports whether b is a multipart.
func (b *BodyStructure) IsMultipart() bool { return len(b.Parts) > 0 }

// isMessage reports whether the type takes the body-type-msg form.
func isMessage(typ, sub string) bool {
	return strings.EqualFold(typ, "MESSAGE") && (strings.EqualFold(sub, "RFC822") || strings.EqualFold(sub, "GLOBAL"))
}

// Walk calls f for each part with its part number (nil for the root),
// depth first.
func (b *BodyStructure) Walk(f func(path []int, part *BodyStructure) bool) {
	b.walk(nil, f)
}

func (b *BodyStructure) walk(path []int, f func([]int, *BodyStructure) bool) {
	if !f(path, b) {
		return
	}
	for i, p := range b.Parts {
		p.walk(append(path[:len(path):len(path)], i+1), f)
	}
}

// maxBodyDepth bounds nesting when reading (DESIGN.md: MIME depth 64).
const maxBodyDepth = 64

// ReadBodyStructure reads a body (RFC 9051 §9 "body").
func ReadBodyStructure(dec *imapwire.Decoder, b *BodyStructure) bool {
	return readBody(dec, b, 0)
}

func readBody(dec *imapwire.Decoder, b *BodyStructure, depth int) bool {
	if depth > maxBodyDepth {
		return dec.Fail(&imapwire.SyntaxError{Want: "body nested at most 64 deep"})
	}
	if !dec.ExpectSpecial('(') {
		return false
	}
	if c, _ := dec.PeekByte(); c == '(' {
		return readMultipart(dec, b, depth)
	}
	if !dec.ExpectString(&b.Type) || !dec.ExpectSP() || !dec.ExpectString(&b.Subtype) || !dec.ExpectSP() {
		return false
	}
	// body-fields
	if !readParams(dec, &b.Params) || !dec.ExpectSP() ||
		!dec.ExpectNString(&b.ID) || !dec.ExpectSP() ||
		!dec.ExpectNString(&b.Description) || !dec.ExpectSP() {
		return false
	}
	// body-fld-enc is a string; NIL appears from some servers.
	if !dec.ExpectNString(&b.Encoding) || !dec.ExpectSP() {
		return false
	}
	var n int64
	if !dec.Number64(&n) {
		if !dec.NIL() { // tolerate NIL size
			return dec.ExpectNumber(new(uint32))
		}
	}
	if n > 1<<32-1 {
		n = 1<<32 - 1
	}
	b.Size = uint32(n)
	if isMessage(b.Type, b.Subtype) {
		if c, _ := dec.PeekByte(); c == ' ' {
			dec.SP()
			if c, _ := dec.PeekByte(); c == '(' {
				b.Envelope = new(Envelope)
				b.Body = new(BodyStructure)
				if !ReadEnvelope(dec, b.Envelope) || !dec.ExpectSP() || !readBody(dec, b.Body, depth+1) ||
					!dec.ExpectSP() || !dec.ExpectNumber64(&b.Lines) {
					return false
				}
			} else if !dec.ExpectNumber64(&b.Lines) {
				return false
			}
		}
	} else if strings.EqualFold(b.Type, "TEXT") {
		if dec.SP() && !dec.Number64(&b.Lines) && !dec.NIL() {
			return dec.ExpectNumber64(&b.Lines)
		}
	}
	if dec.SP() {
		b.Extended = true
		if !dec.ExpectNString(&b.MD5) {
			return false
		}
		if dec.SP() && readExt(dec, b) {
			return dec.ExpectSpecial(')')
		}
	}
	return dec.ExpectSpecial(')')
}

func readMultipart(dec *imapwire.Decoder, b *BodyStructure, depth int) bool {
	b.Type = "multipart"
	sp := false
	for {
		c, _ := dec.PeekByte()
		if c == ' ' && len(b.Parts) > 0 {
			dec.SP()
			sp = true
			continue
		}
		if c != '(' {
			break
		}
		// RFC 9051 §9: 1*body with no space between; a space is tolerated.
		sp = false
		p := new(BodyStructure)
		if !readBody(dec, p, depth+1) {
			return false
		}
		b.Parts = append(b.Parts, p)
	}
	if !sp && !dec.ExpectSP() {
		return false
	}
	if !dec.ExpectString(&b.Subtype) {
		return false
	}
	if dec.SP() {
		b.Extended = true
		if !readParams(dec, &b.Params) {
			return false
		}
		if dec.SP() {
			readExt(dec, b)
		}
	}
	return dec.ExpectSpecial(')')
}

// readExt reads body-fld-dsp [SP body-fld-lang [SP body-fld-loc *(SP body-extension)]].
func readExt(dec *imapwire.Decoder, b *BodyStructure) bool {
	if !dec.NIL() {
		d := new(Disposition)
		if !dec.ExpectList(func() error {
			if d.Value == "" && d.Params == nil {
				if dec.ExpectString(&d.Value) && dec.ExpectSP() {
					readParams(dec, &d.Params)
				}
			} else {
				dec.SkipValue()
			}
			return nil
		}) {
			return false
		}
		b.Disposition = d
	}
	if !dec.SP() {
		return dec.Err() == nil
	}
	if c, _ := dec.PeekByte(); c == '(' {
		if !dec.ExpectList(func() error {
			var s string
			if dec.ExpectString(&s) {
				b.Language = append(b.Language, s)
			}
			return nil
		}) {
			return false
		}
	} else {
		l, isNil, ok := dec.NStringBytes()
		if !ok {
			return dec.ExpectNString(new(string))
		}
		if !isNil {
			b.Language = []string{string(l)}
		}
	}
	if !dec.SP() {
		return dec.Err() == nil
	}
	if !dec.ExpectNString(&b.Location) {
		return false
	}
	for dec.SP() {
		v, ok := readBodyExtension(dec, 0)
		if !ok {
			return false
		}
		b.Extensions = append(b.Extensions, v)
	}
	return dec.Err() == nil
}

// readBodyExtension reads body-extension (RFC 9051 §9): nstring / number /
// "(" body-extension *(SP body-extension) ")".
func readBodyExtension(dec *imapwire.Decoder, depth int) (any, bool) {
	if depth > maxBodyDepth {
		return nil, dec.Fail(&imapwire.SyntaxError{Want: "body-extension nested at most 64 deep"})
	}
	c, ok := dec.PeekByte()
	if !ok {
		return nil, false
	}
	if c == '(' {
		list := []any{}
		ok := dec.ExpectList(func() error {
			v, ok := readBodyExtension(dec, depth+1)
			if ok {
				list = append(list, v)
			}
			return nil
		})
		return list, ok
	}
	var n uint32
	if c >= '0' && c <= '9' && dec.Number(&n) {
		return n, true
	}
	b, isNil, ok := dec.NStringBytes()
	if !ok {
		return nil, dec.ExpectNString(new(string))
	}
	if isNil {
		return nil, true
	}
	return string(b), true
}

func writeBodyExtension(enc *imapwire.Encoder, v any) {
	switch x := v.(type) {
	case nil:
		enc.NIL()
	case string:
		enc.String(x)
	case uint32:
		enc.Number(x)
	case []any:
		if len(x) == 0 {
			enc.NIL() // an empty list is not in the grammar
			return
		}
		enc.List(len(x), func(i int) { writeBodyExtension(enc, x[i]) })
	default:
		enc.NIL()
	}
}

func readParams(dec *imapwire.Decoder, p *Params) bool {
	if dec.NIL() {
		return true
	}
	if !dec.ExpectSpecial('(') {
		return false
	}
	for {
		if dec.Lenient {
			for dec.SP() {
			}
		}
		if dec.Special(')') {
			return true
		}
		var x Param
		if !dec.ExpectString(&x.Name) || !dec.ExpectSP() {
			return false
		}
		// Some servers send NIL for a value.
		if !dec.ExpectNString(&x.Value) {
			return false
		}
		*p = append(*p, x)
		dec.SP()
	}
}

// WriteBodyStructure writes b; extended selects BODYSTRUCTURE's form
// (with extension data) over BODY's.
func WriteBodyStructure(enc *imapwire.Encoder, b *BodyStructure, extended bool) {
	enc.Special('(')
	if b.IsMultipart() {
		for _, p := range b.Parts {
			WriteBodyStructure(enc, p, extended)
		}
		enc.SP().String(b.Subtype)
		if extended {
			enc.SP()
			writeParams(enc, b.Params)
			enc.SP()
			writeExt(enc, b)
		}
		enc.Special(')')
		return
	}
	enc.String(b.Type).SP().String(b.Subtype).SP()
	writeParams(enc, b.Params)
	enc.SP()
	nstr(enc, b.ID).SP()
	nstr(enc, b.Description).SP()
	enc_ := b.Encoding
	if enc_ == "" {
		enc_ = "7BIT"
	}
	enc.String(enc_).SP().Number(b.Size)
	if isMessage(b.Type, b.Subtype) {
		env, body := b.Envelope, b.Body
		if env == nil {
			env = &Envelope{}
		}
		if body == nil {
			body = &BodyStructure{Type: "text", Subtype: "plain"}
		}
		enc.SP()
		WriteEnvelope(enc, env)
		enc.SP()
		WriteBodyStructure(enc, body, extended)
		enc.SP().Number64(uint64(b.Lines))
	} else if strings.EqualFold(b.Type, "TEXT") {
		enc.SP().Number64(uint64(b.Lines))
	}
	if extended {
		enc.SP()
		nstr(enc, b.MD5).SP()
		writeExt(enc, b)
	}
	enc.Special(')')
}

func writeExt(enc *imapwire.Encoder, b *BodyStructure) {
	if b.Disposition == nil {
		enc.NIL()
	} else {
		enc.Special('(').String(b.Disposition.Value).SP()
		writeParams(enc, b.Disposition.Params)
		enc.Special(')')
	}
	enc.SP()
	switch len(b.Language) {
	case 0:
		enc.NIL()
	case 1:
		enc.String(b.Language[0])
	default:
		enc.List(len(b.Language), func(i int) { enc.String(b.Language[i]) })
	}
	enc.SP()
	nstr(enc, b.Location)
	for _, x := range b.Extensions {
		enc.SP()
		writeBodyExtension(enc, x)
	}
}

func writeParams(enc *imapwire.Encoder, p Params) {
	if len(p) == 0 {
		enc.NIL()
		return
	}
	enc.Special('(')
	for i, x := range p {
		if i > 0 {
			enc.SP()
		}
		enc.String(x.Name).SP().String(x.Value)
	}
	enc.Special(')')
}
