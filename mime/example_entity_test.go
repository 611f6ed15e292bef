package mime_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/mailwire/mailwire/mime"
)

func ExampleNewReader() {
	msg := "From: alice@example.org\r\n" +
		"Subject: =?utf-8?q?caf=C3=A9?=\r\n" +
		"Content-Type: multipart/mixed; boundary=b\r\n" +
		"\r\n" +
		"--b\r\n" +
		"Content-Type: text/plain; charset=iso-8859-1\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n" +
		"\r\n" +
		"caf=E9\r\n" +
		"--b\r\n" +
		"Content-Type: application/octet-stream\r\n" +
		"Content-Transfer-Encoding: base64\r\n" +
		"\r\n" +
		"AAEC\r\n" +
		"--b--\r\n"
	mr := mime.NewReader(strings.NewReader(msg), &mime.ReaderOptions{DecodeCharset: true})
	for {
		p, err := mr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		body, _ := io.ReadAll(p.Body())
		fmt.Printf("part %q %s/%s %q\n", p.Number, p.MediaType.Type, p.MediaType.Subtype, body)
	}
	// Output:
	// part "" multipart/mixed ""
	// part "1" text/plain "café"
	// part "2" application/octet-stream "\x00\x01\x02"
}

func ExampleMessage_WriteTo() {
	m := &mime.Message{
		Text: "Hello,\nthe file is attached.\n",
		Attachments: []mime.Attachment{
			{ContentType: "text/csv", Filename: "données.csv", Data: []byte("a,b\r\n1,2\r\n")},
		},
	}
	m.Header.Add("From", mime.FormatAddressList([]mime.Address{{Name: "Zoë", Mailbox: "zoe", Host: "example.org"}}))
	m.Header.Add("Subject", mime.EncodeWords("Données"))
	var out strings.Builder
	if _, err := m.WriteTo(&out); err != nil {
		fmt.Println(err)
		return
	}
	// Read it back.
	mr := mime.NewReader(strings.NewReader(out.String()), nil)
	for {
		p, err := mr.Next()
		if err != nil {
			break
		}
		d, _, _ := mime.ParseDisposition(p.Header.Get("Content-Disposition"))
		fmt.Printf("%q %s/%s %s %q\n", p.Number, p.MediaType.Type, p.MediaType.Subtype, p.Encoding, d.Params.Get("filename"))
	}
	// Output:
	// "" multipart/mixed 7bit ""
	// "1" text/plain 7bit ""
	// "2" text/csv 7bit "données.csv"
}

func ExampleReadStructure() {
	msg := "From: Alice <alice@example.org>\r\n" +
		"Subject: hello\r\n" +
		"Content-Type: multipart/alternative; boundary=x\r\n" +
		"\r\n" +
		"--x\r\n" +
		"Content-Type: text/plain\r\n" +
		"\r\n" +
		"hi\r\n" +
		"there\r\n" +
		"--x\r\n" +
		"Content-Type: text/html\r\n" +
		"\r\n" +
		"<p>hi there</p>\r\n" +
		"--x--\r\n"
	st, err := mime.ReadStructure(strings.NewReader(msg), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(st.Envelope.Subject, st.Envelope.From[0].Name, st.Envelope.From[0].Mailbox, st.Envelope.From[0].Host)
	for _, p := range st.Body.Parts {
		fmt.Printf("BODY[%s] %s/%s size=%d lines=%d %q\n", p.Number, p.Type, p.Subtype, p.Size, p.Lines, msg[p.BodyOffset:p.BodyOffset+p.Size])
	}
	// Output:
	// hello Alice alice example.org
	// BODY[1] text/plain size=9 lines=1 "hi\r\nthere"
	// BODY[2] text/html size=15 lines=0 "<p>hi there</p>"
}

func ExampleNewQPWriter() {
	var out strings.Builder
	w := mime.NewQPWriter(&out, mime.QPText)
	io.WriteString(w, "Café = coffee\n.\nFrom here")
	w.Close()
	// Line ends are CRLF; shown here as LF.
	fmt.Println(strings.ReplaceAll(out.String(), "\r\n", "\n"))
	// Output:
	// Caf=C3=A9 =3D coffee
	// =2E
	// =46rom here
}

func ExampleNewWriter() {
	var out strings.Builder
	var h mime.Header
	h.Add("Subject", "parts")
	h.Add("Content-Type", "multipart/mixed; boundary=outer")
	mw, err := mime.NewWriter(&out, h)
	if err != nil {
		fmt.Println(err)
		return
	}
	var th mime.Header
	th.Add("Content-Type", "text/plain; charset=utf-8")
	th.Add("Content-Transfer-Encoding", "quoted-printable")
	w, _ := mw.CreatePart(th)
	io.WriteString(w, "Voilà\n")

	var ah mime.Header
	ah.Add("Content-Type", "multipart/alternative; boundary=inner")
	alt, _ := mw.CreateMultipart(ah)
	var ph mime.Header
	ph.Add("Content-Type", "text/plain")
	w, _ = alt.CreatePart(ph)
	io.WriteString(w, "plain")
	alt.Close()
	mw.Close()
	fmt.Print(strings.ReplaceAll(out.String(), "\r\n", "\n"))
	// Output:
	// Subject: parts
	// Content-Type: multipart/mixed; boundary=outer
	//
	// --outer
	// Content-Type: text/plain; charset=utf-8
	// Content-Transfer-Encoding: quoted-printable
	//
	// Voil=C3=A0
	//
	// --outer
	// Content-Type: multipart/alternative; boundary=inner
	//
	// --inner
	// Content-Type: text/plain
	//
	// plain
	// --inner--
	// --outer--
}
