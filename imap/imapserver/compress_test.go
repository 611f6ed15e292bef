package imapserver_test

import (
	"bufio"
	"compress/flate"
	"fmt"
	"strings"
	"sync"
	"testing"
)

func TestCompressDeflateBothWays(t *testing.T) {
	srv := newServer(newBackend(t, 3))
	tc := selectInbox(t, srv)
	if _, st := tc.do("COMPRESS DEFLATE"); st != "NO [CANNOT] compression is not enabled" {
		t.Fatalf("without EnableCompress: %q", st)
	}
	srv.EnableCompress = true
	tc = selectInbox(t, srv)
	tc.ok("COMPRESS DEFLATE")
	zw, _ := flate.NewWriter(tc.c, flate.DefaultCompression)
	zr := bufio.NewReader(flate.NewReader(tc.c))
	var mu sync.Mutex // net.Pipe blocks: write from a goroutine, one at a time
	send := func(s string) {
		go func() {
			mu.Lock()
			defer mu.Unlock()
			fmt.Fprint(zw, s)
			zw.Flush()
		}()
	}
	line := func() string {
		l, err := zr.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSuffix(l, "\r\n")
	}
	send("b FETCH 2 (UID)\r\n")
	if l := line(); l != "* 2 FETCH (UID 2)" {
		t.Fatalf("got %q", l)
	}
	if l := line(); l != "b OK FETCH completed" {
		t.Fatalf("got %q", l)
	}
	send("c COMPRESS DEFLATE\r\n")
	if l := line(); l != "c NO [COMPRESSIONACTIVE] compression already active" {
		t.Fatalf("got %q", l)
	}
	// IDLE still works under compression.
	send("d IDLE\r\n")
	if l := line(); l != "+ idling" {
		t.Fatalf("got %q", l)
	}
	send("DONE\r\n")
	if l := line(); l != "d OK IDLE completed" {
		t.Fatalf("got %q", l)
	}
}
