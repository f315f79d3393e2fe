-- SPDX-License-Identifier: BSD-2-Clause
-- 05-auth-skipped: an SMTP-AUTH client (macro {auth_authen} non-empty at
-- MAIL) is not checked: accepted, no Authentication-Results from us, but
-- forged fields claiming our authserv-id are still deleted (a signed-in
-- user must not be able to plant our verdicts either).  An empty
-- {auth_authen} is not a login: that message is checked as usual.
-- HELO is always sent explicitly before the MAIL macros: miltertest's
-- implicit HELO would wipe them.
dofile((srcdir or ".") .. "/lib.lua")
T.begin("05-auth-skipped", "authenticated client: no A-R, forged A-R deleted")

local function submit(conn, qid, login)
	T.helo(conn, "laptop.home.example")
	T.mail(conn, "<a@pass.example>", { "i", qid, "{auth_type}", "PLAIN",
		"{auth_authen}", login })
	T.rcpt(conn, "<user@rcpt.example>")
	T.header(conn, "Authentication-Results",
	    "mx.test.example; spf=pass smtp.mailfrom=pass.example")   -- #1 ours
	T.header(conn, "Authentication-Results",
	    "other.example; dkim=pass")                               -- #2 keep
	T.header(conn, "From", "a@pass.example")
	T.header(conn, "Subject", "sent by " .. (login ~= "" and login or
	    "nobody"))
	T.eoh(conn)
	T.body(conn, "Hi.\r\n")
	T.eom(conn)
end

T.case("{auth_authen}=alice", function()
	local conn = T.connect()
	T.conninfo(conn, "laptop.home.example", "198.51.100.7")
	submit(conn, "T05AUTH", "alice")
	T.no_ar(conn)
	T.deletions(conn, { 1 }, 3)
	T.verdict("T05AUTH", { action = "accept" })
	T.call("mt.disconnect()", mt.disconnect, conn)
end)

T.case("{auth_authen} empty: checked", function()
	local conn = T.connect()
	T.conninfo(conn, "laptop.home.example", "198.51.100.7")
	submit(conn, "T05NOAUTH", "")
	local v, ar = T.inserted_ar(conn)
	T.expect_spf(v, ar, "fail", { ["smtp.mailfrom"] = "pass.example" })
	T.deletions(conn, { 1 }, 3)
	T.verdict("T05NOAUTH", { spf = "fail", action = "accept" })
	T.call("mt.disconnect()", mt.disconnect, conn)
end)

T.finish()
