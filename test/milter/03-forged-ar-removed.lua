-- SPDX-License-Identifier: BSD-2-Clause
-- 03-forged-ar-removed: incoming Authentication-Results fields that claim
-- our authserv-id (compared case-insensitively, RFC 8601 section 5) are
-- deleted; those of other authserv-ids stay.  smfi_chgheader indexes count
-- every field of the name (1-based), so the foreign fields count too.
-- The third part checks what miltertest cannot show: the deletions are
-- sent in descending index order and before our own insertion (each
-- deletion renumbers the later fields; CVE-2022-48521).
dofile((srcdir or ".") .. "/lib.lua")
T.begin("03-forged-ar-removed", "forged A-R deleted, foreign A-R kept")

local function envelope(conn, qid)
	T.helo(conn, "mail.pass.example")
	T.mail(conn, "<a@pass.example>", { "i", qid })
	T.rcpt(conn, "<user@rcpt.example>")
end

local function finish_body(conn)
	T.header(conn, "From", "a@pass.example")
	T.header(conn, "Subject", "forged results")
	T.eoh(conn)
	T.body(conn, "Trust me.\r\n")
	T.eom(conn)
end

local conn = T.connect()
T.conninfo(conn, "mail.pass.example", "192.0.2.10")

T.case("ours, ours (upper case, comment), foreign", function()
	envelope(conn, "T03A")
	T.header(conn, "Received", "from mail.pass.example by mx.test.example")
	T.header(conn, "Authentication-Results",
	    "mx.test.example; spf=pass smtp.mailfrom=evil.example")    -- #1
	T.header(conn, "Authentication-Results",
	    "MX.TEST.EXAMPLE (comment); dkim=pass")                     -- #2
	T.header(conn, "Authentication-Results",
	    "other.example; spf=pass")                                  -- #3
	finish_body(conn)
	T.deletions(conn, { 1, 2 }, 5)
	local v, ar = T.inserted_ar(conn)
	T.expect_spf(v, ar, "pass", { ["smtp.mailfrom"] = "pass.example" })
	T.check(not v:find("evil.example", 1, true),
	    "the forged property leaked into our header: '%s'", v)
	T.verdict("T03A", { spf = "pass", action = "accept" })
end)

-- a second transaction on the same connection: interleaved fields and
-- authserv-id look-alikes
T.case("interleaved, look-alike ids, lower-case field name", function()
	envelope(conn, "T03B")
	T.header(conn, "Authentication-Results",
	    "other.example; spf=pass")                                  -- #1 keep
	T.header(conn, "authentication-results",
	    "mx.test.example; spf=pass")                                -- #2 ours
	T.header(conn, "Authentication-Results",
	    "mx.test.example.evil.example; dkim=pass")                  -- #3 keep
	T.header(conn, "Authentication-Results",
	    "mx.test.examplex; dkim=pass")                              -- #4 keep
	T.header(conn, "Authentication-Results",
	    "mx.test.example 1; dmarc=pass")                            -- #5 ours
	T.header(conn, "X-Filler", "between")
	T.header(conn, "Authentication-Results",
	    "mx.test.example\n\t; arc=pass")                            -- #6 ours
	T.header(conn, "Authentication-Results",
	    "evil.example; spf=pass (mx.test.example; spf=pass)")       -- #7 keep
	finish_body(conn)
	T.deletions(conn, { 2, 5, 6 }, 9)
	T.inserted_ar(conn)
end)

T.call("mt.disconnect()", mt.disconnect, conn)

T.case("order: deletions descending, before the insertion", function()
	local out = T.raw("order", {
		{ "connect", "mail.pass.example", "192.0.2.10" },
		{ "helo", "mail.pass.example" },
		{ "macro", "M", "i", "T03C" },
		{ "mail", "<a@pass.example>" },
		{ "rcpt", "<user@rcpt.example>" },
		{ "header", "Authentication-Results", "mx.test.example; spf=pass" },
		{ "header", "Authentication-Results", "other.example; spf=pass" },
		{ "header", "Authentication-Results", "mx.test.example; dkim=pass" },
		{ "header", "Authentication-Results", "Mx.Test.Example; arc=pass" },
		{ "header", "From", "a@pass.example" },
		{ "eoh" },
		{ "body", "Hi.\r\n" },
		{ "eom" },
	})
	T.raw_show(out)
	T.raw_accepted_ar(out)
	local dels, inserted = {}, false
	for _, a in ipairs(out.actions) do
		if a.kind == "chgheader" then
			T.check(a.name:lower() == "authentication-results",
			    "changed header %s", a.name)
			T.check(a.value == "", "A-R #%d changed, not deleted",
			    a.index)
			T.check(not inserted, "deletion after our insertion "
			    .. "shifts the indexes")
			table.insert(dels, a.index)
		elseif a.kind == "insheader" then
			inserted = true
		end
	end
	T.check(table.concat(dels, ",") == "4,3,1",
	    "deletions sent as #%s, expected #4,3,1 in this order",
	    table.concat(dels, ","))
end)

T.finish()
