package pop3

import (
	"strconv"
	"strings"
)

// capabilities lists what this session can really use now (RFC 2449 §5).
func (c *conn) capabilities() []string {
	caps := []string{"TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"}
	if c.noUIDL {
		caps = append(caps[:1], caps[2:]...)
	}
	if c.state == stateAuthorization {
		if c.insecureOK() {
			caps = append(caps, "USER")
		}
		if mechs := c.saslMechanisms(); len(mechs) > 0 {
			caps = append(caps, "SASL "+strings.Join(mechs, " "))
		}
		if c.available("STLS") && !c.tls && !c.utf8 {
			caps = append(caps, "STLS")
		}
	}
	if c.s.Expire != "" {
		caps = append(caps, "EXPIRE "+c.s.Expire)
	}
	if c.s.LoginDelay > 0 {
		caps = append(caps, "LOGIN-DELAY "+strconv.Itoa(int(c.s.LoginDelay.Seconds())))
	}
	if c.s.EnableUTF8 {
		if c.state == stateAuthorization {
			// RFC 6856 §2.2: USER says UTF-8 names and passwords work.
			caps = append(caps, "UTF8 USER")
		}
		caps = append(caps, "LANG")
	}
	switch impl := c.s.Implementation; impl {
	case "-":
	case "":
		caps = append(caps, "IMPLEMENTATION mailwire")
	default:
		caps = append(caps, "IMPLEMENTATION "+oneLine(impl))
	}
	return caps
}

func (c *conn) handleCAPA(arg string) error {
	if arg != "" {
		c.bad("CAPA takes no argument")
		return nil
	}
	c.ok("Capability list follows")
	for _, line := range c.capabilities() {
		c.writeLine(line)
	}
	c.writeLine(".")
	return nil
}
