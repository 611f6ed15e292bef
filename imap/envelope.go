package imap

import (
	"net/mail"
	"time"

	"github.com/mailwire/mailwire/internal/imapwire"
)

// Envelope is a message's ENVELOPE (RFC 9051 §7.5.2): header fields as the
// server sent them, not decoded (Subject may hold RFC 2047 words).
type Envelope struct {
	Date      string
	Subject   string
	From      []Address
	Sender    []Address
	ReplyTo   []Address
	To        []Address
	Cc        []Address
	Bcc       []Address
	InReplyTo string
	MessageID string
}

// Time parses Date leniently; the zero time when it does not parse.
func (e *Envelope) Time() time.Time {
	t, err := mail.ParseDate(e.Date)
	if err != nil {
		return time.Time{}
	}
	return t
}

// Address is one address of an envelope. A group is sent as an address
// with Host empty and Mailbox the group's name (its start), then its
// members, then an address with both empty (its end) (RFC 9051 §7.5.2).
type Address struct {
	Name    string
	Mailbox string
	Host    string
}

// Addr returns "mailbox@host", or "" for a group marker.
func (a *Address) Addr() string {
	if a.Host == "" {
		return ""
	}
	return a.Mailbox + "@" + a.Host
}

// IsGroupStart reports whether a opens a group.
func (a *Address) IsGroupStart() bool { return a.Host == "" && a.Mailbox != "" }

// IsGroupEnd reports whether a closes a group.
func (a *Address) IsGroupEnd() bool { return a.Host == "" && a.Mailbox == "" }

// ReadEnvelope reads an envelope.
func ReadEnvelope(dec *imapwire.Decoder, e *Envelope) bool {
	return dec.ExpectSpecial('(') &&
		dec.ExpectNString(&e.Date) && dec.ExpectSP() &&
		dec.ExpectNString(&e.Subject) && dec.ExpectSP() &&
		readAddrList(dec, &e.From) && dec.ExpectSP() &&
		readAddrList(dec, &e.Sender) && dec.ExpectSP() &&
		readAddrList(dec, &e.ReplyTo) && dec.ExpectSP() &&
		readAddrList(dec, &e.To) && dec.ExpectSP() &&
		readAddrList(dec, &e.Cc) && dec.ExpectSP() &&
		readAddrList(dec, &e.Bcc) && dec.ExpectSP() &&
		dec.ExpectNString(&e.InReplyTo) && dec.ExpectSP() &&
		dec.ExpectNString(&e.MessageID) &&
		dec.ExpectSpecial(')')
}

func readAddrList(dec *imapwire.Decoder, out *[]Address) bool {
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
		var a Address
		var adl string
		if !(dec.ExpectSpecial('(') &&
			dec.ExpectNString(&a.Name) && dec.ExpectSP() &&
			dec.ExpectNString(&adl) && dec.ExpectSP() &&
			dec.ExpectNString(&a.Mailbox) && dec.ExpectSP() &&
			dec.ExpectNString(&a.Host) && dec.ExpectSpecial(')')) {
			return false
		}
		*out = append(*out, a)
	}
}

// WriteEnvelope writes an envelope.
func WriteEnvelope(enc *imapwire.Encoder, e *Envelope) {
	enc.Special('(')
	nstr(enc, e.Date).SP()
	nstr(enc, e.Subject).SP()
	writeAddrList(enc, e.From)
	enc.SP()
	writeAddrList(enc, e.Sender)
	enc.SP()
	writeAddrList(enc, e.ReplyTo)
	enc.SP()
	writeAddrList(enc, e.To)
	enc.SP()
	writeAddrList(enc, e.Cc)
	enc.SP()
	writeAddrList(enc, e.Bcc)
	enc.SP()
	nstr(enc, e.InReplyTo).SP()
	nstr(enc, e.MessageID)
	enc.Special(')')
}

// nstr writes "" as NIL, anything else as a string.
func nstr(enc *imapwire.Encoder, s string) *imapwire.Encoder {
	if s == "" {
		return enc.NIL()
	}
	return enc.String(s)
}

func writeAddrList(enc *imapwire.Encoder, l []Address) {
	if len(l) == 0 {
		enc.NIL()
		return
	}
	enc.Special('(')
	for _, a := range l {
		enc.Special('(')
		nstr(enc, a.Name).SP().NIL().SP()
		nstr(enc, a.Mailbox).SP()
		nstr(enc, a.Host)
		enc.Special(')')
	}
	enc.Special(')')
}
