package imapclient

import (
	"context"

	"github.com/mailwire/mailwire/internal/imapwire"
)

// RawArg is an argument of a raw command.
type RawArg struct {
	kind  int
	s     string
	n     uint64
	b     []byte
	items []RawArg
}

// RawAtom is an atom, sent as given.
func RawAtom(s string) RawArg { return RawArg{kind: 0, s: s} }

// RawString is a string, quoted or sent as a literal as needed.
func RawString(s string) RawArg { return RawArg{kind: 1, s: s} }

// RawAString is an atom when s can be one, else a string.
func RawAString(s string) RawArg { return RawArg{kind: 2, s: s} }

// RawNumber is a number.
func RawNumber(n uint64) RawArg { return RawArg{kind: 3, n: n} }

// RawLiteral is a literal.
func RawLiteral(b []byte) RawArg { return RawArg{kind: 4, b: b} }

// RawList is a parenthesised list.
func RawList(items ...RawArg) RawArg { return RawArg{kind: 5, items: items} }

// RawMailbox is a mailbox name, encoded as the connection requires.
func RawMailbox(name string) RawArg { return RawArg{kind: 6, s: name} }

func (a RawArg) write(enc *imapwire.Encoder) {
	switch a.kind {
	case 0:
		enc.Atom(a.s)
	case 1:
		enc.String(a.s)
	case 2:
		enc.AString(a.s)
	case 3:
		enc.Number64(a.n)
	case 4:
		w := enc.Literal(int64(len(a.b)), false)
		w.Write(a.b)
		w.Close()
	case 5:
		enc.List(len(a.items), func(i int) { a.items[i].write(enc) })
	case 6:
		enc.Mailbox(a.s)
	}
}

// RawResponse is an untagged response taken by a raw command.
type RawResponse struct {
	Name string
	Num  uint32 // the number before the name, if any
	Args []Value
}

// RawCommand is a command the client does not know, sent as given (the
// extension hook for vendor commands).
type RawCommand struct {
	*Command
	kinds     map[string]bool
	responses []RawResponse
}

func (cmd *RawCommand) wants(kind string) bool { return cmd.kinds[kind] }
func (cmd *RawCommand) handle(kind string, num uint32) error {
	cmd.responses = append(cmd.responses, RawResponse{Name: kind, Num: num, Args: readValues(cmd.c.dec)})
	return nil
}

// Wait returns the untagged responses the command took.
func (cmd *RawCommand) Wait() ([]RawResponse, error) { return cmd.WaitContext(context.Background()) }

// WaitContext is Wait bounded by ctx. When ctx ends first the connection,
// whose state is then unknown, is closed.
func (cmd *RawCommand) WaitContext(ctx context.Context) ([]RawResponse, error) {
	err := cmd.Command.WaitContext(ctx)
	return cmd.responses, err
}

// Raw sends the command name (e.g. "XLIST" or "UID XSTUFF") with args. The
// untagged responses named in responses (upper case) go to the command;
// others take the usual way.
func (c *Client) Raw(name string, responses []string, args ...RawArg) *RawCommand {
	cmd := &RawCommand{kinds: map[string]bool{}}
	for _, r := range responses {
		cmd.kinds[upper(r)] = true
	}
	cmd.Command = c.newCommand(name, cmd)
	for _, a := range args {
		c.enc.SP()
		a.write(c.enc)
	}
	c.send(cmd.Command)
	return cmd
}
