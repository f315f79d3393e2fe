-- SPDX-License-Identifier: BSD-2-Clause
-- lib.lua - shared helpers of the authmilter miltertest scripts
--
-- Loaded by every NN-*.lua script with dofile(srcdir .. "/lib.lua").
-- run.sh defines these globals with miltertest -D:
--   port     TCP port of the authmilter under test on 127.0.0.1 (required)
--   srcdir   this directory (default ".")
--   tmpdir   scratch directory for files a script writes (default "/tmp")
--   logfile  the daemon's stderr log: verdict lines are checked when set
--   dnsport  UDP port of the silent DNS responder (scripts that need it)
--   dnsqueries  file the silent responder appends one line to per query
--
-- Every helper checks the mt.* return value and the milter reply and raises
-- an error (so miltertest exits non-zero) with what was expected and what
-- came back.  The conventions the scripts rely on:
--   * mt.helo() is always called explicitly before mt.mailfrom(): otherwise
--     miltertest sends an implicit HELO that wipes the MAIL macros.
--   * client addresses are never loopback (trusted by default and passed by
--     libspf2); they come from the documentation and private ranges.
--   * miltertest copies a header into a 1024-byte stack buffer: mt.header()
--     with more than ~1000 bytes crashes miltertest itself, and
--     mt.bodystring() stops at the first NUL.  T.raw() plays such
--     transactions instead, with test/tools/milterclient.py (run as a
--     program it plays a script of packets).

T = {}

T.AUTHSERV_ID = "mx.test.example"
T.srcdir = srcdir or "."
T.tmpdir = tmpdir or "/tmp"
T.name = "?"
T.failures = {}

-- the RFC 8601 / RFC 7208 result registry for spf=
T.SPF_RESULTS = { none = true, neutral = true, pass = true, fail = true,
	softfail = true, temperror = true, permerror = true }

local REPLY_NAMES = {}

local function reply_name(r)
	if r == nil then
		return "nil"
	end
	return REPLY_NAMES[r] or string.format("'%s'", tostring(r))
end

local function init_reply_names()
	local names = { "SMFIR_CONTINUE", "SMFIR_ACCEPT", "SMFIR_REJECT",
		"SMFIR_TEMPFAIL", "SMFIR_DISCARD", "SMFIR_REPLYCODE",
		"SMFIR_SKIP" }
	for _, n in ipairs(names) do
		if _G[n] ~= nil then
			REPLY_NAMES[_G[n]] = n
		end
	end
	REPLY_NAMES[0] = "none (no reply received)"
end
init_reply_names()

-- T.safe - s with every byte outside printable ASCII as \xNN (\n, \t
-- kept readable), so that reports stay plain text
function T.safe(s)
	return (tostring(s):gsub("[^\32-\126]", function(c)
		if c == "\n" then
			return "\\n"
		elseif c == "\t" then
			return "\\t"
		end
		return string.format("\\x%02X", c:byte())
	end))
end

-- T.fail - stop the script with a message naming the script.  The
-- message is echoed too: miltertest prints an uncaught error only when the
-- Lua stack holds nothing else, which is not so after some mt.* failures.
function T.fail(fmt, ...)
	local msg = T.safe(string.format("[%s] FAIL: " .. fmt, T.name, ...))
	mt.echo(msg)
	error(msg, 0)
end

-- T.check - T.fail unless cond
function T.check(cond, fmt, ...)
	if not cond then
		T.fail(fmt, ...)
	end
end

-- T.ok - an mt.* function returned nil (success) or an error string
function T.ok(rc, what)
	if rc ~= nil then
		T.fail("%s: miltertest error: %s", what, tostring(rc))
	end
end

-- T.call - call an mt.* function that returns nil on success; a non-nil
-- return and a raised error (some raise one with no message, e.g. when
-- option negotiation fails) both become a T.fail naming the call
function T.call(what, fn, ...)
	local ok, rc = pcall(fn, ...)
	if not ok then
		T.fail("%s: miltertest raised: %s", what, tostring(rc))
	end
	T.ok(rc, what)
end

-- T.begin - name the script and say what it tests
function T.begin(name, what)
	T.name = name
	T.check(port ~= nil, "no port: run with miltertest -D port=PORT")
	mt.echo("*** " .. name .. ": " .. what)
	mt.set_timeout(20)
end

-- T.say - progress line
function T.say(fmt, ...)
	mt.echo("  - " .. T.safe(string.format(fmt, ...)))
end

