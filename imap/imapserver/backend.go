package imapserver

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"time"

	"github.com/mailwire/mailwire/sasl"
)

// Errors a backend returns so that the server can answer with the right
// response code (RFC 5530). Any other error becomes a plain NO.
var (
	// ErrNoSuchMailbox: the mailbox does not exist ([NONEXISTENT]).
	ErrNoSuchMailbox = errors.New("imapserver: no such mailbox")
	// ErrMailboxExists: CREATE or RENAME to a name in use ([ALREADYEXISTS]).
	ErrMailboxExists = errors.New("imapserver: mailbox already exists")
	// ErrAuthFailed: Login was given wrong credentials ([AUTHENTICATIONFAILED]).
	ErrAuthFailed = errors.New("imapserver: authentication failed")
	// ErrTooLarge: a message is larger than the backend accepts ([TOOBIG]).
	ErrTooLarge = errors.New("imapserver: message too large")
	// ErrOverQuota: the user's quota would be exceeded ([OVERQUOTA]).
	ErrOverQuota = errors.New("imapserver: over quota")
	// ErrSameMailbox: MOVE into the mailbox the messages are in ([CANNOT]).
	ErrSameMailbox = errors.New("imapserver: source and destination are the same mailbox")
	// ErrReadOnly: the mailbox cannot be changed ([CANNOT]).
	ErrReadOnly = errors.New("imapserver: mailbox is read-only")
	// ErrNoPerm: the user lacks the access right the operation needs
	// (RFC 4314 §4) ([NOPERM]).
	ErrNoPerm = errors.New("imapserver: permission denied")
)

// Backend is what an application implements to serve IMAP: it checks
// credentials and hands out a [User]. It never sees wire syntax.
type Backend interface {
	// Login checks a user name and password (LOGIN, AUTHENTICATE PLAIN).
	// It returns ErrAuthFailed for wrong credentials.
	Login(ctx context.Context, username, password string) (User, error)
}

// MailboxInfo is one entry of a user's mailbox list.
type MailboxInfo struct {
	// Name is the full name in UTF-8, levels joined by Delim.
	Name string
	// Attrs holds attributes such as \Noselect, \HasChildren, and the
	// special-use attributes of RFC 6154 (\Sent, \Trash, \Drafts, \Junk,
	// \Archive, \All, \Flagged).
	Attrs []string
	// Subscribed tells whether the mailbox is subscribed.
	Subscribed bool
}

// MailboxStatus is what STATUS and SELECT report about a mailbox.
type MailboxStatus struct {
	Messages      uint32
	Recent        uint32
	Unseen        uint32
	UIDNext       uint32
	UIDValidity   uint32
	HighestModSeq uint64
	// Size is the sum of the messages' sizes (STATUS=SIZE, RFC 8438).
	Size int64
	// Deleted counts messages with \Deleted (RFC 9051 STATUS DELETED).
	Deleted uint32
}

// AppendOptions are the optional parts of an APPEND.
type AppendOptions struct {
	Flags []string
	// Time is the internal date; the zero value means now.
	Time time.Time
}

// AppendResult identifies a message added by APPEND (APPENDUID, RFC 4315).
type AppendResult struct {
	UIDValidity uint32
	UID         uint32
}

// CopyResult maps source UIDs to destination UIDs (COPYUID, RFC 4315).
// SourceUIDs[i] became DestUIDs[i].
type CopyResult struct {
	UIDValidity uint32
	SourceUIDs  []uint32
	DestUIDs    []uint32
}

// User is a logged-in user's view of the store.
type User interface {
	// Username is the name the user logged in with.
	Username() string
	// ListMailboxes returns every mailbox of the user, in any order.
	ListMailboxes(ctx context.Context) ([]MailboxInfo, error)
	// Status reports on a mailbox without selecting it.
	Status(ctx context.Context, name string) (MailboxStatus, error)
	// CreateMailbox creates a mailbox, with a special-use attribute
	// (RFC 6154 CREATE-SPECIAL-USE) when use is not empty.
	CreateMailbox(ctx context.Context, name, use string) error
	// DeleteMailbox deletes a mailbox.
	DeleteMailbox(ctx context.Context, name string) error
	// RenameMailbox renames a mailbox; renaming INBOX moves its messages
	// into a new mailbox and leaves INBOX empty (RFC 9051 §6.3.6).
	RenameMailbox(ctx context.Context, from, to string) error
	// SetSubscribed subscribes or unsubscribes a mailbox name.
	SetSubscribed(ctx context.Context, name string, on bool) error
	// Append adds a message of size bytes read from r. Sessions that have
	// the mailbox open learn of it through their [Updates].
	Append(ctx context.Context, mailbox string, r io.Reader, size int64, opts AppendOptions) (AppendResult, error)
	// Open opens a mailbox for a session (SELECT, EXAMINE). wake is called,
	// from any goroutine and without blocking, whenever a change made
	// elsewhere is waiting in the Mailbox's Updates.
	Open(ctx context.Context, name string, readOnly bool, wake func()) (Mailbox, error)
	// Logout releases what the user holds.
	Logout() error
}

