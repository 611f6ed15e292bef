package imap

import (
	"strings"
	"time"

	"github.com/mailwire/mailwire/internal/imapwire"
)

// SearchHeaderField is a HEADER key (FROM, TO, CC, BCC and SUBJECT are
// read as headers too).
type SearchHeaderField struct {
	Key, Value string
}

// SearchModSeq is the MODSEQ search key (RFC 7162 §3.1.5).
type SearchModSeq struct {
	ModSeq       uint64
	MetadataName string // entry name, "" when absent
	MetadataType string // "priv", "shared" or "all"
}

// SearchCriteria is a search program; every field is ANDed, and the zero
// value matches all messages (ALL).
type SearchCriteria struct {
	SeqNum []NumSet // SeqSet or SearchRes
	UID    []NumSet // UIDSet or SearchRes

	// Dates compare the date only (RFC 9051 §6.4.4); time zone ignored.
	Since, Before, On             time.Time // internal date
	SentSince, SentBefore, SentOn time.Time // Date: header

	Header []SearchHeaderField
	Body   []string
	Text   []string

	Flag    []Flag // ANSWERED, DELETED, ..., KEYWORD k
	NotFlag []Flag // UNANSWERED, ..., UNKEYWORD k

	Larger, Smaller int64

	Not []SearchCriteria
	Or  [][2]SearchCriteria

	ModSeq *SearchModSeq // RFC 7162

	Younger, Older uint32 // WITHIN, RFC 5032 (seconds)

	SavedSince, SavedBefore, SavedOn time.Time // SAVEDATE, RFC 8514
	SaveDateSupported                bool

	EmailID, ThreadID string // OBJECTID, RFC 8474

	// IMAP4rev1 only (RFC 3501): NEW and OLD.
	New, Old bool

	GmailRaw    string // X-GM-RAW
	GmailMsgID  uint64 // X-GM-MSGID
	GmailThrID  uint64 // X-GM-THRID
	GmailLabels []string
}

const searchDateLayout = "2-Jan-2006"

// NeedsUTF8 reports whether any string in c is not ASCII, so that a
// client must say CHARSET UTF-8 (unless UTF8=ACCEPT is on).
func (c *SearchCriteria) NeedsUTF8() bool {
	nonASCII := func(s string) bool {
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				return true
			}
		}
		return false
	}
	for _, h := range c.Header {
		if nonASCII(h.Key) || nonASCII(h.Value) {
			return true
		}
	}
	for _, s := range append(append([]string{}, c.Body...), c.Text...) {
		if nonASCII(s) {
			return true
		}
	}
	if nonASCII(c.GmailRaw) {
		return true
	}
	for i := range c.Not {
		if c.Not[i].NeedsUTF8() {
			return true
		}
	}
	for i := range c.Or {
		if c.Or[i][0].NeedsUTF8() || c.Or[i][1].NeedsUTF8() {
			return true
		}
	}
	return false
}

