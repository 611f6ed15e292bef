package textwire

import (
	"bufio"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

func readAll(r *Reader) (lines []string, errs []error) {
	for {
		line, err := r.ReadLine()
		if err == io.EOF {
			return
		}
		lines = append(lines, string(line))
		errs = append(errs, err)
		if err == ErrLineTooLong {
			if derr := r.DiscardLine(); derr != nil {
				errs = append(errs, derr)
				return
			}
		} else if err != nil && err != ErrBareLF && err != ErrBareCR {
			return
		}
	}
}

func TestReadLineStrict(t *testing.T) {
	tests := []struct {
		in    string
		lines []string
		errs  []error
	}{
		{"EHLO a\r\nQUIT\r\n", []string{"EHLO a", "QUIT"}, []error{nil, nil}},
		{"\r\n", []string{""}, []error{nil}},
		{"NOOP\nQUIT\r\n", []string{"NOOP", "QUIT"}, []error{ErrBareLF, nil}},
		{"NO\rOP\r\nQUIT\r\n", []string{"NO\rOP", "QUIT"}, []error{ErrBareCR, nil}},
		{"QUIT", []string{""}, []error{io.ErrUnexpectedEOF}},
	}
	for _, tt := range tests {
		r := NewReader(strings.NewReader(tt.in))
		lines, errs := readAll(r)
		if strings.Join(lines, "|") != strings.Join(tt.lines, "|") {
			t.Errorf("%q: lines %q, want %q", tt.in, lines, tt.lines)
		}
		if len(errs) != len(tt.errs) {
			t.Errorf("%q: errors %v, want %v", tt.in, errs, tt.errs)
			continue
		}
		for i := range errs {
			if !errors.Is(errs[i], tt.errs[i]) {
				t.Errorf("%q: line %d error %v, want %v", tt.in, i, errs[i], tt.errs[i])
			}
		}
	}
}

func TestReadLineAnyEnding(t *testing.T) {
	r := NewReader(strings.NewReader("a\nb\r\nc\rd\n"))
	r.Ending = AnyEnding
	lines, errs := readAll(r)
	if got := strings.Join(lines, "|"); got != "a|b|c\rd" {
		t.Fatalf("lines %q", got)
	}
	for _, err := range errs {
		if err != nil {
			t.Fatalf("unexpected error %v", err)
		}
	}
}

func TestReadLineTooLongResynchronises(t *testing.T) {
	long := strings.Repeat("x", 10000)
	for _, max := range []int{10, 100, 4096, 9999} {
		in := "short\r\n" + long + "\r\nnext\r\n"
		r := NewReader(strings.NewReader(in))
		r.MaxLine = max
		lines, errs := readAll(r)
		if len(lines) != 3 || lines[0] != "short" || lines[2] != "next" {
			t.Fatalf("max %d: lines %q", max, lines)
		}
		if errs[1] != ErrLineTooLong || errs[0] != nil || errs[2] != nil {
			t.Fatalf("max %d: errors %v", max, errs)
		}
	}
}

func TestReadLineAtLimitIsAccepted(t *testing.T) {
	for _, n := range []int{4095, 4096} {
		in := strings.Repeat("y", n) + "\r\n"
		r := NewReader(iotest.HalfReader(strings.NewReader(in)))
		line, err := r.ReadLine()
		if err != nil || len(line) != n {
			t.Fatalf("len %d: got %d bytes, %v", n, len(line), err)
		}
	}
	r := NewReader(strings.NewReader(strings.Repeat("y", 4097) + "\r\n"))
	if _, err := r.ReadLine(); err != ErrLineTooLong {
		t.Fatalf("4097 octets: %v, want ErrLineTooLong", err)
	}
}

func TestReadLineOneByteAtATime(t *testing.T) {
	r := NewReader(bufio.NewReaderSize(iotest.OneByteReader(strings.NewReader("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n")), 16))
	lines, errs := readAll(r)
	if strings.Join(lines, "|") != "MAIL FROM:<a@b>|RCPT TO:<c@d>" || errs[0] != nil || errs[1] != nil {
		t.Fatalf("lines %q errs %v", lines, errs)
	}
}

func TestReadLineTooLongAtEOF(t *testing.T) {
	r := NewReader(strings.NewReader(strings.Repeat("z", 9000)))
	if _, err := r.ReadLine(); err != ErrLineTooLong {
		t.Fatalf("got %v", err)
	}
	if err := r.DiscardLine(); err != io.ErrUnexpectedEOF {
		t.Fatalf("DiscardLine at EOF: %v", err)
	}
}

// endless yields n bytes of 'a' without allocating, then "\r\nEND\r\n".
type endless struct{ n int }

func (e *endless) Read(p []byte) (int, error) {
	if e.n <= 0 {
		return 0, io.EOF
	}
	if e.n <= 7 {
		k := copy(p, "\r\nEND\r\n"[7-e.n:])
		e.n -= k
		return k, nil
	}
	k := min(len(p), e.n-7)
	for i := range p[:k] {
		p[i] = 'a'
	}
	e.n -= k
	return k, nil
}

func TestReadLineHundredMiBStaysBounded(t *testing.T) {
	const size = 100 << 20
	r := NewReader(&endless{n: size + 7})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	if _, err := r.ReadLine(); err != ErrLineTooLong {
		t.Fatalf("got %v, want ErrLineTooLong", err)
	}
	if err := r.DiscardLine(); err != nil {
		t.Fatal(err)
	}
	line, err := r.ReadLine()
	if err != nil || string(line) != "END" {
		t.Fatalf("after the long line: %q, %v", line, err)
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 1<<20 {
		t.Fatalf("reading a 100 MiB line allocated %d bytes", grew)
	}
}

func TestBufferedSeesPipelinedBytes(t *testing.T) {
	r := NewReader(strings.NewReader("STARTTLS\r\nMAIL FROM:<x@y>\r\n"))
	if _, err := r.ReadLine(); err != nil {
		t.Fatal(err)
	}
	if r.Buffered() == 0 {
		t.Fatal("the pipelined command is not reported as buffered")
	}
	r.Reset(strings.NewReader("EHLO z\r\n"))
	if r.Buffered() != 0 {
		t.Fatal("Reset kept buffered plaintext")
	}
	if line, _ := r.ReadLine(); string(line) != "EHLO z" {
		t.Fatalf("after Reset: %q", line)
	}
}
