package imap

import (
	"strings"
	"unicode/utf8"

	"github.com/mailwire/mailwire/internal/imapwire"
)

// ListOptions are LIST-EXTENDED selection and return options (RFC 5258,
// RFC 5819, RFC 6154).
type ListOptions struct {
	SelectSubscribed     bool
	SelectRemote         bool
	SelectRecursiveMatch bool
	SelectSpecialUse     bool

	ReturnSubscribed bool
	ReturnChildren   bool
	ReturnSpecialUse bool
	ReturnStatus     *StatusOptions // RFC 5819
}

func (o *ListOptions) selection() []string {
	var s []string
	if o.SelectSubscribed {
		s = append(s, "SUBSCRIBED")
	}
	if o.SelectRemote {
		s = append(s, "REMOTE")
	}
	if o.SelectRecursiveMatch {
		s = append(s, "RECURSIVEMATCH")
	}
	if o.SelectSpecialUse {
		s = append(s, "SPECIAL-USE")
	}
	return s
}

// WriteListCommand writes the arguments of LIST: [selection SP] ref SP
// patterns [SP RETURN (...)].
func WriteListCommand(enc *imapwire.Encoder, ref string, patterns []string, o *ListOptions) {
	if o != nil {
		if sel := o.selection(); len(sel) > 0 {
			enc.List(len(sel), func(i int) { enc.Atom(sel[i]) }).SP()
		}
	}
	enc.Mailbox(ref).SP()
	writePattern := func(p string) {
		if !enc.UTF8 {
			p = imapwire.EncodeMUTF7(p)
		}
		if isListChars(p) {
			enc.Atom(p)
		} else {
			enc.String(p)
		}
	}
	if len(patterns) == 1 {
		writePattern(patterns[0])
	} else {
		enc.List(len(patterns), func(i int) { writePattern(patterns[i]) })
	}
	if o == nil {
		return
	}
	var ret []func()
	if o.ReturnSubscribed {
		ret = append(ret, func() { enc.Atom("SUBSCRIBED") })
	}
	if o.ReturnChildren {
		ret = append(ret, func() { enc.Atom("CHILDREN") })
	}
	if o.ReturnSpecialUse {
		ret = append(ret, func() { enc.Atom("SPECIAL-USE") })
	}
	if o.ReturnStatus != nil {
		ret = append(ret, func() { enc.Atom("STATUS").SP(); WriteStatusOptions(enc, o.ReturnStatus) })
	}
	if len(ret) > 0 {
		enc.SP().Atom("RETURN").SP().List(len(ret), func(i int) { ret[i]() })
	}
}

