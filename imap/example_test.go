package imap_test

import (
	"fmt"

	"github.com/mailwire/mailwire/imap"
)

func ExampleParseSeqSet() {
	set, err := imap.ParseSeqSet("1:4,7,9:*")
	if err != nil {
		panic(err)
	}
	fmt.Println(set.Contains(3, 20), set.Contains(8, 20), set.Contains(15, 20))
	fmt.Println(set)
	// Output:
	// true false true
	// 1:4,7,9:*
}

func ExampleFetchItemBodySection() {
	s := &imap.FetchItemBodySection{
		Part:         []int{1, 2},
		Specifier:    imap.PartSpecifierHeaderFields,
		HeaderFields: []string{"From", "Subject"},
		Partial:      &imap.SectionPartial{Offset: 0, Size: 1024},
		Peek:         true,
	}
	fmt.Println(s)
	fmt.Println(s.ResponseName())
	// Output:
	// BODY.PEEK[1.2.HEADER.FIELDS (From Subject)]<0.1024>
	// BODY[1.2.HEADER.FIELDS (From Subject)]<0>
}

func ExampleEncodeMailboxName() {
	fmt.Println(imap.EncodeMailboxName("~peter/mail/台北/日本語"))
	// Output: ~peter/mail/&U,BTFw-/&ZeVnLIqe-
}
