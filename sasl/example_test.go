package sasl_test

import (
	"errors"
	"fmt"
	"strings"

	"github.com/mailwire/mailwire/sasl"
)

// A client picks the best mechanism the server offers and runs it; here the
// "server" is this package's own SCRAM server, in-process, where a real
// client would send and receive base64 lines.
func Example_client() {
	offered := strings.Fields("PLAIN LOGIN CRAM-MD5 SCRAM-SHA-1 SCRAM-SHA-256")
	creds := sasl.Credentials{Username: "user", Password: "pencil"}
	c, err := sasl.Choose(offered, creds, nil /* no TLS yet */, false)
	if err != nil {
		fmt.Println(err)
		return
	}
	mech, ir, err := c.Start()
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("AUTH", mech, "starts with", strings.SplitAfter(string(ir), ",r=")[0])

	server := exampleScramServer(mech)
	resp := ir
	for {
		challenge, done, err := server.Next(resp)
		if err != nil {
			fmt.Println("server refused:", err)
			return
		}
		if done {
			// The server's last message proves it knows the
			// password; Finish checks it.
			if err := sasl.Finish(c, challenge); err != nil {
				fmt.Println("server not authenticated:", err)
				return
			}
			break
		}
		if resp, err = c.Next(challenge); err != nil {
			fmt.Println("client gave up:", err)
			return
		}
	}
	authzid, _ := server.(sasl.Identity).Identity()
	fmt.Println("logged in as", authzid)
	// Output:
	// AUTH SCRAM-SHA-256 starts with n,,n=user,r=
	// logged in as user
}

func exampleScramServer(mech string) sasl.Server {
	stored, _ := sasl.DeriveScramCredentials(mech, "pencil", []byte("per-user random salt"), 4096)
	lookup := func(user string) (sasl.ScramCredentials, error) {
		if user != "user" {
			return sasl.ScramCredentials{}, errors.New("no such user")
		}
		return stored, nil
	}
	return sasl.NewScramServer(mech, lookup, nil, nil)
}

// A server runs PLAIN as an SMTP server would, from the base64 line of
// "AUTH PLAIN AHRpbQB0YW5zdGFhZnRhbnN0YWFm" (RFC 4954).
func Example_server() {
	verify := func(authzid, user, pass string) error {
		if user == "tim" && sasl.SecretEqual(pass, "tanstaaftanstaaf") && (authzid == "" || authzid == user) {
			return nil
		}
		return errors.New("invalid credentials")
	}
	for _, line := range []string{"AHRpbQB0YW5zdGFhZnRhbnN0YWFm", "AHRpbQB3cm9uZw=="} {
		server := sasl.NewPlainServer(verify)
		resp, err := sasl.DecodeWire([]byte(line))
		if err != nil {
			fmt.Println("501 cannot decode")
			continue
		}
		_, done, err := server.Next(resp)
		switch {
		case errors.Is(err, sasl.ErrAuthFailed):
			fmt.Println("535 5.7.8 authentication credentials invalid")
		case err != nil:
			fmt.Println("501", err)
		case done:
			_, user := server.(sasl.Identity).Identity()
			fmt.Println("235 2.7.0 authenticated as", user)
		}
	}
	// Output:
	// 235 2.7.0 authenticated as tim
	// 535 5.7.8 authentication credentials invalid
}
