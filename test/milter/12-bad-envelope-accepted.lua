-- SPDX-License-Identifier: BSD-2-Clause
-- 12-bad-envelope-accepted: malformed MAIL FROM addresses and ESMTP
-- parameters never cost the mail either: each message is accepted and
-- gets an Authentication-Results header with a registered spf= result,
-- and that header is well-formed (valid UTF-8, no control characters,
-- whatever bytes the envelope carried).
dofile((srcdir or ".") .. "/lib.lua")
T.begin("12-bad-envelope-accepted", "malformed envelopes: accepted, A-R")

local function open(ip)
	local conn = T.connect()
	T.conninfo(conn, "mail.pass.example", ip or "192.0.2.10")
	return conn
end

-- one connection per envelope, each its own case
local function envelope_case(n, label, from, ...)
	local params = { ... }
	T.case("MAIL FROM " .. label, function()
		local conn = open()
		T.helo(conn, "[192.0.2.10]")
		T.mail(conn, from, { "i", "T12ENV" .. n }, table.unpack(params))
		T.rcpt(conn, "<user@rcpt.example>")
		T.header(conn, "From", "a@pass.example")
		T.eoh(conn)
		T.body(conn, "Hi.\r\n")
		T.eom(conn)
		local v, ar = T.inserted_ar(conn)
		T.check(ar.methods.spf ~= nil and
		    T.SPF_RESULTS[ar.methods.spf.result or ""],
		    "no valid spf= result for MAIL FROM '%s': '%s'", from, v)
		T.say("spf=%s", ar.methods.spf.result)
		T.verdict("T12ENV" .. n, { action = "accept" })
		T.call("mt.disconnect()", mt.disconnect, conn)
	end)
end

envelope_case(1, "without '>'", "<a@pass.example")
envelope_case(2, "with a 300-byte local part",
    "<" .. string.rep("x", 300) .. "@pass.example>")
envelope_case(3, "without a domain", "<postmaster>")
envelope_case(4, "with a source route", "<@route.example:a@pass.example>")
envelope_case(5, "with invalid UTF-8", "<\255\254@\255.example>")
envelope_case(6, "with ESMTP parameters, one bogus", "<a@pass.example>",
    "BODY=8BITMIME", "SIZE=abc", "X-\255=\1")

T.finish()
