// Command smtpsink is our SMTP server with a discarding backend, for
// comparing with Postfix's smtp-sink under smtp-source (see run). It
// listens on -addr until interrupted, then prints the messages it took.
package main

import (
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"sync/atomic"

	"github.com/mailwire/mailwire/smtp"
)

var msgs atomic.Int64

type be struct{}

func (be) NewSession(*smtp.Conn) (smtp.Session, error) { return sess{}, nil }

type sess struct{}

func (sess) Mail(string, *smtp.MailOptions) error { return nil }
func (sess) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (sess) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	msgs.Add(1)
	return err
}
func (sess) Reset()        {}
func (sess) Logout() error { return nil }

func main() {
	addr := flag.String("addr", "127.0.0.1:2525", "listen address (loopback)")
	prof := flag.String("cpuprofile", "", "write a CPU profile here")
	flag.Parse()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		panic(err)
	}
	if *prof != "" {
		f, _ := os.Create(*prof)
		pprof.StartCPUProfile(f)
	}
	s := &smtp.Server{Backend: be{}, Domain: "sink.test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	go s.Serve(ln)
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt)
	<-c
	pprof.StopCPUProfile()
	fmt.Fprintln(os.Stderr, "messages", msgs.Load())
}