// WriteSearchCriteria writes the search keys, separated by spaces; the
// zero criteria is written as ALL.
func WriteSearchCriteria(enc *imapwire.Encoder, c *SearchCriteria) {
	first := true
	key := func(name string) *imapwire.Encoder {
		if !first {
			enc.SP()
		}
		first = false
		return enc.Atom(name)
	}
	date := func(name string, t time.Time) {
		if !t.IsZero() {
			key(name).SP().Atom(t.Format(searchDateLayout))
		}
	}
	for _, s := range c.SeqNum {
		key(s.String())
	}
	for _, s := range c.UID {
		key("UID").SP().Atom(s.String())
	}
	date("SINCE", c.Since)
	date("BEFORE", c.Before)
	date("ON", c.On)
	date("SENTSINCE", c.SentSince)
	date("SENTBEFORE", c.SentBefore)
	date("SENTON", c.SentOn)
	for _, h := range c.Header {
		switch strings.ToUpper(h.Key) {
		case "FROM", "TO", "CC", "BCC", "SUBJECT":
			key(strings.ToUpper(h.Key)).SP().String(h.Value)
		default:
			key("HEADER").SP().AString(h.Key).SP().String(h.Value)
		}
	}
	for _, s := range c.Body {
		key("BODY").SP().String(s)
	}
	for _, s := range c.Text {
		key("TEXT").SP().String(s)
	}
	for _, f := range c.Flag {
		if name, ok := flagSearchKey(f, false); ok {
			key(name)
		} else {
			key("KEYWORD").SP().Atom(string(f))
		}
	}
	for _, f := range c.NotFlag {
		if name, ok := flagSearchKey(f, true); ok {
			key(name)
		} else {
			key("UNKEYWORD").SP().Atom(string(f))
		}
	}
	if c.Larger > 0 {
		key("LARGER").SP().Number64(uint64(c.Larger))
	}
	if c.Smaller > 0 {
		key("SMALLER").SP().Number64(uint64(c.Smaller))
	}
	for i := range c.Not {
		key("NOT").SP()
		writeSearchKey(enc, &c.Not[i])
	}
	for i := range c.Or {
		key("OR").SP()
		writeSearchKey(enc, &c.Or[i][0])
		enc.SP()
		writeSearchKey(enc, &c.Or[i][1])
	}
	if c.ModSeq != nil {
		key("MODSEQ")
		if c.ModSeq.MetadataName != "" {
			enc.SP().Quoted(c.ModSeq.MetadataName).SP().Atom(c.ModSeq.MetadataType)
		}
		enc.SP().Number64(c.ModSeq.ModSeq)
	}
	if c.Younger > 0 {
		key("YOUNGER").SP().Number(c.Younger)
	}
	if c.Older > 0 {
		key("OLDER").SP().Number(c.Older)
	}
	date("SAVEDSINCE", c.SavedSince)
	date("SAVEDBEFORE", c.SavedBefore)
	date("SAVEDON", c.SavedOn)
	if c.SaveDateSupported {
		key("SAVEDATESUPPORTED")
	}
	if c.EmailID != "" {
		key("EMAILID").SP().Atom(c.EmailID)
	}
	if c.ThreadID != "" {
		key("THREADID").SP().Atom(c.ThreadID)
	}
	if c.New {
		key("NEW")
	}
	if c.Old {
		key("OLD")
	}
	if c.GmailRaw != "" {
		key("X-GM-RAW").SP().String(c.GmailRaw)
	}
	if c.GmailMsgID != 0 {
		key("X-GM-MSGID").SP().Number64(c.GmailMsgID)
	}
	if c.GmailThrID != 0 {
		key("X-GM-THRID").SP().Number64(c.GmailThrID)
	}
	for _, l := range c.GmailLabels {
		key("X-GM-LABELS").SP().AString(l)
	}
	if first {
		enc.Atom("ALL")
	}
}

// writeSearchKey writes c as one search-key: parenthesised when it holds
// more than one key.
func writeSearchKey(enc *imapwire.Encoder, c *SearchCriteria) {
	if c.keyCount() == 1 {
		WriteSearchCriteria(enc, c)
		return
	}
	enc.Special('(')
	WriteSearchCriteria(enc, c)
	enc.Special(')')
}

func (c *SearchCriteria) keyCount() int {
	n := len(c.SeqNum) + len(c.UID) + len(c.Header) + len(c.Body) + len(c.Text) +
		len(c.Flag) + len(c.NotFlag) + len(c.Not) + len(c.Or) + len(c.GmailLabels)
	for _, t := range []time.Time{c.Since, c.Before, c.On, c.SentSince, c.SentBefore, c.SentOn, c.SavedSince, c.SavedBefore, c.SavedOn} {
		if !t.IsZero() {
			n++
		}
	}
	for _, b := range []bool{c.Larger > 0, c.Smaller > 0, c.ModSeq != nil, c.Younger > 0, c.Older > 0,
		c.SaveDateSupported, c.EmailID != "", c.ThreadID != "", c.New, c.Old, c.GmailRaw != "",
		c.GmailMsgID != 0, c.GmailThrID != 0} {
		if b {
			n++
		}
	}
	if n == 0 {
		return 1 // ALL
	}
	return n
}

var flagKeys = []struct {
	flag    Flag
	on, off string
}{
	{FlagAnswered, "ANSWERED", "UNANSWERED"},
	{FlagDeleted, "DELETED", "UNDELETED"},
	{FlagDraft, "DRAFT", "UNDRAFT"},
	{FlagFlagged, "FLAGGED", "UNFLAGGED"},
	{FlagSeen, "SEEN", "UNSEEN"},
	{FlagRecent, "RECENT", ""},
}

