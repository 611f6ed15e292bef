// Package mime reads and writes Internet messages (RFC 5322) and their MIME
// structure (RFC 2045, 2046, 2047, 2049, 2183, 2231, 6532), and computes what
// IMAP's ENVELOPE and BODYSTRUCTURE report (RFC 9051 §7.5.2, RFC 3501).
//
// The decoder is a streaming entity reader that walks nested multipart and
// message/rfc822 parts, undoes transfer encodings and charsets, and records
// every departure from the RFCs as a [Defect] instead of failing. The encoder
// writes messages that are 7-bit clean unless told the transport allows more.
//
// # Header fields
//
// [ReadHeader] reads one header block into a [Header]: fields in order,
// duplicates kept, values unfolded, the raw bytes of each field kept so that
// [Header.WriteTo] re-emits them unchanged; lines that are not fields are
// reported as defects, and the size and field count are bounded by [Limits].
// Field values are then read with:
//
//   - [DecodeWords] and [Header.Text]: RFC 2047 encoded words, in any charset
//     golang.org/x/text knows by an IANA or WHATWG name, and UTF-7 (RFC 2152);
//     [EncodeWords] writes them. [CharsetReader] and [DecodeCharset] convert
//     bodies and parameters to UTF-8.
//   - [ParseMediaType], [ParseDisposition], [ParseParamsRaw]: Content-Type
//     (RFC 2045 §5.1) and Content-Disposition (RFC 2183) with RFC 2231
//     continuations and charsets, and the non-standard forms real mail has;
//     [FormatMediaType] and [FormatDisposition] write them.
//   - [ParseAddressList]: RFC 5322 §3.4 address lists with groups, comments,
//     quoted local parts, the obsolete syntax of §4.4 and UTF-8 (RFC 6532);
//     [FormatAddressList] writes them back so that they read the same.
//   - [ParseDate] (RFC 5322 §3.3 and §4.3) and [ParseDateLenient] (what mail
//     software really writes); [FormatDate].
//   - [ParseMessageIDList]: Message-ID, In-Reply-To and References (§3.6.4).
//
// # Entities
//
// [NewReader] and [NewReaderBytes] walk a message depth first through
// multipart/* (RFC 2046 §5.1) and message/rfc822 parts (§5.2; message/global,
// RFC 6532, on request). Each [Part] gives its header, its effective media
// type (with the defaults of RFC 2045 §5.2 and RFC 2046 §5.1.5), its IMAP
// part number (RFC 3501 §6.4.5), its byte ranges in the input and its
// defects, and a body reader that undoes base64 and quoted-printable
// (RFC 2045 §6.7, §6.8) and, on request, the charset. Damage is recorded as
// a [Defect], never refused. The reader never holds a whole part in memory,
// and [Limits] bound the header size, the field count, the nesting depth and
// the number of parts. [ReadStructure] computes the IMAP ENVELOPE and
// BODYSTRUCTURE in one pass, with the ranges for BODY[n.MIME], BODY[n.HEADER]
// and BODY[n.TEXT].
//
// # Writing
//
// [Message] builds a whole message (text, HTML, inline parts, attachments);
// [Writer] and [NewPartWriter] build any tree by hand. They write 7-bit
// messages (8bit or binary when [EncodingOptions] allow them, for RFC 6152
// and RFC 3030 transports), choose each part's transfer encoding, use random
// "=_" boundaries that cannot occur in encoded content, and never encode a
// multipart or message/rfc822 part (RFC 2046 §5.1, §5.2.1).
package mime