// SelectInfo is the state of a mailbox when a session opens it.
type SelectInfo struct {
	// UIDs lists the messages, ascending; message sequence number n is
	// UIDs[n-1].
	UIDs           []uint32
	Flags          []string
	PermanentFlags []string
	UIDNext        uint32
	UIDValidity    uint32
	HighestModSeq  uint64
	FirstUnseen    uint32 // sequence number, 0 if none
	ReadOnly       bool
}

// UpdateKind is the kind of an [Update].
type UpdateKind int

const (
	// UpdateExists: a message was added.
	UpdateExists UpdateKind = iota + 1
	// UpdateExpunge: a message was removed.
	UpdateExpunge
	// UpdateFlags: a message's flags changed.
	UpdateFlags
)

// Update is one change made to an open mailbox by another session (or by
// APPEND from any session).
type Update struct {
	Kind   UpdateKind
	UID    uint32
	Flags  []string // UpdateFlags: the new flags
	ModSeq uint64
}

// StoreOp says how STORE changes flags.
type StoreOp int

const (
	StoreSet    StoreOp = iota // FLAGS
	StoreAdd                   // +FLAGS
	StoreRemove                // -FLAGS
)

// StoreResult is one message's state after STORE.
type StoreResult struct {
	UID    uint32
	Flags  []string
	ModSeq uint64
	// Failed is set when UNCHANGEDSINCE stopped the change (RFC 7162
	// §3.1.3 MODIFIED).
	Failed bool
}

// Message is one message handed out by [Mailbox.Fetch]. It is only valid
// during the callback.
type Message interface {
	UID() uint32
	Flags() []string
	InternalDate() time.Time
	Size() int64
	ModSeq() uint64
	// Body gives the message's bytes for random access.
	Body() (io.ReaderAt, error)
}

// StructuredMessage is a Message that caches its parsed structure
// (from [ParseStructure]) so that ENVELOPE, BODYSTRUCTURE and sections do not
// parse the message again.
type StructuredMessage interface {
	Message
	Structure() (*Structure, error)
}

// Mailbox is a session's handle on an open mailbox.
type Mailbox interface {
	// Info is the mailbox's state when it was opened.
	Info() *SelectInfo
	// Updates returns, and forgets, the changes made since the last call,
	// in the order they happened. Changes made through this handle are not
	// included.
	Updates() []Update
	// Fetch calls fn for the messages with the given UIDs (ascending)
	// that still exist, in order.
	Fetch(ctx context.Context, uids []uint32, fn func(Message) error) error
	// Store changes flags; unchangedSince is 0 or a CONDSTORE modseq.
	Store(ctx context.Context, uids []uint32, op StoreOp, flags []string, unchangedSince uint64) ([]StoreResult, error)
	// Expunge removes messages with \Deleted, only those in uids when uids
	// is not nil, and returns their UIDs ascending.
	Expunge(ctx context.Context, uids []uint32) ([]uint32, error)
	// Copy copies messages into another mailbox.
	Copy(ctx context.Context, uids []uint32, dest string) (CopyResult, error)
	// Move moves messages into another mailbox (RFC 6851); the moved UIDs
	// are expunged from this one.
	Move(ctx context.Context, uids []uint32, dest string) (CopyResult, error)
	// Close releases the handle.
	Close() error
}

// ObjectIDMessage is a Message with the identifiers of OBJECTID (RFC 8474):
// an EMAILID that stays the same across COPY and MOVE, and a THREADID ("" if
// the backend does not thread).
type ObjectIDMessage interface {
	Message
	EmailID() string
	ThreadID() string
}

// SaveDateMessage is a Message that knows when it was saved into its
// mailbox (SAVEDATE, RFC 8514).
type SaveDateMessage interface {
	Message
	SaveDate() time.Time
}

// QuotaResource is one resource of a quota root (RFC 9208 §5): STORAGE
// counts kilobytes (1024 octets), MESSAGE counts messages.
type QuotaResource struct {
	Name         string // "STORAGE", "MESSAGE", ...
	Usage, Limit int64
}

// QuotaUser is a User with quotas (QUOTA, RFC 9208). Every mailbox falls
// under the roots QuotaRoots returns.
type QuotaUser interface {
	User
	// QuotaRoots names the quota roots of a mailbox.
	QuotaRoots(ctx context.Context, mailbox string) ([]string, error)
	// Quota reports a root's resources; ErrNoSuchMailbox for an unknown
	// root.
	Quota(ctx context.Context, root string) ([]QuotaResource, error)
}

// VanishedMailbox is a Mailbox that remembers what was expunged, for
// QRESYNC (RFC 7162 §3.2): the UIDs expunged after a modification
// sequence, ascending.
type VanishedMailbox interface {
	Mailbox
	Vanished(ctx context.Context, sinceModSeq uint64) ([]uint32, error)
}