func flagSearchKey(f Flag, not bool) (string, bool) {
	for _, k := range flagKeys {
		if k.flag.Equal(f) {
			if not {
				return k.off, k.off != ""
			}
			return k.on, true
		}
	}
	return "", false
}

// maxSearchDepth bounds NOT/OR/parenthesis nesting when reading.
const maxSearchDepth = 64

// ReadSearchCriteria reads search keys up to the end of the line (or a
// closing parenthesis), as a server does. It returns the CHARSET given,
// if any, in charset.
func ReadSearchCriteria(dec *imapwire.Decoder, c *SearchCriteria, charset *string) bool {
	first := true
	for {
		if !first {
			if !dec.SP() {
				return dec.Err() == nil
			}
		}
		if first && charset != nil {
			if ok, isCharset := readCharset(dec, charset); !ok {
				return false
			} else if isCharset {
				if !dec.ExpectSP() {
					return false
				}
			}
		}
		first = false
		if !readSearchKey(dec, c, 0) {
			return false
		}
		if dec.AtEOL() {
			return true
		}
		if b, _ := dec.PeekByte(); b == ')' {
			return true
		}
	}
}

func readCharset(dec *imapwire.Decoder, charset *string) (ok, isCharset bool) {
	b := dec.Bufio()
	buf, _ := b.Peek(8)
	if len(buf) == 8 && strings.EqualFold(string(buf), "CHARSET ") {
		dec.AtomBytes()
		if !dec.ExpectSP() || !dec.ExpectAString(charset) {
			return false, true
		}
		return true, true
	}
	return dec.Err() == nil, false
}

