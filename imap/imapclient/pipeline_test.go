package imapclient

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/mailwire/mailwire/imap"
)

// fakeServer answers every command: STATUS with its mailbox's data,
// FETCH with a message, anything else with OK. Replies to pipelined
// commands go out in the order the commands came.
func fakeServer(conn net.Conn) {
	defer conn.Close()
	br := bufio.NewReader(conn)
	conn.Write([]byte("* PREAUTH ready\r\n"))
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return
		}
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		tag := f[0]
		var out string
		switch f[1] {
		case "STATUS":
			out = fmt.Sprintf("* STATUS %s (MESSAGES %s)\r\n", f[2], strings.TrimPrefix(f[2], "m"))
		case "FETCH":
			out = fmt.Sprintf("* %s FETCH (UID %s BODY[] {3}\r\nabc)\r\n", f[2], f[2])
		case "LOGOUT":
			conn.Write([]byte("* BYE\r\n" + tag + " OK bye\r\n"))
			return
		}
		conn.Write([]byte(out + tag + " OK done\r\n"))
	}
}

func TestConcurrentCommandsFromGoroutines(t *testing.T) {
	cc, sc := net.Pipe()
	go fakeServer(sc)
	c, err := NewClient(cc)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for g := 1; g <= 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				n := uint32(g*100 + i)
				if i%2 == 0 {
					st, err := c.Status(fmt.Sprintf("m%d", n), &imap.StatusOptions{NumMessages: true}).Wait()
					if err != nil || *st.NumMessages != n {
						errs <- fmt.Errorf("status %d: %+v %v", n, st, err)
					}
					continue
				}
				msgs, err := c.Fetch(imap.SeqSetNum(n), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{}}}).Collect()
				if err != nil || len(msgs) != 1 || msgs[0].UID != imap.UID(n) || string(msgs[0].BodySection[0].Bytes) != "abc" {
					errs <- fmt.Errorf("fetch %d: %+v %v", n, msgs, err)
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if err := c.Logout().Wait(); err != nil {
		t.Fatal(err)
	}
}
