package mime

import (
	"bufio"
	"bytes"
	"net/textproto"
	"testing"
)

// benchHeader is a realistic header block: trace fields, a folded DKIM
// signature, encoded words, a multipart Content-Type.
const benchHeader = "Return-Path: <sender@example.org>\r\n" +
	"Received: from mail.example.org (mail.example.org [192.0.2.10])\r\n" +
	"\tby mx.example.net (Postfix) with ESMTPS id 4F1A2B3C4D\r\n" +
	"\tfor <rcpt@example.net>; Sun, 22 Nov 2026 01:54:07 +0100 (CET)\r\n" +
	"Received: from [198.51.100.7] (unknown [198.51.100.7])\r\n" +
	"\tby mail.example.org (Postfix) with ESMTPSA id 0A1B2C3D4E\r\n" +
	"\tfor <rcpt@example.net>; Sun, 22 Nov 2026 01:54:05 +0100 (CET)\r\n" +
	"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=example.org;\r\n" +
	"\ts=2026; t=1795398845; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\r\n" +
	"\th=From:To:Subject:Date:Message-ID:MIME-Version:Content-Type;\r\n" +
	"\tb=dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZSBidXQgaXQgaGFzIHRoZSByaWdodCBzaGFwZQ==\r\n" +
	"\t dGhpcyBpcyBub3QgYSByZWFsIHNpZ25hdHVyZSBidXQgaXQgaGFzIHRoZSByaWdodCBzaGFwZQ==\r\n" +
	"From: =?utf-8?q?Andr=C3=A9_Pirard?= <andre@example.org>\r\n" +
	"To: Mary Smith <mary@example.net>, \"Joe Q. Public\" <joe@example.net>\r\n" +
	"Cc: team: a@example.net, b@example.net;\r\n" +
	"Subject: =?utf-8?b?UmU6IGNhZsOpIGF1IGxhaXQg4piV?=\r\n" +
	"Date: Sun, 22 Nov 2026 01:54:05 +0100\r\n" +
	"Message-ID: <20261122005405.4F1A2B3C4D@mail.example.org>\r\n" +
	"In-Reply-To: <1234@local.machine.example>\r\n" +
	"References: <1234@local.machine.example> <3456@example.net>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: multipart/alternative; boundary=\"=_boundary_0123456789abcdef\"\r\n" +
	"X-Mailer: mailwire\r\n" +
	"\r\n"

func BenchmarkReadHeader(b *testing.B) {
	data := []byte(benchHeader)
	rd := bytes.NewReader(data)
	br := bufio.NewReader(rd)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		rd.Reset(data)
		br.Reset(rd)
		h, _, err := ReadHeader(br, Limits{})
		if err != nil || h.Len() != 15 {
			b.Fatalf("%v, %d fields", err, h.Len())
		}
	}
}

// BenchmarkReadHeaderTextproto is the standard library on the same block,
// for comparison with BenchmarkReadHeader. (It keeps less: no order across
// keys, no raw bytes.)
func BenchmarkReadHeaderTextproto(b *testing.B) {
	data := []byte(benchHeader)
	rd := bytes.NewReader(data)
	br := bufio.NewReader(rd)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		rd.Reset(data)
		br.Reset(rd)
		h, err := textproto.NewReader(br).ReadMIMEHeader()
		if err != nil || len(h) == 0 {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeWords(b *testing.B) {
	s := "=?utf-8?b?UmU6IGNhZsOpIGF1IGxhaXQg4piV?= =?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= and plain text"
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if out, _ := DecodeWords(s); out == "" {
			b.Fatal("empty")
		}
	}
}

func BenchmarkParseMediaType(b *testing.B) {
	s := "multipart/alternative; boundary=\"=_boundary_0123456789abcdef\"; charset=utf-8"
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, ok, _ := ParseMediaType(s); !ok {
			b.Fatal("not ok")
		}
	}
}

func BenchmarkParseAddressList(b *testing.B) {
	s := "Mary Smith <mary@example.net>, \"Joe Q. Public\" <joe@example.net>, =?utf-8?q?Andr=C3=A9?= <andre@example.org>, team: a@example.net, b@example.net;"
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if as, _ := ParseAddressList(s); len(as) != 4 {
			b.Fatal(len(as))
		}
	}
}

func BenchmarkParseDate(b *testing.B) {
	s := "Sun, 22 Nov 2026 01:54:05 +0100"
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := ParseDate(s); err != nil {
			b.Fatal(err)
		}
	}
}
