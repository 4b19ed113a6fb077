/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PF block store on disk: snapshots (save/load, atomic replace with fsync)
 * and a write-ahead journal of VF writes. With persistence on, a VF write
 * is acknowledged only once its journal record is on disk: the poller
 * applies the writes of a round, appends them, syncs the journal once
 * (group commit) and then sends the acknowledgements.
 *
 * Files: <path> is the snapshot, <path>.journal the journal since it.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <ethdev_driver.h>
#include <rte_hash_crc.h>
#include <rte_malloc.h>

#include "bcnic_pf.h"

#define SNAP_MAGIC	"BCNSTOR1"
#define SNAP_VERSION	1u
#define JREC_MAGIC	0x4c4e524au	/* "JRNL" */
#define JOURNAL_MAX	(64u << 20)	/* compact beyond this */

struct snap_hdr {
	char magic[8];
	uint32_t version;
	uint16_t num_vfs;
	uint16_t reserved;
	uint32_t nblocks;
	uint32_t crc;		/* of the body */
	uint64_t body_len;
};

struct snap_block {
	uint32_t id;
	uint32_t size;
	uint8_t scope;
	uint8_t reserved;
	uint16_t ncopies;
	/* then access[num_vfs], then per copy: uint32_t version, bytes[size] */
};

struct jrec {
	uint32_t magic;
	uint16_t vf;
	uint16_t reserved;
	uint32_t block_id;
	uint32_t offset;
	uint32_t length;
	uint32_t version;
	uint32_t crc;		/* of the fields above (crc = 0) and the data */
};

static uint32_t
crc(const void *p, size_t len, uint32_t init)
{
	return rte_hash_crc(p, (uint32_t)len, init);
}

static int
fsync_dir(const char *path)
{
	char *copy = strdup(path);
	int fd, rc = 0;

	if (copy == NULL)
		return -ENOMEM;
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
	if (fd < 0 || fsync(fd) != 0)
		rc = -errno;
	if (fd >= 0)
		close(fd);
	free(copy);
	return rc;
}

static int
write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int
snapshot_write(struct bcnic_pf *pf, const char *path)
{
	/* Load-acquire synchronizes with the store-release of count in bcnic_store_define(). */
	uint32_t count = __atomic_load_n(&pf->store.count, __ATOMIC_ACQUIRE);
	struct snap_hdr h;
	size_t body = 0, off = 0;
	uint8_t *buf;
	char tmp[PATH_MAX];
	int fd, rc;

	for (uint32_t i = 0; i < count; i++) {
		const struct bcnic_block *b = &pf->store.blocks[i];

		body += sizeof(struct snap_block) + pf->num_vfs +
			(size_t)b->ncopies * (sizeof(uint32_t) + b->size);
	}
	buf = malloc(body ? body : 1);
	if (buf == NULL)
		return -ENOMEM;
	for (uint32_t i = 0; i < count; i++) {
		struct bcnic_block *b = &pf->store.blocks[i];
		struct snap_block sb = { b->id, b->size, b->scope, 0, b->ncopies };

		memcpy(buf + off, &sb, sizeof(sb));
		off += sizeof(sb);
		/* Relaxed: one byte with nothing behind it. */
		for (uint16_t v = 0; v < pf->num_vfs; v++)
			buf[off++] = __atomic_load_n(&b->access[v], __ATOMIC_RELAXED);
		for (uint16_t c = 0; c < b->ncopies; c++) {
			uint32_t version = bcnic_block_read(&b->copies[c], 0, buf + off + 4, b->size);

			memcpy(buf + off, &version, 4);
			off += 4 + b->size;
		}
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, SNAP_MAGIC, 8);
	h.version = SNAP_VERSION;
	h.num_vfs = pf->num_vfs;
	h.nblocks = count;
	h.body_len = body;
	h.crc = crc(buf, body, 0);

	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		rc = -errno;
		free(buf);
		return rc;
	}
	rc = write_all(fd, &h, sizeof(h));
	if (rc == 0)
		rc = write_all(fd, buf, body);
	if (rc == 0 && fsync(fd) != 0)
		rc = -errno;
	close(fd);
	free(buf);
	/* Replace atomically: readers see the old file or the new one, whole. */
	if (rc == 0 && rename(tmp, path) != 0)
		rc = -errno;
	if (rc == 0)
		rc = fsync_dir(path);
	if (rc != 0)
		unlink(tmp);
	return rc;
}

