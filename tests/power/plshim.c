/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A power-loss model for the files of one directory, preloaded into a
 * process (LD_PRELOAD). The disk keeps exactly what a completed fsync or
 * fdatasync covered, nothing else:
 *
 *   - fsync/fdatasync of a regular file in BCNIC_PL_DIR makes its contents
 *     of that moment durable (a copy into BCNIC_PL_STATE, replaced whole);
 *   - fsync of BCNIC_PL_DIR itself makes its names durable (which file,
 *     by inode, each name refers to), as for rename and create on a real
 *     file system;
 *   - sync() and syncfs() make both durable.
 *
 * Writes, renames, truncations and creations change only the live files;
 * a power cut (tests/power/test_power.py: the process killed, then the
 * directory rebuilt from the state folder) loses them unless a sync came
 * after. O_SYNC/O_DSYNC writes are not modelled (the store does not use
 * them). Control files in BCNIC_PL_STATE, read at every sync:
 *   fail    the sync fails with EIO and nothing new becomes durable; as on
 *           Linux (since 4.13), what it should have written is lost for
 *           good: the bytes between the file's durable length and its
 *           length then never reach the disk, even when a later sync
 *           succeeds (they read as the old contents, or zeros), unless a
 *           truncation cuts them off first (a rewrite is not modelled);
 *   hold    the sync waits (creating "insync") until hold is removed;
 *   short   each writev() to a file of the folder writes only the first
 *           half of what it was given and returns that count, as when the
 *           disk fills up in the middle of a write.
 * Everything else passes through to the real calls.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define DIR_MAX	1024		/* the two folders' paths */
#define P_MAX	2048		/* a folder and a name in it */

static char wdir[DIR_MAX], sdir[DIR_MAX];
static struct stat wst;
static bool active;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned int counter;

/* Bytes a failed sync lost, per file (an inode of the watched folder). */
#define LOST_MAX 64
static struct lost {
	dev_t dev;
	ino_t ino;
	off_t start, end;	/* end == 0: free */
} lost[LOST_MAX];

static ssize_t (*real_writev)(int, const struct iovec *, int);
static int (*real_ftruncate)(int, off_t);
static int (*real_fsync)(int);
static int (*real_fdatasync)(int);
static void (*real_sync)(void);
static int (*real_syncfs)(int);

__attribute__((constructor)) static void
pl_init(void)
{
	const char *w = getenv("BCNIC_PL_DIR"), *s = getenv("BCNIC_PL_STATE");
	char rw[PATH_MAX], rs[PATH_MAX];

	real_writev = dlsym(RTLD_NEXT, "writev");
	real_ftruncate = dlsym(RTLD_NEXT, "ftruncate64");
	real_fsync = dlsym(RTLD_NEXT, "fsync");
	real_fdatasync = dlsym(RTLD_NEXT, "fdatasync");
	real_sync = dlsym(RTLD_NEXT, "sync");
	real_syncfs = dlsym(RTLD_NEXT, "syncfs");
	if (w == NULL || s == NULL || realpath(w, rw) == NULL || realpath(s, rs) == NULL ||
	    strlen(rw) >= DIR_MAX || strlen(rs) >= DIR_MAX || stat(rw, &wst) != 0) {
		fprintf(stderr, "plshim: BCNIC_PL_DIR and BCNIC_PL_STATE must name folders\n");
		abort();
	}
	strcpy(wdir, rw);
	strcpy(sdir, rs);
	active = true;
}

static void
spath(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", sdir, name);
}

static bool
control(const char *name)
{
	char p[P_MAX];

	spath(p, sizeof(p), name);
	return access(p, F_OK) == 0;
}

/* Write the state file name from fill(), atomically (tmp + rename). */
static int
put(const char *name, int (*fill)(int fd, void *arg), void *arg)
{
	char tmp[P_MAX], dst[P_MAX];
	int fd, rc;

	snprintf(tmp, sizeof(tmp), "%s/.tmp.%d.%u", sdir, (int)getpid(), counter++);
	spath(dst, sizeof(dst), name);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	rc = fill(fd, arg);
	close(fd);
	if (rc == 0)
		rc = rename(tmp, dst);
	if (rc != 0)
		unlink(tmp);
	return rc;
}

struct copy {
	int in;			/* the live file */
	int old;		/* its durable contents so far, or -1 */
	const struct lost *lost;	/* a range kept from old (or zeros), or NULL */
};

static int
fill_copy(int out, void *arg)
{
	const struct copy *c = arg;
	char buf[65536];
	off_t off = 0;
	ssize_t n;

	while ((n = pread(c->in, buf, sizeof(buf), off)) > 0) {
		if (c->lost != NULL && off < c->lost->end && off + n > c->lost->start) {
			off_t a = off > c->lost->start ? off : c->lost->start;
			off_t b = off + n < c->lost->end ? off + n : c->lost->end;
			ssize_t got = 0;

			memset(buf + (a - off), 0, (size_t)(b - a));
			if (c->old >= 0)
				got = pread(c->old, buf + (a - off), (size_t)(b - a), a);
			(void)got;	/* short or none: zeros, never written */
		}
		if (write(out, buf, (size_t)n) != n)
			return -1;
		off += n;
	}
	return n < 0 ? -1 : 0;
}