func isListChars(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || c == '(' || c == ')' || c == '{' || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// ListCommand is a parsed LIST command.
type ListCommand struct {
	Ref      string
	Patterns []string
	Options  ListOptions
	Extended bool // selection or return options, or several patterns
}

// ReadListCommand reads LIST's arguments, as a server does.
func ReadListCommand(dec *imapwire.Decoder, cmd *ListCommand, utf8 bool) bool {
	if dec.List(func() error {
		var s string
		if dec.ExpectAtom(&s) {
			switch strings.ToUpper(s) {
			case "SUBSCRIBED":
				cmd.Options.SelectSubscribed = true
			case "REMOTE":
				cmd.Options.SelectRemote = true
			case "RECURSIVEMATCH":
				cmd.Options.SelectRecursiveMatch = true
			case "SPECIAL-USE":
				cmd.Options.SelectSpecialUse = true
			default:
				dec.Fail(&imapwire.SyntaxError{Want: "list-select-opt", Near: s})
			}
		}
		return nil
	}) {
		cmd.Extended = true
		if !dec.ExpectSP() {
			return false
		}
	}
	if dec.Err() != nil || !ReadMailbox(dec, &cmd.Ref, utf8) || !dec.ExpectSP() {
		return false
	}
	readPat := func() bool {
		var p string
		if b, ok := dec.StringBytes(); ok {
			p = string(b)
		} else if b := dec.ListMailboxBytes(); b != nil {
			p = string(b)
		} else {
			return dec.ExpectAString(new(string))
		}
		if !utf8 {
			if d, err := imapwire.DecodeMUTF7(p); err == nil {
				p = d
			}
		}
		cmd.Patterns = append(cmd.Patterns, p)
		return true
	}
	if c, _ := dec.PeekByte(); c == '(' {
		cmd.Extended = true
		if !dec.ExpectList(func() error { readPat(); return nil }) {
			return false
		}
	} else if !readPat() {
		return false
	}
	if dec.SP() {
		var ret string
		if !dec.ExpectAtom(&ret) || !strings.EqualFold(ret, "RETURN") || !dec.ExpectSP() {
			return dec.Fail(&imapwire.SyntaxError{Want: "RETURN", Near: ret})
		}
		cmd.Extended = true
		return dec.ExpectList(func() error {
			var s string
			if !dec.ExpectAtom(&s) {
				return nil
			}
			switch strings.ToUpper(s) {
			case "SUBSCRIBED":
				cmd.Options.ReturnSubscribed = true
			case "CHILDREN":
				cmd.Options.ReturnChildren = true
			case "SPECIAL-USE":
				cmd.Options.ReturnSpecialUse = true
			case "STATUS":
				cmd.Options.ReturnStatus = new(StatusOptions)
				if dec.ExpectSP() {
					ReadStatusOptions(dec, cmd.Options.ReturnStatus)
				}
			default:
				dec.Fail(&imapwire.SyntaxError{Want: "return-option", Near: s})
			}
			return nil
		})
	}
	return dec.Err() == nil
}

// ListData is a LIST (or LSUB) response.
type ListData struct {
	Attrs   []MailboxAttr
	Delim   rune // 0 for NIL (a flat namespace)
	Mailbox string

	// Extended data (RFC 5258 §3.5, RFC 9051 OLDNAME).
	ChildInfo []string // "SUBSCRIBED" for CHILDINFO
	OldName   string
	// Status comes from a STATUS response sent with the LIST (RFC 5819);
	// the client fills it in.
	Status *StatusData
}

// ReadListData reads what follows "LIST SP" (or "LSUB SP").
func ReadListData(dec *imapwire.Decoder, d *ListData, utf8 bool) bool {
	if !dec.ExpectList(func() error {
		if !dec.Special('\\') {
			// Attributes are flags; a few servers send bare atoms.
			if t := dec.AtomBytes(); t != nil {
				d.Attrs = append(d.Attrs, MailboxAttr(t))
				return nil
			}
			dec.ExpectSpecial('\\')
			return nil
		}
		t := dec.AtomBytes()
		buf := make([]byte, 0, len(t)+1)
		buf = append(append(buf, '\\'), t...)
		d.Attrs = append(d.Attrs, CanonicalMailboxAttr(buf))
		return nil
	}) || !dec.ExpectSP() {
		return false
	}
	if !dec.NIL() {
		b, ok := dec.QuotedBytes()
		if !ok {
			return dec.ExpectString(new(string))
		}
		r, _ := utf8DecodeRune(b)
		d.Delim = r
	}
	if !dec.ExpectSP() || !ReadMailbox(dec, &d.Mailbox, utf8) {
		return false
	}
	if dec.SP() {
		// mbox-list-extended
		return dec.ExpectList(func() error {
			var tag string
			if !dec.ExpectAString(&tag) || !dec.ExpectSP() {
				return nil
			}
			switch strings.ToUpper(tag) {
			case "CHILDINFO":
				dec.ExpectList(func() error {
					var s string
					if dec.ExpectAString(&s) {
						d.ChildInfo = append(d.ChildInfo, strings.ToUpper(s))
					}
					return nil
				})
			case "OLDNAME":
				dec.ExpectList(func() error {
					ReadMailbox(dec, &d.OldName, utf8)
					return nil
				})
			default:
				dec.SkipValue()
			}
			return nil
		})
	}
	return dec.Err() == nil
}

func utf8DecodeRune(b []byte) (rune, int) {
	if len(b) == 0 {
		return 0, 0
	}
	return utf8.DecodeRune(b)
}

// WriteListData writes what follows "LIST SP".
func WriteListData(enc *imapwire.Encoder, d *ListData) {
	enc.List(len(d.Attrs), func(i int) { enc.Atom(string(d.Attrs[i])) }).SP()
	if d.Delim == 0 {
		enc.NIL()
	} else {
		enc.Quoted(string(d.Delim))
	}
	enc.SP().Mailbox(d.Mailbox)
	var ext []func()
	if len(d.ChildInfo) > 0 {
		ext = append(ext, func() {
			enc.Quoted("CHILDINFO").SP().List(len(d.ChildInfo), func(i int) { enc.Quoted(d.ChildInfo[i]) })
		})
	}
	if d.OldName != "" {
		ext = append(ext, func() {
			enc.Quoted("OLDNAME").SP().Special('(').Mailbox(d.OldName).Special(')')
		})
	}
	if len(ext) > 0 {
		enc.SP().List(len(ext), func(i int) { ext[i]() })
	}
}

// ReadFlagList reads "(" flag ... ")" (also used for PERMANENTFLAGS).
func ReadFlagList(dec *imapwire.Decoder, flags *[]Flag) bool {
	return dec.ExpectList(func() error {
		return readFlag(dec, flags)
	})
}

func readFlag(dec *imapwire.Decoder, flags *[]Flag) error {
	if dec.Special('\\') {
		if dec.Special('*') {
			*flags = append(*flags, FlagWildcard)
			return nil
		}
		t := dec.AtomBytes()
		if t == nil {
			dec.ExpectAtom(new(string))
			return nil
		}
		var buf [32]byte
		b := append(append(buf[:0], '\\'), t...)
		*flags = append(*flags, CanonicalFlag(b))
		return nil
	}
	t := dec.AtomBytes()
	if t == nil {
		dec.ExpectAtom(new(string))
		return nil
	}
	*flags = append(*flags, CanonicalFlag(t))
	return nil
}

// WriteFlagList writes "(" flag ... ")".
func WriteFlagList(enc *imapwire.Encoder, flags []Flag) {
	enc.List(len(flags), func(i int) { enc.Atom(string(flags[i])) })
}
