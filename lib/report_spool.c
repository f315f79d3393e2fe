/* report_spool - append records to a local file, replay them later */
#include "autoconf.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "log.h"
#include "report.h"
#include "report_db.h"
#include "report_spool.h"
#include "xalloc.h"

#define REPORT_SPOOL_TRIES	5

/* report_spool_open - the spool file locked, and still the one at path */
static int
report_spool_open(const char *path, struct buf *why)
{
	struct stat a, b;
	int fd, i;

	for (i = 0; i < REPORT_SPOOL_TRIES; i++) {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			buf_printf(why, "open %s: %s", path, strerror(errno));
			return -1;
		}
		if (flock(fd, LOCK_EX) != 0) {
			buf_printf(why, "flock %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		/* a replay may have renamed it between open and flock */
		if (fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
		    a.st_ino == b.st_ino && a.st_dev == b.st_dev)
			return fd;
		close(fd);
	}
	buf_printf(why, "%s keeps being replaced", path);
	return -1;
}

/* report_spool_write - all of data, or -1 */
static int
report_spool_write(int fd, const char *data, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, data, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* report_spool_append - n encoded lines (each ending in \n), durably */
int
report_spool_append(const char *dir, const char *name, char *const *lines,
    size_t n, struct buf *why)
{
	struct buf path;
	size_t i;
	int fd, rc = 0;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		buf_printf(why, "mkdir %s: %s", dir, strerror(errno));
		return -1;
	}
	buf_init(&path, 4096);
	buf_printf(&path, "%s/%s.spool", dir, name);
	if ((fd = report_spool_open(path.data, why)) < 0) {
		buf_free(&path);
		return -1;
	}
	for (i = 0; i < n && rc == 0; i++)
		rc = report_spool_write(fd, lines[i], strlen(lines[i]));
	/* the record is acknowledged once it is on disk */
	if (rc != 0 || fsync(fd) != 0) {
		buf_printf(why, "write %s: %s", path.data, strerror(errno));
		rc = -1;
	}
	close(fd);
	buf_free(&path);
	return rc;
}

/* report_spool_is - does name end in suffix */
static int
report_spool_is(const char *name, const char *suffix)
{
	size_t n = strlen(name), s = strlen(suffix);

	return n > s && strcmp(name + n - s, suffix) == 0;
}

/* report_spool_pending - are there spool files in dir */
int
report_spool_pending(const char *dir)
{
	DIR *d;
	struct dirent *e;
	int found = 0;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while (!found && (e = readdir(d)) != NULL)
		found = report_spool_is(e->d_name, ".spool") ||
		    report_spool_is(e->d_name, ".replaying");
	closedir(d);
	return found;
}

/* report_spool_line - insert one spooled line; a bad line is dropped */
static int
report_spool_line(struct report_db *db, const char *file, char *line,
    size_t len, struct buf *why)
{
	struct report_record r;
	int rc;

	while (len > 0 && line[len - 1] == '\n')
		line[--len] = '\0';
	if (len == 0)
		return 0;
	if (report_record_decode(line, len, &r) != 0) {
		log_err("%s: dropping an unreadable spool line", file);
		return 0;
	}
	rc = report_db_insert(db, &r, why);
	report_record_free(&r);
	return rc;
}

/* report_spool_file - every line of one claimed file, one transaction */
static int
report_spool_file(struct report_db *db, const char *path, size_t *replayed,
    struct buf *why)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0, n = 0;
	ssize_t len;
	int rc;

	if ((fp = fopen(path, "re")) == NULL) {
		/* another host's replay finished it first */
		return errno == ENOENT ? 0 : (buf_printf(why, "open %s: %s",
		    path, strerror(errno)), -1);
	}
	/* wait for a writer still inside its append */
	if (flock(fileno(fp), LOCK_EX) != 0 ||
	    report_db_begin(db, why) != 0) {
		fclose(fp);
		return -1;
	}
	rc = 0;
	while (rc == 0 && (len = getline(&line, &cap, fp)) > 0) {
		if ((size_t)len > REPORT_SPOOL_MAX_LINE) {
			log_err("%s: dropping a spool line of %zd bytes", path,
			    len);
			continue;
		}
		rc = report_spool_line(db, path, line, (size_t)len, why);
		n++;
	}
	free(line);
	fclose(fp);
	if (rc != 0 || report_db_commit(db, why) != 0) {
		report_db_rollback(db);
		return -1;
	}
	*replayed += n;
	if (unlink(path) != 0 && errno != ENOENT)
		log_err("unlink %s: %s", path, strerror(errno));
	return 0;
}

/* report_spool_claim - rename x.spool to x.replaying; path of the claim */
static char *
report_spool_claim(const char *dir, const char *name)
{
	struct buf from, to;
	char *claimed = NULL;

	buf_init(&from, 4096);
	buf_init(&to, 4096);
	buf_printf(&from, "%s/%s", dir, name);
	if (report_spool_is(name, ".replaying"))
		claimed = buf_steal(&from);
	else {
		buf_printf(&to, "%s/%.*s.replaying", dir,
		    (int)(strlen(name) - strlen(".spool")), name);
		if (rename(from.data, to.data) == 0)
			claimed = buf_steal(&to);
	}
	buf_free(&from);
	buf_free(&to);
	return claimed;
}

/* report_spool_replay_dir - move every spooled record into the database */
int
report_spool_replay_dir(struct report_db *db, const char *dir,
    size_t *replayed, struct buf *why)
{
	DIR *d;
	struct dirent *e;
	char *path;
	int rc = 0;

	*replayed = 0;
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : (buf_printf(why, "opendir %s: %s",
		    dir, strerror(errno)), -1);
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (!report_spool_is(e->d_name, ".spool") &&
		    !report_spool_is(e->d_name, ".replaying"))
			continue;
		if ((path = report_spool_claim(dir, e->d_name)) == NULL)
			continue;
		rc = report_spool_file(db, path, replayed, why);
		free(path);
	}
	closedir(d);
	return rc;
}
