package mime

import (
	"fmt"
	"strings"
	"time"
)

// FormatDate formats t as an RFC 5322 §3.3 date-time, such as
// "Sun, 22 Nov 2026 01:54:07 +0100", in t's own zone. Sub-second precision
// is dropped, and a zone whose offset is not whole minutes (local mean
// time) is written as UTC; for years 0 to 9999, [ParseDate] reads the
// result back to an equal time with the same offset.
func FormatDate(t time.Time) string {
	if _, off := t.Zone(); off%60 != 0 {
		t = t.UTC()
	}
	return t.Format("Mon, 02 Jan 2006 15:04:05 -0700")
}

// ParseDate parses an RFC 5322 §3.3 date-time, including the obsolete
// syntax of §4.3: comments and folding anywhere, two- and three-digit years,
// and the zones UT, GMT, EST/EDT, CST/CDT, MST/MDT, PST/PDT and the military
// letters (read, as §4.3 says, as -0000). "-0000" gives a time in UTC. It
// returns an error wrapping [ErrInvalidDate] for anything else, including a
// day-of-week that is not the one implied by the date (a MUST of §3.3).
func ParseDate(s string) (time.Time, error) {
	t, err := parseDateStrict(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s: %q", ErrInvalidDate, err.Error(), quoteDetail(s))
	}
	return t, nil
}

// ParseDateLenient parses what real mail puts in a Date field: everything
// [ParseDate] accepts, and also a wrong day-of-week, full month and day
// names, missing seconds or time, "22-Nov-2026", ctime's "Sun Nov 22
// 01:54:07 2026", ISO 8601 "2026-11-22T01:54:07Z", "a.m."/"pm", offsets
// such as "+01:00", "+1" or "GMT+0200", named zones ("CET", "BST", "JST"...;
// an unknown name counts as UTC), a missing zone (UTC), and trailing junk.
func ParseDateLenient(s string) (time.Time, error) {
	if t, err := parseDateStrict(s); err == nil {
		return t, nil
	}
	t, err := parseDateLoose(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: %s: %q", ErrInvalidDate, err.Error(), quoteDetail(s))
	}
	return t, nil
}

var monthNames = [...]string{"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}
var dayNames = [...]string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"}

// dateParser reads the strict grammar, with the CFWS of §4.3 between tokens.
type dateParser struct {
	s string
	i int
}

func (p *dateParser) cfws() bool {
	start := p.i
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\r', '\n':
			p.i++
		case '(':
			depth := 0
			for p.i < len(p.s) {
				c := p.s[p.i]
				p.i++
				if c == '\\' {
					// A quoted-pair; a backslash at the very end quotes
					// nothing and must not step past the input.
					p.i = min(p.i+1, len(p.s))
				} else if c == '(' {
					depth++
				} else if c == ')' {
					depth--
					if depth == 0 {
						break
					}
				}
			}
		default:
			return p.i > start
		}
	}
	return p.i > start
}

func (p *dateParser) digits(min, max int) (int, bool) {
	start := p.i
	n := 0
	for p.i < len(p.s) && p.i-start < max && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
		n = n*10 + int(p.s[p.i]-'0')
		p.i++
	}
	if p.i-start < min || p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
		return 0, false
	}
	return n, true
}

func (p *dateParser) alpha() string {
	start := p.i
	for p.i < len(p.s) && ('a' <= p.s[p.i] && p.s[p.i] <= 'z' || 'A' <= p.s[p.i] && p.s[p.i] <= 'Z') {
		p.i++
	}
	return p.s[start:p.i]
}

