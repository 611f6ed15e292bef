package lifecycle

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var errClosed = errors.New("test: server closed")

// fakeConn ends when interrupted unless busy, and always when aborted.
type fakeConn struct {
	g           *Group
	busy        atomic.Bool
	interrupts  atomic.Int32
	asked       chan struct{} // receives on each Interrupt, if not nil
	aborted     atomic.Bool
	removedOnce sync.Once
}

func (c *fakeConn) Interrupt() {
	c.interrupts.Add(1)
	if c.asked != nil {
		select {
		case c.asked <- struct{}{}:
		default:
		}
	}
	if !c.busy.Load() {
		c.end()
	}
}

func (c *fakeConn) Abort() {
	c.aborted.Store(true)
	c.end()
}

func (c *fakeConn) end() { c.removedOnce.Do(func() { c.g.Remove(c) }) }

func TestServeReturnsErrClosedAfterClose(t *testing.T) {
	var g Group
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	handled := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() {
		done <- g.Serve(l, errClosed, func(c net.Conn) { c.Close(); handled <- struct{}{} })
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	<-handled
	g.Close()
	if err := <-done; err != errClosed {
		t.Fatalf("Serve returned %v, want errClosed", err)
	}
	// A later Serve refuses at once and closes its listener.
	l2, _ := net.Listen("tcp", "127.0.0.1:0")
	if err := g.Serve(l2, errClosed, nil); err != errClosed {
		t.Fatalf("Serve after Close: %v", err)
	}
	if _, err := l2.Accept(); err == nil {
		t.Fatal("the listener given after Close is still open")
	}
}

func TestAddRefusedAfterClose(t *testing.T) {
	var g Group
	c := &fakeConn{g: &g}
	if !g.Add(c) {
		t.Fatal("Add refused on an open group")
	}
	g.Close()
	if !c.aborted.Load() || g.Len() != 0 {
		t.Fatal("Close did not abort the connection")
	}
	if g.Add(&fakeConn{g: &g}) {
		t.Fatal("Add accepted after Close")
	}
}

func TestShutdownWaitsForBusyConnections(t *testing.T) {
	var g Group
	idle := &fakeConn{g: &g}
	busy := &fakeConn{g: &g, asked: make(chan struct{}, 8)}
	busy.busy.Store(true)
	g.Add(idle)
	g.Add(busy)
	done := make(chan error, 1)
	go func() { done <- g.Shutdown(context.Background()) }()
	// The busy connection is asked again until it finishes its command.
	<-busy.asked
	<-busy.asked
	select {
	case err := <-done:
		t.Fatalf("Shutdown returned %v with a busy connection", err)
	default:
	}
	busy.busy.Store(false)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if idle.aborted.Load() || busy.aborted.Load() {
		t.Fatal("a connection that ended by itself was aborted")
	}
}

func TestShutdownContextAbortsTheRest(t *testing.T) {
	var g Group
	busy := &fakeConn{g: &g}
	busy.busy.Store(true)
	g.Add(busy)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := g.Shutdown(ctx); err != context.Canceled {
		t.Fatalf("Shutdown: %v", err)
	}
	if !busy.aborted.Load() || g.Len() != 0 {
		t.Fatal("the busy connection was not aborted when the context ended")
	}
}

// flakyListener fails Accept with a non-temporary-looking error a few
// times, as a listener out of file descriptors does, then gives a conn.
type flakyListener struct {
	net.Listener
	fails atomic.Int32
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if l.fails.Add(-1) >= 0 {
		return nil, errors.New("accept: too many open files")
	}
	return l.Listener.Accept()
}

func TestServeRetriesFailedAccepts(t *testing.T) {
	var g Group
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := &flakyListener{Listener: inner}
	l.fails.Store(3)
	handled := make(chan struct{}, 1)
	done := make(chan error, 1)
	go func() {
		done <- g.Serve(l, errClosed, func(c net.Conn) { c.Close(); handled <- struct{}{} })
	}()
	c, err := net.Dial("tcp", inner.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	<-handled
	select {
	case <-g.Done():
		t.Fatal("Done closed before Close")
	default:
	}
	g.Close()
	<-g.Done()
	if err := <-done; err != errClosed {
		t.Fatalf("Serve: %v", err)
	}
}

// Pause ends when the group closes, however long it was asked to last.
func TestPauseEndsAtClose(t *testing.T) {
	var g Group
	done := make(chan struct{})
	go func() { g.Pause(time.Hour); close(done) }()
	g.Close()
	<-done
	g.Pause(time.Hour) // already closed: returns at once
}
