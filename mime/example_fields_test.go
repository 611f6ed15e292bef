package mime_test

import (
	"bufio"
	"fmt"
	"strings"
	"time"

	"github.com/mailwire/mailwire/mime"
)

func ExampleReadHeader() {
	msg := "From: John Doe <jdoe@machine.example>\r\n" +
		"Subject: =?ISO-8859-1?Q?Andr=E9?=\r\n" +
		" Pirard\r\n" +
		"\r\n" +
		"Hello.\r\n"
	br := bufio.NewReader(strings.NewReader(msg))
	h, defects, err := mime.ReadHeader(br, mime.Limits{})
	if err != nil {
		panic(err)
	}
	subject, _ := h.Text("subject")
	fmt.Println(h.Len(), len(defects))
	fmt.Printf("%q\n", h.Get("Subject"))
	fmt.Println(subject)
	rest, _ := br.ReadString('\n')
	fmt.Printf("%q\n", rest)
	// Output:
	// 2 0
	// "=?ISO-8859-1?Q?Andr=E9?= Pirard"
	// André Pirard
	// "Hello.\r\n"
}

func ExampleHeader_WriteTo() {
	var h mime.Header
	h.Add("From", mime.FormatAddressList([]mime.Address{{Name: "André", Mailbox: "andre", Host: "example.org"}}))
	h.Add("Subject", mime.EncodeWords("Re: café"))
	h.Add("Date", mime.FormatDate(time.Date(2026, 11, 22, 1, 54, 7, 0, time.UTC)))
	var b strings.Builder
	h.WriteTo(&b)
	// WriteTo ends lines with CRLF; shown here with LF.
	fmt.Print(strings.ReplaceAll(b.String(), "\r\n", "\n"))
	// Output:
	// From: =?utf-8?q?Andr=C3=A9?= <andre@example.org>
	// Subject: Re: =?utf-8?q?caf=C3=A9?=
	// Date: Sun, 22 Nov 2026 01:54:07 +0000
}

func ExampleDecodeWords() {
	s, defects := mime.DecodeWords("=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?= and =?x-unknown?q?c?=")
	fmt.Println(s)
	fmt.Println(defects)
	// Output:
	// a b and =?x-unknown?q?c?=
	// [unknown charset: x-unknown]
}

func ExampleParseMediaType() {
	mt, ok, _ := mime.ParseMediaType("application/x-stuff;\r\n" +
		" title*0*=us-ascii'en'This%20is%20even%20more%20;\r\n" +
		" title*1*=%2A%2A%2Afun%2A%2A%2A%20;\r\n" +
		" title*2=\"isn't it!\"")
	fmt.Println(ok, mt.Type, mt.Subtype)
	fmt.Println(mt.Params.Get("Title"))
	// Output:
	// true application x-stuff
	// This is even more ***fun*** isn't it!
}

func ExampleFormatDisposition() {
	fmt.Println(mime.FormatDisposition(mime.Disposition{
		Type:   "attachment",
		Params: mime.Params{{Name: "filename", Value: "résumé.pdf"}},
	}))
	// Output:
	// attachment; filename*=utf-8''r%C3%A9sum%C3%A9.pdf
}

func ExampleParseAddressList() {
	as, _ := mime.ParseAddressList(`"Joe Q. Public" <john.q.public@example.com>, A Group:Ed Jones <c@a.test>,joe@where.test;`)
	for _, a := range as {
		if a.Group {
			fmt.Printf("group %q:\n", a.Name)
			for _, m := range a.Members {
				fmt.Printf("  %q %s\n", m.Name, m.Addr())
			}
			continue
		}
		fmt.Printf("%q %s\n", a.Name, a.Addr())
	}
	// Output:
	// "Joe Q. Public" john.q.public@example.com
	// group "A Group":
	//   "Ed Jones" c@a.test
	//   "" joe@where.test
}

func ExampleParseDateLenient() {
	for _, s := range []string{"Fri, 21 Nov 1997 09:55:06 -0600", "21 Nov 97 09:55 GMT+0200", "Fri Nov 21 09:55:06 1997"} {
		t, err := mime.ParseDateLenient(s)
		fmt.Println(t.Format(time.RFC3339), err)
	}
	// Output:
	// 1997-11-21T09:55:06-06:00 <nil>
	// 1997-11-21T09:55:00+02:00 <nil>
	// 1997-11-21T09:55:06Z <nil>
}

func ExampleParseMessageIDList() {
	ids, _ := mime.ParseMessageIDList("<1234@local.machine.example>\r\n <3456@example.net>")
	fmt.Println(ids)
	// Output:
	// [1234@local.machine.example 3456@example.net]
}
