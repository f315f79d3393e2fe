-- SPDX-License-Identifier: BSD-2-Clause
-- 09-null-sender: with the null reverse-path (MAIL FROM:<>, bounces) the
-- HELO identity decides (RFC 7208 section 2.4): spf=pass with
-- smtp.helo=<the HELO name> from the host the HELO record allows, and
-- spf=fail from another host using the same HELO name.
dofile((srcdir or ".") .. "/lib.lua")
T.begin("09-null-sender", "MAIL FROM:<>: the HELO identity decides")

local function bounce(ip, qid)
	local conn = T.connect()
	T.conninfo(conn, "mail.pass.example", ip)
	T.message(conn, {
		helo = "mail.pass.example",
		from = "<>",
		qid = qid,
		headers = {
			{ "From", "Mail Delivery System <MAILER-DAEMON@mail.pass.example>" },
			{ "To", "user@rcpt.example" },
			{ "Subject", "Undelivered Mail Returned to Sender" },
		},
	})
	local v, ar = T.inserted_ar(conn)
	T.call("mt.disconnect()", mt.disconnect, conn)
	return v, ar
end

T.case("<> from 192.0.2.10: pass by the HELO record", function()
	local v, ar = bounce("192.0.2.10", "T09PASS")
	T.expect_spf(v, ar, "pass", { ["smtp.helo"] = "mail.pass.example" })
	T.verdict("T09PASS", { spf = "pass", action = "accept" })
end)

T.case("<> from 198.51.100.7: fail by the HELO record", function()
	local v, ar = bounce("198.51.100.7", "T09FAIL")
	T.expect_spf(v, ar, "fail", { ["smtp.helo"] = "mail.pass.example" })
	T.verdict("T09FAIL", { spf = "fail", action = "accept" })
end)

T.finish()