-- T.case - run fn as one named sub-case; a failure is recorded, not fatal,
-- so one script can report several independent cases (see T.finish)
function T.case(name, fn)
	T.say("case: %s", name)
	local saved = T.name
	T.name = saved .. "/" .. name
	local ok, err = pcall(fn)
	T.name = saved
	if ok then
		mt.echo("    ok: " .. name)
	else
		err = tostring(err)
		if not err:find("] FAIL: ", 1, true) then
			mt.echo(T.safe(err))	-- a Lua error, not yet shown
		end
		mt.echo("    FAILED: " .. name)
		table.insert(T.failures, name)
	end
end

-- T.finish - end of script: error if any T.case failed
function T.finish()
	if #T.failures > 0 then
		T.fail("%d case(s) failed: %s", #T.failures,
		    table.concat(T.failures, "; "))
	end
	mt.echo("*** " .. T.name .. ": all checks passed")
end

-- T.reply - the last reply on conn is one of the allowed codes
function T.reply(conn, what, ...)
	local r = mt.getreply(conn)
	local allowed = { ... }
	for _, want in ipairs(allowed) do
		if r == want then
			return r
		end
	end
	local names = {}
	for _, want in ipairs(allowed) do
		table.insert(names, reply_name(want))
	end
	T.fail("%s: reply %s, expected %s", what, reply_name(r),
	    table.concat(names, " or "))
end

T.reply_name = reply_name

-- per-connection state: did the script send HELO itself?
local helo_sent = {}

-- T.connect - a new connection to the daemon under test
function T.connect()
	local conn = mt.connect("inet:" .. port .. "@127.0.0.1", 20, 0.1)
	T.check(conn ~= nil, "mt.connect(inet:%s@127.0.0.1) failed", port)
	return conn
end

-- T.negotiate - explicit option negotiation (protocol bits as offered)
function T.negotiate(conn, protoopts)
	T.call("mt.negotiate()", mt.negotiate, conn, nil, protoopts, nil)
end

-- T.conninfo - connect step; want: allowed replies (default continue)
function T.conninfo(conn, host, ip, ...)
	local want = { ... }
	if #want == 0 then
		want = { SMFIR_CONTINUE }
	end
	T.call("mt.conninfo(" .. tostring(ip) .. ")", mt.conninfo, conn,
	    host, ip)
	return T.reply(conn, "connect from " .. tostring(ip),
	    table.unpack(want))
end

function T.helo(conn, name)
	T.call("mt.helo(" .. name .. ")", mt.helo, conn, name)
	helo_sent[conn] = true
	return T.reply(conn, "HELO " .. name, SMFIR_CONTINUE)
end

-- T.mail - MAIL FROM with MAIL-stage macros {name, value, ...} and
-- optional ESMTP parameters
function T.mail(conn, from, macros, ...)
	T.check(helo_sent[conn], "T.mail() before T.helo(): miltertest's "
	    .. "implicit HELO would wipe the MAIL macros")
	if macros ~= nil and #macros > 0 then
		T.call("mt.macro(SMFIC_MAIL)", mt.macro, conn, SMFIC_MAIL,
		    table.unpack(macros))
	end
	T.call("mt.mailfrom(" .. from .. ")", mt.mailfrom, conn, from, ...)
	return T.reply(conn, "MAIL FROM:" .. from, SMFIR_CONTINUE)
end

function T.rcpt(conn, rcpt)
	T.call("mt.rcptto(" .. rcpt .. ")", mt.rcptto, conn, rcpt)
	return T.reply(conn, "RCPT TO:" .. rcpt, SMFIR_CONTINUE)
end

