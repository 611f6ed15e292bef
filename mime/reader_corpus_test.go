package mime

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/messages")

// dumpMessage describes every part of msg: number, type, parameters,
// encoding, offsets, header fields, defects and the decoded body (length,
// hash, start). The corpus goldens are such dumps.
func dumpMessage(t testing.TB, msg []byte, src io.Reader) string {
	return dumpWith(t, msg, NewReader(src, &ReaderOptions{DecodeCharset: true, CountLines: true}))
}

func dumpMessageBytes(t testing.TB, msg []byte) string {
	return dumpWith(t, msg, NewReaderBytes(msg, &ReaderOptions{DecodeCharset: true, CountLines: true}))
}

func dumpWith(t testing.TB, msg []byte, mr *Reader) string {
	t.Helper()
	var b strings.Builder
	var parts []*Part
	var bodies [][]byte
	for {
		p, err := mr.Next()
		if err == io.EOF {
			break
		}
		if err != nil && p == nil {
			fmt.Fprintf(&b, "error %v\n", err)
			break
		}
		parts = append(parts, p)
		body, rerr := io.ReadAll(p.Body())
		if rerr != nil {
			t.Fatalf("part %q: body: %v", p.Number, rerr)
		}
		bodies = append(bodies, body)
	}
	for i, p := range parts {
		indent := strings.Repeat("  ", p.Depth)
		kind := "leaf"
		switch {
		case p.IsMultipart():
			kind = "multipart"
		case p.IsEncapsulated():
			kind = "encapsulated"
		}
		fmt.Fprintf(&b, "%spart %q %s/%s %s enc=%s message=%v section=%s\n", indent, p.Number, p.MediaType.Type, p.MediaType.Subtype, kind, p.Encoding, p.IsMessage, p.BodySection())
		fmt.Fprintf(&b, "%s  header=%d+%d body=%d+%d lines=%d\n", indent, p.HeaderOffset, p.HeaderSize, p.BodyOffset, p.BodySize, p.BodyLines)
		for _, pa := range p.MediaType.Params {
			fmt.Fprintf(&b, "%s  param %s=%q\n", indent, pa.Name, pa.Value)
		}
		for _, f := range p.Header.Fields() {
			fmt.Fprintf(&b, "%s  field %q: %q\n", indent, f.Key, f.Value)
		}
		if p.Header.Has("Subject") {
			s, _ := p.Header.Text("Subject")
			fmt.Fprintf(&b, "%s  subject %q\n", indent, s)
		}
		for _, d := range p.Defects {
			fmt.Fprintf(&b, "%s  defect %s\n", indent, d)
		}
		if body := bodies[i]; len(body) > 0 || !p.IsMultipart() && !p.IsEncapsulated() {
			head := body
			if len(head) > 60 {
				head = head[:60]
			}
			fmt.Fprintf(&b, "%s  body %d bytes sha256=%x %q\n", indent, len(body), sha256.Sum256(body), head)
		}
		// The offsets must point into the message.
		if end := p.BodyOffset + p.BodySize; p.HeaderOffset+p.HeaderSize != p.BodyOffset || end > int64(len(msg)) || p.BodySize < 0 {
			t.Errorf("part %q: bad offsets header=%d+%d body=%d+%d of %d", p.Number, p.HeaderOffset, p.HeaderSize, p.BodyOffset, p.BodySize, len(msg))
		}
	}
	return b.String()
}

func TestCorpusMatchesGoldens(t *testing.T) {
	files, err := filepath.Glob("testdata/messages/*.eml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".eml")
		t.Run(name, func(t *testing.T) {
			msg, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			got := dumpMessage(t, msg, bytes.NewReader(msg))
			// Reading in place gives the same.
			if inPlace := dumpMessageBytes(t, msg); inPlace != got {
				t.Errorf("NewReaderBytes gives a different result:\n%s", inPlace)
			}
			// The result must not depend on how the input is cut.
			if slow := dumpMessage(t, msg, iotest.OneByteReader(bytes.NewReader(msg))); slow != got {
				t.Errorf("one-byte reads give a different result:\n%s", slow)
			}
			got += dumpStructure(t, msg)
			golden := strings.TrimSuffix(file, ".eml") + ".txt"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("dump differs from %s:\n--- got\n%s--- want\n%s", golden, got, want)
			}
		})
	}
}
