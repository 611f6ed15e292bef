package imapclient

import (
	"context"
	"unicode/utf8"
)

// NamespaceDescriptor is one namespace: a prefix and its hierarchy
// delimiter (0 for none).
type NamespaceDescriptor struct {
	Prefix string
	Delim  rune
}

// NamespaceData is the NAMESPACE response (RFC 9051 §6.3.10, RFC 2342).
type NamespaceData struct {
	Personal, Other, Shared []NamespaceDescriptor
}

// NamespaceCommand is a NAMESPACE in flight.
type NamespaceCommand struct {
	*Command
	data NamespaceData
}

func (cmd *NamespaceCommand) wants(kind string) bool { return kind == "NAMESPACE" }
func (cmd *NamespaceCommand) handle(kind string, num uint32) error {
	d := cmd.c.dec
	read := func(out *[]NamespaceDescriptor) bool {
		isList, ok := d.ExpectNList(func() error {
			var nd NamespaceDescriptor
			d.ExpectList(func() error {
				if !d.ExpectString(&nd.Prefix) || !d.ExpectSP() {
					return nil
				}
				if !d.NIL() {
					var s string
					if d.ExpectString(&s) {
						nd.Delim, _ = utf8.DecodeRuneInString(s)
					}
				}
				for d.SP() { // namespace-response-extensions
					d.SkipValue()
				}
				return nil
			})
			*out = append(*out, nd)
			return nil
		})
		_ = isList
		return ok
	}
	_ = read(&cmd.data.Personal) && d.ExpectSP() && read(&cmd.data.Other) && d.ExpectSP() && read(&cmd.data.Shared)
	return nil
}

// Wait returns the namespaces.
func (cmd *NamespaceCommand) Wait() (*NamespaceData, error) {
	return cmd.WaitContext(context.Background())
}

// WaitContext is Wait bounded by ctx. When ctx ends first the connection,
// whose state is then unknown, is closed.
func (cmd *NamespaceCommand) WaitContext(ctx context.Context) (*NamespaceData, error) {
	if err := cmd.Command.WaitContext(ctx); err != nil {
		return nil, err
	}
	return &cmd.data, nil
}

// Namespace sends NAMESPACE.
func (c *Client) Namespace() *NamespaceCommand {
	cmd := &NamespaceCommand{}
	cmd.Command = c.newCommand("NAMESPACE", cmd)
	c.send(cmd.Command)
	return cmd
}
