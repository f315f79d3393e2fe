-- SPDX-License-Identifier: BSD-2-Clause
-- 14-forged-ar-trailing-dot: an authserv-id is a domain name, so ours
-- with a trailing dot (bare or quoted, any case) is still ours and the
-- forged field is deleted (RFC 8601 section 5); names that merely start
-- with ours stay.
dofile((srcdir or ".") .. "/lib.lua")
T.AUTHSERV_ID = "mx.rcpt.example"	-- as in the .conf
T.begin("14-forged-ar-trailing-dot", "forged A-R with a trailing dot deleted")

local conn = T.connect()
T.conninfo(conn, "mail.pass.example", "192.0.2.10")

T.case("trailing dot, quoted, upper case; look-alikes kept", function()
	T.helo(conn, "mail.pass.example")
	T.mail(conn, "<a@pass.example>", { "i", "T14A" })
	T.rcpt(conn, "<user@rcpt.example>")
	T.header(conn, "Authentication-Results",
	    "mx.rcpt.example.; spf=pass smtp.mailfrom=evil.example")   -- #1 ours
	T.header(conn, "Authentication-Results",
	    "other.example.; spf=pass")                                -- #2 keep
	T.header(conn, "Authentication-Results",
	    "\"mx.rcpt.example.\"; dkim=pass header.d=evil.example")   -- #3 ours
	T.header(conn, "Authentication-Results",
	    "MX.Rcpt.Example. (comment); dmarc=pass")                  -- #4 ours
	T.header(conn, "Authentication-Results",
	    "mx.rcpt.example.evil.; dkim=pass")                        -- #5 keep
	T.header(conn, "From", "a@pass.example")
	T.header(conn, "Subject", "forged results")
	T.eoh(conn)
	T.body(conn, "Trust me.\r\n")
	T.eom(conn)
	T.deletions(conn, { 1, 3, 4 }, 7)
	local v, ar = T.inserted_ar(conn)
	T.expect_spf(v, ar, "pass", { ["smtp.mailfrom"] = "pass.example" })
	T.check(not v:find("evil.example", 1, true),
	    "the forged property leaked into our header: '%s'", v)
	T.verdict("T14A", { spf = "pass", action = "accept" })
end)

T.call("mt.disconnect()", mt.disconnect, conn)
T.finish()
