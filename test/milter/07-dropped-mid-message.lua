-- SPDX-License-Identifier: BSD-2-Clause
-- 07-dropped-mid-message: connections that end in the middle of the body
-- (a polite QUIT and an abrupt close, no end of message) must not hurt the
-- daemon: a NEW connection with a whole good transaction still gets its
-- header.  An SMFIC_ABORT in the middle of the body, followed by a new
-- transaction on the same connection, starts from a clean slate (no
-- result or forged-field index leaks into the next message).
-- run.sh fails the script as well if the daemon died meanwhile.
dofile((srcdir or ".") .. "/lib.lua")
T.begin("07-dropped-mid-message", "disconnect mid-body, then new work")

local function half_message(conn, qid)
	T.conninfo(conn, "mail.pass.example", "192.0.2.10")
	T.helo(conn, "mail.pass.example")
	T.mail(conn, "<a@pass.example>", { "i", qid })
	T.rcpt(conn, "<user@rcpt.example>")
	T.header(conn, "From", "a@pass.example")
	T.header(conn, "Authentication-Results", "mx.test.example; spf=pass")
	T.eoh(conn)
	T.body(conn, "first chunk of a message that never ends\r\n")
end

local function good_message(conn, qid)
	T.message(conn, { helo = "mail.pass.example",
		from = "<a@pass.example>", qid = qid })
	local v, ar = T.inserted_ar(conn)
	T.expect_spf(v, ar, "pass", { ["smtp.mailfrom"] = "pass.example" })
	T.deletions(conn, {}, 2)
	T.verdict(qid, { spf = "pass", action = "accept" })
end

T.case("polite disconnect (QUIT) after a body chunk", function()
	local conn = T.connect()
	half_message(conn, "T07QUIT")
	T.call("mt.disconnect(polite)", mt.disconnect, conn, true)
end)

T.case("abrupt disconnect after a body chunk", function()
	local conn = T.connect()
	half_message(conn, "T07DROP")
	T.call("mt.disconnect(abrupt)", mt.disconnect, conn, false)
end)

T.case("new connection: whole good transaction", function()
	local conn = T.connect()
	T.conninfo(conn, "mail.pass.example", "192.0.2.10")
	good_message(conn, "T07NEW")
	T.call("mt.disconnect()", mt.disconnect, conn)
end)

T.case("abort mid-body, then two transactions on the connection",
    function()
	local conn = T.connect()
	half_message(conn, "T07ABRT")
	T.call("mt.abort()", mt.abort, conn)
	-- the aborted message had a forged A-R and pass.example; the next
	-- one has neither
	T.mail(conn, "<b@fail.example>", { "i", "T07NEXT" })
	T.rcpt(conn, "<user@rcpt.example>")
	T.header(conn, "From", "b@fail.example")
	T.eoh(conn)
	T.body(conn, "Hello.\r\n")
	T.eom(conn)
	local v, ar = T.inserted_ar(conn)
	T.expect_spf(v, ar, "fail", { ["smtp.mailfrom"] = "fail.example" })
	T.deletions(conn, {}, 2)
	T.verdict("T07NEXT", { spf = "fail", action = "accept" })
	-- and a third one, HELO kept from the start of the connection
	T.mail(conn, "<c@pass.example>", { "i", "T07THIRD" })
	T.rcpt(conn, "<user@rcpt.example>")
	T.header(conn, "From", "c@pass.example")
	T.eoh(conn)
	T.body(conn, "Hello again.\r\n")
	T.eom(conn)
	v, ar = T.inserted_ar(conn)
	T.expect_spf(v, ar, "pass", { ["smtp.mailfrom"] = "pass.example",
		["smtp.helo"] = "mail.pass.example" })
	T.verdict("T07THIRD", { spf = "pass", action = "accept" })
	T.call("mt.disconnect()", mt.disconnect, conn)
end)

T.finish()
