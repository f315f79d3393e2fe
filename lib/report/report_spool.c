/* SPDX-License-Identifier: BSD-2-Clause */
/* report_spool - spool files and journals of records, and their replay */
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

#include "util/buf.h"
#include "util/log.h"
#include "report/report.h"
#include "report/report_db.h"
#include "report/report_failure.h"
#include "report/report_spool.h"
#include "util/xalloc.h"

#define REPORT_SPOOL_TRIES	5
#define REPORT_JOURNAL_EXT	".journal"
#define REPORT_JOURNAL_NEW	".journal.new"

struct report_journal {
	char	*path[2];	/* dir/name.K.journal */
	int	 fd[2];		/* O_APPEND, flock()ed for our whole life */
	int	 cur;		/* the file appends go to */
	int	 dirty[2];	/* the file may hold records not yet safe */
	size_t	 bytes[2];	/* appended since it was last emptied */
};

/* report_spool_mkdir - the spool directory, made when missing */
static int
report_spool_mkdir(const char *dir, struct buf *why)
{
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		buf_printf(why, "mkdir %s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

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

	if (report_spool_mkdir(dir, why) != 0)
		return -1;
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

/*
 * report_spool_dead - a journal whose process is gone: its lock is free.
 * The descriptor, locked, or -1 (alive, or gone already).
 */
static int
report_spool_dead(const char *dir, const char *name)
{
	struct buf path;
	int fd;

	buf_init(&path, 4096);
	buf_printf(&path, "%s/%s", dir, name);
	fd = open(path.data, O_RDONLY | O_CLOEXEC);
	buf_free(&path);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* report_spool_wanted - a file a replay takes in now */
static int
report_spool_wanted(const char *dir, const char *name)
{
	int fd;

	if (report_spool_is(name, ".spool") ||
	    report_spool_is(name, ".replaying"))
		return 1;
	if (!report_spool_is(name, REPORT_JOURNAL_EXT) &&
	    !report_spool_is(name, REPORT_JOURNAL_NEW))
		return 0;
	if ((fd = report_spool_dead(dir, name)) < 0)
		return 0;
	close(fd);
	return 1;
}

/* report_spool_pending - are there spool files or dead journals in dir */
int
report_spool_pending(const char *dir)
{
	DIR *d;
	struct dirent *e;
	int found = 0;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while (!found && (e = readdir(d)) != NULL)
		found = report_spool_wanted(dir, e->d_name);
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
	if (report_failure_line_is(line))
		return report_failure_insert_line(db, line, len, why);
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

/*
 * report_spool_claim - rename x.spool, or the dead journal x.journal, to
 * x.replaying; the path of the claim, or NULL (someone else's, or alive).
 * A dead x.journal.new never held a record: it is removed.
 */
static char *
report_spool_claim(const char *dir, const char *name)
{
	struct buf from, to;
	char *claimed = NULL;
	size_t ext = 0;
	int fd = -1;

	buf_init(&from, 4096);
	buf_init(&to, 4096);
	buf_printf(&from, "%s/%s", dir, name);
	if (report_spool_is(name, ".spool"))
		ext = strlen(".spool");
	else if (report_spool_is(name, REPORT_JOURNAL_EXT) &&
	    (fd = report_spool_dead(dir, name)) >= 0)
		ext = strlen(REPORT_JOURNAL_EXT);
	else if (report_spool_is(name, REPORT_JOURNAL_NEW) &&
	    (fd = report_spool_dead(dir, name)) >= 0 &&
	    unlink(from.data) != 0 && errno != ENOENT)
		log_err("unlink %s: %s", from.data, strerror(errno));
	if (report_spool_is(name, ".replaying"))
		claimed = buf_steal(&from);
	else if (ext > 0) {
		buf_printf(&to, "%s/%.*s.replaying", dir,
		    (int)(strlen(name) - ext), name);
		/* a journal is renamed under its lock: its owner is gone */
		if (rename(from.data, to.data) == 0)
			claimed = buf_steal(&to);
	}
	if (fd >= 0)
		close(fd);
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
		if ((path = report_spool_claim(dir, e->d_name)) == NULL)
			continue;
		rc = report_spool_file(db, path, replayed, why);
		free(path);
	}
	closedir(d);
	return rc;
}

/*
 * report_journal_file - dir/name.K.journal, created under a ".new" name
 * and renamed only once it is locked, so that no replay takes it for a
 * dead one; the descriptor, or -1
 */
static int
report_journal_file(struct report_journal *j, const char *dir,
    const char *name, int k, struct buf *why)
{
	struct buf tmp;
	int fd;

	buf_init(&tmp, 4096);
	buf_printf(&tmp, "%s/%s.%d%s", dir, name, k, REPORT_JOURNAL_NEW);
	j->path[k] = xstrndup(tmp.data, tmp.len - strlen(".new"));
	fd = open(tmp.data, O_WRONLY | O_APPEND | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX | LOCK_NB) != 0 ||
	    rename(tmp.data, j->path[k]) != 0) {
		buf_printf(why, "journal %s: %s", j->path[k], strerror(errno));
		if (fd >= 0) {
			unlink(tmp.data);	/* ours: no record in it yet */
			close(fd);
		}
		fd = -1;
	}
	buf_free(&tmp);
	return fd;
}

/* report_journal_open - the two journal files of one store, locked */
struct report_journal *
report_journal_open(const char *dir, const char *name, struct buf *why)
{
	struct report_journal *j;

	if (report_spool_mkdir(dir, why) != 0)
		return NULL;
	j = xcalloc(1, sizeof(*j));
	j->fd[1] = -1;
	if ((j->fd[0] = report_journal_file(j, dir, name, 0, why)) < 0 ||
	    (j->fd[1] = report_journal_file(j, dir, name, 1, why)) < 0) {
		report_journal_close(j);
		return NULL;
	}
	return j;
}

/* report_journal_append - one encoded line into the current file */
int
report_journal_append(struct report_journal *j, const char *line,
    size_t len, struct buf *why)
{
	if (report_spool_write(j->fd[j->cur], line, len) != 0) {
		buf_printf(why, "write %s: %s", j->path[j->cur],
		    strerror(errno));
		j->dirty[j->cur] = 1;	/* a part of a line may be in it */
		return -1;
	}
	j->bytes[j->cur] += len;
	return 0;
}

/* report_journal_switch - appends go to the other file; the one left */
int
report_journal_switch(struct report_journal *j)
{
	j->cur = !j->cur;
	return !j->cur;
}

/*
 * report_journal_clear - the records of file k (not the current one) are
 * in the store or the spool: it may be emptied. It is, once it holds
 * REPORT_JOURNAL_KEEP bytes: a replay after a crash finds at most that
 * many committed lines again and ignores them (by uid), and the writer
 * saves a truncate per batch. With safe 0 the records are not safe, and
 * the file stays as it is (replayed after a crash, kept at close).
 */
void
report_journal_clear(struct report_journal *j, int k, int safe)
{
	j->dirty[k] = j->dirty[k] || !safe;
	if (!safe || j->bytes[k] < REPORT_JOURNAL_KEEP)
		return;
	if (ftruncate(j->fd[k], 0) != 0) {
		log_err("truncate %s: %s", j->path[k], strerror(errno));
		return;
	}
	j->bytes[k] = 0;
	j->dirty[k] = 0;
}

/*
 * report_journal_close - close both files; remove them unless a record
 * may still be only there (a replay takes them in later). NULL is fine.
 */
void
report_journal_close(struct report_journal *j)
{
	int k;

	if (j == NULL)
		return;
	for (k = 0; k < 2; k++) {
		if (j->fd[k] >= 0 && !j->dirty[k] && unlink(j->path[k]) != 0)
			log_err("unlink %s: %s", j->path[k], strerror(errno));
		if (j->fd[k] >= 0)
			close(j->fd[k]);
		free(j->path[k]);
	}
	free(j);
}
