package imapclient

import (
	"errors"
	"net"
	"sync"
	"time"
)

// DefaultIdleRestart is how long an IDLE lasts before the client ends and
// restarts it: RFC 2177 §3 lets servers drop clients idle for 30 minutes.
const DefaultIdleRestart = 28 * time.Minute

// IdleCommand is an IDLE in progress (RFC 2177, RFC 9051 §6.3.13).
// Updates reach Options.UnilateralDataHandler while it runs.
type IdleCommand struct {
	c       *Client
	wmu     sync.Mutex // the writes of the IDLE session (DONE, IDLE again)
	mu      sync.Mutex
	cur     *Command
	stop    chan struct{}
	stopped bool
	done    chan struct{}
	err     error
}

// Idle starts IDLE and returns once the server accepted it. Call Close to
// end it. On a net.Conn it restarts every Options.IdleRestart and fails
// when the server then stops answering (Options.Timeout). Commands issued
// while it runs wait for it to end.
func (c *Client) Idle() (*IdleCommand, error) {
	cmd, err := c.startIdle()
	if err != nil {
		return nil, err
	}
	ic := &IdleCommand{c: c, cur: cmd, stop: make(chan struct{}), done: make(chan struct{})}
	go ic.run()
	return ic, nil
}

func (c *Client) startIdle() (*Command, error) {
	cmd := c.newCommand("IDLE", nil)
	c.enc.CRLF()
	if err := c.enc.Flush(); err != nil {
		c.wmu.Unlock()
		c.fail(err)
		return nil, err
	}
	_, err := c.awaitCont()
	if err != nil {
		c.wmu.Unlock()
		if err == errCmdDone {
			err = cmd.Wait()
			if err == nil {
				err = protoErr("IDLE ended at once", nil)
			}
		}
		return nil, err
	}
	return cmd, nil
}

func (ic *IdleCommand) run() {
	defer close(ic.done)
	c := ic.c
	// The write side was taken by Idle and is kept until the IDLE ends:
	// other commands wait for that.
	defer func() {
		// After the session's last write, hand the write side back.
		ic.wmu.Lock()
		c.wmu.Unlock()
		ic.wmu.Unlock()
	}()
	c.rtok <- struct{}{}
	defer func() { <-c.rtok }()
	every := c.opts.IdleRestart
	if every <= 0 {
		every = DefaultIdleRestart
	}
	restartAt := time.Now().Add(every)
	for {
		ic.mu.Lock()
		cur := ic.cur
		ic.mu.Unlock()
		if cur.isDone() {
			ic.err = cur.err
			return
		}
		ic.mu.Lock()
		stopped := ic.stopped
		ic.mu.Unlock()
		if c.nc != nil && !stopped {
			c.deadline = time.Time{}
			c.nc.SetReadDeadline(restartAt)
			if _, err := c.br.Peek(1); err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() && c.br.Buffered() == 0 {
					if !ic.restart() {
						return
					}
					restartAt = time.Now().Add(every)
					continue
				}
				c.fail(err)
				ic.err = err
				return
			}
		}
		if _, err := c.readOne(nil); err != nil {
			c.fail(err)
			ic.err = err
			return
		}
	}
}

// restart sends DONE, waits for the tagged reply (the deadline catches a
// dead server) and starts IDLE again; rtok is held throughout.
func (ic *IdleCommand) restart() bool {
	c := ic.c
	if !ic.sendDone() {
		return false
	}
	ic.mu.Lock()
	cur := ic.cur
	ic.mu.Unlock()
	c.deadline = time.Time{}
	for !cur.isDone() {
		if _, err := c.readOne(nil); err != nil {
			c.fail(err)
			ic.err = err
			return false
		}
	}
	if cur.err != nil {
		ic.err = cur.err
		return false
	}
	ic.mu.Lock()
	stopped := ic.stopped
	ic.mu.Unlock()
	if stopped {
		return false
	}
	// Start again: the continuation is read here since rtok is held.
	ic.wmu.Lock()
	cmd := c.newCommandLocked("IDLE", nil)
	c.enc.CRLF()
	err := c.enc.Flush()
	ic.wmu.Unlock()
	if err != nil {
		c.fail(err)
		ic.err = err
		return false
	}
	ch := make(chan contResult, 1)
	c.mu.Lock()
	c.cont, c.contCmd = ch, cmd
	c.mu.Unlock()
	for {
		select {
		case r := <-ch:
			if r.err != nil {
				ic.err = r.err
				return false
			}
			ic.mu.Lock()
			ic.cur = cmd
			ic.mu.Unlock()
			return true
		default:
		}
		if _, err := c.readOne(nil); err != nil {
			c.fail(err)
			ic.err = err
			return false
		}
	}
}

func (ic *IdleCommand) sendDone() bool {
	c := ic.c
	ic.wmu.Lock()
	c.enc.Raw("DONE").CRLF()
	err := c.enc.Flush()
	ic.wmu.Unlock()
	if err != nil {
		c.fail(err)
		ic.err = err
		return false
	}
	return true
}

// Close ends IDLE (sends DONE) and waits for the server's reply.
func (ic *IdleCommand) Close() error {
	ic.mu.Lock()
	if ic.stopped {
		ic.mu.Unlock()
		<-ic.done
		return ic.err
	}
	ic.stopped = true
	ic.mu.Unlock()
	ic.sendDone()
	if ic.c.nc != nil {
		// Wake the reader if it waits for the restart deadline.
		ic.c.nc.SetReadDeadline(time.Now().Add(ic.c.timeout()))
	}
	<-ic.done
	return ic.err
}

// Wait waits for the IDLE to end (after Close, or when the server ends it).
func (ic *IdleCommand) Wait() error {
	<-ic.done
	return ic.err
}

func (c *Client) timeout() time.Duration {
	if c.opts.Timeout > 0 {
		return c.opts.Timeout
	}
	return DefaultTimeout
}
