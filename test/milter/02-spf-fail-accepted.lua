-- SPDX-License-Identifier: BSD-2-Clause
-- 02-spf-fail-accepted: SPF alone never rejects.  A client outside the
-- sender's "-all" record is still accepted (no reject, no tempfail) and
-- the header says spf=fail; the same for "~all" and spf=softfail.
dofile((srcdir or ".") .. "/lib.lua")
T.begin("02-spf-fail-accepted", "SPF fail/softfail: accepted, A-R says so")

T.say("MAIL FROM <a@pass.example> from 198.51.100.7 (record: -all)")
local conn = T.connect()
T.conninfo(conn, "client.fail.example", "198.51.100.7")
-- the eom reply must be continue or accept: reject/tempfail fail here
T.message(conn, {
	helo = "client.fail.example",
	from = "<a@pass.example>",
	qid = "T02FAIL",
})
local v, ar = T.inserted_ar(conn)
T.expect_spf(v, ar, "fail", { ["smtp.mailfrom"] = "pass.example" })
T.deletions(conn, {}, 2)
T.verdict("T02FAIL", { spf = "fail", action = "accept",
	ip = "198.51.100.7" })
T.call("mt.disconnect()", mt.disconnect, conn)

T.say("MAIL FROM <b@soft.example> from 198.51.100.7 (record: ~all)")
conn = T.connect()
T.conninfo(conn, "client.fail.example", "198.51.100.7")
T.message(conn, {
	helo = "client.fail.example",
	from = "<b@soft.example>",
	qid = "T02SOFT",
})
v, ar = T.inserted_ar(conn)
T.expect_spf(v, ar, "softfail", { ["smtp.mailfrom"] = "soft.example" })
T.verdict("T02SOFT", { spf = "softfail", action = "accept" })
T.call("mt.disconnect()", mt.disconnect, conn)

T.finish()