func (p *dateParser) expect(c byte) bool {
	p.cfws()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

type dateErr string

func (e dateErr) Error() string { return string(e) }

func parseDateStrict(s string) (time.Time, error) {
	p := dateParser{s: s}
	p.cfws()
	wday := -1
	if p.i < len(p.s) && !('0' <= p.s[p.i] && p.s[p.i] <= '9') {
		name := p.alpha()
		wday = indexFold(dayNames[:], name)
		if wday < 0 || len(name) != 3 {
			return time.Time{}, dateErr("bad day of week")
		}
		if !p.expect(',') {
			return time.Time{}, dateErr("missing comma after day of week")
		}
	}
	p.cfws()
	day, ok := p.digits(1, 2)
	if !ok {
		return time.Time{}, dateErr("bad day")
	}
	p.cfws()
	mname := p.alpha()
	month := indexFold(monthNames[:], mname)
	if month < 0 || len(mname) != 3 {
		return time.Time{}, dateErr("bad month")
	}
	if !p.cfws() {
		return time.Time{}, dateErr("no space before year")
	}
	ystart := p.i
	year, ok := p.digits(2, 9)
	if !ok {
		return time.Time{}, dateErr("bad year")
	}
	year = fixYear(year, p.i-ystart)
	if !p.cfws() {
		return time.Time{}, dateErr("no space before time")
	}
	hour, ok := p.digits(2, 2)
	if !ok || !p.expect(':') {
		return time.Time{}, dateErr("bad hour")
	}
	p.cfws()
	min, ok := p.digits(2, 2)
	if !ok {
		return time.Time{}, dateErr("bad minute")
	}
	sec := 0
	save := p.i
	if p.expect(':') {
		p.cfws()
		if sec, ok = p.digits(2, 2); !ok {
			return time.Time{}, dateErr("bad second")
		}
	} else {
		p.i = save
	}
	if hour > 23 || min > 59 || sec > 60 {
		return time.Time{}, dateErr("time out of range")
	}
	p.cfws()
	off, ok := p.zone()
	if !ok {
		return time.Time{}, dateErr("bad zone")
	}
	p.cfws()
	if p.i != len(p.s) {
		return time.Time{}, dateErr("junk after date")
	}
	t, ok := makeDate(year, month, day, hour, min, sec, off)
	if !ok {
		return time.Time{}, dateErr("no such day")
	}
	// RFC 5322 §3.3: the day-of-week MUST be the one the date implies.
	if wday >= 0 && int(t.Weekday()) != wday {
		return time.Time{}, dateErr("wrong day of week")
	}
	return t, nil
}

// zone reads "+hhmm"/"-hhmm" or an RFC 5322 §4.3 obs-zone.
func (p *dateParser) zone() (int, bool) {
	if p.i >= len(p.s) {
		return 0, false
	}
	if c := p.s[p.i]; c == '+' || c == '-' {
		p.i++
		n, ok := p.digits(4, 4)
		if !ok || n%100 > 59 {
			return 0, false
		}
		off := (n/100*60 + n%100) * 60
		if c == '-' {
			off = -off
		}
		return off, true
	}
	name := p.alpha()
	if off, ok := obsZones[strings.ToUpper(name)]; ok {
		return off * 3600, true
	}
	// Military zones: any letter but J; §4.3 says to read them as -0000.
	if len(name) == 1 && name != "j" && name != "J" {
		return 0, true
	}
	return 0, false
}

// obsZones are the RFC 5322 §4.3 obs-zone names, in hours east of UTC.
var obsZones = map[string]int{
	"UT": 0, "GMT": 0,
	"EST": -5, "EDT": -4, "CST": -6, "CDT": -5,
	"MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
}

// moreZones are zone names seen in real mail, in minutes east of UTC, for
// the lenient parser. Ambiguous names take their most common meaning.
var moreZones = map[string]int{
	"UTC": 0, "Z": 0, "WET": 0, "BST": 60, "IST": 330, "CET": 60, "CEST": 120,
	"MET": 60, "MEST": 120, "MEZ": 60, "MESZ": 120, "EET": 120, "EEST": 180,
	"WEST": 60, "MSK": 180, "JST": 540, "KST": 540, "HKT": 480, "SGT": 480,
	"AWST": 480, "ACST": 570, "AEST": 600, "AEDT": 660, "NZST": 720, "NZDT": 780,
	"AST": -240, "ADT": -180, "AKST": -540, "AKDT": -480, "HST": -600, "NST": -210,
	"NDT": -150, "BRT": -180, "ART": -180, "PHT": 480, "WIB": 420, "ICT": 420,
}

func fixYear(y, digits int) int {
	// RFC 5322 §4.3: two digits, 00-49 → 20xx, 50-99 → 19xx; three digits: + 1900.
	switch {
	case digits == 2 && y < 50:
		return y + 2000
	case digits == 2:
		return y + 1900
	case digits == 3:
		return y + 1900
	}
	return y
}

func makeDate(year, month, day, hour, min, sec, off int) (time.Time, bool) {
	if day < 1 || day > 31 || year > 99999 {
		return time.Time{}, false
	}
	loc := time.UTC
	if off != 0 {
		loc = time.FixedZone("", off)
	}
	t := time.Date(year, time.Month(month+1), day, hour, min, sec, 0, loc)
	if t.Day() != day && sec != 60 {
		return time.Time{}, false // 31 Feb
	}
	return t, true
}

func indexFold(names []string, s string) int {
	if len(s) < 3 {
		return -1
	}
	for i, n := range names {
		if equalFoldASCII(n, s[:3]) {
			return i
		}
	}
	return -1
}

// parseDateLoose picks a date out of tokens, for ParseDateLenient.
func parseDateLoose(s string) (time.Time, error) {
	// Comments go; commas, and the separators of "22-Nov-2026", become spaces.
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '(':
			depth++
			b.WriteByte(' ')
		case c == ')':
			if depth > 0 {
				depth--
			}
			b.WriteByte(' ')
		case depth > 0:
		case c == ',' || c == '\t' || c == '\r' || c == '\n':
			b.WriteByte(' ')
		default:
			b.WriteByte(c)
		}
	}
	fields := strings.Fields(b.String())
	const unset = -1
	year, month, day, hour, min, sec := unset, unset, unset, unset, unset, 0
	off, haveZone := 0, false
	yearDigits := 4
	for fi := 0; fi < len(fields) && fi < 32; fi++ {
		f := fields[fi]
		// ISO 8601: 2026-11-22 or 2026-11-22T01:54:07Z.
		if len(f) >= 10 && f[4] == '-' && f[7] == '-' && isDigits(f[:4]) && isDigits(f[5:7]) && isDigits(f[8:10]) {
			year, month, day = atoi(f[:4]), atoi(f[5:7])-1, atoi(f[8:10])
			if rest := f[10:]; len(rest) > 1 && (rest[0] == 'T' || rest[0] == 't') {
				fields = append(fields[:fi+1], append([]string{rest[1:]}, fields[fi+1:]...)...)
			}
			continue
		}
		// 22-Nov-2026 and 22/Nov/2026.
		if strings.Count(f, "-") == 2 || strings.Count(f, "/") == 2 {
			sep := "-"
			if strings.Contains(f, "/") {
				sep = "/"
			}
			parts := strings.Split(f, sep)
			if m := indexFold(monthNames[:], parts[1]); m >= 0 && isDigits(parts[0]) && isDigits(parts[2]) {
				day, month, year, yearDigits = atoi(parts[0]), m, atoi(parts[2]), len(parts[2])
				continue
			}
		}
		c := f[0]
		switch {
		case hour == unset && '0' <= c && c <= '9' && strings.ContainsAny(f, ":."):
			// A time: 01:54, 01:54:07, 1.54.07, 01:54:07.123, 01:54:07Z, 01:54:07+0100.
			t := f
			if k := strings.IndexAny(t, "+-Z"); k > 0 {
				fields = append(fields[:fi+1], append([]string{t[k:]}, fields[fi+1:]...)...)
				t = t[:k]
			}
			sep := ":"
			if !strings.Contains(t, ":") {
				sep = "."
			}
			parts := strings.Split(t, sep)
			if len(parts) < 2 || len(parts) > 3 && sep == "." {
				continue
			}
			if !isDigits(parts[0]) || !isDigits(parts[1]) {
				continue
			}
			hour, min = atoi(parts[0]), atoi(parts[1])
			if len(parts) >= 3 {
				sp := parts[2]
				if k := strings.IndexByte(sp, '.'); k >= 0 {
					sp = sp[:k]
				}
				if isDigits(sp) {
					sec = atoi(sp)
				}
			}
		case (c == '+' || c == '-') && len(f) > 1 && isDigits(strings.ReplaceAll(f[1:], ":", "")):
			if o, ok := looseOffset(f); ok && !haveZone {
				off, haveZone = o, true
			}
		case '0' <= c && c <= '9':
			if !isDigits(f) {
				// "22nd", "1st" and the like.
				k := 0
				for k < len(f) && '0' <= f[k] && f[k] <= '9' {
					k++
				}
				if sfx := strings.ToLower(f[k:]); sfx != "st" && sfx != "nd" && sfx != "rd" && sfx != "th" {
					continue
				}
				f = f[:k]
			}
			n := atoi(f)
			switch {
			case len(f) >= 3 || n > 31 || day != unset && month != unset:
				if year == unset {
					year, yearDigits = n, len(f)
				}
			case day == unset:
				day = n
			case year == unset:
				year, yearDigits = n, len(f)
			}
		default:
			word := strings.TrimRight(f, ".")
			lw := strings.ToLower(word)
			switch {
			case lw == "am" || lw == "a.m":
				if hour == 12 {
					hour = 0
				}
			case lw == "pm" || lw == "p.m":
				if hour != unset && hour < 12 {
					hour += 12
				}
			case indexFold(dayNames[:], word) >= 0 && isDayName(lw):
			case month == unset && indexFold(monthNames[:], word) >= 0 && isMonthName(lw):
				month = indexFold(monthNames[:], word)
			default:
				if o, ok := namedOffset(word); ok && !haveZone {
					off, haveZone = o, true
				}
			}
		}
	}
	if year == unset || month == unset || day == unset {
		return time.Time{}, dateErr("no date")
	}
	if hour == unset {
		hour, min = 0, 0
	}
	if hour > 23 || min > 59 || sec > 60 {
		return time.Time{}, dateErr("time out of range")
	}
	t, ok := makeDate(fixYear(year, yearDigits), month, day, hour, min, sec, off)
	if !ok {
		return time.Time{}, dateErr("no such day")
	}
	return t, nil
}

