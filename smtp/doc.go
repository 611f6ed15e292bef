// Package smtp implements the Simple Mail Transfer Protocol (RFC 5321) and
// LMTP, with a [Client] and a [Server] that run over any io.ReadWriter.
package smtp