// MetadataUser is a User with annotations (METADATA, RFC 5464). The
// mailbox "" holds the server annotations. Entry names are like
// "/private/comment" or "/shared/vendor/x/y", compared case-insensitively
// (the server passes them lowercased).
type MetadataUser interface {
	User
	// Metadata returns every entry of a mailbox and its value.
	Metadata(ctx context.Context, mailbox string) (map[string]string, error)
	// SetMetadata sets an entry, or removes it when value is nil.
	SetMetadata(ctx context.Context, mailbox, entry string, value *string) error
}

// ACLUser is a User whose mailboxes have access control lists (ACL, RFC
// 4314). Rights are strings of the letters of RFC 4314 §2.1
// ("lrswipkxtea"); the backend enforces them in its other methods.
type ACLUser interface {
	User
	// ACL returns each identifier's rights on a mailbox.
	ACL(ctx context.Context, mailbox string) (map[string]string, error)
	// SetACL sets an identifier's rights; "" removes the identifier.
	SetACL(ctx context.Context, mailbox, identifier, rights string) error
	// MyRights returns the logged-in user's rights on a mailbox.
	MyRights(ctx context.Context, mailbox string) (string, error)
}

// SASLUserBackend is a [Backend] that can hand out the User of someone a
// SASL mechanism without a password (SCRAM, CRAM-MD5, EXTERNAL,
// OAUTHBEARER...) has authenticated. The optional backends below build on
// it.
type SASLUserBackend interface {
	Backend
	// UserFor returns the User of username, who has been authenticated.
	UserFor(ctx context.Context, username string) (User, error)
}

// ScramBackend is a [Backend] that stores SCRAM credentials (RFC 5802,
// RFC 7677). The server offers SCRAM-SHA-256 and SCRAM-SHA-1, and their
// -PLUS variants with channel binding over TLS, only when its Backend
// implements it; the server never sees a password for them.
type ScramBackend interface {
	SASLUserBackend
	// ScramCredentials returns username's credentials for hash, "SHA-1"
	// or "SHA-256"; an error (any) refuses the login.
	ScramCredentials(ctx context.Context, username, hash string) (sasl.ScramCredentials, error)
}

// SecretBackend is a [Backend] that can give a user's shared secret in
// plaintext, which CRAM-MD5 (RFC 2195) needs. The server offers CRAM-MD5
// only when its Backend implements it; as the secret never crosses the
// wire, also without TLS.
type SecretBackend interface {
	SASLUserBackend
	// Secret returns username's shared secret.
	Secret(ctx context.Context, username string) (string, error)
}

// SASLBackend is a [Backend] that brings SASL mechanisms of its own
// (OAUTHBEARER, XOAUTH2, EXTERNAL...), offered after the built-in ones.
type SASLBackend interface {
	SASLUserBackend
	// SASLMechanisms lists the extra mechanisms to offer on a connection;
	// cs is its TLS state, nil without TLS.
	SASLMechanisms(cs *tls.ConnectionState) []string
	// NewSASLServer returns the server side of one exchange of mech. On
	// success it must implement [sasl.Identity]: the authorisation
	// identity, or the authentication identity when that is empty, names
	// the user given to UserFor.
	NewSASLServer(ctx context.Context, mech string, cs *tls.ConnectionState) (sasl.Server, error)
}

// MultiAppendUser is a User that adds the messages of one APPEND together
// or not at all, as MULTIAPPEND requires (RFC 3502 §3: if the server fails
// to append any message, none is appended). The server advertises
// MULTIAPPEND only for such users; for the others a second message in one
// APPEND is refused.
type MultiAppendUser interface {
	User
	// BeginAppend starts collecting messages for mailbox.
	BeginAppend(ctx context.Context, mailbox string) (AppendTx, error)
}

// AppendTx collects the messages of one APPEND command.
type AppendTx interface {
	// Append reads one message of size bytes from r and keeps it aside;
	// nothing is visible in the mailbox yet.
	Append(ctx context.Context, r io.Reader, size int64, opts AppendOptions) error
	// Commit adds every message kept, in order, as one change, and
	// returns their UIDs in the same order; on error none is added.
	Commit(ctx context.Context) ([]AppendResult, error)
	// Abort drops what was kept. The server calls it when the command
	// fails (a message too large, a bad literal, the connection lost); it
	// does nothing after Commit.
	Abort()
}

// NamespaceUser is a User with mailboxes of other users in its view (RFC
// 2342, RFC 9051 §6.3.10), under a prefix such as "Other Users/". NAMESPACE
// reports it.
type NamespaceUser interface {
	User
	// OtherUsersPrefix is the prefix of other users' mailboxes, ending in
	// the delimiter "/", or "" for none.
	OtherUsersPrefix() string
}