/* Put saved contents and version into a copy, as they were. */
static void
copy_restore(struct bcnic_block_data *d, const uint8_t *bytes, uint32_t size, uint32_t version)
{
	rte_seqlock_write_lock(&d->lock);
	memcpy(d->bytes, bytes, size);
	d->version = version;
	rte_seqlock_write_unlock(&d->lock);
}

static int
snapshot_read(struct bcnic_pf *pf, const char *path)
{
	struct snap_hdr h;
	uint8_t *buf = NULL;
	size_t off = 0;
	struct stat st;
	int fd, rc = 0;

	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) != 0 || st.st_size < (off_t)sizeof(h) ||
	    read(fd, &h, sizeof(h)) != sizeof(h) || memcmp(h.magic, SNAP_MAGIC, 8) != 0 ||
	    h.version != SNAP_VERSION || h.body_len != (uint64_t)st.st_size - sizeof(h)) {
		BCNIC_LOG(ERR, "%s: %s is not a bcnic store snapshot (or is truncated)", pf->dev_name,
			  path);
		close(fd);
		return -EINVAL;
	}
	if (h.num_vfs != pf->num_vfs) {
		BCNIC_LOG(ERR, "%s: %s was saved with vfs=%u, this PF has vfs=%u", pf->dev_name, path,
			  h.num_vfs, pf->num_vfs);
		close(fd);
		return -EINVAL;
	}
	buf = malloc(h.body_len ? h.body_len : 1);
	if (buf == NULL || read(fd, buf, h.body_len) != (ssize_t)h.body_len ||
	    crc(buf, h.body_len, 0) != h.crc) {
		BCNIC_LOG(ERR, "%s: %s: checksum mismatch, not loaded", pf->dev_name, path);
		rc = buf == NULL ? -ENOMEM : -EINVAL;
		goto out;
	}
	/* Check everything before changing anything. */
	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		off = 0;
		for (uint32_t i = 0; i < h.nblocks; i++) {
			struct snap_block sb;
			struct bcnic_block *b;

			if (off + sizeof(sb) > h.body_len) {
				rc = -EINVAL;
				break;
			}
			memcpy(&sb, buf + off, sizeof(sb));
			off += sizeof(sb);
			size_t need = pf->num_vfs + (size_t)sb.ncopies * (4 + (size_t)sb.size);

			if (sb.size == 0 || sb.size > BCMBOX_MAX_BLOCK_SIZE || sb.scope > 1 ||
			    sb.ncopies != (sb.scope == BCMBOX_SCOPE_SHARED ? 1 : pf->num_vfs) ||
			    off + need > h.body_len) {
				rc = -EINVAL;
				break;
			}
			b = bcnic_store_find(&pf->store, sb.id);
			if (pass == 0) {
				if (b != NULL && (b->size != sb.size || b->scope != sb.scope)) {
					BCNIC_LOG(ERR, "%s: block 0x%08x is defined differently in %s",
						  pf->dev_name, sb.id, path);
					rc = -EINVAL;
					break;
				}
				off += need;
				continue;
			}
			if (b == NULL) {
				rc = bcnic_store_define(pf, sb.id, sb.size, sb.scope, BCMBOX_ACCESS_NONE);
				if (rc != 0)
					break;
				b = bcnic_store_find(&pf->store, sb.id);
			}
			for (uint16_t v = 0; v < pf->num_vfs; v++)
				/*
				 * Relaxed: one byte with nothing behind it; the poller loads
				 * it relaxed.
				 */
				__atomic_store_n(&b->access[v], buf[off + v] > BCMBOX_ACCESS_RW ?
						 BCMBOX_ACCESS_NONE : buf[off + v], __ATOMIC_RELAXED);
			off += pf->num_vfs;
			for (uint16_t c = 0; c < sb.ncopies; c++) {
				uint32_t version;

				memcpy(&version, buf + off, 4);
				copy_restore(&b->copies[c], buf + off + 4, sb.size, version ? version : 1);
				off += 4 + sb.size;
				bcnic_store_changed(pf, b, sb.scope == BCMBOX_SCOPE_SHARED ?
						    RTE_PMD_BCNIC_VF_ALL : c, version,
						    RTE_PMD_BCNIC_VF_ALL);
			}
		}
		if (rc == -EINVAL && pass == 0)
			BCNIC_LOG(ERR, "%s: %s is inconsistent, not loaded", pf->dev_name, path);
	}
