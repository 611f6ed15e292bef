package mime

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tpart is a part tree as the tests build and compare it.
type tpart struct {
	Type, Subtype string
	Params        Params   // without boundary
	Fields        []string // "Key: decoded text" of the X- fields
	Enc           string
	Body          []byte
	Children      []*tpart
	Message       *tpart
}

func (p *tpart) header(enc bool) Header {
	var h Header
	h.Add("Content-Type", FormatMediaType(MediaType{Type: p.Type, Subtype: p.Subtype, Params: p.Params}))
	for _, f := range p.Fields {
		k, v, _ := strings.Cut(f, ": ")
		h.Add(k, EncodeWords(v))
	}
	if enc && p.Enc != "" {
		h.Add("Content-Transfer-Encoding", p.Enc)
	}
	return h
}

func writeEntity(t testing.TB, w io.Writer, p *tpart) {
	t.Helper()
	switch {
	case p.Type == "multipart":
		mw, err := NewWriter(w, p.header(false))
		if err != nil {
			t.Fatal(err)
		}
		writeChildren(t, mw, p)
		if err := mw.Close(); err != nil {
			t.Fatal(err)
		}
	case p.Message != nil:
		pw, err := NewPartWriter(w, p.header(true))
		if err != nil {
			t.Fatal(err)
		}
		writeEntity(t, pw, p.Message)
		pw.Close()
	default:
		pw, err := NewPartWriter(w, p.header(true))
		if err != nil {
			t.Fatal(err)
		}
		pw.Write(p.Body)
		if err := pw.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func writeChildren(t testing.TB, mw *Writer, p *tpart) {
	t.Helper()
	for _, c := range p.Children {
		switch {
		case c.Type == "multipart":
			cw, err := mw.CreateMultipart(c.header(false))
			if err != nil {
				t.Fatal(err)
			}
			writeChildren(t, cw, c)
			if err := cw.Close(); err != nil {
				t.Fatal(err)
			}
		case c.Message != nil:
			pw, err := mw.CreatePart(c.header(true))
			if err != nil {
				t.Fatal(err)
			}
			writeEntity(t, pw, c.Message)
		default:
			pw, err := mw.CreatePart(c.header(true))
			if err != nil {
				t.Fatal(err)
			}
			if _, err := pw.Write(c.Body); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// readTree decodes a message into a tpart tree.
func readTree(t testing.TB, msg []byte) *tpart {
	t.Helper()
	mr := NewReader(bytes.NewReader(msg), nil)
	nodes := map[*Part]*tpart{}
	var root *tpart
	for {
		p, err := mr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		tp := &tpart{Type: p.MediaType.Type, Subtype: p.MediaType.Subtype}
		for _, pa := range p.MediaType.Params {
			if pa.Name != "boundary" {
				tp.Params = append(tp.Params, pa)
			}
		}
		for _, f := range p.Header.Fields() {
			if strings.HasPrefix(f.Key, "X-") {
				v, _ := DecodeWords(f.Value)
				tp.Fields = append(tp.Fields, f.Key+": "+v)
			}
		}
		if !p.IsMultipart() && !p.IsEncapsulated() {
			tp.Body, _ = io.ReadAll(p.Body())
			if tp.Body == nil {
				tp.Body = []byte{}
			}
			tp.Enc = p.Encoding
		}
		if p.IsEncapsulated() {
			tp.Enc = p.Encoding
		}
		nodes[p] = tp
		switch {
		case p.Parent == nil:
			root = tp
		case p.IsMessage:
			nodes[p.Parent].Message = tp
		default:
			nodes[p.Parent].Children = append(nodes[p.Parent].Children, tp)
		}
		if len(p.Defects) > 0 {
			t.Errorf("part %q: defects %v", p.Number, p.Defects)
		}
	}
	return root
}

// bytesEqual makes cmp compare bodies in one call, not byte by byte.
var bytesEqual = cmp.Comparer(func(a, b []byte) bool { return bytes.Equal(a, b) })

var testWords = []string{"plain", "café", "日本語", "Grüße", "naïve", "x", "straße", "résumé", "--", "=", "From", "."}

func randString(r *rand.Rand, n int) string {
	var b strings.Builder
	for b.Len() < n {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(testWords[r.IntN(len(testWords))])
	}
	return b.String()
}

func randBody(r *rand.Rand, enc string, text bool) []byte {
	n := r.IntN(3000)
	switch {
	case enc == Encoding7Bit:
		var b []byte
		for len(b) < n {
			line := strings.Repeat("abc def. ", r.IntN(10))
			b = append(b, line...)
			b = append(b, "\r\n"...)
		}
		return b
	case text:
		// Canonical text: CRLF line ends only.
		var b []byte
		for len(b) < n {
			b = append(b, randString(r, r.IntN(200))...)
			if r.IntN(3) == 0 {
				b = append(b, " \t"...)
			}
			b = append(b, "\r\n"...)
		}
		return b
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func randTree(r *rand.Rand, depth int) *tpart {
	k := r.IntN(10)
	if depth > 3 {
		k = 9
	}
	switch {
	case k < 3:
		p := &tpart{Type: "multipart", Subtype: []string{"mixed", "alternative", "related"}[r.IntN(3)]}
		for i := 1 + r.IntN(3); i > 0; i-- {
			p.Children = append(p.Children, randTree(r, depth+1))
		}
		return p
	case k == 3:
		inner := randTree(r, depth+1)
		inner.Fields = append(inner.Fields, "X-Subject: "+randString(r, 10+r.IntN(100)))
		return &tpart{Type: "message", Subtype: "rfc822", Enc: Encoding7Bit, Message: inner}
	}
	p := &tpart{}
	text := r.IntN(2) == 0
	if text {
		p.Type, p.Subtype = "text", "plain"
		p.Params = Params{{Name: "charset", Value: "utf-8"}}
	} else {
		p.Type, p.Subtype = "application", "octet-stream"
		p.Params = Params{{Name: "name", Value: randString(r, 5+r.IntN(120)) + ".bin"}}
	}
	p.Enc = []string{Encoding7Bit, EncodingQuotedPrintable, EncodingBase64}[r.IntN(3)]
	p.Body = randBody(r, p.Enc, text)
	if r.IntN(3) == 0 {
		p.Fields = append(p.Fields, "X-Note: "+randString(r, r.IntN(150)))
	}
	return p
}

func TestRandomTreesRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for i := 0; i < 150; i++ {
		tree := randTree(r, 0)
		var buf bytes.Buffer
		writeEntity(t, &buf, tree)
		for _, c := range buf.Bytes() {
			if c >= 0x80 {
				t.Fatalf("tree %d: 8-bit output", i)
			}
		}
		got := readTree(t, buf.Bytes())
		if diff := cmp.Diff(tree, got, bytesEqual); diff != "" {
			t.Fatalf("tree %d differs (-want +got):\n%s\n%s", i, diff, buf.Bytes())
		}
	}
}

// treeFromCorpus reads a corpus message into a tree whose bodies are the
// decoded ones, for re-encoding.
func treeFromCorpus(t testing.TB, msg []byte) *tpart {
	mr := NewReader(bytes.NewReader(msg), nil)
	nodes := map[*Part]*tpart{}
	var root *tpart
	for {
		p, err := mr.Next()
		if err != nil {
			break
		}
		tp := &tpart{Type: p.MediaType.Type, Subtype: p.MediaType.Subtype}
		for _, pa := range p.MediaType.Params {
			if pa.Name != "boundary" {
				tp.Params = append(tp.Params, pa)
			}
		}
		if !p.IsMultipart() && !p.IsEncapsulated() {
			tp.Body, _ = io.ReadAll(p.Body())
			if tp.Body == nil {
				tp.Body = []byte{}
			}
			tp.Enc = ChooseEncoding(tp.Body, false, EncodingOptions{})
		} else if p.IsEncapsulated() {
			tp.Enc = Encoding7Bit
		}
		nodes[p] = tp
		switch {
		case p.Parent == nil:
			root = tp
		case p.IsMessage:
			nodes[p.Parent].Message = tp
		default:
			nodes[p.Parent].Children = append(nodes[p.Parent].Children, tp)
		}
	}
	return root
}

func TestReencodedCorpusKeepsEveryBody(t *testing.T) {
	for _, name := range []string{"plain-ascii", "alternative-qp", "mixed-base64-attachment", "nested", "forwarded-rfc822", "digest",
		"invalid-base64", "qp-damage", "unknown-charset", "lf-line-ends", "cr-cr-lf", "boundary-like-lines", "missing-close-boundary"} {
		msg := readCorpus(t, name)
		tree := treeFromCorpus(t, msg)
		var buf bytes.Buffer
		writeEntity(t, &buf, tree)
		again := treeFromCorpus(t, buf.Bytes())
		if diff := cmp.Diff(tree, again, bytesEqual); diff != "" {
			t.Errorf("%s: re-encoded message differs (-want +got):\n%s", name, diff)
		}
	}
}

func TestWriterRefusesEncodedMultipartAndMessage(t *testing.T) {
	var h Header
	h.Add("Content-Type", "multipart/mixed")
	h.Add("Content-Transfer-Encoding", "base64")
	if _, err := NewWriter(io.Discard, h); !errors.Is(err, ErrInvalidEncoding) {
		t.Errorf("multipart with base64: %v", err)
	}
	var mh Header
	mh.Add("Content-Type", "multipart/mixed")
	mw, _ := NewWriter(io.Discard, mh)
	var ph Header
	ph.Add("Content-Type", "message/rfc822")
	ph.Add("Content-Transfer-Encoding", "quoted-printable")
	if _, err := mw.CreatePart(ph); !errors.Is(err, ErrInvalidEncoding) {
		t.Errorf("message/rfc822 with QP: %v", err)
	}
	if _, err := NewPartWriter(io.Discard, ph); !errors.Is(err, ErrInvalidEncoding) {
		t.Errorf("NewPartWriter message/rfc822 with QP: %v", err)
	}
}

func TestWriterDetectsBoundaryInUnencodedContent(t *testing.T) {
	var h Header
	h.Add("Content-Type", "multipart/mixed; boundary=abc")
	for _, chunks := range [][]string{
		{"line\r\n--abc\r\n"},
		{"line\r\n--a", "bc--\r\n"},
		{"--abc"},
		{"x\r\n", "-", "-abc"},
	} {
		mw, err := NewWriter(io.Discard, h)
		if err != nil {
			t.Fatal(err)
		}
		pw, _ := mw.CreatePart(Header{})
		var werr error
		for _, c := range chunks {
			if _, err := pw.Write([]byte(c)); err != nil {
				werr = err
			}
		}
		if !errors.Is(werr, ErrBoundaryInContent) {
			t.Errorf("%q: err %v, want ErrBoundaryInContent", chunks, werr)
		}
	}
	mw, _ := NewWriter(io.Discard, h)
	pw, _ := mw.CreatePart(Header{})
	if _, err := pw.Write([]byte("x--abc\r\n --abc\r\n--ab\r\n")); err != nil {
		t.Errorf("no delimiter line: %v", err)
	}
}

func TestNewBoundaryIsUniqueAndSafe(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		b := NewBoundary()
		if seen[b] || !strings.HasPrefix(b, "=_") || len(b) > 70 {
			t.Fatalf("boundary %q", b)
		}
		seen[b] = true
	}
}

func sampleMessage() *Message {
	m := &Message{
		Text: "Hello Zoë,\nthe report is attached.\n.\nFrom the team\n",
		HTML: "<p>Hello Zoë,</p><img src=\"cid:logo@x\">",
		Inline: []Attachment{
			{ContentType: "image/png", Filename: "logo.png", ContentID: "logo@x", Data: []byte("\x89PNG\r\n\x1a\n\x00\x00")},
		},
		Attachments: []Attachment{
			{ContentType: "application/pdf", Filename: "Rapport annuel — été 2024 avec un nom très long pour forcer les continuations.pdf", Data: bytes.Repeat([]byte{0, 1, 2, 0xff}, 5000)},
			{ContentType: "text/csv", Filename: "data.csv", Data: []byte("a,b\r\n1,2\r\n")},
		},
	}
	m.Header.Add("From", FormatAddressList([]Address{{Name: "Zoë Test", Mailbox: "zoe", Host: "example.org"}}))
	m.Header.Add("To", "bob@example.net")
	m.Header.Add("Subject", EncodeWords("Rapport — été"))
	m.Header.Add("Content-Type", "text/bogus") // replaced by WriteTo
	return m
}

func TestMessageWriteToBuildsTheExpectedTree(t *testing.T) {
	m := sampleMessage()
	var buf bytes.Buffer
	n, err := m.WriteTo(&buf)
	if err != nil || n != int64(buf.Len()) {
		t.Fatalf("WriteTo: n=%d len=%d err=%v", n, buf.Len(), err)
	}
	out := buf.String()
	for i, line := range strings.Split(out, "\r\n") {
		if len(line) > 78 {
			t.Errorf("line %d has %d characters: %q", i, len(line), line)
		}
	}
	for _, c := range buf.Bytes() {
		if c >= 0x80 {
			t.Fatal("8-bit output")
		}
	}
	if strings.Contains(out, "text/bogus") {
		t.Error("caller's Content-Type kept")
	}
	parts, bodies, err := walkAll(t, bytes.NewReader(buf.Bytes()), nil)
	if err != nil {
		t.Fatal(err)
	}
	var shape []string
	for _, p := range parts {
		shape = append(shape, fmt.Sprintf("%s:%s/%s:%s", p.Number, p.MediaType.Type, p.MediaType.Subtype, p.Encoding))
		if len(p.Defects) > 0 {
			t.Errorf("part %q defects %v", p.Number, p.Defects)
		}
	}
	want := []string{
		":multipart/mixed:7bit",
		"1:multipart/related:7bit",
		"1.1:multipart/alternative:7bit",
		"1.1.1:text/plain:quoted-printable",
		"1.1.2:text/html:quoted-printable",
		"1.2:image/png:base64",
		"2:application/pdf:base64",
		"3:text/csv:7bit",
	}
	if diff := cmp.Diff(want, shape); diff != "" {
		t.Fatalf("tree (-want +got):\n%s", diff)
	}
	if got := string(bodies[3]); got != strings.ReplaceAll(m.Text, "\n", "\r\n") {
		t.Errorf("text body %q", got)
	}
	if !bytes.Equal(bodies[5], m.Inline[0].Data) || !bytes.Equal(bodies[6], m.Attachments[0].Data) || !bytes.Equal(bodies[7], m.Attachments[1].Data) {
		t.Error("attachment bytes differ")
	}
	d, _, _ := ParseDisposition(parts[6].Header.Get("Content-Disposition"))
	if d.Type != "attachment" || d.Params.Get("filename") != m.Attachments[0].Filename {
		t.Errorf("disposition %+v", d)
	}
	if parts[5].Header.Get("Content-ID") != "<logo@x>" {
		t.Errorf("Content-ID %q", parts[5].Header.Get("Content-ID"))
	}
	if s, _ := parts[0].Header.Text("Subject"); s != "Rapport — été" {
		t.Errorf("subject %q", s)
	}
	if parts[0].Header.Get("MIME-Version") != "1.0" {
		t.Error("no MIME-Version")
	}
}

func TestMessageSinglePartAndOptions(t *testing.T) {
	m := &Message{Text: "plain ascii\n"}
	var buf bytes.Buffer
	m.WriteTo(&buf)
	if !strings.Contains(buf.String(), "Content-Transfer-Encoding: 7bit") || !strings.HasSuffix(buf.String(), "\r\n\r\nplain ascii\r\n") {
		t.Errorf("7bit single part:\n%s", buf.String())
	}
	m = &Message{Text: "déjà vu\n", Options: EncodingOptions{Allow8Bit: true}}
	buf.Reset()
	m.WriteTo(&buf)
	if !strings.Contains(buf.String(), "Content-Transfer-Encoding: 8bit") || !strings.Contains(buf.String(), "déjà vu\r\n") {
		t.Errorf("8bit single part:\n%s", buf.String())
	}
	m = &Message{Attachments: []Attachment{{Data: []byte{1, 2, 0xff}}}, Options: EncodingOptions{AllowBinary: true}}
	buf.Reset()
	m.WriteTo(&buf)
	if !strings.Contains(buf.String(), "Content-Transfer-Encoding: binary") {
		t.Errorf("binary:\n%s", buf.String())
	}
}

func TestMessageAttachesMessagesUnencoded(t *testing.T) {
	inner := "From: a@example.org\nSubject: inner\n\nhello\n"
	m := &Message{Text: "see attached", Attachments: []Attachment{
		{ContentType: "message/rfc822", Data: []byte(inner)},
		{ContentType: "message/rfc822", Data: []byte("Subject: 8bit\n\ncafé\n")},
	}}
	var buf bytes.Buffer
	m.WriteTo(&buf)
	parts, bodies, err := walkAll(t, bytes.NewReader(buf.Bytes()), nil)
	if err != nil {
		t.Fatal(err)
	}
	var shape []string
	for _, p := range parts {
		shape = append(shape, fmt.Sprintf("%s:%s/%s:%s", p.Number, p.MediaType.Type, p.MediaType.Subtype, p.Encoding))
	}
	want := []string{":multipart/mixed:7bit", "1:text/plain:7bit", "2:message/rfc822:7bit", "2:text/plain:7bit", "3:application/octet-stream:base64"}
	if diff := cmp.Diff(want, shape); diff != "" {
		t.Fatalf("tree (-want +got):\n%s", diff)
	}
	if parts[3].Header.Get("Subject") != "inner" || string(bodies[3]) != "hello\r\n" {
		t.Errorf("enclosed message: %q", bodies[3])
	}
	if string(bodies[4]) != "Subject: 8bit\n\ncafé\n" {
		t.Errorf("8-bit message kept as bytes: %q", bodies[4])
	}
}