func readSearchKey(dec *imapwire.Decoder, c *SearchCriteria, depth int) bool {
	if depth > maxSearchDepth {
		return dec.Fail(&imapwire.SyntaxError{Want: "search keys nested at most 64 deep"})
	}
	if dec.Special('(') {
		for {
			if !readSearchKey(dec, c, depth+1) {
				return false
			}
			if dec.Special(')') {
				return true
			}
			if !dec.ExpectSP() {
				return false
			}
		}
	}
	if dec.Special('$') {
		c.SeqNum = append(c.SeqNum, SearchRes{})
		return true
	}
	tok := dec.AtomBytes()
	if tok == nil {
		return dec.ExpectAtom(new(string))
	}
	if b := tok[0]; b >= '0' && b <= '9' || b == '*' {
		set, err := ParseSeqSet(string(tok))
		if err != nil {
			return dec.Fail(err)
		}
		c.SeqNum = append(c.SeqNum, set)
		return true
	}
	name := strings.ToUpper(string(tok))
	arg := func() string {
		var s string
		if dec.ExpectSP() {
			dec.ExpectAString(&s)
		}
		return s
	}
	dateArg := func(t *time.Time) bool {
		s := arg()
		if dec.Err() != nil {
			return false
		}
		d, err := time.Parse(searchDateLayout, s)
		if err != nil {
			return dec.Fail(&imapwire.SyntaxError{Want: "date", Near: s})
		}
		*t = d
		return true
	}
	numArg := func(v *int64) bool { return dec.ExpectSP() && dec.ExpectNumber64(v) }
	for _, k := range flagKeys {
		if name == k.on {
			c.Flag = append(c.Flag, k.flag)
			return true
		}
		if k.off != "" && name == k.off {
			c.NotFlag = append(c.NotFlag, k.flag)
			return true
		}
	}
	switch name {
	case "ALL":
	case "UNRECENT", "OLD":
		c.Old = true
	case "NEW":
		c.New = true
	case "BCC", "CC", "FROM", "SUBJECT", "TO":
		v := arg()
		c.Header = append(c.Header, SearchHeaderField{Key: name, Value: v})
	case "HEADER":
		k := arg()
		v := arg()
		c.Header = append(c.Header, SearchHeaderField{Key: k, Value: v})
	case "BODY":
		c.Body = append(c.Body, arg())
	case "TEXT":
		c.Text = append(c.Text, arg())
	case "KEYWORD":
		c.Flag = append(c.Flag, Flag(arg()))
	case "UNKEYWORD":
		c.NotFlag = append(c.NotFlag, Flag(arg()))
	case "BEFORE":
		return dateArg(&c.Before)
	case "ON":
		return dateArg(&c.On)
	case "SINCE":
		return dateArg(&c.Since)
	case "SENTBEFORE":
		return dateArg(&c.SentBefore)
	case "SENTON":
		return dateArg(&c.SentOn)
	case "SENTSINCE":
		return dateArg(&c.SentSince)
	case "SAVEDBEFORE":
		return dateArg(&c.SavedBefore)
	case "SAVEDON":
		return dateArg(&c.SavedOn)
	case "SAVEDSINCE":
		return dateArg(&c.SavedSince)
	case "SAVEDATESUPPORTED":
		c.SaveDateSupported = true
	case "LARGER":
		return numArg(&c.Larger)
	case "SMALLER":
		return numArg(&c.Smaller)
	case "YOUNGER", "OLDER":
		var n uint32
		if !dec.ExpectSP() || !dec.ExpectNumber(&n) {
			return false
		}
		if name == "YOUNGER" {
			c.Younger = n
		} else {
			c.Older = n
		}
	case "UID":
		if !dec.ExpectSP() {
			return false
		}
		set, ok := ReadNumSet(dec, true)
		if !ok {
			return false
		}
		c.UID = append(c.UID, set)
	case "NOT":
		var n SearchCriteria
		if !dec.ExpectSP() || !readSearchKey(dec, &n, depth+1) {
			return false
		}
		c.Not = append(c.Not, n)
	case "OR":
		var or [2]SearchCriteria
		if !dec.ExpectSP() || !readSearchKey(dec, &or[0], depth+1) ||
			!dec.ExpectSP() || !readSearchKey(dec, &or[1], depth+1) {
			return false
		}
		c.Or = append(c.Or, or)
	case "MODSEQ":
		m := &SearchModSeq{}
		if !dec.ExpectSP() {
			return false
		}
		if b, _ := dec.PeekByte(); b == '"' {
			if !dec.Quoted(&m.MetadataName) || !dec.ExpectSP() || !dec.ExpectAtom(&m.MetadataType) || !dec.ExpectSP() {
				return false
			}
		}
		if !dec.ModSeq(&m.ModSeq) {
			return dec.ExpectNumber64(new(int64))
		}
		c.ModSeq = m
	case "EMAILID":
		c.EmailID = arg()
	case "THREADID":
		c.ThreadID = arg()
	case "X-GM-RAW":
		c.GmailRaw = arg()
	case "X-GM-MSGID", "X-GM-THRID":
		var v uint64
		if !dec.ExpectSP() || !dec.ModSeq(&v) {
			return dec.ExpectNumber64(new(int64))
		}
		if name == "X-GM-MSGID" {
			c.GmailMsgID = v
		} else {
			c.GmailThrID = v
		}
	case "X-GM-LABELS":
		c.GmailLabels = append(c.GmailLabels, arg())
	default:
		return dec.Fail(&imapwire.SyntaxError{Want: "search key", Near: name})
	}
	return dec.Err() == nil
}

// SearchOptions are ESEARCH return options (RFC 4731, RFC 5182 SAVE,
// RFC 5267 UPDATE and PARTIAL).
type SearchOptions struct {
	ReturnMin, ReturnMax, ReturnAll, ReturnCount, ReturnSave bool
	// ReturnUpdate asks for ADDTO/REMOVEFROM updates until CANCELUPDATE
	// (RFC 5267 §4.3, CONTEXT=SEARCH / CONTEXT=SORT).
	ReturnUpdate bool
	// ReturnPartial asks for the results at positions Start:Stop
	// (RFC 5267 §4.4); nil for none.
	ReturnPartial *Range
}

// Any reports whether a RETURN clause is needed.
func (o *SearchOptions) Any() bool {
	return o != nil && (o.ReturnMin || o.ReturnMax || o.ReturnAll || o.ReturnCount || o.ReturnSave || o.ReturnUpdate || o.ReturnPartial != nil)
}

// SearchContextUpdate is one ADDTO or REMOVEFROM pair (RFC 5267 §4.3.3):
// results inserted at, or removed from, a position (0: in mailbox order).
type SearchContextUpdate struct {
	Position uint32
	Set      NumSet
}

