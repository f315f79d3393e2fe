-- SPDX-License-Identifier: BSD-2-Clause
-- 10-dns-timeout: when DNS does not answer, SPF is temperror and, with
-- the default policy.dns_error_action = "accept", the message is accepted
-- (not tempfailed) with spf=temperror in its header.  dns.timeout = 1
-- bounds the wait: the answer comes well before the MTA's timeouts.
dofile((srcdir or ".") .. "/lib.lua")
T.begin("10-dns-timeout", "DNS timeout: spf=temperror, accepted")
T.check(dnsport ~= nil, "no -D dnsport: run through run.sh")

local conn = T.connect()
T.conninfo(conn, "mail.timeout.example", "192.0.2.10")
local t0 = os.time()
T.message(conn, {
	helo = "mail.timeout.example",
	from = "<a@timeout.example>",
	qid = "T10TMO",
})
local took = os.time() - t0
local v, ar = T.inserted_ar(conn)
T.expect_spf(v, ar, "temperror", { ["smtp.mailfrom"] = "timeout.example" })
T.check(took <= 10, "the message took %d s with dns.timeout = 1", took)
T.say("message done in about %d s", took)
T.verdict("T10TMO", { spf = "temperror", action = "accept" })
T.call("mt.disconnect()", mt.disconnect, conn)

-- the lookups went to the configured resolver, not elsewhere
if dnsqueries ~= nil then
	local n = 0
	local f = io.open(dnsqueries, "r")
	T.check(f ~= nil, "cannot read %s", dnsqueries)
	for _ in f:lines() do
		n = n + 1
	end
	f:close()
	T.check(n > 0, "the silent resolver on port %s got no query", dnsport)
	T.say("the silent resolver got %d queries", n)
end

T.finish()