func isDayName(lw string) bool {
	for _, full := range []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"} {
		if strings.HasPrefix(full, lw) {
			return true
		}
	}
	return lw == "tues" || lw == "thur" || lw == "thurs"
}

func isMonthName(lw string) bool {
	for _, full := range []string{"january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"} {
		if strings.HasPrefix(full, lw) {
			return true
		}
	}
	return lw == "sept"
}

// namedOffset reads "CET", "GMT+0200", "UTC+2", "GMT-03:30".
func namedOffset(w string) (int, bool) {
	name, rest := w, ""
	if k := strings.IndexAny(w, "+-"); k > 0 {
		name, rest = w[:k], w[k:]
	}
	up := strings.ToUpper(name)
	base, ok := 0, false
	if h, found := obsZones[up]; found {
		base, ok = h*3600, true
	} else if m, found := moreZones[up]; found {
		base, ok = m*60, true
	}
	if !ok {
		// An unknown name counts as UTC; the date is still read.
		return 0, false
	}
	if rest != "" {
		if o, ok := looseOffset(rest); ok {
			return o, true
		}
	}
	return base, true
}

// looseOffset reads +hhmm, +hh:mm, +hh and +h.
func looseOffset(f string) (int, bool) {
	sign := 1
	if f[0] == '-' {
		sign = -1
	}
	d := strings.ReplaceAll(f[1:], ":", "")
	if !isDigits(d) || len(d) > 4 {
		return 0, false
	}
	var h, m int
	switch len(d) {
	case 1, 2:
		h = atoi(d)
	case 3:
		h, m = atoi(d[:1]), atoi(d[1:])
	case 4:
		h, m = atoi(d[:2]), atoi(d[2:])
	}
	if h > 23 || m > 59 {
		return 0, false
	}
	return sign * (h*3600 + m*60), true
}

func isDigits(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s) && i < 9; i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