// WriteSearchOptions writes "RETURN (...)".
func WriteSearchOptions(enc *imapwire.Encoder, o *SearchOptions) {
	var opts []string
	for _, x := range []struct {
		ok   bool
		name string
	}{{o.ReturnMin, "MIN"}, {o.ReturnMax, "MAX"}, {o.ReturnAll, "ALL"}, {o.ReturnCount, "COUNT"}, {o.ReturnSave, "SAVE"}} {
		if x.ok {
			opts = append(opts, x.name)
		}
	}
	if o.ReturnUpdate {
		opts = append(opts, "UPDATE")
	}
	if r := o.ReturnPartial; r != nil {
		opts = append(opts, "PARTIAL "+formatRanges([]Range{*r}))
	}
	enc.Atom("RETURN").SP().List(len(opts), func(i int) { enc.Atom(opts[i]) })
}

// ReadSearchOptions reads "(" return options ")" after RETURN SP.
func ReadSearchOptions(dec *imapwire.Decoder, o *SearchOptions) bool {
	return dec.ExpectList(func() error {
		var s string
		if !dec.ExpectAtom(&s) {
			return nil
		}
		switch strings.ToUpper(s) {
		case "MIN":
			o.ReturnMin = true
		case "MAX":
			o.ReturnMax = true
		case "ALL":
			o.ReturnAll = true
		case "COUNT":
			o.ReturnCount = true
		case "SAVE":
			o.ReturnSave = true
		case "UPDATE":
			o.ReturnUpdate = true
		case "PARTIAL":
			var t string
			if dec.ExpectSP() && dec.ExpectAtom(&t) {
				set, err := ParseSeqSet(t)
				if err != nil || len(set) != 1 || set.Dynamic() {
					dec.Fail(&imapwire.SyntaxError{Want: "partial-range", Near: t})
					return nil
				}
				o.ReturnPartial = &set[0]
			}
		default:
			dec.Fail(&imapwire.SyntaxError{Want: "search-return-opt", Near: s})
		}
		return nil
	})
}

// SearchData is the result of SEARCH: a SEARCH or ESEARCH response.
type SearchData struct {
	Tag   string // ESEARCH correlator
	UID   bool
	All   NumSet // SeqSet or UIDSet; the numbers of a plain SEARCH too
	Min   uint32
	Max   uint32
	Count uint32
	// HasCount distinguishes COUNT 0 from no COUNT.
	HasCount bool
	ModSeq   uint64

	// CONTEXT (RFC 5267): updates to a result, and a PARTIAL result.
	AddTo, RemoveFrom []SearchContextUpdate
	PartialRange      *Range
	Partial           NumSet
}

// Nums returns the matching numbers (expanding All).
func (d *SearchData) Nums() []uint32 {
	switch s := d.All.(type) {
	case SeqSet:
		n, _ := s.Nums()
		return n
	case UIDSet:
		n, _ := nums(s)
		return n
	}
	return nil
}

// ReadSearchResponse reads what follows "SEARCH" in a SEARCH response:
// *(SP nz-number) [SP "(" "MODSEQ" SP n ")"].
func ReadSearchResponse(dec *imapwire.Decoder, d *SearchData, uid bool) bool {
	var rs []Range
	for dec.SP() {
		if dec.Special('(') {
			var name string
			if !dec.ExpectAtom(&name) || !dec.ExpectSP() || !dec.ModSeq(&d.ModSeq) || !dec.ExpectSpecial(')') {
				return false
			}
			continue
		}
		var n uint32
		if !dec.Number(&n) {
			break
		}
		rs = addNum(rs, n)
	}
	d.UID = uid
	if uid {
		d.All = UIDSet(rs)
	} else {
		d.All = SeqSet(rs)
	}
	return dec.Err() == nil
}

