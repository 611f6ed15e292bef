package imapserver

import (
	"fmt"
	"time"
)

// CheckStructure verifies every part's ranges lie within size bytes, and
// that the cached responses have balanced parentheses.
func CheckStructure(s *Structure, size int64) error {
	var walk func(p *part) error
	walk = func(p *part) error {
		if p.headerOff < 0 || p.headerOff+p.headerSize > size || p.bodyOff < 0 || p.bodyOff+p.bodySize > size {
			return fmt.Errorf("part out of range: %+v (size %d)", *p, size)
		}
		for _, c := range p.children {
			if err := walk(c); err != nil {
				return err
			}
		}
		if p.msg != nil {
			return walk(p.msg)
		}
		return nil
	}
	if err := walk(s.root); err != nil {
		return err
	}
	for _, b := range [][]byte{s.envelope, s.bodyStructure, s.body} {
		if err := balanced(b); err != nil {
			return fmt.Errorf("%v in %q", err, b)
		}
	}
	return nil
}

// balanced checks parentheses outside quoted strings and literals.
func balanced(b []byte) error {
	depth := 0
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
		case '{':
			var n, j int
			for j = i + 1; j < len(b) && b[j] >= '0' && b[j] <= '9'; j++ {
				n = n*10 + int(b[j]-'0')
			}
			i = j + 2 + n // "}\r\n" then n bytes
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return fmt.Errorf("unbalanced")
			}
		}
	}
	if depth != 0 {
		return fmt.Errorf("unbalanced")
	}
	return nil
}

// SetSleep replaces the wait after a failed login.
func (s *Server) SetSleep(f func(time.Duration)) { s.sleep = f }
