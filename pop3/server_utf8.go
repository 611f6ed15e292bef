package pop3

import "strings"

func (c *conn) handleUTF8(arg string) error {
	if arg != "" {
		c.bad("UTF8 takes no argument")
		return nil
	}
	c.utf8 = true
	c.ok("UTF8 enabled")
	return nil
}

// handleLANG implements RFC 6856 §3 with the one language the server
// speaks.
func (c *conn) handleLANG(arg string) error {
	switch strings.ToLower(arg) {
	case "":
		c.ok("Language listing follows")
		c.writeLine("en English")
		c.writeLine(".")
	case "en", "*", "i-default":
		c.ok("en Language changed")
	default:
		c.errResp("", "unsupported language")
	}
	return nil
}
