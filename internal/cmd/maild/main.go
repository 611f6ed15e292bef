// Command maild is a small mail server built only from this module: SMTP
// (delivery to local users and authenticated submission), POP3 and IMAP
// over one in-memory store, so that a message sent by SMTP can be read at
// once by POP3 and IMAP, and a message appended by IMAP retrieved by POP3.
//
//	go run ./internal/cmd/maild
//
// It listens on 127.0.0.1 by default, creates the user demo:demo unless
// -user is given, makes a self-signed certificate for STARTTLS and STLS
// unless -tls-cert and -tls-key are given, and stops gracefully on SIGINT
// or SIGTERM. It is a demonstration, not a production server: the store
// lives in memory and is gone when it stops.
package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"os/signal"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mailwire/mailwire/imap/imapserver"
	"github.com/mailwire/mailwire/pop3"
	"github.com/mailwire/mailwire/smtp"
)

// config is what the flags set.
type config struct {
	SMTP, IMAP, POP3  string // listen addresses; "" turns a server off
	Users             map[string]string
	Domain            string
	CertFile, KeyFile string
	// InsecureAuth allows plaintext logins before TLS; nil means "only
	// when every server listens on loopback".
	InsecureAuth *bool
	// ShutdownTimeout bounds the graceful stop.
	ShutdownTimeout time.Duration
}

// userFlag collects repeated -user name:password flags.
type userFlag map[string]string

func (u userFlag) String() string {
	names := make([]string, 0, len(u))
	for n := range u {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

func (u userFlag) Set(v string) error {
	name, pass, ok := strings.Cut(v, ":")
	if !ok || name == "" || pass == "" || strings.ContainsAny(name, "@ \t\r\n") {
		return errors.New("want name:password, with a name that holds no @ or space")
	}
	u[name] = pass
	return nil
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("maild", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := &config{Users: map[string]string{}, ShutdownTimeout: 30 * time.Second}
	fs.StringVar(&cfg.SMTP, "smtp", "127.0.0.1:2525", "SMTP listen address (empty: off)")
	fs.StringVar(&cfg.IMAP, "imap", "127.0.0.1:1143", "IMAP listen address (empty: off)")
	fs.StringVar(&cfg.POP3, "pop3", "127.0.0.1:1110", "POP3 listen address (empty: off)")
	fs.Var(userFlag(cfg.Users), "user", "a user as name:password (repeatable; default demo:demo)")
	fs.StringVar(&cfg.Domain, "domain", "localhost", "mail domain: name@domain is local")
	fs.StringVar(&cfg.CertFile, "tls-cert", "", "PEM certificate for STARTTLS/STLS (default: self-signed, in memory)")
	fs.StringVar(&cfg.KeyFile, "tls-key", "", "PEM key for -tls-cert")
	insecure := fs.Bool("insecure-auth", false, "allow plaintext login before TLS (default: true when every address is loopback)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "insecure-auth" {
			cfg.InsecureAuth = insecure
		}
	})
	if (cfg.CertFile == "") != (cfg.KeyFile == "") {
		return nil, errors.New("-tls-cert and -tls-key go together")
	}
	return cfg, nil
}

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(ctx, cfg, os.Stdout, logger, nil); err != nil {
		logger.Error("maild", "err", err)
		os.Exit(1)
	}
}

// addrs are the addresses the servers really listen on.
type addrs struct{ SMTP, IMAP, POP3 string }

