package imap

import (
	"strings"

	"github.com/mailwire/mailwire/internal/imapwire"
)

// StatusItem is a STATUS data item name.
type StatusItem string

// Status items (RFC 9051 §6.3.11, RFC 7162, RFC 8474, RFC 7889).
const (
	StatusItemMessages      StatusItem = "MESSAGES"
	StatusItemUIDNext       StatusItem = "UIDNEXT"
	StatusItemUIDValidity   StatusItem = "UIDVALIDITY"
	StatusItemUnseen        StatusItem = "UNSEEN"
	StatusItemDeleted       StatusItem = "DELETED"
	StatusItemSize          StatusItem = "SIZE"
	StatusItemRecent        StatusItem = "RECENT"
	StatusItemHighestModSeq StatusItem = "HIGHESTMODSEQ"
	StatusItemAppendLimit   StatusItem = "APPENDLIMIT"
	StatusItemMailboxID     StatusItem = "MAILBOXID"
)

// StatusOptions says which items a STATUS asks for.
type StatusOptions struct {
	NumMessages, UIDNext, UIDValidity, NumUnseen, NumDeleted, Size, NumRecent, HighestModSeq, AppendLimit, MailboxID bool
}

// Items returns the item names; none for a nil o.
func (o *StatusOptions) Items() []StatusItem {
	if o == nil {
		return nil
	}
	var out []StatusItem
	add := func(ok bool, it StatusItem) {
		if ok {
			out = append(out, it)
		}
	}
	add(o.NumMessages, StatusItemMessages)
	add(o.UIDNext, StatusItemUIDNext)
	add(o.UIDValidity, StatusItemUIDValidity)
	add(o.NumUnseen, StatusItemUnseen)
	add(o.NumDeleted, StatusItemDeleted)
	add(o.Size, StatusItemSize)
	add(o.NumRecent, StatusItemRecent)
	add(o.HighestModSeq, StatusItemHighestModSeq)
	add(o.AppendLimit, StatusItemAppendLimit)
	add(o.MailboxID, StatusItemMailboxID)
	return out
}

// WriteStatusOptions writes "(MESSAGES UIDNEXT ...)".
func WriteStatusOptions(enc *imapwire.Encoder, o *StatusOptions) {
	items := o.Items()
	enc.List(len(items), func(i int) { enc.Atom(string(items[i])) })
}

// ReadStatusOptions reads a status-att list, as a server does.
func ReadStatusOptions(dec *imapwire.Decoder, o *StatusOptions) bool {
	return dec.ExpectList(func() error {
		var name string
		if !dec.ExpectAtom(&name) {
			return nil
		}
		switch StatusItem(strings.ToUpper(name)) {
		case StatusItemMessages:
			o.NumMessages = true
		case StatusItemUIDNext:
			o.UIDNext = true
		case StatusItemUIDValidity:
			o.UIDValidity = true
		case StatusItemUnseen:
			o.NumUnseen = true
		case StatusItemDeleted:
			o.NumDeleted = true
		case StatusItemSize:
			o.Size = true
		case StatusItemRecent:
			o.NumRecent = true
		case StatusItemHighestModSeq:
			o.HighestModSeq = true
		case StatusItemAppendLimit:
			o.AppendLimit = true
		case StatusItemMailboxID:
			o.MailboxID = true
		default:
			dec.Fail(&imapwire.SyntaxError{Want: "status-att", Near: name})
		}
		return nil
	})
}

// StatusData is a STATUS response; nil pointers are items not returned.
type StatusData struct {
	Mailbox       string
	NumMessages   *uint32
	UIDNext       UID
	UIDValidity   uint32
	NumUnseen     *uint32
	NumDeleted    *uint32
	Size          *int64
	NumRecent     *uint32
	HighestModSeq uint64
	AppendLimit   *int64 // -1 for NIL (no limit)
	MailboxID     string
}

// ReadStatusData reads what follows "STATUS SP" in a response: mailbox SP
// "(" status-att-val ... ")". Unknown items are skipped.
func ReadStatusData(dec *imapwire.Decoder, d *StatusData, utf8 bool) bool {
	if !ReadMailbox(dec, &d.Mailbox, utf8) || !dec.ExpectSP() {
		return false
	}
	return dec.ExpectList(func() error {
		name := dec.AtomBytes()
		if name == nil {
			dec.ExpectAtom(new(string))
			return nil
		}
		item := StatusItem(strings.ToUpper(string(name)))
		if !dec.ExpectSP() {
			return nil
		}
		var n uint32
		var n64 int64
		switch item {
		case StatusItemMessages:
			if dec.ExpectNumber(&n) {
				d.NumMessages = &n
			}
		case StatusItemUIDNext:
			if dec.ExpectNumber(&n) {
				d.UIDNext = UID(n)
			}
		case StatusItemUIDValidity:
			dec.ExpectNumber(&d.UIDValidity)
		case StatusItemUnseen:
			if dec.ExpectNumber(&n) {
				d.NumUnseen = &n
			}
		case StatusItemDeleted:
			if dec.ExpectNumber(&n) {
				d.NumDeleted = &n
			}
		case StatusItemRecent:
			if dec.ExpectNumber(&n) {
				d.NumRecent = &n
			}
		case StatusItemSize:
			if dec.ExpectNumber64(&n64) {
				d.Size = &n64
			}
		case StatusItemHighestModSeq:
			if !dec.ModSeq(&d.HighestModSeq) {
				dec.ExpectNumber64(&n64)
			}
		case StatusItemAppendLimit:
			if dec.NIL() {
				n64 = -1
			} else {
				dec.ExpectNumber64(&n64)
			}
			d.AppendLimit = &n64
		case StatusItemMailboxID:
			dec.ExpectList(func() error {
				dec.ExpectAString(&d.MailboxID)
				return nil
			})
		default:
			dec.SkipValue()
		}
		return nil
	})
}

// WriteStatusData writes mailbox SP "(" ... ")".
func WriteStatusData(enc *imapwire.Encoder, d *StatusData, utf8 bool) {
	WriteMailbox(enc, d.Mailbox)
	enc.SP().Special('(')
	first := true
	item := func(name StatusItem) *imapwire.Encoder {
		if !first {
			enc.SP()
		}
		first = false
		return enc.Atom(string(name)).SP()
	}
	if d.NumMessages != nil {
		item(StatusItemMessages).Number(*d.NumMessages)
	}
	if d.UIDNext != 0 {
		item(StatusItemUIDNext).Number(uint32(d.UIDNext))
	}
	if d.UIDValidity != 0 {
		item(StatusItemUIDValidity).Number(d.UIDValidity)
	}
	if d.NumUnseen != nil {
		item(StatusItemUnseen).Number(*d.NumUnseen)
	}
	if d.NumDeleted != nil {
		item(StatusItemDeleted).Number(*d.NumDeleted)
	}
	if d.Size != nil {
		item(StatusItemSize).Number64(uint64(*d.Size))
	}
	if d.NumRecent != nil {
		item(StatusItemRecent).Number(*d.NumRecent)
	}
	if d.HighestModSeq != 0 {
		item(StatusItemHighestModSeq).Number64(d.HighestModSeq)
	}
	if d.AppendLimit != nil {
		if *d.AppendLimit < 0 {
			item(StatusItemAppendLimit).NIL()
		} else {
			item(StatusItemAppendLimit).Number64(uint64(*d.AppendLimit))
		}
	}
	if d.MailboxID != "" {
		item(StatusItemMailboxID).Special('(').Atom(d.MailboxID).Special(')')
	}
	enc.Special(')')
}
