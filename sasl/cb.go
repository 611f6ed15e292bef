package sasl

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"fmt"

	_ "crypto/sha256" // register SHA-256 for crypto.Hash.New
	_ "crypto/sha512" // register SHA-384 and SHA-512
)

// Channel binding types supported by the SCRAM -PLUS mechanisms.
const (
	// TLSExporter is RFC 9266's type, the default for TLS 1.3.
	TLSExporter = "tls-exporter"
	// TLSServerEndPoint is RFC 5929 §4's type: a hash of the server's
	// certificate.
	TLSServerEndPoint = "tls-server-end-point"
	// TLSUnique is RFC 5929 §3's type, RFC 5802 §6.1's default for TLS
	// 1.2; it is undefined for TLS 1.3 and for resumed TLS 1.2 sessions
	// without extended master secret.
	TLSUnique = "tls-unique"
)

// ChannelBinding is the data that binds a SCRAM -PLUS exchange to the TLS
// connection it runs over (RFC 5056). Both sides must compute the same Data
// from their own view of the connection.
type ChannelBinding struct {
	// Type is the channel binding type, e.g. [TLSExporter].
	Type string
	// Data is the channel binding data.
	Data []byte
}

// exporterLabel is RFC 9266 §2's exporter label; the context is empty and
// the length 32 bytes.
const exporterLabel = "EXPORTER-Channel-Binding"

// ChannelBindingFromTLS returns the channel binding of kind for a TLS
// connection.
//
// For [TLSExporter] (RFC 9266) it uses the keying material exporter, and
// works on both sides. RFC 9266 §3 allows it only for TLS 1.3, or TLS 1.2
// with the extended master secret (RFC 7627); crypto/tls refuses to export
// keying material from TLS 1.2 without it, and so does this function.
//
// For [TLSUnique] (RFC 5929 §3) it uses the first Finished message, on
// TLS 1.2 with extended master secret only, and works on both sides.
//
// For [TLSServerEndPoint] (RFC 5929 §4.1) it hashes cs.PeerCertificates[0],
// so it works on the client side only; a server uses
// [ServerEndPointBinding] with its own certificate.
//
// The error wraps [ErrChannelBinding].
func ChannelBindingFromTLS(cs *tls.ConnectionState, kind string) (*ChannelBinding, error) {
	if cs == nil || !cs.HandshakeComplete {
		return nil, newError("", ErrChannelBinding, "TLS handshake not complete")
	}
	switch kind {
	case TLSExporter:
		if cs.Version < tls.VersionTLS12 {
			return nil, newError("", ErrChannelBinding, "tls-exporter needs TLS 1.2 with extended master secret, or TLS 1.3")
		}
		data, err := cs.ExportKeyingMaterial(exporterLabel, nil, 32)
		if err != nil {
			return nil, &Error{Err: ErrChannelBinding, Reason: "tls-exporter unavailable", Cause: err}
		}
		return &ChannelBinding{Type: TLSExporter, Data: data}, nil
	case TLSUnique:
		// crypto/tls leaves TLSUnique nil where RFC 5929 §3 does not
		// define it safely (TLS 1.3, resumption without EMS).
		if len(cs.TLSUnique) == 0 || cs.Version >= tls.VersionTLS13 {
			return nil, newError("", ErrChannelBinding, "tls-unique is not available on this connection")
		}
		// Without the extended master secret tls-unique falls to the
		// triple handshake attack (RFC 7627 §1). crypto/tls exports
		// keying material from TLS 1.2 only with EMS, which makes the
		// export a test for it.
		if _, err := cs.ExportKeyingMaterial(exporterLabel, nil, 32); err != nil {
			return nil, &Error{Err: ErrChannelBinding, Reason: "tls-unique needs extended master secret", Cause: err}
		}
		return &ChannelBinding{Type: TLSUnique, Data: append([]byte(nil), cs.TLSUnique...)}, nil
	case TLSServerEndPoint:
		if len(cs.PeerCertificates) == 0 {
			return nil, newError("", ErrChannelBinding, "no peer certificate for tls-server-end-point")
		}
		return ServerEndPointBinding(cs.PeerCertificates[0])
	}
	return nil, newError("", ErrChannelBinding, fmt.Sprintf("unsupported channel binding type %q", kind))
}

// ServerChannelBindings returns every channel binding a server can offer
// on the connection cs, for [ScramServerConfig]: tls-exporter, tls-unique
// where they are defined, and tls-server-end-point for leaf, the server's
// own certificate (nil to leave it out).
func ServerChannelBindings(cs *tls.ConnectionState, leaf *x509.Certificate) []*ChannelBinding {
	var cbs []*ChannelBinding
	for _, kind := range []string{TLSExporter, TLSUnique} {
		if cb, err := ChannelBindingFromTLS(cs, kind); err == nil {
			cbs = append(cbs, cb)
		}
	}
	if cs != nil && cs.HandshakeComplete && leaf != nil {
		if cb, err := ServerEndPointBinding(leaf); err == nil {
			cbs = append(cbs, cb)
		}
	}
	return cbs
}

// ServerEndPointBinding returns the tls-server-end-point channel binding of
// the server certificate cert (RFC 5929 §4.1): its DER hashed with SHA-256
// if the certificate's signature uses MD5 or SHA-1, else with the
// signature's own hash. Certificates whose signature has no separate hash
// (Ed25519) are refused, as RFC 5929 defines nothing for them.
func ServerEndPointBinding(cert *x509.Certificate) (*ChannelBinding, error) {
	if cert == nil {
		return nil, newError("", ErrChannelBinding, "no certificate")
	}
	var h crypto.Hash
	switch cert.SignatureAlgorithm {
	// RFC 5929 §4.1: if the certificate's signatureAlgorithm uses a single
	// hash function and that hash function is either MD5 or SHA-1, then use
	// SHA-256.
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		h = crypto.SHA256
	case x509.SHA256WithRSA, x509.SHA256WithRSAPSS, x509.ECDSAWithSHA256, x509.DSAWithSHA256:
		h = crypto.SHA256
	case x509.SHA384WithRSA, x509.SHA384WithRSAPSS, x509.ECDSAWithSHA384:
		h = crypto.SHA384
	case x509.SHA512WithRSA, x509.SHA512WithRSAPSS, x509.ECDSAWithSHA512:
		h = crypto.SHA512
	default:
		return nil, newError("", ErrChannelBinding, "tls-server-end-point undefined for signature algorithm "+cert.SignatureAlgorithm.String())
	}
	d := h.New()
	d.Write(cert.Raw)
	return &ChannelBinding{Type: TLSServerEndPoint, Data: d.Sum(nil)}, nil
}
