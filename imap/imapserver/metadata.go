package imapserver

import (
	"sort"
	"strconv"
	"strings"
)

// Limits of METADATA (RFC 5464 §4.2).
const (
	maxMetadataValue   = 64 << 10
	maxMetadataEntries = 1000
)

func (c *conn) metadataUser() MetadataUser {
	m, _ := c.user.(MetadataUser)
	return m
}

// validEntry checks an entry name (RFC 5464 §3.2): it starts with
// /private or /shared, has no "*" or "%", no "//", no trailing "/".
func validEntry(e string) bool {
	if !strings.HasPrefix(e, "/private") && !strings.HasPrefix(e, "/shared") {
		return false
	}
	if strings.ContainsAny(e, "*%") || strings.Contains(e, "//") || strings.HasSuffix(e, "/") {
		return false
	}
	for i := 0; i < len(e); i++ {
		if e[i] < 0x20 || e[i] >= 0x7f {
			return false
		}
	}
	return true
}

// entryList reads one entry or a parenthesised list of them.
func (c *conn) entryList() ([]string, bool) {
	d := &c.dec
	one := func() (string, bool) {
		e, ok := d.AString()
		if ok && !validEntry(strings.ToLower(e)) {
			return "", d.syntax("bad metadata entry name")
		}
		return strings.ToLower(e), ok
	}
	if !d.Peek('(') {
		e, ok := one()
		return []string{e}, ok
	}
	d.readByte()
	var out []string
	for !d.Peek(')') {
		if len(out) > 0 && !d.SP() {
			return nil, false
		}
		e, ok := one()
		if !ok {
			return nil, false
		}
		out = append(out, e)
	}
	d.readByte()
	return out, true
}

// handleGETMETADATA: RFC 5464 §4.2, with MAXSIZE and DEPTH.
func (c *conn) handleGETMETADATA(tag string, uid bool) error {
	d := &c.dec
	if !d.SP() {
		return nil
	}
	maxSize, depth := int64(-1), 0
	if d.Peek('(') {
		d.readByte()
		for i := 0; !d.Peek(')'); i++ {
			if i > 0 && !d.SP() {
				return nil
			}
			a, ok := d.Atom()
			if !ok || !d.SP() {
				return nil
			}
			switch strings.ToUpper(a) {
			case "MAXSIZE":
				n, ok := d.Number64()
				if !ok {
					return nil
				}
				maxSize = int64(n)
			case "DEPTH":
				v, ok := d.AString()
				if !ok {
					return nil
				}
				switch strings.ToLower(v) {
				case "0":
					depth = 0
				case "1":
					depth = 1
				case "infinity":
					depth = -1
				default:
					return d.bail("bad DEPTH")
				}
			default:
				return d.bail("unknown GETMETADATA option")
			}
		}
		d.readByte()
		if !d.SP() {
			return nil
		}
	}
	name, ok := c.dec.AString()
	if !ok || !d.SP() {
		return nil
	}
	if name != "" {
		if name, ok = c.decodeName(name); !ok {
			return nil
		}
	}
	entries, ok := c.entryList()
	if !ok || !d.CRLF() {
		return nil
	}
	mu := c.metadataUser()
	if mu == nil {
		return no("CANNOT", "no metadata here")
	}
	all, err := mu.Metadata(c.ctx(), name)
	if err != nil {
		return err
	}
	var keys []string
	longest := 0
	for k, v := range all {
		for _, e := range entries {
			match := k == e
			if !match && depth != 0 && strings.HasPrefix(k, e+"/") {
				match = depth < 0 || !strings.Contains(k[len(e)+1:], "/")
			}
			if match {
				if maxSize >= 0 && int64(len(v)) > maxSize {
					longest = max(longest, len(v))
					break
				}
				keys = append(keys, k)
				break
			}
		}
	}
	sort.Strings(keys)
	if len(keys) > 0 {
		b := []byte("* METADATA ")
		if name == "" {
			b = append(b, `""`...)
		} else {
			b = c.appendMailbox(b, name)
		}
		b = append(b, " ("...)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ' ')
			}
			b = appendAString(b, k)
			b = append(b, ' ')
			b = appendString(b, all[k])
		}
		c.writer().Write(append(b, ")\r\n"...))
	}
	if longest > 0 {
		// RFC 5464 §4.2.1: the size of the longest value left out.
		c.okCode = "METADATA LONGENTRIES " + strconv.Itoa(longest)
	}
	return nil
}

// handleSETMETADATA: RFC 5464 §4.3.
func (c *conn) handleSETMETADATA(tag string, uid bool) error {
	d := &c.dec
	if !d.SP() {
		return nil
	}
	name, ok := d.AString()
	if !ok || !d.SP() || !d.Expect('(') {
		return nil
	}
	if name != "" {
		if name, ok = c.decodeName(name); !ok {
			return nil
		}
	}
	type pair struct {
		entry string
		value *string
	}
	var pairs []pair
	for !d.Peek(')') {
		if len(pairs) > 0 && !d.SP() {
			return nil
		}
		e, ok := d.AString()
		if !ok || !d.SP() {
			return nil
		}
		e = strings.ToLower(e)
		if !validEntry(e) {
			return d.bail("bad metadata entry name")
		}
		v, isNil, ok := d.nstringOrNil()
		if !ok {
			return nil
		}
		p := pair{entry: e}
		if !isNil {
			p.value = &v
		}
		pairs = append(pairs, p)
	}
	d.readByte()
	if !d.CRLF() {
		return nil
	}
	mu := c.metadataUser()
	if mu == nil {
		return no("CANNOT", "no metadata here")
	}
	if len(pairs) > maxMetadataEntries {
		return no("METADATA TOOMANY", "too many entries")
	}
	for _, p := range pairs {
		if p.value != nil && len(*p.value) > maxMetadataValue {
			return no("METADATA MAXSIZE "+strconv.Itoa(maxMetadataValue), "value too large")
		}
	}
	for _, p := range pairs {
		if err := mu.SetMetadata(c.ctx(), name, p.entry, p.value); err != nil {
			return err
		}
	}
	return nil
}
