package main

// mailwire adapters for imap-fetch and imap-idle-memory: imapserver over
// imapmem, and imapclient.

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"time"

	"github.com/mailwire/mailwire/imap"
	"github.com/mailwire/mailwire/imap/imapclient"
	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/imap/imapserver"
)

func init() {
	imapServers = append(imapServers, oursIMAPServer{})
	imapClients = append(imapClients, oursIMAPClient{})
}

type oursIMAPServer struct{}

func (oursIMAPServer) Name() string { return "mailwire" }

func (oursIMAPServer) Start(ln net.Listener, user, pass string, msgs [][]byte) error {
	be := imapmem.New()
	u := be.AddUser(user, pass)
	date := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	for i, m := range msgs {
		if _, err := u.AppendMessage("INBOX", m, nil, date.Add(time.Duration(i)*time.Second)); err != nil {
			return fmt.Errorf("message %d: %w", i+1, err)
		}
	}
	s := &imapserver.Server{
		Backend:           be,
		AllowInsecureAuth: true,
		Logger:            slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	go s.Serve(ln)
	return nil
}

type oursIMAPClient struct{}

func (oursIMAPClient) Name() string { return "mailwire" }

func (oursIMAPClient) Dial(addr string, localIP net.IP, user, pass string) (IMAPClientConn, error) {
	d := net.Dialer{}
	if localIP != nil {
		d.LocalAddr = &net.TCPAddr{IP: localIP}
	}
	conn, err := d.DialContext(context.Background(), "tcp", addr)
	if err != nil {
		return nil, err
	}
	c, err := imapclient.NewClient(conn)
	if err != nil {
		conn.Close()
		return nil, err
	}
	if err := c.Login(user, pass).Wait(); err != nil {
		c.Close()
		return nil, err
	}
	return owIMAPConn{c}, nil
}

type owIMAPConn struct{ c *imapclient.Client }

func (o owIMAPConn) Select(mailbox string) (uint32, error) {
	d, err := o.c.Select(mailbox, nil).Wait()
	if err != nil {
		return 0, err
	}
	return d.NumMessages, nil
}

func (o owIMAPConn) FetchMeta() (int, int64, error) {
	cmd := o.c.Fetch(imap.UIDSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{Flags: true, Envelope: true, BodyStructure: true, RFC822Size: true})
	n, sum := 0, int64(0)
	for m := cmd.Next(); m != nil; m = cmd.Next() {
		for it := m.Next(); it != nil; it = m.Next() {
			if s, ok := it.(*imapclient.FetchItemDataRFC822Size); ok {
				sum += s.Size
			}
		}
		n++
	}
	return n, sum, cmd.Close()
}

func (o owIMAPConn) FetchBodies() (int, int64, error) {
	cmd := o.c.Fetch(imap.SeqSet{{Start: 1, Stop: 0}}, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	n, total := 0, int64(0)
	for m := cmd.Next(); m != nil; m = cmd.Next() {
		for it := m.Next(); it != nil; it = m.Next() {
			if s, ok := it.(*imapclient.FetchItemDataBodySection); ok {
				k, err := io.Copy(io.Discard, s.Literal)
				total += k
				if err != nil {
					cmd.Close()
					return n, total, err
				}
			}
		}
		n++
	}
	return n, total, cmd.Close()
}

func (o owIMAPConn) Idle() (func() error, error) {
	ic, err := o.c.Idle()
	if err != nil {
		return nil, err
	}
	return ic.Close, nil
}

func (o owIMAPConn) Close() error {
	o.c.Logout().Wait()
	return o.c.Close()
}
