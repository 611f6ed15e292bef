package main

// steadyfetch: the imap-fetch body pass repeated against one server, to
// measure the clients in a steady state. The harness's imap-fetch runs the
// pass once, right after the server child has loaded and freed its
// corpus, in a process that holds the 157 MB corpus; that live heap makes
// the garbage collector run rarely, which favours a client that allocates
// per message. Here the client process holds only the client.
//
//	bash .ci/bench/run steadyfetch SERVER CLIENT [ROUNDS]
//
// prints, for each round, MB/s and the CPU time the server child and this
// process (the client) used.

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
)

func init() {
	if len(os.Args) < 4 || os.Args[1] != "steadyfetch" {
		return
	}
	os.Exit(steadyFetch(os.Args[2], os.Args[3], os.Args[4:]))
}

func steadyFetch(srvName, clName string, rest []string) int {
	rounds := 5
	if len(rest) > 0 {
		rounds, _ = strconv.Atoi(rest[0])
	}
	cfg.corpusDir = os.TempDir() + "/benchcorpus"
	cfg.seed = 20240601
	cfg.n = 2000
	cfg.imapMsgs = 10000
	if _, err := corpus(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	var cl IMAPClientImpl
	for _, c := range imapClients {
		if c.Name() == clName {
			cl = c
		}
	}
	if cl == nil {
		fmt.Fprintln(os.Stderr, "no IMAP client", clName)
		return 2
	}
	ch, err := startChild("-proto", "imap", "-impl", srvName, "-msgs", fmt.Sprint(cfg.imapMsgs))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer ch.stop()
	c, err := cl.Dial(ch.addr, nil, benchUser, benchPass)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer c.Close()
	if _, err := c.Select("INBOX"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	pid := ch.cmd.Process.Pid
	for r := 1; r <= rounds; r++ {
		s0, c0, t0 := childCPU(pid), selfCPU(), time.Now()
		_, n, err := c.FetchBodies()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		d := time.Since(t0)
		fmt.Printf("steadyfetch impl=%s+%s round=%d body=%.0f MB/s wall=%v server-cpu=%v client-cpu=%v\n",
			srvName, clName, r, float64(n)/1e6/d.Seconds(), d.Round(time.Millisecond),
			childCPU(pid)-s0, (selfCPU() - c0).Round(time.Millisecond))
	}
	return 0
}

// childCPU is a process's user+system time, from /proc (10 ms ticks).
func childCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	u, _ := strconv.Atoi(f[11])
	st, _ := strconv.Atoi(f[12])
	return time.Duration(u+st) * 10 * time.Millisecond
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
