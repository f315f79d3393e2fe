-- SPDX-License-Identifier: BSD-2-Clause
-- 04-trusted-skipped: a client in policy.trusted_networks is not checked:
-- the message is accepted and no Authentication-Results is added.  The
-- daemon may say so at connect (SMFIR_ACCEPT: an MTA then sends nothing
-- more for the connection, so there is nothing left to check) or continue
-- and add nothing at end of message; both are accepted here.  IPv6 and
-- IPv4-mapped IPv6 clients are matched too, and an untrusted client on
-- the same daemon still gets its header (the checks are not just off).
dofile((srcdir or ".") .. "/lib.lua")
T.begin("04-trusted-skipped", "trusted client: accepted, no A-R")

local function trusted(ip, qid)
	local conn = T.connect()
	local r = T.conninfo(conn, "relay.internal.example", ip,
	    SMFIR_ACCEPT, SMFIR_CONTINUE)
	if r == SMFIR_ACCEPT then
		T.say("%s: accepted at connect (SMFIR_ACCEPT): no checks, "
		    .. "no header", ip)
	else
		T.say("%s: continue at connect: playing the message", ip)
		T.message(conn, {
			helo = "mail.pass.example",
			from = "<a@pass.example>",
			qid = qid,
		})
		T.no_ar(conn)
	end
	T.call("mt.disconnect()", mt.disconnect, conn)
end

T.case("IPv4 10.99.1.2", function() trusted("10.99.1.2", "T04V4") end)
T.case("IPv6 2001:db8:99::5", function()
	trusted("2001:db8:99::5", "T04V6")
end)
T.case("IPv4-mapped ::ffff:10.99.1.2", function()
	trusted("::ffff:10.99.1.2", "T04MAP")
end)

T.case("control: untrusted 192.0.2.10 is checked", function()
	local conn = T.connect()
	T.conninfo(conn, "mail.pass.example", "192.0.2.10")
	T.message(conn, { helo = "mail.pass.example",
		from = "<a@pass.example>", qid = "T04CTL" })
	local v, ar = T.inserted_ar(conn)
	T.expect_spf(v, ar, "pass", { ["smtp.mailfrom"] = "pass.example" })
	T.call("mt.disconnect()", mt.disconnect, conn)
end)

T.finish()
