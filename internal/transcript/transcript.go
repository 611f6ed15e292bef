// Package transcript plays scripted dialogues against a protocol server or
// client, so that protocol behaviour is pinned by files that read like the
// RFCs' own examples.
//
// A script is a text file, one step a line:
//
//	# a comment; blank lines are ignored too
//	S: 220 mail.example ESMTP ...   a line the server sends ("..." matches any text)
//	C: EHLO client.example          a line the client sends
//	S~ ^250[ -].*$                  a server line that must match a regular expression
//	C~ ^A[0-9]+ LOGIN .*$           a client line that must match a regular expression
//	C= "DATA\r\nbody\n.\n"          exact bytes, as a Go string literal, no CRLF added
//	S= "+ \r\n"                     exact bytes from the server
//	!eof                            the side under test closes the connection
//
// Lines named by S: and C: carry CRLF on the wire; the runner checks that
// the side under test sends exactly CRLF. When a script runs against a
// server, C steps are written and S steps are checked; against a client,
// S steps are written (patterns sent as written) and C steps are checked.
package transcript

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Kind is the kind of a step.
type Kind int

const (
	// Client is a step the client takes: C:, C~ or C=.
	Client Kind = iota
	// Server is a step the server takes: S:, S~ or S=.
	Server
	// EOF is "!eof": the side under test closes the connection.
	EOF
)

// Match says how a step's text is compared.
type Match int

const (
	// Line is a CRLF-terminated line; "..." in it matches any text.
	Line Match = iota
	// Regexp is a CRLF-terminated line matching a regular expression.
	Regexp
	// Exact is a run of bytes compared as they are.
	Exact
)

// Step is one line of a script.
type Step struct {
	Kind  Kind
	Match Match
	Text  string         // the line without CRLF, the pattern, or the exact bytes
	re    *regexp.Regexp // for Regexp
	Line  int            // line number in the script, for messages
}

// Script is a parsed dialogue.
type Script struct {
	Name  string
	Steps []Step
	// Timeout bounds each wait for the side under test; 0 means
	// DefaultTimeout.
	Timeout time.Duration
}

// Parse reads a script; name is used in messages.
func Parse(name string, data []byte) (*Script, error) {
	s := &Script{Name: name}
	for i, raw := range strings.Split(string(data), "\n") {
		line := strings.TrimRight(raw, "\r") // a script line ends at its last non-CR byte
		n := i + 1
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if line == "!eof" {
			s.Steps = append(s.Steps, Step{Kind: EOF, Line: n})
			continue
		}
		if len(line) < 2 || (line[0] != 'C' && line[0] != 'S') {
			return nil, fmt.Errorf("%s:%d: a step starts with C: S: C~ S~ C= S= or !eof: %q", name, n, line)
		}
		st := Step{Kind: Client, Line: n}
		if line[0] == 'S' {
			st.Kind = Server
		}
		text := strings.TrimPrefix(line[2:], " ")
		switch line[1] {
		case ':':
			st.Match, st.Text = Line, text
		case '~':
			re, err := regexp.Compile(text)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %v", name, n, err)
			}
			st.Match, st.Text, st.re = Regexp, text, re
		case '=':
			unq, err := strconv.Unquote(text)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: C= and S= take a Go string literal: %v", name, n, err)
			}
			st.Match, st.Text = Exact, unq
		default:
			return nil, fmt.Errorf("%s:%d: unknown step %q", name, n, line[:2])
		}
		s.Steps = append(s.Steps, st)
	}
	return s, nil
}

// ParseFile reads a script from a file.
func ParseFile(path string) (*Script, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, data)
}

// wire is what a step puts on the wire when the runner plays it.
func (st Step) wire() []byte {
	if st.Match == Exact {
		return []byte(st.Text)
	}
	return []byte(st.Text + "\r\n")
}

// matches reports whether a received line (without CRLF) fits the step.
func (st Step) matches(got string) bool {
	switch st.Match {
	case Regexp:
		return st.re.MatchString(got)
	case Exact:
		return got == st.Text
	}
	return globMatch(st.Text, got)
}

// globMatch matches s against a pattern where "..." stands for any text.
func globMatch(pattern, s string) bool {
	parts := strings.Split(pattern, "...")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	for _, p := range parts[1 : len(parts)-1] {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

// splitLine takes one line, up to and including LF, off the front of buf.
func splitLine(buf []byte) (line, rest []byte, ok bool) {
	i := bytes.IndexByte(buf, '\n')
	if i < 0 {
		return nil, buf, false
	}
	return buf[:i+1], buf[i+1:], true
}
