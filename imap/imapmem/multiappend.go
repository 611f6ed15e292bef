package imapmem

import (
	"bytes"
	"context"
	"io"
	"time"

	"github.com/mailwire/mailwire/imap/imapserver"
)

var _ imapserver.MultiAppendUser = (*session)(nil)

// BeginAppend implements [imapserver.MultiAppendUser]: the messages of one
// APPEND are kept aside and added together at Commit.
func (u *User) BeginAppend(ctx context.Context, name string) (imapserver.AppendTx, error) {
	mb, err := u.mailbox(name)
	if err != nil {
		return nil, err
	}
	return &appendTx{u: u, mb: mb, rights: allRights}, nil
}

type staged struct {
	body  []byte
	flags []string
	date  time.Time
}

type appendTx struct {
	u      *User // the mailbox's owner
	rights string
	mb     *mailbox
	msgs   []staged
	size   int64
}

func (tx *appendTx) Append(ctx context.Context, r io.Reader, size int64, opts imapserver.AppendOptions) error {
	buf := bytes.NewBuffer(make([]byte, 0, size))
	if _, err := io.Copy(buf, r); err != nil {
		return err
	}
	tx.msgs = append(tx.msgs, staged{buf.Bytes(), filterFlags(opts.Flags, tx.rights), opts.Time})
	tx.size += int64(buf.Len())
	return nil
}

// Commit checks the quota for all the messages at once, then adds them
// with consecutive UIDs in one step of the mailbox.
func (tx *appendTx) Commit(ctx context.Context) ([]imapserver.AppendResult, error) {
	if err := tx.u.checkQuota(int64(len(tx.msgs)), tx.size); err != nil {
		return nil, err
	}
	uids, validity := tx.mb.addMany(tx.msgs)
	tx.msgs = nil
	res := make([]imapserver.AppendResult, len(uids))
	for i, uid := range uids {
		res[i] = imapserver.AppendResult{UIDValidity: validity, UID: uid}
	}
	return res, nil
}

func (tx *appendTx) Abort() { tx.msgs = nil }
