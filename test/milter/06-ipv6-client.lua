-- SPDX-License-Identifier: BSD-2-Clause
-- 06-ipv6-client: an IPv6 client is matched against ip6: mechanisms:
-- 2001:db8::10 passes v6.example's "ip6:2001:db8::/64" (and the HELO
-- record), 2001:db8:1::99 outside it fails; an IPv4-mapped IPv6 address
-- (::ffff:192.0.2.10) is evaluated as the IPv4 address it carries.
dofile((srcdir or ".") .. "/lib.lua")
T.begin("06-ipv6-client", "IPv6 client: ip6: mechanisms")

local function check(ip, helo, from, qid, want, props)
	local conn = T.connect()
	T.conninfo(conn, helo, ip)
	T.message(conn, { helo = helo, from = from, qid = qid })
	local v, ar = T.inserted_ar(conn)
	T.expect_spf(v, ar, want, props)
	T.call("mt.disconnect()", mt.disconnect, conn)
	return v
end

T.case("2001:db8::10 in ip6:2001:db8::/64: pass", function()
	check("2001:db8::10", "mail.v6.example", "<a@v6.example>", "T06PASS",
	    "pass", { ["smtp.mailfrom"] = "v6.example",
	    ["smtp.helo"] = "mail.v6.example" })
	T.verdict("T06PASS", { spf = "pass", action = "accept",
		ip = "2001:db8::10" })
end)

T.case("2001:db8:1::99 outside: fail", function()
	check("2001:db8:1::99", "mail.v6.example", "<a@v6.example>",
	    "T06FAIL", "fail", { ["smtp.mailfrom"] = "v6.example" })
	T.verdict("T06FAIL", { spf = "fail", action = "accept" })
end)

T.case("IPv4-mapped ::ffff:192.0.2.10: pass via ip4:", function()
	check("::ffff:192.0.2.10", "mail.pass.example", "<a@pass.example>",
	    "T06MAP", "pass", { ["smtp.mailfrom"] = "pass.example" })
	T.verdict("T06MAP", { spf = "pass", action = "accept" })
end)

T.finish()
