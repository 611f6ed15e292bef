package smtp

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorIsMatchesByCode(t *testing.T) {
	received := &Error{Code: 535, EnhancedCode: EnhancedCode{5, 7, 8}, Message: "5.7.8 no, go away"}
	if !errors.Is(fmt.Errorf("auth: %w", received), ErrAuthFailed) {
		t.Fatal("a 535 5.7.8 reply does not match ErrAuthFailed")
	}
	if errors.Is(&Error{Code: 535, EnhancedCode: EnhancedCode{5, 7, 0}}, ErrAuthFailed) {
		t.Fatal("a different enhanced code matched")
	}
	if errors.Is(&Error{Code: 530, EnhancedCode: EnhancedCode{5, 7, 8}}, ErrAuthFailed) {
		t.Fatal("a different reply code matched")
	}
	if !errors.Is(&Error{Code: 452, EnhancedCode: EnhancedCode{4, 5, 3}}, &Error{Code: 452}) {
		t.Fatal("a target without enhanced code should match any")
	}
}

func TestParseEnhancedCode(t *testing.T) {
	for s, want := range map[string]bool{"2.0.0": true, "5.7.8": true, "4.123.456": true, "3.0.0": false, "5.7": false, "5.7.8.1": false, "5.a.1": false, "5..1": false, "5.1234.1": false} {
		c, ok := ParseEnhancedCode(s)
		if ok != want {
			t.Errorf("%q: ok=%v", s, ok)
		}
		if ok && c.String() != s {
			t.Errorf("%q formats as %q", s, c.String())
		}
	}
}