static struct lost *
lost_find(const struct stat *st, bool add)
{
	struct lost *free_slot = NULL;

	for (unsigned int i = 0; i < LOST_MAX; i++) {
		if (lost[i].end != 0 && lost[i].dev == st->st_dev && lost[i].ino == st->st_ino)
			return &lost[i];
		if (lost[i].end == 0 && free_slot == NULL)
			free_slot = &lost[i];
	}
	if (!add || free_slot == NULL)
		return NULL;
	free_slot->dev = st->st_dev;
	free_slot->ino = st->st_ino;
	free_slot->start = free_slot->end = 0;
	return free_slot;
}

/* A failed sync: what the file holds beyond its durable length is lost. */
static void
lose_unsynced(const struct stat *st)
{
	char p[P_MAX], key[64];
	struct stat dst;
	off_t durable = 0;
	struct lost *l;

	snprintf(key, sizeof(key), "ino.%lu", (unsigned long)st->st_ino);
	spath(p, sizeof(p), key);
	if (stat(p, &dst) == 0)
		durable = dst.st_size;
	if (st->st_size <= durable)
		return;
	pthread_mutex_lock(&lock);
	l = lost_find(st, true);
	if (l != NULL) {
		if (l->end == 0 || durable < l->start)
			l->start = durable;
		if (st->st_size > l->end)
			l->end = st->st_size;
	}
	pthread_mutex_unlock(&lock);
}

/* The durable names: "<name> <key>\n" per regular file of the folder. */
static int
fill_names(int out, void *arg)
{
	DIR *d = opendir(wdir);
	struct dirent *e;
	FILE *f = fdopen(dup(out), "w");

	(void)arg;
	if (d == NULL || f == NULL) {
		if (d != NULL)
			closedir(d);
		if (f != NULL)
			fclose(f);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char p[P_MAX];
		struct stat st;

		snprintf(p, sizeof(p), "%s/%s", wdir, e->d_name);
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode))
			fprintf(f, "%s ino.%lu\n", e->d_name, (unsigned long)st.st_ino);
	}
	closedir(d);
	return fclose(f) == 0 ? 0 : -1;
}

static int
fill_text(int out, void *arg)
{
	const char *t = arg;
	size_t n = strlen(t);

	return write(out, t, n) == (ssize_t)n ? 0 : -1;
}

/*
 * The inode number of a file that is gone may come back for a new file.
 * If the durable names still give an old file's contents under that key,
 * keep them under a key of their own before the new file's replace them.
 */
static void
keep_old_contents(unsigned long ino)
{
	char names[P_MAX], key[64], *text = NULL, *out = NULL;
	size_t cap = 0, used = 0;
	FILE *f;
	char line[400];
	bool changed = false;

	spath(names, sizeof(names), "names");
	snprintf(key, sizeof(key), "ino.%lu", ino);
	f = fopen(names, "r");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char name[256], k[64], p[P_MAX];
		struct stat st;

		if (sscanf(line, "%255s %63s", name, k) == 2 && strcmp(k, key) == 0) {
			snprintf(p, sizeof(p), "%s/%s", wdir, name);
			if (stat(p, &st) != 0 || st.st_ino != ino) {
				char from[P_MAX], to[P_MAX], nk[64];

				snprintf(nk, sizeof(nk), "old.%lu.%d.%u", ino, (int)getpid(),
					 counter++);
				spath(from, sizeof(from), key);
				spath(to, sizeof(to), nk);
				if (link(from, to) == 0 || errno == ENOENT) {
					snprintf(line, sizeof(line), "%s %s\n", name, nk);
					changed = true;
				}
			}
		}
		size_t n = strlen(line);

		if (used + n + 1 > cap) {
			cap = (used + n + 1) * 2;
			out = realloc(text, cap);
			if (out == NULL) {
				free(text);
				fclose(f);
				return;
			}
			text = out;
		}
		memcpy(text + used, line, n + 1);
		used += n;
	}
	fclose(f);
	if (changed)
		put("names", fill_text, text);
	free(text);
}

enum kind { OTHER, WATCHED_DIR, WATCHED_FILE };

static enum kind
kind_of(int fd, struct stat *st)
{
	char link[64], p[P_MAX];
	ssize_t n;
	char *slash;

	if (!active || fstat(fd, st) != 0)
		return OTHER;
	if (S_ISDIR(st->st_mode))
		return st->st_dev == wst.st_dev && st->st_ino == wst.st_ino ? WATCHED_DIR : OTHER;
	if (!S_ISREG(st->st_mode) || st->st_dev != wst.st_dev)
		return OTHER;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, p, sizeof(p) - 1);
	if (n <= 0)
		return OTHER;
	p[n] = '\0';
	slash = strrchr(p, '/');
	if (slash == NULL)
		return OTHER;
	*slash = '\0';
	return strcmp(p, wdir) == 0 ? WATCHED_FILE : OTHER;
}