// ReadESearchResponse reads what follows "ESEARCH" (RFC 4731 §3).
func ReadESearchResponse(dec *imapwire.Decoder, d *SearchData) bool {
	// The SP after the name is optional here: a caller may have read it.
	dec.SP()
	if dec.AtEOL() || dec.Err() != nil {
		return dec.Err() == nil
	}
	if dec.Special('(') {
		var name string
		if !dec.ExpectAtom(&name) || !dec.ExpectSP() || !dec.ExpectString(&d.Tag) || !dec.ExpectSpecial(')') {
			return false
		}
		if !dec.SP() {
			return dec.Err() == nil
		}
	}
	for {
		var name string
		if !dec.ExpectAtom(&name) {
			return false
		}
		name = strings.ToUpper(name)
		if name == "UID" {
			d.UID = true
		} else {
			if !dec.ExpectSP() {
				return false
			}
			switch name {
			case "MIN":
				dec.ExpectNumber(&d.Min)
			case "MAX":
				dec.ExpectNumber(&d.Max)
			case "COUNT":
				d.HasCount = dec.ExpectNumber(&d.Count)
			case "ALL":
				set, ok := ReadNumSet(dec, d.UID)
				if ok {
					d.All = set
				}
			case "MODSEQ":
				dec.ModSeq(&d.ModSeq)
			case "ADDTO", "REMOVEFROM":
				var ups []SearchContextUpdate
				readUpdates(dec, d.UID, &ups)
				if name == "ADDTO" {
					d.AddTo = append(d.AddTo, ups...)
				} else {
					d.RemoveFrom = append(d.RemoveFrom, ups...)
				}
			case "PARTIAL":
				// "(" partial-range SP partial-results ")", results NIL when empty
				if dec.ExpectSpecial('(') {
					var t string
					if dec.ExpectAtom(&t) {
						if set, err := ParseSeqSet(t); err == nil && len(set) == 1 {
							d.PartialRange = &set[0]
						}
					}
					if dec.ExpectSP() && !dec.NIL() {
						if set, ok := ReadNumSet(dec, d.UID); ok {
							d.Partial = set
						}
					}
					dec.ExpectSpecial(')')
				}
			default:
				dec.SkipValue()
			}
		}
		if dec.Err() != nil {
			return false
		}
		if !dec.SP() {
			return dec.Err() == nil
		}
	}
}

// readUpdates reads "(" context-position SP sequence-set *(SP ...) ")".
func readUpdates(dec *imapwire.Decoder, uid bool, out *[]SearchContextUpdate) bool {
	if !dec.ExpectSpecial('(') {
		return false
	}
	for {
		var u SearchContextUpdate
		if !dec.ExpectNumber(&u.Position) || !dec.ExpectSP() {
			return false
		}
		set, ok := ReadNumSet(dec, uid)
		if !ok {
			return false
		}
		u.Set = set
		*out = append(*out, u)
		if dec.Special(')') {
			return true
		}
		if !dec.ExpectSP() {
			return false
		}
	}
}

// WriteESearchResponse writes what follows "ESEARCH".
func WriteESearchResponse(enc *imapwire.Encoder, d *SearchData, o *SearchOptions) {
	if d.Tag != "" {
		enc.SP().Raw(`(TAG `).Quoted(d.Tag).Special(')')
	}
	if d.UID {
		enc.SP().Atom("UID")
	}
	if o.ReturnMin && d.Min > 0 {
		enc.SP().Atom("MIN").SP().Number(d.Min)
	}
	if o.ReturnMax && d.Max > 0 {
		enc.SP().Atom("MAX").SP().Number(d.Max)
	}
	if o.ReturnAll && d.All != nil && d.All.String() != "" {
		enc.SP().Atom("ALL").SP().Atom(d.All.String())
	}
	if o.ReturnCount {
		enc.SP().Atom("COUNT").SP().Number(d.Count)
	}
	if d.ModSeq > 0 {
		enc.SP().Atom("MODSEQ").SP().Number64(d.ModSeq)
	}
	if o.ReturnPartial != nil {
		enc.SP().Atom("PARTIAL").SP().Special('(').Atom(formatRanges([]Range{*o.ReturnPartial})).SP()
		if d.Partial == nil || d.Partial.String() == "" {
			enc.NIL()
		} else {
			enc.Atom(d.Partial.String())
		}
		enc.Special(')')
	}
	for _, x := range []struct {
		name string
		ups  []SearchContextUpdate
	}{{"ADDTO", d.AddTo}, {"REMOVEFROM", d.RemoveFrom}} {
		if len(x.ups) == 0 {
			continue
		}
		enc.SP().Atom(x.name).SP().List(len(x.ups), func(i int) {
			enc.Number(x.ups[i].Position).SP().Atom(x.ups[i].Set.String())
		})
	}
}

// SortKey is a SORT criterion (RFC 5256 §3, RFC 5957 DISPLAY).
type SortKey string

