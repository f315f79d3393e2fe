-- SPDX-License-Identifier: BSD-2-Clause
-- 08-bad-input: hostile or broken input never costs the mail.  Every
-- message below is accepted (not rejected, not tempfailed, connection not
-- dropped) and still gets our Authentication-Results:
--   empty values and odd field names; invalid UTF-8 and control bytes;
--   a 70,000-byte header value (Postfix passes header fields up to its
--   header_size_limit of 102400 bytes to milters in one packet; sent with
--   T.raw, test/tools/milterclient.py, because miltertest's mt.header()
--   overflows a 1024-byte buffer); 10,000 header fields with a forged A-R last; body chunks
--   with NUL bytes (mt.bodyfile: mt.bodystring() stops at a NUL); a
--   connection of unknown address family (no hostaddr: spf=none).
-- (Malformed envelopes: 12-bad-envelope-accepted.)
-- (A field with an empty name is not tried: libmilter itself drops such a
-- packet and the connection before any callback, and no MTA sends one.)
-- Each case runs on its own connection and is reported on its own.
dofile((srcdir or ".") .. "/lib.lua")
T.begin("08-bad-input", "bad input: always accepted, always an A-R")

local function open(ip)
	local conn = T.connect()
	T.conninfo(conn, "mail.pass.example", ip or "192.0.2.10")
	return conn
end

local function passed(conn)
	local v, ar = T.inserted_ar(conn)
	T.expect_spf(v, ar, "pass", { ["smtp.mailfrom"] = "pass.example" })
	return v, ar
end

T.case("empty values, odd field names", function()
	local conn = open()
	T.message(conn, { qid = "T08NAMES", headers = {
		{ "From", "a@pass.example" },
		{ "X-Empty", "" },
		{ "X Spaced Name", "v" },
		{ "X:Colon:Name", "v" },
		{ "X-Ctl\1\127", "v" },
		{ "X-" .. string.rep("N", 400), "very long name" },
		{ "Authentication-Results", "" },
		{ "Authentication-Results-Extra", "mx.test.example; spf=pass" },
		{ "Subject", "" },
	} })
	passed(conn)
	-- the empty A-R has no authserv-id; "-Extra" is another field
	T.deletions(conn, {}, 3)
	T.verdict("T08NAMES", { action = "accept" })
	T.call("mt.disconnect()", mt.disconnect, conn)
end)

T.case("empty values without SMFIP_HDR_LEADSPC", function()
	local conn = T.connect()
	-- everything miltertest offers (SMFI_CURR_PROT 0x1FFFFF) but the
	-- leading space: values now arrive truly empty, and our header
	-- must come without its leading space
	T.negotiate(conn, 0x001FFFFF - SMFIP_HDR_LEADSPC)
	T.check(not mt.test_option(conn, SMFIP_HDR_LEADSPC),
	    "SMFIP_HDR_LEADSPC negotiated although not offered")
	T.conninfo(conn, "mail.pass.example", "192.0.2.10")
	T.message(conn, { qid = "T08NOSPC", headers = {
		{ "From", "a@pass.example" },
		{ "X-Empty", "" },
		{ "Subject", "" },
		{ "Authentication-Results", "mx.test.example;spf=pass" },
	} })
	passed(conn)
	T.deletions(conn, { 1 }, 2)
	T.call("mt.disconnect()", mt.disconnect, conn)
end)

T.case("invalid UTF-8 and control bytes", function()
	local conn = open()
	T.message(conn, { qid = "T08UTF8", headers = {
		{ "From", "\192\175 \255 <a@pass.example>" },
		{ "Subject", "\255\254\195\40 bad \237\160\128 \244\144\128\128" },
		{ "X-Ctl", "a\1b\27c\127d\8" },
		{ "Authentication-Results",
		  "mx.test.example; spf=pass \255\254 smtp.mailfrom=\192\175" },
		{ "Authentication-Results", "\255\254.example; spf=pass" },
		{ "X-Latin1", "caf\233 na\239ve" },
	} })
	passed(conn)
	T.deletions(conn, { 1 }, 3)
	T.verdict("T08UTF8", { action = "accept" })
	T.call("mt.disconnect()", mt.disconnect, conn)
end)