local function shorten(s)
	if #s > 60 then
		return string.format("'%s'", s:sub(1, 40)) .. string.format(
		    "...(%d bytes)", #s)
	end
	return string.format("'%s'", s)
end

function T.header(conn, name, value)
	T.call("mt.header(" .. shorten(name) .. ")", mt.header, conn, name,
	    value)
	return T.reply(conn, "header " .. shorten(name), SMFIR_CONTINUE)
end

function T.eoh(conn)
	T.call("mt.eoh()", mt.eoh, conn)
	return T.reply(conn, "end of headers", SMFIR_CONTINUE)
end

function T.body(conn, chunk)
	T.call("mt.bodystring()", mt.bodystring, conn, chunk)
	return T.reply(conn, "body chunk", SMFIR_CONTINUE)
end

function T.bodyfile(conn, path)
	T.call("mt.bodyfile(" .. path .. ")", mt.bodyfile, conn, path)
	return T.reply(conn, "body file", SMFIR_CONTINUE)
end

-- T.eom - end of message; default: accepted (continue or accept)
function T.eom(conn, ...)
	local want = { ... }
	if #want == 0 then
		want = { SMFIR_CONTINUE, SMFIR_ACCEPT }
	end
	T.call("mt.eom()", mt.eom, conn)
	return T.reply(conn, "end of message", table.unpack(want))
end

-- T.message - one whole transaction on conn (HELO sent unless m.helo is
-- false).  m: helo, from, macros, rcpt (list), headers ({name, value}
-- list), body (list of chunks), want (list of eom replies)
function T.message(conn, m)
	if m.helo ~= false then
		T.helo(conn, m.helo or "mail.pass.example")
	end
	local macros = m.macros or {}
	if m.qid ~= nil then
		macros = { "i", m.qid, table.unpack(macros) }
	end
	T.mail(conn, m.from or "<a@pass.example>", macros)
	for _, r in ipairs(m.rcpt or { "<user@rcpt.example>" }) do
		T.rcpt(conn, r)
	end
	local headers = m.headers or {
		{ "From", "A <a@pass.example>" },
		{ "To", "user@rcpt.example" },
		{ "Subject", "test " .. (m.qid or "") },
	}
	for _, h in ipairs(headers) do
		T.header(conn, h[1], h[2])
	end
	T.eoh(conn)
	for _, b in ipairs(m.body or { "Hello.\r\n" }) do
		T.body(conn, b)
	end
	return T.eom(conn, table.unpack(m.want or {}))
end

-- T.ar_syntax - checks every A-R value we write must pass
function T.ar_syntax(conn, v)
	local leadspc = mt.test_option(conn, SMFIP_HDR_LEADSPC)
	if leadspc then
		T.check(v:sub(1, 1) == " " and v:sub(2, 2):match("%S"),
		    "SMFIP_HDR_LEADSPC negotiated: the value must start with "
		    .. "exactly one space: '%s'", v)
	else
		T.check(v:sub(1, 1):match("%S"), "SMFIP_HDR_LEADSPC not "
		    .. "negotiated: the value must not start with a space "
		    .. "(the MTA adds it): '%s'", v)
	end
	T.check(not v:find("\r", 1, true), "CR in the A-R value: '%s'", v)
	T.check(not v:find("[%z\1-\8\11-\31\127]"), "control character "
	    .. "in the A-R value: '%s'", v)
	T.check(utf8.len(v) ~= nil, "the A-R value is not valid UTF-8 "
	    .. "(RFC 6532): '%s'", v)
	T.check(not v:find("\n[^ \t]") and v:sub(-1) ~= "\n",
	    "a line break not followed by white space (bad folding): '%s'", v)
	for line in (v .. "\n"):gmatch("([^\n]*)\n") do
		T.check(#line <= 998, "A-R line of %d bytes (RFC 5322 limit "
		    .. "998)", #line)
	end
end

-- T.ar_parse - {id =, methods = {name = {result =, props = {}}},
-- clauses = {name = {every clause of that method, in order}}}; methods
-- holds the first clause of each method (spf: MAIL FROM's, or HELO's
-- for the null sender)
function T.ar_parse(v)
	local s = v:gsub("\r?\n[ \t]+", " ")
	s = s:gsub("%b()", " ")
	local parts = {}
	for p in (s .. ";"):gmatch("([^;]*);") do
		p = p:match("^%s*(.-)%s*$")
		table.insert(parts, p)
	end
	local ar = { id = (parts[1] or ""):match("^(%S*)"), methods = {},
		clauses = {}, order = {} }
	for i = 2, #parts do
		local words = {}
		for w in parts[i]:gmatch("%S+") do
			table.insert(words, w)
		end
		if #words > 0 then
			local meth, res = words[1]:match("^([^=]+)=(.*)$")
			if meth == nil then
				meth, res = words[1], nil
			end
			local m = { result = res, props = {} }
			for j = 2, #words do
				local k, val = words[j]:match("^([^=]+)=(.*)$")
				if k ~= nil then
					m.props[k] = val
				end
			end
			if ar.methods[meth] == nil then
				ar.methods[meth] = m
				ar.clauses[meth] = {}
			end
			table.insert(ar.clauses[meth], m)
			table.insert(ar.order, meth)
		end
	end
	return ar
end

-- T.inserted_ar - the one A-R inserted at index 0; its value
function T.inserted_ar(conn)
	local v = mt.getheader(conn, "Authentication-Results", 0)
	T.check(v ~= nil, "no Authentication-Results header added")
	T.check(mt.getheader(conn, "Authentication-Results", 1) == nil,
	    "more than one Authentication-Results header added")
	if not mt.eom_check(conn, MT_HDRINSERT, "Authentication-Results", v,
	    0) then
		if mt.eom_check(conn, MT_HDRADD, "Authentication-Results") then
			T.fail("Authentication-Results appended (smfi_addheader) "
			    .. "instead of inserted at index 0")
		end
		T.fail("Authentication-Results not inserted at index 0")
	end
	T.ar_syntax(conn, v)
	T.check(v:find(T.AUTHSERV_ID .. ";", 1, true) ~= nil,
	    "A-R does not carry '%s': '%s'", T.AUTHSERV_ID .. ";", v)
	local ar = T.ar_parse(v)
	T.check(ar.id == T.AUTHSERV_ID, "authserv-id '%s', expected '%s' in '%s'",
	    ar.id, T.AUTHSERV_ID, v)
	T.say("inserted at 0: Authentication-Results:%s", v)
	return v, ar
end

-- T.no_ar - no Authentication-Results added or inserted by us
function T.no_ar(conn)
	local v = mt.getheader(conn, "Authentication-Results", 0)
	T.check(v == nil, "an Authentication-Results header was added: '%s'",
	    tostring(v))
	T.check(not mt.eom_check(conn, MT_HDRINSERT, "Authentication-Results")
	    and not mt.eom_check(conn, MT_HDRADD, "Authentication-Results"),
	    "an Authentication-Results header was added")
	T.say("no Authentication-Results added")
end

-- T.expect_spf - ar's first spf= clause has the result, and some spf=
-- clause has each given property (one clause per identity, RFC 8601
-- 2.7.2); props value false: no clause has the property
function T.expect_spf(v, ar, result, props)
	local spf = ar.methods["spf"]
	T.check(spf ~= nil, "no spf= clause in '%s'", v)
	T.check(T.SPF_RESULTS[spf.result or ""], "spf=%s is not an RFC 8601 "
	    .. "result: '%s'", tostring(spf.result), v)
	T.check(spf.result == result, "spf=%s, expected spf=%s in '%s'",
	    tostring(spf.result), result, v)
	for k, want in pairs(props or {}) do
		local got = nil
		for _, c in ipairs(ar.clauses["spf"] or {}) do
			if c.props[k] ~= nil then
				got = c.props[k]
			end
		end
		if want == false then
			T.check(got == nil, "%s should be absent in '%s'", k, v)
		else
			T.check(got == want, "%s=%s, expected %s=%s in '%s'",
			    k, tostring(got), k, want, v)
		end
	end
	T.say("spf=%s as expected", result)
end

-- T.deletions - exactly the A-R indexes in want (1-based, among the
-- fields of that name) are deleted, checked for 0..upto
function T.deletions(conn, want, upto)
	local set = {}
	for _, i in ipairs(want) do
		set[i] = true
	end
	for i = 0, upto do
		local got = mt.eom_check(conn, MT_HDRDELETE,
		    "Authentication-Results", i)
		if set[i] then
			T.check(got, "Authentication-Results #%d (ours) was not "
			    .. "deleted", i)
		else
			T.check(not got, "Authentication-Results #%d was deleted "
			    .. "but must stay", i)
		end
	end
	if #want == 0 then
		T.check(not mt.eom_check(conn, MT_HDRDELETE), "a header was "
		    .. "deleted")
	end
	T.say("deleted A-R #{%s}, nothing else", table.concat(want, ","))
end

-- T.verdict - the one verdict log line of queue id qid, parsed
-- (nil when run.sh gave no log file)
function T.verdict(qid, want)
	if logfile == nil then
		T.say("no -D logfile: verdict line of %s not checked", qid)
		return nil
	end
	local found
	for _ = 1, 20 do
		found = {}
		local f = io.open(logfile, "r")
		T.check(f ~= nil, "cannot read %s", logfile)
		for line in f:lines() do
			local rest = line:match("[: ]" .. qid:gsub("%p", "%%%0")
			    .. ": (.*)$")
			if rest ~= nil then
				table.insert(found, rest)
			end
		end
		f:close()
		if #found > 0 then
			break
		end
		mt.sleep(0.1)
	end
	T.check(#found == 1, "%d verdict lines for queue id %s, expected 1",
	    #found, qid)
	local kv = {}
	for k, val in found[1]:gmatch("([%w_]+)=(\"[^\"]*\"%S*)") do
		kv[k] = val
	end
	for k, val in found[1]:gmatch("([%w_]+)=([^\"%s]%S*)") do
		kv[k] = kv[k] or val
	end
	for k, val in pairs(want or {}) do
		T.check(kv[k] == val, "verdict line of %s: %s=%s, expected "
		    .. "%s=%s: %s", qid, k, tostring(kv[k]), k, val, found[1])
	end
	T.say("verdict log line: %s: %s", qid, found[1])
	return kv, found[1]
end

-- T.pct - percent-encode one field for milterclient.py's script
function T.pct(s)
	return (s:gsub("[^%w%-%._~@<>:/=,+]", function(c)
		return string.format("%%%02X", c:byte())
	end))
end

local function unpct(s)
	return (s:gsub("%%(%x%x)", function(h)
		return string.char(tonumber(h, 16))
	end))
end

-- T.raw - play a transaction with milterclient.py; lines: list of lists of
-- fields (e.g. {"header", "X-Big", string.rep("a", 70000)}).  Returns
-- {replies = {step = code...} in order, actions = {...}, closed = step|nil}
function T.raw(tag, lines)
	local spec = T.tmpdir .. "/" .. T.name:gsub("[^%w%-]", "_") .. "-"
	    .. tag .. ".spec"
	local f = io.open(spec, "w")
	T.check(f ~= nil, "cannot write %s", spec)
	for _, l in ipairs(lines) do
		local enc = {}
		for _, field in ipairs(l) do
			table.insert(enc, T.pct(field))
		end
		f:write(table.concat(enc, " "), "\n")
	end
	f:close()
	local cmd = string.format("python3 '%s' %s '%s' 2>&1", T.srcdir ..
	    "/../tools/milterclient.py", port, spec)
	local p = io.popen(cmd, "r")
	T.check(p ~= nil, "cannot run %s", cmd)
	local out = { replies = {}, actions = {}, lines = {} }
	for line in p:lines() do
		table.insert(out.lines, line)
		local w = {}
		for x in line:gmatch("%S+") do
			table.insert(w, x)
		end
		if w[1] == "reply" then
			table.insert(out.replies, { step = w[2], code = unpct(w[3]) })
		elseif w[1] == "action" then
			local a = { kind = w[2] }
			if w[2] == "insheader" or w[2] == "chgheader" then
				a.index = tonumber(w[3])
				a.name = unpct(w[4] or "")
				a.value = unpct(w[5] or "")
			elseif w[2] == "addheader" then
				a.name = unpct(w[3] or "")
				a.value = unpct(w[4] or "")
			else
				a.value = unpct(w[3] or "")
			end
			table.insert(out.actions, a)
		elseif w[1] == "closed" then
			out.closed = w[2]
		end
	end
	p:close()
	out.final = out.replies[#out.replies]
	return out
end

-- T.raw_show - echo what milterclient.py saw (for failure analysis)
function T.raw_show(out)
	for _, l in ipairs(out.lines) do
		if #l > 200 then
			l = l:sub(1, 200) .. "..."
		end
		mt.echo("    milterclient: " .. l)
	end
end

-- T.raw_accepted_ar - T.raw transaction ended accepted, with exactly
-- one A-R inserted at 0; returns its value and parse
function T.raw_accepted_ar(out)
	T.check(out.closed == nil, "the milter closed the connection at the "
	    .. "%s step (the MTA would apply milter_default_action, "
	    .. "tempfail by default)", tostring(out.closed))
	T.check(out.final ~= nil and out.final.step == "eom",
	    "no end-of-message reply")
	T.check(out.final.code == "c" or out.final.code == "a",
	    "end of message reply '%s', expected c (continue) or a (accept)",
	    out.final.code)
	local ins = {}
	for _, a in ipairs(out.actions) do
		if a.kind == "insheader" or a.kind == "addheader" then
			T.check(a.name == "Authentication-Results",
			    "unexpected header added: %s", a.name)
			table.insert(ins, a)
		end
	end
	T.check(#ins == 1, "%d Authentication-Results added, expected 1",
	    #ins)
	T.check(ins[1].kind == "insheader" and ins[1].index == 0,
	    "Authentication-Results not inserted at index 0")
	local ar = T.ar_parse(ins[1].value)
	T.check(ar.id == T.AUTHSERV_ID, "authserv-id '%s' in '%s'", ar.id,
	    ins[1].value)
	return ins[1].value, ar
end
