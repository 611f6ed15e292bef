package pop3

import (
	"context"
	"fmt"
	"strings"
)

// UTF8 switches the session to UTF-8 mode (RFC 6856 §2.1). It is valid
// before login, and STLS must not follow it.
func (c *Client) UTF8(ctx context.Context) error {
	if _, err := c.cmd(ctx, "UTF8"); err != nil {
		return err
	}
	c.utf8 = true
	return nil
}

// Language is one entry of a LANG listing (RFC 6856 §3).
type Language struct {
	Tag         string // language tag, like "en"
	Description string // in the language itself, may be empty
}

// Languages lists the languages the server offers (LANG).
func (c *Client) Languages(ctx context.Context) (langs []Language, err error) {
	err = c.multi(ctx, func(line string) error {
		tag, desc, _ := strings.Cut(line, " ")
		if tag == "" {
			return fmt.Errorf("%w: LANG entry %q", ErrProtocol, quote([]byte(line)))
		}
		langs = append(langs, Language{tag, desc})
		return nil
	}, "LANG")
	return langs, err
}

// SetLanguage asks for responses in the language range lang, "*" for the
// server's preferred one (LANG lang), and returns the tag it chose.
func (c *Client) SetLanguage(ctx context.Context, lang string) (string, error) {
	if strings.ContainsRune(lang, ' ') {
		return "", fmt.Errorf("%w: space in language range", ErrInvalidArgument)
	}
	text, err := c.cmd(ctx, "LANG", lang)
	if err != nil {
		return "", err
	}
	// RFC 6856 §3.2: "+OK" SP tag SP text.
	tag, _, _ := strings.Cut(text, " ")
	return tag, nil
}