T.case("70,000-byte header value", function()
	-- a folded To: list, as a real huge header looks
	local parts, size = {}, 0
	local i = 0
	while size < 70000 do
		i = i + 1
		local a = string.format("user%05d@rcpt.example", i)
		table.insert(parts, a)
		size = size + #a + 3
	end
	local value = table.concat(parts, ",\n\t")
	value = value .. string.rep("x", 70000 - #value)
	T.check(#value == 70000, "built %d bytes", #value)
	local out = T.raw("big", {
		{ "connect", "mail.pass.example", "192.0.2.10" },
		{ "helo", "mail.pass.example" },
		{ "macro", "M", "i", "T08BIG" },
		{ "mail", "<a@pass.example>" },
		{ "rcpt", "<user00001@rcpt.example>" },
		{ "header", "From", "a@pass.example" },
		{ "header", "To", value },
		{ "header", "Subject", "many recipients" },
		{ "eoh" },
		{ "body", "Hi all.\r\n" },
		{ "eom" },
	})
	T.raw_show(out)
	local v, ar = T.raw_accepted_ar(out)
	T.expect_spf(v, ar, "pass", { ["smtp.mailfrom"] = "pass.example" })
end)

T.case("10,000 header fields, forged A-R last", function()
	local conn = open()
	T.helo(conn, "mail.pass.example")
	T.mail(conn, "<a@pass.example>", { "i", "T08MANY" })
	T.rcpt(conn, "<user@rcpt.example>")
	T.header(conn, "From", "a@pass.example")
	for n = 1, 9998 do
		T.call("mt.header(#" .. n .. ")", mt.header, conn, "X-Header",
		    "value " .. n)
		T.reply(conn, "header #" .. n, SMFIR_CONTINUE)
	end
	T.header(conn, "Authentication-Results",
	    "mx.test.example; spf=pass smtp.mailfrom=evil.example")
	T.eoh(conn)
	T.body(conn, "Hi.\r\n")
	T.eom(conn)
	passed(conn)
	T.deletions(conn, { 1 }, 2)
	T.verdict("T08MANY", { action = "accept" })
	T.call("mt.disconnect()", mt.disconnect, conn)
end)

T.case("body chunks with NUL bytes", function()
	local path = T.tmpdir .. "/08-nul-body.bin"
	local f = io.open(path, "wb")
	T.check(f ~= nil, "cannot write %s", path)
	f:write("text line\r\n\0\0\0binary\0data\r\n", string.rep("\0", 100),
	    "\r\n", string.rep("\0\255\r\n", 1000), "end\r\n")
	f:close()
	local conn = open()
	T.helo(conn, "mail.pass.example")
	T.mail(conn, "<a@pass.example>", { "i", "T08NUL" })
	T.rcpt(conn, "<user@rcpt.example>")
	T.header(conn, "From", "a@pass.example")
	T.eoh(conn)
	T.bodyfile(conn, path)
	T.body(conn, "after the NULs\r\n")
	T.eom(conn)
	passed(conn)
	T.verdict("T08NUL", { action = "accept" })
	T.call("mt.disconnect()", mt.disconnect, conn)
end)

T.case("unknown address family (no hostaddr)", function()
	local conn = T.connect()
	T.conninfo(conn, "unknown.client.example", "unspec")
	T.message(conn, { qid = "T08UNSPEC" })
	local v, ar = T.inserted_ar(conn)
	T.expect_spf(v, ar, "none", {})
	T.verdict("T08UNSPEC", { spf = "none", action = "accept" })
	T.call("mt.disconnect()", mt.disconnect, conn)
end)

T.finish()
