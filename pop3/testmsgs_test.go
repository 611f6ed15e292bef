package pop3

const (
	rfcMsg1 = "From: mrose@dbc.mtview.ca.us\r\nSubject: first\r\n\r\nHello.\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n"
	rfcMsg2 = "From: dewey@dbc.mtview.ca.us\r\nSubject: second\r\n\r\nA line follows that starts with a dot:\r\n.hidden\r\n.\r\nend\r\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n"
)
