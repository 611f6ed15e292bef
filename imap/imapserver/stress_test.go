package imapserver_test

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// model is what a client knows of its mailbox: sequence number n is
// uids[n-1], 0 while the UID has not been seen yet.
type model struct {
	uids []uint32
}

var (
	existsRE  = regexp.MustCompile(`^\* (\d+) EXISTS$`)
	expungeRE = regexp.MustCompile(`^\* (\d+) EXPUNGE$`)
	fetchRE   = regexp.MustCompile(`^\* (\d+) FETCH \(.*UID (\d+)`)
)

// apply checks one untagged response against the model and updates it.
func (m *model) apply(l string) error {
	if s := existsRE.FindStringSubmatch(l); s != nil {
		n, _ := strconv.Atoi(s[1])
		if n < len(m.uids) {
			return fmt.Errorf("EXISTS %d shrinks the mailbox from %d", n, len(m.uids))
		}
		for len(m.uids) < n {
			m.uids = append(m.uids, 0)
		}
		return nil
	}
	if s := expungeRE.FindStringSubmatch(l); s != nil {
		n, _ := strconv.Atoi(s[1])
		if n < 1 || n > len(m.uids) {
			return fmt.Errorf("EXPUNGE %d outside 1..%d", n, len(m.uids))
		}
		m.uids = append(m.uids[:n-1], m.uids[n:]...)
		return nil
	}
	if s := fetchRE.FindStringSubmatch(l); s != nil {
		n, _ := strconv.Atoi(s[1])
		u, _ := strconv.ParseUint(s[2], 10, 32)
		if n < 1 || n > len(m.uids) {
			return fmt.Errorf("%q: sequence number outside 1..%d", l, len(m.uids))
		}
		if m.uids[n-1] != 0 && m.uids[n-1] != uint32(u) {
			return fmt.Errorf("%q: message %d was UID %d", l, n, m.uids[n-1])
		}
		m.uids[n-1] = uint32(u)
		// UIDs ascend with sequence numbers.
		for i := n - 2; i >= 0; i-- {
			if m.uids[i] != 0 {
				if m.uids[i] >= uint32(u) {
					return fmt.Errorf("%q: UID not above message %d's UID %d", l, i+1, m.uids[i])
				}
				break
			}
		}
		for i := n; i < len(m.uids); i++ {
			if m.uids[i] != 0 {
				if m.uids[i] <= uint32(u) {
					return fmt.Errorf("%q: UID not below message %d's UID %d", l, i+1, m.uids[i])
				}
				break
			}
		}
	}
	return nil
}

// TestStressSessionsStayConsistent runs sessions doing random APPEND,
// STORE, EXPUNGE, FETCH, SEARCH and MOVE on one mailbox at once and checks
// that each session's sequence numbers follow what it was told: no stale,
// duplicate or out-of-range numbers. Run it with -race.
func TestStressSessionsStayConsistent(t *testing.T) {
	const sessions, ops = 6, 150
	be := newBackend(t, 10)
	srv := newServer(be)
	var wg sync.WaitGroup
	conns := make([]*tconn, sessions)
	for s := range conns {
		conns[s] = selectInbox(t, srv)
	}
	models := make([]*model, sessions)
	for s := 0; s < sessions; s++ {
		tc := conns[s]
		m := &model{uids: make([]uint32, 10)}
		models[s] = m
		// Every SELECT was answered before the goroutines start: message
		// n has UID n.
		for i := range m.uids {
			m.uids[i] = uint32(i + 1)
		}
		wg.Add(1)
		go func(seed uint64) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 7))
			for i := 0; i < ops; i++ {
				var cmd string
				n := len(m.uids)
				pick := func() int { return 1 + r.IntN(max(n, 1)) }
				switch op := r.IntN(9); {
				case op == 0:
					msg := fmt.Sprintf("Subject: s%d op %d\r\n\r\nbody\r\n", seed, i)
					cmd = fmt.Sprintf("APPEND INBOX {%d+}\r\n%s", len(msg), msg)
				case op == 1 && n > 0:
					cmd = fmt.Sprintf(`STORE %d +FLAGS (\Deleted)`, pick())
				case op == 2:
					cmd = "EXPUNGE"
				case op == 3 && n > 0:
					cmd = fmt.Sprintf("FETCH %d:* (UID FLAGS)", pick())
				case op == 4:
					cmd = "UID FETCH 1:* (UID)"
				case op == 5 && n > 0:
					cmd = fmt.Sprintf("COPY %d INBOX", pick())
				case op == 6 && n > 1:
					cmd = fmt.Sprintf("MOVE %d Trash", pick())
				case op == 7:
					cmd = "SEARCH UNDELETED"
				default:
					cmd = "NOOP"
				}
				untagged, status := tc.do(cmd)
				if strings.HasPrefix(status, "BAD") {
					t.Errorf("%s: %s", cmd, status)
					return
				}
				for _, l := range untagged {
					if err := m.apply(l); err != nil {
						t.Errorf("session %d after %q: %v", seed, cmd, err)
						return
					}
					if strings.HasPrefix(l, "* SEARCH") {
						for _, f := range strings.Fields(l)[2:] {
							if k, _ := strconv.Atoi(f); k < 1 || k > len(m.uids) {
								t.Errorf("SEARCH result %d outside 1..%d", k, len(m.uids))
								return
							}
						}
					}
				}
			}
		}(uint64(s))
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	// Once all is quiet every session agrees with the store and with the
	// others.
	var first []uint32
	for s, tc := range conns {
		m := models[s]
		untagged, _ := tc.do("NOOP")
		fetched, _ := tc.do("FETCH 1:* (UID)")
		for _, l := range append(untagged, fetched...) {
			if err := m.apply(l); err != nil {
				t.Fatalf("session %d at the end: %v", s, err)
			}
		}
		if len(fetched) != len(m.uids) {
			t.Errorf("session %d: %d FETCH responses for %d messages", s, len(fetched), len(m.uids))
		}
		if s == 0 {
			first = m.uids
		} else if fmt.Sprint(first) != fmt.Sprint(m.uids) {
			t.Errorf("session %d sees %v, session 0 %v", s, m.uids, first)
		}
	}
}