static int
model_sync(int fd, int (*real)(int))
{
	struct stat st;
	enum kind k = kind_of(fd, &st);
	int rc = 0;

	if (k == OTHER)
		return real(fd);
	if (control("fail")) {
		if (k == WATCHED_FILE)
			lose_unsynced(&st);
		errno = EIO;
		return -1;
	}
	if (control("hold")) {
		char p[P_MAX];
		int m;

		spath(p, sizeof(p), "insync");
		m = open(p, O_WRONLY | O_CREAT, 0600);
		if (m >= 0)
			close(m);
		while (control("hold"))
			usleep(1000);
		unlink(p);
	}
	pthread_mutex_lock(&lock);
	if (k == WATCHED_DIR) {
		rc = put("names", fill_names, NULL);
	} else {
		char link[64], key[64], old[P_MAX];
		struct copy c;

		keep_old_contents((unsigned long)st.st_ino);
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		snprintf(key, sizeof(key), "ino.%lu", (unsigned long)st.st_ino);
		spath(old, sizeof(old), key);
		c.in = open(link, O_RDONLY);
		c.lost = lost_find(&st, false);
		c.old = c.lost != NULL ? open(old, O_RDONLY) : -1;
		rc = c.in < 0 ? -1 : put(key, fill_copy, &c);
		if (c.in >= 0)
			close(c.in);
		if (c.old >= 0)
			close(c.old);
	}
	pthread_mutex_unlock(&lock);
	if (rc != 0) {
		errno = EIO;
		return -1;
	}
	return 0;
}

/*
 * Cutting a file short cuts lost bytes off with it: what comes after is
 * written anew. Both names: with _FILE_OFFSET_BITS=64 callers link to
 * ftruncate64, otherwise to ftruncate (the same call on 64-bit systems).
 */
static int
model_ftruncate(int fd, off_t len)
{
	struct stat st;
	int rc = real_ftruncate(fd, len);

	if (rc == 0 && kind_of(fd, &st) == WATCHED_FILE) {
		struct lost *l;

		pthread_mutex_lock(&lock);
		l = lost_find(&st, false);
		if (l != NULL && len < l->end) {
			l->end = len > l->start ? len : 0;
			if (l->end == 0)
				l->start = 0;
		}
		pthread_mutex_unlock(&lock);
	}
	return rc;
}

int pl_ftruncate(int fd, off_t len) __asm__("ftruncate");
int pl_ftruncate64(int fd, off_t len) __asm__("ftruncate64");

int
pl_ftruncate(int fd, off_t len)
{
	return model_ftruncate(fd, len);
}

int
pl_ftruncate64(int fd, off_t len)
{
	return model_ftruncate(fd, len);
}

/* A short write when asked to: the first half of the bytes (nothing of a 1-byte write: ENOSPC). */
ssize_t
writev(int fd, const struct iovec *iov, int iovcnt)
{
	struct iovec half[16];
	struct stat st;
	size_t total = 0, want, left;
	ssize_t n;
	int k;

	if (!active || iovcnt <= 0 || iovcnt > 16 || !control("short") ||
	    kind_of(fd, &st) != WATCHED_FILE)
		return real_writev(fd, iov, iovcnt);
	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	want = total / 2;
	if (want == 0) {
		errno = ENOSPC;
		return -1;
	}
	for (k = 0, left = want; k < iovcnt && left > 0; k++) {
		half[k] = iov[k];
		if (half[k].iov_len > left)
			half[k].iov_len = left;
		left -= half[k].iov_len;
	}
	n = real_writev(fd, half, k);
	return n;
}

int
fsync(int fd)
{
	return model_sync(fd, real_fsync);
}

int
fdatasync(int fd)
{
	return model_sync(fd, real_fdatasync);
}

/* Everything durable: every file of the folder, then its names. */
static void
sync_all(void)
{
	DIR *d = opendir(wdir);
	struct dirent *e;

	while (d != NULL && (e = readdir(d)) != NULL) {
		char p[P_MAX];
		int fd;

		snprintf(p, sizeof(p), "%s/%s", wdir, e->d_name);
		fd = open(p, O_RDONLY | O_NOFOLLOW);
		if (fd < 0)
			continue;
		model_sync(fd, real_fsync);
		close(fd);
	}
	if (d != NULL)
		closedir(d);
	d = opendir(wdir);
	if (d != NULL) {
		model_sync(dirfd(d), real_fsync);
		closedir(d);
	}
}

void
sync(void)
{
	if (active)
		sync_all();
	real_sync();
}

int
syncfs(int fd)
{
	if (active)
		sync_all();
	return real_syncfs(fd);
}
