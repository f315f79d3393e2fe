-- SPDX-License-Identifier: BSD-2-Clause
-- 13-dns-tempfail-reply-text: the SMTP reply of a DNS tempfail
-- (policy.dns_error_action = "tempfail", spf=temperror) is what
-- authmilter(8) ACTIONS promises: "451 4.7.0" and a text.  miltertest
-- cannot show reply texts (MT_SMTPREPLY only compares a complete known
-- string), so the transaction is played with T.raw (milterclient.py).
-- A plain SMFIR_TEMPFAIL (the MTA then picks its own 4xx text) is accepted too.
dofile((srcdir or ".") .. "/lib.lua")
T.begin("13-dns-tempfail-reply-text", "DNS tempfail: reply 451 4.7.x")
T.check(dnsport ~= nil, "no -D dnsport: run through run.sh")

T.case("T.raw: the reply is 451 4.7.x", function()
	local out = T.raw("tempfail", {
		{ "connect", "mail.timeout.example", "192.0.2.10" },
		{ "helo", "mail.timeout.example" },
		{ "macro", "M", "i", "T13RAW" },
		{ "mail", "<a@timeout.example>" },
		{ "rcpt", "<user@rcpt.example>" },
		{ "header", "From", "a@timeout.example" },
		{ "eoh" },
		{ "body", "Hi.\r\n" },
		{ "eom" },
	})
	T.raw_show(out)
	T.check(out.closed == nil, "connection closed at %s", tostring(out.closed))
	T.check(out.final ~= nil and out.final.step == "eom",
	    "no end-of-message reply")
	if out.final.code == "y" then
		local text
		for _, a in ipairs(out.actions) do
			if a.kind == "replycode" then
				text = a.value
			end
		end
		T.check(text ~= nil and text:match("^451 4%.7%.%d+ ."),
		    "SMTP reply '%s', expected '451 4.7.x text'", tostring(text))
		T.say("SMTP reply: %s", text)
	else
		T.check(out.final.code == "t", "end of message reply '%s', "
		    .. "expected t (tempfail) or y (reply code)", out.final.code)
		T.say("plain tempfail, the MTA picks the 4xx text")
	end
	T.verdict("T13RAW", { action = "tempfail" })
end)

T.finish()
