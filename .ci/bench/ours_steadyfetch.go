package main

// imap-fetch-steady: imap-fetch's body pass (FETCH 1:* BODY.PEEK[], every
// literal read) repeated steadyRounds times against one server child, each
// round with its MB/s and the CPU time of the server child and of this
// process (the client). imap-fetch runs the pass once, so it shows neither
// how the figure varies from pass to pass on one connection nor what each
// side spent; the CPU time is what compares the clients when the transport
// is the limit.
//
//	bash .ci/bench/run -w imap-fetch-steady -impl mailwire,go-imap

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

const steadyRounds = 5

func init() {
	workloads = append(workloads, workload{"imap-fetch-steady", runIMAPFetchSteady})
}

func runIMAPFetchSteady() error {
	if err := ensureCorpusFile(); err != nil {
		return err
	}
	for _, srv := range imapServers {
		for _, cl := range imapClients {
			if !enabled(srv.Name()) && !enabled(cl.Name()) {
				continue
			}
			if err := imapFetchSteady(srv, cl); err != nil {
				return err
			}
		}
	}
	return nil
}

// ensureCorpusFile makes sure the child finds the corpus on disk, loading
// it into this process only when it has to be generated.
func ensureCorpusFile() error {
	if _, err := os.Stat(filepath.Join(corpusPath(cfg.corpusDir, cfg.seed, cfg.n), "MANIFEST")); err == nil {
		return nil
	}
	_, err := corpus()
	return err
}

func imapFetchSteady(srv IMAPServerImpl, cl IMAPClientImpl) error {
	impl := imapImplName(srv, cl)
	ch, err := startChild("-proto", "imap", "-impl", srv.Name(), "-msgs", fmt.Sprint(cfg.imapMsgs))
	if err != nil {
		return err
	}
	defer ch.stop()
	c, err := cl.Dial(ch.addr, nil, benchUser, benchPass)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.Select("INBOX"); err != nil {
		return err
	}
	pid := ch.cmd.Process.Pid
	for r := 1; r <= steadyRounds; r++ {
		s0, c0, t0 := procCPU(pid), selfCPU(), time.Now()
		_, n, err := c.FetchBodies()
		if err != nil {
			return fmt.Errorf("fetch bodies: %w", err)
		}
		d := time.Since(t0)
		s1, c1 := procCPU(pid), selfCPU()
		round := kv("round", r)
		emit("imap-fetch-steady", impl, "body-throughput", mbps(n, d), "MB/s", round, kv("MB", n/1e6))
		if s0 >= 0 && s1 >= 0 {
			emit("imap-fetch-steady", impl, "server-cpu", float64((s1 - s0).Milliseconds()), "ms", round)
		}
		emit("imap-fetch-steady", impl, "client-cpu", float64((c1 - c0).Milliseconds()), "ms", round)
	}
	return nil
}

// procCPU is a process's user+system time from /proc/PID/stat, counted in
// clock ticks (USER_HZ, 100 on Linux), or -1 when it cannot be read. The
// fields are counted from after the command name, which is in parentheses
// and may itself hold spaces or parentheses, hence the last ')'.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return -1
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return -1
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return -1
	}
	u, err1 := strconv.ParseInt(f[11], 10, 64) // utime, field 14
	k, err2 := strconv.ParseInt(f[12], 10, 64) // stime, field 15
	if err1 != nil || err2 != nil {
		return -1
	}
	return time.Duration(u+k) * 10 * time.Millisecond
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
