/* SPDX-License-Identifier: BSD-2-Clause */
/* report_send - run the sendmail-compatible command, or write a file */
#include "autoconf.h"

#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "report_send.h"
#include "util/xalloc.h"

/* report_send_write - all of it */
static int
report_send_write(int fd, const char *p, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* report_send_argv - command words, then -f FROM -- TO (never a shell) */
static size_t
report_send_argv(char *cmd, const char *from, const char *to, char **argv)
{
	size_t n = 0;
	char *w, *save = NULL;

	for (w = strtok_r(cmd, " \t", &save); w != NULL &&
	    n < REPORT_SEND_MAX_ARGS - 5; w = strtok_r(NULL, " \t", &save))
		argv[n++] = w;
	argv[n++] = (char *)"-f";
	argv[n++] = (char *)from;
	argv[n++] = (char *)"--";
	argv[n++] = (char *)to;
	argv[n] = NULL;
	return n;
}

/* report_send_sendmail - one message to one recipient */
int
report_send_sendmail(const char *command, const char *from, const char *to,
    const char *msg, size_t len, struct buf *why)
{
	char *argv[REPORT_SEND_MAX_ARGS], *cmd = xstrdup(command);
	int fds[2], status, rc = 0;
	pid_t pid;

	report_send_argv(cmd, from, to, argv);
	if (pipe(fds) != 0 || (pid = fork()) < 0) {
		buf_printf(why, "%s: %s", argv[0], strerror(errno));
		free(cmd);
		return -1;
	}
	if (pid == 0) {
		dup2(fds[0], 0);
		close(fds[0]);
		close(fds[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	if (report_send_write(fds[1], msg, len) != 0)
		rc = -1;
	close(fds[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		buf_printf(why, "%s exited with status %d", argv[0],
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		rc = -1;
	}
	free(cmd);
	return rc;
}

/* report_send_file - --dry-run: DIR/NAME */
int
report_send_file(const char *dir, const char *name, const char *data,
    size_t len, struct buf *why)
{
	struct buf path;
	int fd, rc = 0;

	buf_init(&path, 4096);
	buf_printf(&path, "%s/%s", dir, name);
	if ((fd = open(path.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) < 0 || report_send_write(fd, data, len) != 0) {
		buf_printf(why, "%s: %s", path.data, strerror(errno));
		rc = -1;
	}
	if (fd >= 0 && close(fd) != 0 && rc == 0) {
		buf_printf(why, "%s: %s", path.data, strerror(errno));
		rc = -1;
	}
	buf_free(&path);
	return rc;
}