// Sort keys.
const (
	SortArrival     SortKey = "ARRIVAL"
	SortCc          SortKey = "CC"
	SortDate        SortKey = "DATE"
	SortFrom        SortKey = "FROM"
	SortSize        SortKey = "SIZE"
	SortSubject     SortKey = "SUBJECT"
	SortTo          SortKey = "TO"
	SortDisplayFrom SortKey = "DISPLAYFROM"
	SortDisplayTo   SortKey = "DISPLAYTO"
)

// SortCriterion is one sort key, optionally reversed.
type SortCriterion struct {
	Key     SortKey
	Reverse bool
}

// WriteSortCriteria writes "(" [REVERSE SP] key ... ")".
func WriteSortCriteria(enc *imapwire.Encoder, cs []SortCriterion) {
	enc.List(len(cs), func(i int) {
		if cs[i].Reverse {
			enc.Atom("REVERSE").SP()
		}
		enc.Atom(string(cs[i].Key))
	})
}

// ReadSortCriteria reads a sort criteria list.
func ReadSortCriteria(dec *imapwire.Decoder, cs *[]SortCriterion) bool {
	return dec.ExpectList(func() error {
		var s string
		if !dec.ExpectAtom(&s) {
			return nil
		}
		var c SortCriterion
		if strings.EqualFold(s, "REVERSE") {
			c.Reverse = true
			if !dec.ExpectSP() || !dec.ExpectAtom(&s) {
				return nil
			}
		}
		c.Key = SortKey(strings.ToUpper(s))
		*cs = append(*cs, c)
		return nil
	})
}

// ThreadAlgorithm names a THREAD algorithm (RFC 5256).
type ThreadAlgorithm string

// Thread algorithms.
const (
	ThreadOrderedSubject ThreadAlgorithm = "ORDEREDSUBJECT"
	ThreadReferences     ThreadAlgorithm = "REFERENCES"
)

// Thread is one node of a THREAD response: a message and its children.
// A node with Num 0 is a placeholder for a missing parent (RFC 5256 §4
// allows nested lists with no number).
type Thread struct {
	Num      uint32
	Children []*Thread
}

// ReadThreadResponse reads what follows "THREAD": *(SP? thread-list).
func ReadThreadResponse(dec *imapwire.Decoder) ([]*Thread, bool) {
	var out []*Thread
	dec.SP()
	for {
		c, ok := dec.PeekByte()
		if !ok || c != '(' {
			break
		}
		t, ok := readThreadList(dec, 0)
		if !ok {
			return nil, false
		}
		out = append(out, t)
	}
	return out, dec.Err() == nil
}

// readThreadList reads "(" thread-members / thread-nested ")": a chain of
// numbers where each is the child of the one before, ending with nested
// lists that are siblings.
func readThreadList(dec *imapwire.Decoder, depth int) (*Thread, bool) {
	if depth > 1000 {
		return nil, dec.Fail(&imapwire.SyntaxError{Want: "thread nested at most 1000 deep"})
	}
	if !dec.ExpectSpecial('(') {
		return nil, false
	}
	root := &Thread{}
	cur := root
	first := true
	for {
		if dec.Special(')') {
			return root, true
		}
		if !first {
			dec.SP()
		}
		c, ok := dec.PeekByte()
		if !ok {
			return nil, false
		}
		if c == '(' {
			child, ok := readThreadList(dec, depth+1)
			if !ok {
				return nil, false
			}
			cur.Children = append(cur.Children, child)
		} else {
			var n uint32
			if !dec.ExpectNumber(&n) {
				return nil, false
			}
			if first {
				root.Num = n
			} else {
				next := &Thread{Num: n}
				cur.Children = append(cur.Children, next)
				cur = next
			}
		}
		first = false
	}
}

// WriteThreads writes thread lists.
func WriteThreads(enc *imapwire.Encoder, ts []*Thread) {
	for _, t := range ts {
		writeThread(enc, t)
	}
}

func writeThread(enc *imapwire.Encoder, t *Thread) {
	enc.Special('(')
	writeThreadBody(enc, t)
	enc.Special(')')
}

func writeThreadBody(enc *imapwire.Encoder, t *Thread) {
	if t.Num != 0 {
		enc.Number(t.Num)
	}
	switch len(t.Children) {
	case 0:
	case 1:
		if t.Num != 0 {
			enc.SP()
		}
		writeThreadBody(enc, t.Children[0])
	default:
		if t.Num != 0 {
			enc.SP()
		}
		for _, c := range t.Children {
			writeThread(enc, c)
		}
	}
}
