//go:build interop

package imapserver_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/internal/peers"
)

// TestInteropMbsyncSASL logs mbsync in with each SASL mechanism through
// Cyrus SASL (libsasl2-modules): SCRAM-SHA-256, SCRAM-SHA-1 and CRAM-MD5,
// a real client's implementation of each against ours. The traffic shows
// the mechanism used, and the sync pulls every message.
func TestInteropMbsyncSASL(t *testing.T) {
	mbsync := peers.Need(t, "mbsync", "isync")
	if _, err := os.Stat("/usr/lib/x86_64-linux-gnu/sasl2/libscram.so"); err != nil && os.Getenv("CI") == "true" {
		t.Fatalf("Cyrus SASL's SCRAM module is missing (Debian package libsasl2-modules): %v", err)
	}
	for _, mech := range []string{"SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5"} {
		t.Run(mech, func(t *testing.T) {
			be := newBackend(t, 5)
			srv := newServer(be)
			var traffic peers.Buffer
			srv.DebugWriter = &traffic
			host, port, _ := net.SplitHostPort(serveTCP(t, srv))
			dir := t.TempDir()
			rc := filepath.Join(dir, "mbsyncrc")
			os.WriteFile(rc, []byte(fmt.Sprintf(`IMAPAccount alice
Host %s
Port %s
User alice
Pass secret
SSLType None
AuthMechs %s

IMAPStore far
Account alice

MaildirStore near
Path %s/mail/
Inbox %s/mail/INBOX

Channel alice
Far :far:
Near :near:
Patterns INBOX
Create Near
Sync Pull
SyncState *
`, host, port, mech, dir, dir)), 0o600)
			os.MkdirAll(filepath.Join(dir, "mail"), 0o700)
			out, err := peers.Command(t, 60*time.Second, mbsync, "-c", rc, "alice")
			if err != nil {
				t.Fatalf("mbsync with %s: %v\n%s\n%s", mech, err, out, traffic.String())
			}
			if !strings.Contains(traffic.String(), "AUTHENTICATE "+mech) {
				t.Fatalf("mbsync did not use %s:\n%s", mech, traffic.String())
			}
			if n := len(maildirFiles(t, filepath.Join(dir, "mail", "INBOX"))); n != 5 {
				t.Fatalf("pulled %d messages with %s, want 5", n, mech)
			}
		})
	}
}
