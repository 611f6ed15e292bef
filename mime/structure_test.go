package mime

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// imapString renders s as IMAP nstring ("" is NIL), for the goldens.
func imapString(s string) string {
	if s == "" {
		return "NIL"
	}
	return strconv.Quote(s)
}

func imapParams(ps Params) string {
	if len(ps) == 0 {
		return "NIL"
	}
	var parts []string
	for _, p := range ps {
		parts = append(parts, strconv.Quote(strings.ToUpper(p.Name))+" "+strconv.Quote(p.Value))
	}
	return "(" + strings.Join(parts, " ") + ")"
}

func imapAddrs(as []EnvelopeAddress) string {
	if len(as) == 0 {
		return "NIL"
	}
	var parts []string
	for _, a := range as {
		parts = append(parts, fmt.Sprintf("(%s %s %s %s)", imapString(a.Name), imapString(a.ADL), imapString(a.Mailbox), imapString(a.Host)))
	}
	return "(" + strings.Join(parts, "") + ")"
}

func imapEnvelope(e *Envelope) string {
	return fmt.Sprintf("(%s %s %s %s %s %s %s %s %s %s)", imapString(e.Date), imapString(e.Subject),
		imapAddrs(e.From), imapAddrs(e.Sender), imapAddrs(e.ReplyTo), imapAddrs(e.To), imapAddrs(e.Cc), imapAddrs(e.Bcc),
		imapString(e.InReplyTo), imapString(e.MessageID))
}

// imapBodyStructure renders b roughly as RFC 9051 BODYSTRUCTURE, for review.
func imapBodyStructure(b *BodyStructure) string {
	if b.Type == "multipart" {
		var s strings.Builder
		s.WriteString("(")
		for _, p := range b.Parts {
			s.WriteString(imapBodyStructure(p))
		}
		fmt.Fprintf(&s, " %s %s)", strconv.Quote(strings.ToUpper(b.Subtype)), imapParams(b.Params))
		return s.String()
	}
	s := fmt.Sprintf("(%s %s %s %s %s %s %d", strconv.Quote(strings.ToUpper(b.Type)), strconv.Quote(strings.ToUpper(b.Subtype)),
		imapParams(b.Params), imapString(b.ID), imapString(b.Description), strconv.Quote(strings.ToUpper(b.Encoding)), b.Size)
	if b.Message != nil {
		s += " " + imapEnvelope(b.Envelope) + " " + imapBodyStructure(b.Message) + " " + strconv.FormatInt(b.Lines, 10)
	} else if b.Type == "text" {
		s += " " + strconv.FormatInt(b.Lines, 10)
	}
	disp := "NIL"
	if b.Disposition != "" {
		disp = "(" + strconv.Quote(strings.ToUpper(b.Disposition)) + " " + imapParams(b.DispositionParams) + ")"
	}
	lang := "NIL"
	if len(b.Language) > 0 {
		lang = strconv.Quote(strings.Join(b.Language, ","))
	}
	return s + fmt.Sprintf(" %s %s %s %s)", imapString(b.MD5), disp, lang, imapString(b.Location))
}

// structureRanges lists each part's sections as byte ranges, for review.
func structureRanges(msg []byte, b *BodyStructure, out *strings.Builder) {
	hdr := b.Number + ".MIME"
	if b.Number == "" {
		hdr = "HEADER"
	}
	fmt.Fprintf(out, "  BODY[%s]=%d+%d BODY[%s]=%d+%d\n", hdr, b.HeaderOffset, b.HeaderSize, b.Number, b.BodyOffset, b.Size)
	for _, p := range b.Parts {
		structureRanges(msg, p, out)
	}
	if b.Message != nil {
		m := b.Message
		fmt.Fprintf(out, "  BODY[%s.HEADER]=%d+%d BODY[%s.TEXT]=%d+%d\n", b.Number, m.HeaderOffset, m.HeaderSize, b.Number, m.BodyOffset, m.Size)
		for _, p := range m.Parts {
			structureRanges(msg, p, out)
		}
	}
}

func dumpStructure(t testing.TB, msg []byte) string {
	st, err := ReadStructure(bytes.NewReader(msg), nil)
	if err != nil {
		t.Fatalf("ReadStructure: %v", err)
	}
	inPlace, err := ReadStructureBytes(msg, nil)
	if err != nil {
		t.Fatalf("ReadStructureBytes: %v", err)
	}
	if diff := cmp.Diff(st, inPlace); diff != "" {
		t.Errorf("ReadStructureBytes differs (-reader +bytes):\n%s", diff)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "ENVELOPE %s\n", imapEnvelope(st.Envelope))
	body := st.Body
	fmt.Fprintf(&b, "BODYSTRUCTURE %s\n", imapBodyStructure(body))
	fmt.Fprintf(&b, "RFC822.SIZE %d\n", st.Size)
	structureRanges(msg, body, &b)
	return b.String()
}

