-- SPDX-License-Identifier: BSD-2-Clause
-- 11-dns-timeout-tempfail: with policy.dns_error_action = "tempfail" a DNS
-- timeout (spf=temperror) gets a temporary failure: SMFIR_TEMPFAIL, or
-- SMFIR_REPLYCODE carrying a 4xx reply (libmilter sends the code set with
-- smfi_setreply that way); the verdict line says action=tempfail.
-- miltertest cannot show the reply text: 13-dns-tempfail-reply-text checks
-- it.
dofile((srcdir or ".") .. "/lib.lua")
T.begin("11-dns-timeout-tempfail", "DNS timeout + tempfail policy: 4xx")
T.check(dnsport ~= nil, "no -D dnsport: run through run.sh")

T.case("tempfail reply at end of message", function()
	local conn = T.connect()
	T.conninfo(conn, "mail.timeout.example", "192.0.2.10")
	local r = T.message(conn, {
		helo = "mail.timeout.example",
		from = "<a@timeout.example>",
		qid = "T11TMO",
		want = { SMFIR_TEMPFAIL, SMFIR_REPLYCODE },
	})
	T.say("end of message reply: %s", T.reply_name(r))
	T.verdict("T11TMO", { spf = "temperror", action = "tempfail" })
	T.call("mt.disconnect()", mt.disconnect, conn)
end)

T.finish()
