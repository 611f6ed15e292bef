// Package lifecycle is the server lifecycle that the SMTP, POP3 and IMAP
// servers share, after net/http's: Serve accepts on any number of
// listeners, each connection is tracked while it lives, Close stops
// everything at once, and Shutdown stops accepting, asks every connection
// to end at its next pause between commands, and waits for them or for a
// context.
package lifecycle

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Conn is one connection as the lifecycle sees it.
type Conn interface {
	// Interrupt asks the connection to end at its next pause between
	// commands, saying goodbye in its protocol's words. It must not block
	// and may be called more than once.
	Interrupt()
	// Abort closes the connection at once.
	Abort()
}

// Group tracks one server's listeners and connections. The zero value is
// ready to use.
type Group struct {
	mu        sync.Mutex
	listeners map[net.Listener]struct{}
	conns     map[Conn]struct{}
	closed    atomic.Bool
	done      chan struct{} // closed by Close and Shutdown
	doneOnce  sync.Once
}

// ShutdownPollInterval is how often Shutdown looks again for connections
// that have become idle; like net/http, it polls rather than making every
// connection report.
const ShutdownPollInterval = 10 * time.Millisecond

// Closed reports whether Close or Shutdown has been called.
func (g *Group) Closed() bool { return g.closed.Load() }

// Done returns a channel that is closed when Close or Shutdown is
// called, for waits (a delay after a failed login) that must end then.
func (g *Group) Done() <-chan struct{} {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.done == nil {
		g.done = make(chan struct{})
	}
	return g.done
}

// Pause waits for d, or less if the group is closed first: the delay after
// a failed login, which must not hold up a shutdown.
func (g *Group) Pause(d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-g.Done():
	}
}

// markClosed sets the closed flag and closes the Done channel.
func (g *Group) markClosed() {
	g.closed.Store(true)
	g.Done()
	g.doneOnce.Do(func() { close(g.done) })
}

// Serve accepts connections on l until the group is closed, calling
// handle for each in a new goroutine. It returns errClosed once the group
// is closed, or the error that made Accept fail; temporary errors are
// retried with a growing pause, as net/http does.
func (g *Group) Serve(l net.Listener, errClosed error, handle func(net.Conn)) error {
	g.mu.Lock()
	if g.closed.Load() {
		g.mu.Unlock()
		if l != nil {
			l.Close()
		}
		return errClosed
	}
	if g.listeners == nil {
		g.listeners = make(map[net.Listener]struct{})
	}
	g.listeners[l] = struct{}{}
	g.mu.Unlock()
	defer func() {
		g.mu.Lock()
		delete(g.listeners, l)
		g.mu.Unlock()
	}()
	var delay time.Duration
	for {
		nc, err := l.Accept()
		if err != nil {
			if g.closed.Load() {
				return errClosed
			}
			if errors.Is(err, net.ErrClosed) {
				return err
			}
			// Out of file descriptors and the like pass: wait a little
			// and go on, as net/http does.
			delay = min(max(2*delay, 5*time.Millisecond), time.Second)
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-g.Done():
				t.Stop()
				return errClosed
			}
			continue
		}
		delay = 0
		go handle(nc)
	}
}

// Add starts tracking c. It returns false, and does not track c, once the
// group is closed: the caller then refuses the connection.
func (g *Group) Add(c Conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed.Load() {
		return false
	}
	if g.conns == nil {
		g.conns = make(map[Conn]struct{})
	}
	g.conns[c] = struct{}{}
	return true
}

// Remove stops tracking c, when its connection has ended.
func (g *Group) Remove(c Conn) {
	g.mu.Lock()
	delete(g.conns, c)
	g.mu.Unlock()
}

// Len reports how many connections are tracked.
func (g *Group) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.conns)
}

func (g *Group) closeListeners() error {
	var err error
	for l := range g.listeners {
		if e := l.Close(); e != nil && err == nil && !errors.Is(e, net.ErrClosed) {
			err = e
		}
	}
	return err
}

// Close closes the listeners and aborts every connection.
func (g *Group) Close() error {
	g.markClosed()
	g.mu.Lock()
	err := g.closeListeners()
	conns := make([]Conn, 0, len(g.conns))
	for c := range g.conns {
		conns = append(conns, c)
	}
	g.mu.Unlock()
	// Outside the lock: aborting may end in Remove.
	for _, c := range conns {
		c.Abort()
	}
	return err
}

// Shutdown closes the listeners, interrupts every connection, and waits
// until all have ended or ctx is done; then it closes what is left and
// returns ctx's error, if that came first.
func (g *Group) Shutdown(ctx context.Context) error {
	g.markClosed()
	g.mu.Lock()
	err := g.closeListeners()
	g.mu.Unlock()
	tick := time.NewTicker(ShutdownPollInterval)
	defer tick.Stop()
	for {
		g.mu.Lock()
		conns := make([]Conn, 0, len(g.conns))
		for c := range g.conns {
			conns = append(conns, c)
		}
		g.mu.Unlock()
		if len(conns) == 0 {
			g.Close()
			return err
		}
		// A connection busy with a command when first asked ends at
		// its next pause: ask again on every round.
		for _, c := range conns {
			c.Interrupt()
		}
		select {
		case <-ctx.Done():
			g.Close()
			return ctx.Err()
		case <-tick.C:
		}
	}
}