out:
	free(buf);
	close(fd);
	return rc;
}

/* Apply the journal on top of what is loaded; a torn tail (a crash mid-append) ends it. */
static int
journal_replay(struct bcnic_pf *pf, const char *jpath, unsigned int *applied)
{
	static uint8_t data[BCMBOX_MAX_XFER];
	struct jrec r;
	int fd = open(jpath, O_RDONLY);

	*applied = 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	while (read(fd, &r, sizeof(r)) == sizeof(r)) {
		uint32_t want = r.crc;
		struct bcnic_block *b;

		if (r.magic != JREC_MAGIC || r.length == 0 || r.length > BCMBOX_MAX_XFER ||
		    read(fd, data, r.length) != (ssize_t)r.length)
			break;
		r.crc = 0;
		if (crc(data, r.length, crc(&r, sizeof(r), 0)) != want)
			break;
		b = bcnic_store_find(&pf->store, r.block_id);
		if (b == NULL || r.vf >= pf->num_vfs || (uint64_t)r.offset + r.length > b->size)
			continue;	/* the block is gone or changed shape: nothing to apply */
		struct bcnic_block_data *d = bcnic_block_copy(b, r.vf);

		rte_seqlock_write_lock(&d->lock);
		memcpy(d->bytes + r.offset, data, r.length);
		d->version = r.version;
		rte_seqlock_write_unlock(&d->lock);
		(*applied)++;
	}
	close(fd);
	return 0;
}

int
bcnic_persist_append(struct bcnic_pf *pf, uint16_t vf, const struct bcmbox_msg_hdr *h,
		     const void *data, uint32_t version)
{
	struct jrec r = {
		.magic = JREC_MAGIC,
		.vf = vf,
		.block_id = h->block_id,
		.offset = h->offset,
		.length = h->length,
		.version = version,
	};
	struct iovec iov[2] = { { &r, sizeof(r) }, { (void *)(uintptr_t)data, h->length } };
	ssize_t n;

	r.crc = crc(data, h->length, crc(&r, sizeof(r), 0));
	n = writev(pf->persist_fd, iov, 2);
	if (n == (ssize_t)(sizeof(r) + h->length)) {
		pf->journal_bytes += (uint64_t)n;
		return 0;
	}
	if (n < 0)
		return -errno;
	/*
	 * Part of a record (the disk filled up): cut it off, or replay would
	 * stop there and lose every record appended after it.
	 */
	off_t end = lseek(pf->persist_fd, 0, SEEK_END);

	if (end < n || ftruncate(pf->persist_fd, end - n) != 0)
		BCNIC_LOG(ERR, "%s: a journal append was cut short and cannot be undone",
			  pf->dev_name);
	return -EIO;
}

int
bcnic_persist_sync(struct bcnic_pf *pf)
{
	off_t end;
	int rc;

	if (fdatasync(pf->persist_fd) == 0) {
		end = lseek(pf->persist_fd, 0, SEEK_END);
		if (end >= 0)
			pf->journal_synced = end;
		return 0;
	}
	rc = -errno;
	/*
	 * What this sync was to write may never reach the disk, even once a
	 * later sync succeeds (Linux marks the failed pages clean): records
	 * appended after that hole would be lost at replay. Cut the journal
	 * back to what is known to be on disk; the writes held for this sync
	 * are answered -EAGAIN, and their retries are appended again.
	 */
	if (ftruncate(pf->persist_fd, pf->journal_synced) != 0)
		BCNIC_LOG(ERR, "%s: journal sync failed and cannot cut it back: %s", pf->dev_name,
			  strerror(errno));
	return rc;
}

