package main

// mailwire adapters for mime-parse and mime-encode.

import (
	"bufio"
	"io"
	"unicode/utf8"

	"github.com/mailwire/mailwire/mime"
)

func init() {
	mimeParsers = append(mimeParsers, oursParser{})
	mimeEncoders = append(mimeEncoders, oursEncoder{})
}

type oursParser struct{}

func (oursParser) Name() string { return "mailwire" }

func (oursParser) Parse(raw []byte, st *ParseStats) error {
	r := mime.NewReaderBytes(raw, &mime.ReaderOptions{DecodeCharset: true})
	top := true
	for {
		p, err := r.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if top {
			top = false
			subj, _ := p.Header.Text("Subject")
			st.HeaderRunes += utf8.RuneCountInString(subj)
			for _, k := range []string{"From", "To"} {
				list, _ := mime.ParseAddressList(p.Header.Get(k))
				for _, a := range list {
					st.HeaderRunes += utf8.RuneCountInString(a.Name) + utf8.RuneCountInString(a.Addr())
				}
			}
			if _, err := mime.ParseDateLenient(p.Header.Get("Date")); err != nil {
				return err
			}
		}
		if p.IsMultipart() {
			continue
		}
		st.Parts++
		if d, ok, _ := mime.ParseDisposition(p.Header.Get("Content-Disposition")); ok && d.Type == "attachment" {
			st.Attachments++
			st.HeaderRunes += utf8.RuneCountInString(d.Params.Get("filename"))
		}
		n, err := io.Copy(io.Discard, p.Body())
		st.DecodedBytes += n
		if err != nil {
			return err
		}
	}
}

type oursEncoder struct{}

func (oursEncoder) Name() string { return "mailwire" }

func oursAddrs(as []Addr) []mime.Address {
	out := make([]mime.Address, len(as))
	for i, a := range as {
		out[i] = oursAddr(a)
	}
	return out
}

func oursAddr(a Addr) mime.Address {
	m, _ := mime.ParseAddress(a.Address)
	m.Name = a.Name
	return m
}

func (oursEncoder) Encode(out io.Writer, s *MessageSpec) error {
	w := bufio.NewWriterSize(out, 32*1024)
	m := mime.Message{Text: s.Text, HTML: s.HTML}
	m.Header.Set("From", mime.FormatAddress(oursAddr(s.From)))
	m.Header.Set("To", mime.FormatAddressList(oursAddrs(s.To)))
	m.Header.Set("Subject", mime.EncodeWords(s.Subject))
	m.Header.Set("Date", mime.FormatDate(s.Date))
	m.Header.Set("Message-ID", mime.FormatMessageIDList([]string{s.MessageID}))
	for _, a := range s.Attachments {
		m.Attachments = append(m.Attachments, mime.Attachment{ContentType: a.ContentType, Filename: a.Filename, Data: a.Data})
	}
	if _, err := m.WriteTo(w); err != nil {
		return err
	}
	return w.Flush()
}