// run serves until ctx is done, then shuts down gracefully. ready, when
// not nil, is called with the bound addresses and the store once every
// server listens.
func run(ctx context.Context, cfg *config, out io.Writer, logger *slog.Logger, ready func(addrs, *store)) error {
	users := cfg.Users
	if len(users) == 0 {
		users = map[string]string{"demo": "demo"}
	}
	tlsConfig, err := loadTLS(cfg)
	if err != nil {
		return err
	}
	insecure := allLoopback(cfg.SMTP, cfg.IMAP, cfg.POP3)
	if cfg.InsecureAuth != nil {
		insecure = *cfg.InsecureAuth
	}
	st := newStore(cfg.Domain, users, logger)

	type server struct {
		name     string
		serve    func(net.Listener) error
		shutdown func(context.Context) error
		close    func() error
		l        net.Listener
	}
	var servers []*server
	var bound addrs
	listen := func(name, address string, serve func(net.Listener) error, shutdown func(context.Context) error, closeFn func() error) (string, error) {
		if address == "" {
			return "", nil
		}
		l, err := net.Listen("tcp", address)
		if err != nil {
			return "", fmt.Errorf("%s: %w", name, err)
		}
		l = loggingListener{l, logger.With("server", name)}
		servers = append(servers, &server{name, serve, shutdown, closeFn, l})
		return l.Addr().String(), nil
	}
	closeAll := func() {
		for _, s := range servers {
			s.l.Close()
		}
	}

	smtpSrv := &smtp.Server{
		Backend: smtpBackend{st}, Domain: cfg.Domain, TLSConfig: tlsConfig,
		AllowInsecureAuth: insecure, Logger: logger.With("server", "smtp"),
	}
	popSrv := &pop3.Server{
		Backend: pop3Backend{st}, Hostname: cfg.Domain, TLSConfig: tlsConfig,
		AllowInsecureAuth: insecure, Logger: logger.With("server", "pop3"),
	}
	imapSrv := &imapserver.Server{
		Backend: st.mem, TLSConfig: tlsConfig,
		AllowInsecureAuth: insecure, Logger: logger.With("server", "imap"),
	}
	if bound.SMTP, err = listen("smtp", cfg.SMTP, smtpSrv.Serve, smtpSrv.Shutdown, smtpSrv.Close); err != nil {
		closeAll()
		return err
	}
	if bound.IMAP, err = listen("imap", cfg.IMAP, imapSrv.Serve, imapSrv.Shutdown, imapSrv.Close); err != nil {
		closeAll()
		return err
	}
	if bound.POP3, err = listen("pop3", cfg.POP3, popSrv.Serve, popSrv.Shutdown, popSrv.Close); err != nil {
		closeAll()
		return err
	}
	if len(servers) == 0 {
		return errors.New("every server is turned off")
	}

	fmt.Fprintf(out, "maild: mail for @%s\n", cfg.Domain)
	for _, s := range servers {
		fmt.Fprintf(out, "  %-4s %s\n", s.name, s.l.Addr())
	}
	names := make([]string, 0, len(users))
	for n := range users {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if len(cfg.Users) == 0 {
			fmt.Fprintf(out, "  user %s, password %s (address %s@%s)\n", n, users[n], n, cfg.Domain)
		} else {
			fmt.Fprintf(out, "  user %s (address %s@%s)\n", n, n, cfg.Domain)
		}
	}
	if insecure {
		fmt.Fprintf(out, "  plaintext login allowed before STARTTLS (loopback)\n")
	}

	errc := make(chan error, len(servers))
	var wg sync.WaitGroup
	for _, s := range servers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.serve(s.l); err != nil && !isClosed(err) {
				errc <- fmt.Errorf("%s: %w", s.name, err)
			}
		}()
	}
	if ready != nil {
		ready(bound, st)
	}

	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-errc:
	}
	// Graceful stop: sessions finish or time out; a message whose DATA
	// has not ended is not delivered.
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	for _, s := range servers {
		if err := s.shutdown(sctx); err != nil && !isClosed(err) {
			logger.Warn("shutdown", "server", s.name, "err", err)
		}
		// Whatever did not end in time is cut off; an unfinished DATA
		// then delivers nothing.
		s.close()
	}
	wg.Wait()
	fmt.Fprintf(out, "maild: stopped\n")
	return serveErr
}

func isClosed(err error) bool {
	return errors.Is(err, smtp.ErrServerClosed) || errors.Is(err, pop3.ErrServerClosed) ||
		errors.Is(err, imapserver.ErrServerClosed) || errors.Is(err, net.ErrClosed)
}

// allLoopback reports whether every non-empty address is on loopback.
func allLoopback(addresses ...string) bool {
	for _, a := range addresses {
		if a == "" {
			continue
		}
		host, _, err := net.SplitHostPort(a)
		if err != nil {
			return false
		}
		if host == "localhost" {
			continue
		}
		ip := net.ParseIP(host)
		if ip == nil || !ip.IsLoopback() {
			return false
		}
	}
	return true
}

// loadTLS reads the certificate, or makes a self-signed one so that
// STARTTLS and STLS always work.
func loadTLS(cfg *config) (*tls.Config, error) {
	if cfg.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
		if err != nil {
			return nil, err
		}
		return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: cfg.Domain, Organization: []string{"maild self-signed"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{cfg.Domain, "localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, err
	}
	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// loggingListener logs one line for each connection it accepts.
type loggingListener struct {
	net.Listener
	log *slog.Logger
}

func (l loggingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.log.Info("connection", "remote", c.RemoteAddr().String())
	}
	return c, err
}
