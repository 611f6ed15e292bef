// Package mime reads and writes Internet messages (RFC 5322) and their MIME
// structure (RFC 2045, 2046, 2047, 2049, 2183, 2231, 6532).
//
// The decoder is a streaming entity reader that walks nested multipart and
// message/rfc822 parts, undoes transfer encodings and charsets, and records
// every departure from the RFCs as a [Defect] instead of failing. The encoder
// writes messages that are 7-bit clean unless told the transport allows more.
package mime
