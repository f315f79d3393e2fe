dnl SPDX-License-Identifier: BSD-2-Clause
divert(-1)dnl
dnl #
dnl # authmilter.m4 - authmilter as an input mail filter of Sendmail.
dnl # The Debian package installs it as /etc/mail/m4/authmilter.m4; README
dnl # "Sendmail" says where to include it. Sendmail's m4 files have no
dnl # comments (# lines are read for macros), hence the dnl on each line.
dnl #
dnl # The socket: AUTHMILTER_SOCKET, if defined before the include, else the
dnl # packaged unix:/run/authmilter/authmilter.sock (in Sendmail's
dnl # spelling local:/path; inet:PORT@HOST for TCP, as milter.socket).
dnl #
dnl # No F= flag: when authmilter cannot be reached, mail flows unchecked
dnl # (as Postfix's milter_default_action = accept); F=T would answer 4xx
dnl # instead. R:2m: the verdict at the end of a message may wait for DNS
dnl # up to limits.dns_time (60 s by default).
dnl #
dnl # The macros authmilter reads. It asks for them itself where the MTA
dnl # lets a milter choose (Sendmail 8.14 and later); these lines are for
dnl # the stages it does not ask for and for MTAs that ignore the request.
dnl # Each is added to Sendmail's list for its stage unless already there,
dnl # so the lists other filters rely on stay as they are:
dnl #   connect   j                 authserv-id when authserv_id = ""
dnl #   helo      {tls_version} {cipher} {cipher_bits} {cert_subject}
dnl #                               the client's TLS session (reserved for
dnl #                               the TLS report fields; not read yet)
dnl #   envfrom   i {auth_authen}   queue id for the log; SMTP AUTH user
dnl #   eoh, eom  i                 queue id (an MTA may assign it late)
dnl #

ifdef(`AUTHMILTER_SOCKET', `',
	`define(`AUTHMILTER_SOCKET', `local:/run/authmilter/authmilter.sock')')

dnl # _AUTHMILTER_MACRO(`STAGE-LIST', `MACRO'): add MACRO to the list of
dnl # that stage unless it is in it already (an empty list becomes MACRO)
define(`_AUTHMILTER_MACRO',
	`ifelse(ifdef(`$1', `defn(`$1')'), `',
		`define(`$1', `$2')',
		index(`:'patsubst(defn(`$1'), `[^-{}_a-zA-Z0-9]+', `:')`:',
		    `:$2:'), `-1',
		`define(`$1', defn(`$1')`, $2')')')

_AUTHMILTER_MACRO(`confMILTER_MACROS_CONNECT', `j')
_AUTHMILTER_MACRO(`confMILTER_MACROS_HELO', `{tls_version}')
_AUTHMILTER_MACRO(`confMILTER_MACROS_HELO', `{cipher}')
_AUTHMILTER_MACRO(`confMILTER_MACROS_HELO', `{cipher_bits}')
_AUTHMILTER_MACRO(`confMILTER_MACROS_HELO', `{cert_subject}')
_AUTHMILTER_MACRO(`confMILTER_MACROS_ENVFROM', `i')
_AUTHMILTER_MACRO(`confMILTER_MACROS_ENVFROM', `{auth_authen}')
_AUTHMILTER_MACRO(`confMILTER_MACROS_EOH', `i')
_AUTHMILTER_MACRO(`confMILTER_MACROS_EOM', `i')

INPUT_MAIL_FILTER(`authmilter', `S='AUTHMILTER_SOCKET`, T=S:10s;R:2m;E:5m')
divert(0)dnl