func TestStructureOfForwardedMessage(t *testing.T) {
	msg := readCorpus(t, "forwarded-rfc822")
	st, err := ReadStructure(bytes.NewReader(msg), nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size != int64(len(msg)) {
		t.Errorf("size %d, want %d", st.Size, len(msg))
	}
	if len(st.Body.Parts) != 2 {
		t.Fatalf("%d parts", len(st.Body.Parts))
	}
	fwd := st.Body.Parts[1]
	if fwd.Number != "2" || fwd.Type != "message" || fwd.Message == nil || fwd.Envelope == nil {
		t.Fatalf("part 2: %+v", fwd)
	}
	want := &Envelope{
		Date:    "Mon, 4 Mar 2024 09:00:00 +0000",
		Subject: "Lunch",
		From:    []EnvelopeAddress{{Name: "Alice", Mailbox: "alice", Host: "example.org"}},
		To:      []EnvelopeAddress{{Name: "Bob", Mailbox: "bob", Host: "example.net"}},
	}
	if diff := cmp.Diff(want, fwd.Envelope); diff != "" {
		t.Errorf("envelope (-want +got):\n%s", diff)
	}
	m := fwd.Message
	header := string(msg[m.HeaderOffset : m.HeaderOffset+m.HeaderSize])
	if !strings.HasPrefix(header, "From: Alice") || !strings.HasSuffix(header, "inner\r\n\r\n") {
		t.Errorf("BODY[2.HEADER] = %q", header)
	}
	text := string(msg[m.BodyOffset : m.BodyOffset+m.Size])
	if !strings.HasPrefix(text, "--inner\r\n") || !strings.HasSuffix(text, "--inner--\r\n") {
		t.Errorf("BODY[2.TEXT] = %q", text)
	}
	p21 := m.Parts[0]
	if p21.Number != "2.1" || string(msg[p21.BodyOffset:p21.BodyOffset+p21.Size]) != "noon?" {
		t.Errorf("BODY[2.1] wrong: %+v", p21)
	}
	if mime := string(msg[p21.HeaderOffset : p21.HeaderOffset+p21.HeaderSize]); mime != "Content-Type: text/plain\r\n\r\n" {
		t.Errorf("BODY[2.1.MIME] = %q", mime)
	}
	if fwd.Lines != 16 || fwd.Disposition != "inline" {
		t.Errorf("lines %d disposition %q", fwd.Lines, fwd.Disposition)
	}
}

func TestStructureEnvelopeGroupsAndRoutes(t *testing.T) {
	msg := "From: =?utf-8?q?Ren=C3=A9e?= <renee@example.org>\r\n" +
		"To: team: a@x.org, \"B B\" <b@y.org>;, <@relay.org,@r2.org:c@z.org>\r\n" +
		"Subject: hi\r\n\r\nbody\r\n"
	st, err := ReadStructure(strings.NewReader(msg), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []EnvelopeAddress{
		{Mailbox: "team", GroupStart: true},
		{Mailbox: "a", Host: "x.org"},
		{Name: "B B", Mailbox: "b", Host: "y.org"},
		{GroupEnd: true},
		{ADL: "@relay.org,@r2.org", Mailbox: "c", Host: "z.org"},
	}
	if diff := cmp.Diff(want, st.Envelope.To); diff != "" {
		t.Errorf("To (-want +got):\n%s", diff)
	}
	if st.Envelope.From[0].Name != "=?utf-8?q?Ren=C3=A9e?=" {
		t.Errorf("From name %q: the envelope keeps encoded words", st.Envelope.From[0].Name)
	}
	if st.Envelope.Sender != nil || st.Envelope.ReplyTo != nil {
		t.Errorf("Sender/Reply-To must stay nil for the server to default")
	}
	if st.Body.Lines != 1 || st.Body.Size != 6 || st.Body.Type != "text" {
		t.Errorf("body: %+v", st.Body)
	}
}

func TestStructureMultipartWithoutPartsIsText(t *testing.T) {
	st, err := ReadStructure(bytes.NewReader(readCorpus(t, "missing-start-boundary")), nil)
	if err != nil {
		t.Fatal(err)
	}
	if st.Body.Type != "text" || len(st.Body.Parts) != 0 || st.Body.Size == 0 {
		t.Fatalf("body %+v", st.Body)
	}
}
