-- SPDX-License-Identifier: BSD-2-Clause
-- 01-spf-pass-header: a client that the SPF records of its MAIL FROM
-- domain and of its HELO name allow is accepted and gets exactly one
-- Authentication-Results header, inserted at index 0 (above the MTA's
-- Received:), with spf=pass and both identities; the verdict is logged.
dofile((srcdir or ".") .. "/lib.lua")
T.begin("01-spf-pass-header", "SPF pass: accepted, A-R at index 0")

local conn = T.connect()
T.conninfo(conn, "mail.pass.example", "192.0.2.10")
T.message(conn, {
	helo = "mail.pass.example",
	from = "<a@pass.example>",
	qid = "T01PASS",
	headers = {
		{ "Received", "from mail.pass.example (mail.pass.example "
		    .. "[192.0.2.10])\n\tby mx.test.example with ESMTP id T01PASS" },
		{ "From", "Alice <a@pass.example>" },
		{ "To", "user@rcpt.example" },
		{ "Subject", "SPF pass" },
		{ "Date", "Mon, 1 Jan 2024 00:00:00 +0000" },
		{ "Message-ID", "<t01@pass.example>" },
	},
	body = { "Hello.\r\n", "Second chunk.\r\n" },
})

local v, ar = T.inserted_ar(conn)
T.expect_spf(v, ar, "pass", {
	["smtp.mailfrom"] = "pass.example",
	["smtp.helo"] = "mail.pass.example",
})

-- authmilter(8) THE HEADER IT WRITES: the authserv-id alone on the first line,
-- one method per line, folded at 78 columns
local lead = mt.test_option(conn, SMFIP_HDR_LEADSPC) and " " or ""
T.check(v:sub(1, #lead + #T.AUTHSERV_ID + 2) == lead .. T.AUTHSERV_ID
    .. ";\n", "first line is not '%s': '%s'", lead .. T.AUTHSERV_ID .. ";", v)
-- one spf= clause per identity (RFC 8601 2.7.2), each saying which term
-- matched
local unfolded = v:gsub("\n\t", " ")
for _, want in ipairs({ "spf=pass %([^)]* matched%) smtp%.mailfrom=pass%.example;",
    "spf=pass %([^)]* matched%) smtp%.helo=mail%.pass%.example;" }) do
	T.check(unfolded:find(want) ~= nil, "no clause '%s' in '%s'", want, v)
end
local first = true
for line in (v .. "\n"):gmatch("([^\n]*)\n") do
	local width = #line:gsub("\t", "        ")
	if first then
		width = width + #"Authentication-Results:"
		first = false
	end
	T.check(width <= 78, "line wider than 78 columns: '%s'", line)
end
T.say("format: authserv-id line, one method per line, <= 78 columns")

T.deletions(conn, {}, 3)
T.verdict("T01PASS", { spf = "pass", action = "accept", ip = "192.0.2.10" })

T.call("mt.disconnect()", mt.disconnect, conn)
T.finish()