/* New snapshot, empty journal. */
static int
compact(struct bcnic_pf *pf)
{
	int rc = snapshot_write(pf, pf->persist_path);

	if (rc == 0 && ftruncate(pf->persist_fd, 0) == 0 && fsync(pf->persist_fd) == 0) {
		pf->journal_bytes = 0;
		pf->journal_synced = 0;
	}
	return rc;
}

/* Poller thread: a compaction asked for, or a journal grown too long. */
void
bcnic_persist_maybe_compact(struct bcnic_pf *pf)
{
	/*
	 * Load-acquire synchronizes with the store-release in bcnic_persist_start(): path
	 * and flags are set.
	 */
	if (__atomic_load_n(&pf->persist_fd, __ATOMIC_ACQUIRE) < 0 ||
	    (!pf->compact_pending && pf->journal_bytes <= JOURNAL_MAX))
		return;
	pf->compact_pending = false;
	if (compact(pf) != 0)
		BCNIC_LOG(ERR, "%s: cannot compact the store journal", pf->dev_name);
}

void
bcnic_persist_close(struct bcnic_pf *pf)
{
	if (pf->persist_fd < 0)
		return;
	if (compact(pf) != 0)
		BCNIC_LOG(ERR, "%s: cannot write the final store snapshot %s", pf->dev_name,
			  pf->persist_path);
	close(pf->persist_fd);
	pf->persist_fd = -1;
}

/* rte_pmd_bcnic_pf_store_save() */
int
bcnic_persist_save(struct bcnic_pf *pf, const char *path)
{
	if (path == NULL || *path == '\0')
		return -EINVAL;
	return snapshot_write(pf, path);
}

/* rte_pmd_bcnic_pf_store_load() */
int
bcnic_persist_load(struct bcnic_pf *pf, const char *path)
{
	char jpath[PATH_MAX];
	unsigned int applied;
	int rc;

	if (path == NULL || *path == '\0')
		return -EINVAL;
	rc = snapshot_read(pf, path);
	if (rc == 0) {
		snprintf(jpath, sizeof(jpath), "%s.journal", path);
		rc = journal_replay(pf, jpath, &applied);
	}
	return rc;
}

/* rte_pmd_bcnic_pf_persist() */
int
bcnic_persist_start(struct bcnic_pf *pf, const char *path)
{
	char jpath[PATH_MAX];
	unsigned int applied = 0;
	int rc, fd;

	if (path == NULL || *path == '\0' || strlen(path) + 9 >= sizeof(pf->persist_path))
		return -EINVAL;
	if (pf->persist_fd >= 0)
		return -EBUSY;
	snprintf(jpath, sizeof(jpath), "%s.journal", path);
	rc = snapshot_read(pf, path);
	if (rc == -ENOENT)
		rc = 0;	/* first run: nothing saved yet */
	if (rc == 0)
		rc = journal_replay(pf, jpath, &applied);
	if (rc != 0)
		return rc;
	fd = open(jpath, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd < 0)
		return -errno;
	pf->journal_synced = lseek(fd, 0, SEEK_END);	/* what was replayed */
	if (pf->journal_synced < 0)
		pf->journal_synced = 0;
	strcpy(pf->persist_path, path);
	/*
	 * From now on the poller journals VF writes (appending after what was
	 * replayed, so a crash before the first compaction still recovers) and
	 * compacts in its own thread, never racing its appends.
	 */
	pf->compact_pending = true;
	/*
	 * Store-release synchronizes with the poller's load-acquire in handle_write() and
	 * bcnic_persist_maybe_compact().
	 */
	__atomic_store_n(&pf->persist_fd, fd, __ATOMIC_RELEASE);
	BCNIC_LOG(INFO, "%s: block store persisted in %s (%u journaled writes replayed)",
		  pf->dev_name, path, applied);
	return 0;
}
