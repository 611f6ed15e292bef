//go:build interop

package imapserver_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/mailwire/mailwire/imap/imapmem"
	"github.com/mailwire/mailwire/imap/imapserver"
	"github.com/mailwire/mailwire/internal/peers"
)

// TestInteropMutt drives mutt, in batch through a pseudo-terminal (mutt
// has no batch mode for reading), against our server: it pipes a message
// out raw, copies one to another mailbox, flags one, deletes one and syncs,
// then quits. The store is checked afterwards, byte for byte where bytes
// moved.
func TestInteropMutt(t *testing.T) {
	mutt := peers.Need(t, "mutt", "mutt")
	script := peers.Need(t, "script", "bsdutils")
	addr, be, _ := startServer(t)
	dir := t.TempDir()
	piped := filepath.Join(dir, "piped.eml")
	rc := filepath.Join(dir, "muttrc")
	os.WriteFile(rc, []byte(fmt.Sprintf(`set folder="imap://alice@%s/"
set imap_user="alice"
set imap_pass="secret"
set spoolfile="+INBOX"
set ssl_starttls=no
set ssl_force_tls=no
set imap_check_subscribed=no
set imap_passive=yes
set header_cache=""
set message_cachedir=""
set mbox_type=mbox
set move=no
set copy=no
set record=""
set confirmappend=no
set confirmcreate=no
set mark_old=no
set delete=yes
set quit=yes
set wait_key=no
set resolve=no
set pipe_decode=no
set sort=mailbox-order
set timeout=1
`, addr)), 0o600)

	// With resolve=no an action leaves the cursor where it is, so
	// <first-entry> and <next-entry> walk messages 1 to 4 in mailbox order.
	keys := strings.Join([]string{
		"<first-entry>",
		// 1st: piped raw to a file.
		"<pipe-message>cat > " + piped + "<enter>",
		// 2nd: copied to Trash.
		"<next-entry><copy-message>=Trash<enter>",
		// 3rd: flagged.
		"<next-entry><flag-message>",
		// 4th: deleted, then the mailbox synced (EXPUNGE).
		"<next-entry><delete-message><sync-mailbox>",
		"<quit>",
	}, "")
	cmd := fmt.Sprintf("stty rows 50 cols 150; TERM=vt100 %s -n -F %s -e 'push \"%s\"'", mutt, rc, keys)
	out, err := peers.Command(t, 60*time.Second, script, "-q", "-e", "-c", cmd, "/dev/null")
	if err != nil {
		t.Fatalf("mutt: %v\n%s", err, tail(out))
	}

	got, err := os.ReadFile(piped)
	if err != nil {
		t.Fatalf("mutt did not pipe the first message: %v\n%s", err, tail(out))
	}
	if want := storedMessage(t, be, "INBOX", 1); !bytes.Equal(normalizeNL(got), normalizeNL(want)) {
		t.Errorf("piped message differs from the stored one:\ngot  %q\nwant %q", got, want)
	}
	trash := mailboxState(t, be, "Trash")
	if len(trash) != 1 || !bytes.Equal(trash[0].body, storedMessage(t, be, "INBOX", 2)) {
		t.Errorf("Trash after the copy: %d messages, want message 2 byte for byte", len(trash))
	}
	inbox := mailboxState(t, be, "INBOX")
	if len(inbox) != 17 {
		t.Fatalf("INBOX has %d messages after the delete and sync, want 17", len(inbox))
	}
	for _, m := range inbox {
		if m.uid == 4 {
			t.Errorf("message 4 still in INBOX")
		}
		if m.uid == 3 && !slices.Contains(m.flags, `\Flagged`) {
			t.Errorf("message 3 flags %v, want \\Flagged", m.flags)
		}
	}
}

type storedMsg struct {
	uid   uint32
	flags []string
	body  []byte
}

func mailboxState(t *testing.T, be *imapmem.Backend, mailbox string) []storedMsg {
	t.Helper()
	ctx := context.Background()
	u, err := be.Login(ctx, "alice", "secret")
	if err != nil {
		t.Fatal(err)
	}
	mb, err := u.Open(ctx, mailbox, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer mb.Close()
	var out []storedMsg
	err = mb.Fetch(ctx, mb.Info().UIDs, func(m imapserver.Message) error {
		r, err := m.Body()
		if err != nil {
			return err
		}
		b := make([]byte, m.Size())
		if _, err := r.ReadAt(b, 0); err != nil {
			return err
		}
		out = append(out, storedMsg{uid: m.UID(), flags: m.Flags(), body: b})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// normalizeNL turns CRLF into LF: mutt hands a piped message to the
// command with local line ends.
func normalizeNL(b []byte) []byte { return bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")) }

func tail(b []byte) []byte {
	if len(b) > 2000 {
		return b[len(b)-2000:]
	}
	return b
}
