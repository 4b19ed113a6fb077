/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * shm transport: the emulated device as POSIX shared-memory objects.
 *   /dev/shm/bcnic.<dev>.pf     PF object (device header), PF only
 *   /dev/shm/bcnic.<dev>.vf<N>  VF N's window, the only thing VF N maps
 * The PF holds an exclusive flock on its object for as long as it lives, so
 * a second PF is refused and a crashed PF's leftovers are taken over. A VF
 * holds an exclusive flock on its window, so one window has one driver.
 * The PF also holds an OFD lock on the first byte of every window it made:
 * the kernel drops it when the PF process dies, so a VF can tell a dead PF
 * from a stalled one without opening anything but its own window (flock and
 * OFD locks do not conflict with each other on Linux).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_malloc.h>
#include <rte_random.h>

#include "bcnic.h"
#include "bcmbox_client.h"

static void *
map_fd(int fd, size_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}


/*
 * Truncation guard. Whoever can write a window object can also truncate
 * it, and the next access to the mapping then raises SIGBUS. A misbehaving
 * peer must not kill us that way: the handler puts anonymous zero pages
 * over the whole window (so the access completes), marks it broken, and
 * the owner restores or drops it later (bcnic_window_broken()).
 */
#define GUARD_MAX 1024
/* How long a VF waits for the PF to re-publish a window's info line. */
#define REPAIR_TIMEOUT_NS (1000ull * 1000 * 1000)

struct guard {
	uintptr_t base;			/* 0: free */
	size_t size;
	bool broken;
};

static struct guard guards[GUARD_MAX];
static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;
static struct sigaction prev_sigbus;
static bool guard_installed;

static void
sigbus_handler(int sig, siginfo_t *info, void *ctx)
{
	uintptr_t a = (uintptr_t)info->si_addr;

	for (unsigned int i = 0; i < GUARD_MAX; i++) {
		/*
		 * Load-acquire synchronizes with the store-release of base in
		 * guard_add(): size is set.
		 */
		uintptr_t b = __atomic_load_n(&guards[i].base, __ATOMIC_ACQUIRE);

		if (b == 0 || a < b || a >= b + guards[i].size)
			continue;
		/* mmap() is async-signal-safe; the fault retries on zero pages. */
		if (mmap((void *)b, guards[i].size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED) {
			/*
			 * Store-release synchronizes with bcnic_window_broken()'s load-
			 * acquire: the zero pages are in.
			 */
			__atomic_store_n(&guards[i].broken, true, __ATOMIC_RELEASE);
			return;
		}
	}
	/* Not ours: whatever was there before. */
	if (prev_sigbus.sa_flags & SA_SIGINFO) {
		prev_sigbus.sa_sigaction(sig, info, ctx);
	} else if (prev_sigbus.sa_handler != SIG_IGN && prev_sigbus.sa_handler != SIG_DFL) {
		prev_sigbus.sa_handler(sig);
	} else {
		signal(SIGBUS, SIG_DFL);
		raise(SIGBUS);
	}
}

static int
guard_add(void *base, size_t size)
{
	int slot = -1;

	pthread_mutex_lock(&guard_lock);
	if (!guard_installed) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = sigbus_handler;
		sa.sa_flags = SA_SIGINFO | SA_NODEFER;
		sigemptyset(&sa.sa_mask);
		guard_installed = sigaction(SIGBUS, &sa, &prev_sigbus) == 0;
	}
	for (unsigned int i = 0; i < GUARD_MAX; i++) {
		if (guards[i].base != 0)
			continue;
		guards[i].size = size;
		guards[i].broken = false;
		/* Store-release synchronizes with sigbus_handler()'s load-acquire of base. */
		__atomic_store_n(&guards[i].base, (uintptr_t)base, __ATOMIC_RELEASE);
		slot = (int)i;
		break;
	}
	pthread_mutex_unlock(&guard_lock);
	if (slot < 0)
		BCNIC_LOG(WARNING, "more than %d windows mapped: this one is not guarded against truncation",
			  GUARD_MAX);
	return slot;
}

static void
guard_del(int slot)
{
	if (slot < 0)
		return;
	pthread_mutex_lock(&guard_lock);
	/*
	 * Release: as in guard_add(); the mutex orders the writers, the handler reads
	 * without it.
	 */
	__atomic_store_n(&guards[slot].base, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&guard_lock);
}

bool
bcnic_window_broken(const struct bcnic_window_map *map)
{
	/* Load-acquire synchronizes with sigbus_handler()'s store-release of broken. */
	return map->guard >= 0 && __atomic_load_n(&guards[map->guard].broken, __ATOMIC_ACQUIRE);
}

/*
 * Put the real object back under a broken window: grow it to its size
 * again and map it at the same address. The contents are whatever the
 * object holds now; the caller reformats or re-validates it.
 */
int
bcnic_window_restore(struct bcnic_window_map *map)
{
	if (map->fd < 0)
		return -ENOTSUP;
	if (ftruncate(map->fd, (off_t)map->size) != 0)
		return -errno;
	if (mmap(map->base, map->size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, map->fd,
		 0) == MAP_FAILED)
		return -errno;
	if (map->guard >= 0)
		/*
		 * Store-release synchronizes with bcnic_window_broken()'s load-acquire:
		 * the object is back.
		 */
		__atomic_store_n(&guards[map->guard].broken, false, __ATOMIC_RELEASE);
	return 0;
}

void
bcnic_window_unmap(struct bcnic_window_map *map)
{
	if (map->base != NULL && !map->borrowed) {
		guard_del(map->guard);
		munmap(map->base, map->size);
	}
	map->guard = -1;
	if (map->fd >= 0)
		close(map->fd);
	map->base = NULL;
	map->fd = -1;
}

/* Held by the PF on every window (write) and tested by VFs (read). */
static const struct flock pf_alive_lock = {
	.l_type = F_WRLCK,
	.l_whence = SEEK_SET,
	.l_start = 0,
	.l_len = 1,
};

/* A new PF epoch: never 0, never the one a VF may still remember. */

static uint32_t
next_epoch(uint32_t old)
{
	uint32_t e;

	do {
		e = (uint32_t)rte_rand();
	} while (e == 0 || e == old);
	return e;
}

static int
window_create(struct bcnic_shm_device *d, unsigned int vf, const struct bcmbox_window_cfg *cfg,
	      uint32_t size)
{
	struct bcnic_window_map *w = &d->win[vf];
	char path[64];
	int rc;

	bcmbox_shm_name(path, sizeof(path), d->name, (int)vf);
	w->fd = shm_open(path, O_RDWR | O_CREAT, 0600);
	if (w->fd < 0) {
		rc = -errno;
		BCNIC_LOG(ERR, "cannot create %s: %s", path, strerror(errno));
		return rc;
	}
	/* Empty first: a window reused from a dead PF starts zeroed, data rings included. */
	if (ftruncate(w->fd, 0) != 0 || ftruncate(w->fd, size) != 0) {
		rc = -errno;
		BCNIC_LOG(ERR, "cannot size %s to %u bytes: %s", path, size, strerror(errno));
		return rc;
	}
	w->size = size;
	w->base = map_fd(w->fd, size);
	if (w->base == NULL) {
		rc = -errno;
		BCNIC_LOG(ERR, "cannot map %s: %s", path, strerror(errno));
		return rc;
	}
	w->guard = guard_add(w->base, size);
	/* The VF's flock says who is attached; this lock says the PF lives. */
	if (fcntl(w->fd, F_OFD_SETLK, &pf_alive_lock) != 0) {
		rc = -errno;
		BCNIC_LOG(ERR, "cannot lock %s: %s", path, strerror(errno));
		return rc;
	}
	return bcmbox_window_format(w->base, size, (uint16_t)vf, d->num_vfs, cfg);
}

int
bcnic_window_pf_alive(const struct bcnic_window_map *map)
{
	struct flock l = pf_alive_lock;

	if (map->fd < 0)
		return -ENOTSUP;	/* a BAR: no process to ask about */
	l.l_type = F_RDLCK;	/* conflicts only with the PF's write lock */
	if (fcntl(map->fd, F_OFD_GETLK, &l) != 0)
		return -errno;
	return l.l_type != F_UNLCK;
}

/*
 * Devices whose PF lives in this process, with a hook that runs one round
 * of that PF's poller: a VF probed in the same EAL init waits for its
 * HELLO before EAL has started any service lcore, and drives the PF
 * itself meanwhile. The lock also keeps a device from being destroyed
 * under a running hook.
 */
struct local_dev {
	char name[BCNIC_DEV_NAME_MAX + 1];
	void (*assist)(void *arg);
	void *arg;
};

static struct local_dev local_devs[16];
static pthread_mutex_t local_lock = PTHREAD_MUTEX_INITIALIZER;

void
bcnic_shm_set_assist(struct bcnic_shm_device *d, void (*assist)(void *arg), void *arg)
{
	struct local_dev *free_slot = NULL;

	pthread_mutex_lock(&local_lock);
	for (unsigned int i = 0; i < RTE_DIM(local_devs); i++) {
		struct local_dev *l = &local_devs[i];

		if (l->name[0] != '\0' && strcmp(l->name, d->name) == 0) {
			free_slot = l;
			break;
		}
		if (l->name[0] == '\0' && free_slot == NULL)
			free_slot = l;
	}
	if (free_slot != NULL) {	/* more local PFs than slots: they only lose the shortcut */
		if (assist == NULL) {
			memset(free_slot, 0, sizeof(*free_slot));
		} else {
			snprintf(free_slot->name, sizeof(free_slot->name), "%s", d->name);
			free_slot->assist = assist;
			free_slot->arg = arg;
		}
	}
	pthread_mutex_unlock(&local_lock);
}

bool
bcnic_shm_assist(const char *name)
{
	bool found = false;

	pthread_mutex_lock(&local_lock);
	for (unsigned int i = 0; i < RTE_DIM(local_devs); i++) {
		struct local_dev *l = &local_devs[i];

		if (l->name[0] != '\0' && strcmp(l->name, name) == 0) {
			l->assist(l->arg);
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&local_lock);
	return found;
}

int
bcnic_shm_device_create(const char *name, uint16_t num_vfs, const struct bcmbox_window_cfg *cfg,
			struct bcnic_shm_device **out)
{
	struct bcnic_shm_device *d;
	struct bcmbox_dev_hdr old;
	char path[64];
	uint32_t wsize;
	struct stat st;
	unsigned int i;
	int rc;

	if (!bcmbox_dev_name_valid(name) || num_vfs == 0 || num_vfs > BCMBOX_MAX_VFS ||
	    bcmbox_window_cfg_check(cfg) != 0)
		return -EINVAL;
	d = rte_zmalloc("bcnic_shm_device", sizeof(*d) + num_vfs * sizeof(d->win[0]), 0);
	if (d == NULL)
		return -ENOMEM;
	strcpy(d->name, name);
	d->num_vfs = num_vfs;
	d->pf_fd = -1;
	for (i = 0; i < num_vfs; i++) {
		d->win[i].fd = -1;
		d->win[i].guard = -1;
	}

	bcmbox_shm_name(path, sizeof(path), name, BCMBOX_SHM_PF);
	d->pf_fd = shm_open(path, O_RDWR | O_CREAT, 0600);
	if (d->pf_fd < 0) {
		rc = -errno;
		BCNIC_LOG(ERR, "cannot create %s: %s", path, strerror(errno));
		goto fail_free;
	}
	if (flock(d->pf_fd, LOCK_EX | LOCK_NB) != 0) {
		rc = -EBUSY;	/* not -EEXIST: EAL reads that as "already probed" */
		memset(&old, 0, sizeof(old));
		if (pread(d->pf_fd, &old, sizeof(old), 0) != sizeof(old))
			old.owner_pid = 0;
		BCNIC_LOG(ERR, "device %s already has a PF (pid %u); pick another dev= name",
			  name, old.owner_pid);
		close(d->pf_fd);
		goto fail_free;
	}
	/* Ours now. Left over from a PF that died? Then VFs may remember its epoch. */
	memset(&old, 0, sizeof(old));
	if (fstat(d->pf_fd, &st) == 0 && st.st_size >= (off_t)sizeof(old) &&
	    pread(d->pf_fd, &old, sizeof(old), 0) == sizeof(old) && old.magic == BCMBOX_MAGIC)
		BCNIC_LOG(NOTICE, "device %s: taking over from a PF that is gone (pid %u)", name,
			  old.owner_pid);
	if (ftruncate(d->pf_fd, 4096) != 0) {
		rc = -errno;
		BCNIC_LOG(ERR, "cannot size %s: %s", path, strerror(errno));
		goto fail;
	}
	d->hdr = map_fd(d->pf_fd, 4096);
	if (d->hdr == NULL) {
		rc = -errno;
		goto fail;
	}
	d->hdr->magic = 0;
	wsize = bcmbox_window_size(cfg);
	for (i = 0; i < num_vfs; i++) {
		rc = window_create(d, i, cfg, wsize);
		if (rc != 0)
			goto fail;
	}
	d->hdr->layout_version = BCMBOX_LAYOUT_VERSION;
	d->hdr->num_vfs = num_vfs;
	d->hdr->window_size = wsize;
	d->hdr->pf_epoch = next_epoch(old.magic == BCMBOX_MAGIC ? old.pf_epoch : 0);
	d->hdr->req_slots = cfg->req_slots;
	d->hdr->resp_slots = cfg->resp_slots;
	d->hdr->evt_slots = cfg->evt_slots;
	d->hdr->owner_pid = (uint32_t)getpid();
	/*
	 * Store-release synchronizes with the VF's load-acquire of magic (doc/mailbox.md
	 * section 7): the header is written.
	 */
	__atomic_store_n(&d->hdr->magic, BCMBOX_MAGIC, __ATOMIC_RELEASE);
	*out = d;
	return 0;

fail:
	bcnic_shm_device_destroy(d);
	return rc;
fail_free:
	rte_free(d);
	return rc;
}

void
bcnic_shm_device_destroy(struct bcnic_shm_device *d)
{
	char path[64];
	unsigned int i;

	if (d == NULL)
		return;
	bcnic_shm_set_assist(d, NULL, NULL);
	for (i = 0; i < d->num_vfs; i++) {
		struct bcnic_window_map *w = &d->win[i];

		if (w->base != NULL) {
			struct bcmbox_win_pf *pf = (void *)((uint8_t *)w->base + BCMBOX_WIN_PF_OFF);

			/* Tell a VF that still has it mapped that nobody is behind it. */
			/*
			 * Store-release pairs with the VF's load-acquire of each
			 * (doc/mailbox.md section 7): liveness, then state.
			 */
			__atomic_store_n(&pf->pf_epoch, 0, __ATOMIC_RELEASE);
			__atomic_store_n(&pf->vf_state, BCMBOX_VF_DETACHED, __ATOMIC_RELEASE);
		}
		if (w->fd >= 0) {
			bcmbox_shm_name(path, sizeof(path), d->name, (int)i);
			shm_unlink(path);
		}
		bcnic_window_unmap(w);
	}
	if (d->hdr != NULL)
		munmap(d->hdr, 4096);
	if (d->pf_fd >= 0) {
		bcmbox_shm_name(path, sizeof(path), d->name, BCMBOX_SHM_PF);
		shm_unlink(path);
		close(d->pf_fd);	/* drops the flock */
	}
	rte_free(d);
}

int
bcnic_shm_window_open(const char *name, unsigned int vf, struct bcnic_window_map *map, bool quiet)
{
	/* Reconnect attempts come every 100 ms: their caller summarises. */
	uint32_t lvl = quiet ? RTE_LOG_DEBUG : RTE_LOG_ERR;
	struct bcmbox_window w;
	char path[64], vf0[64];
	struct stat st;
	int fd0, rc;

	map->base = NULL;
	map->fd = -1;
	map->guard = -1;
	/* Ours to unmap: a mapping left behind would keep the flock alive after close(). */
	map->borrowed = false;
	bcmbox_shm_name(path, sizeof(path), name, (int)vf);
	map->fd = shm_open(path, O_RDWR, 0);
	if (map->fd < 0) {
		rc = -errno;
		if (rc != -ENOENT) {
			BCNIC_LOG_AT(lvl, "cannot open /dev/shm%s: %s", path, strerror(-rc));
			return rc;
		}
		/* Only a name lookup of VF 0's window, never a mapping of it. */
		bcmbox_shm_name(vf0, sizeof(vf0), name, 0);
		if (vf > 0 && (fd0 = shm_open(vf0, O_RDONLY, 0)) >= 0) {
			close(fd0);
			BCNIC_LOG_AT(lvl, "device %s has no VF %u (vf= is beyond the PF's vfs=)",
				  name, vf);
			return -ERANGE;
		}
		BCNIC_LOG_AT(lvl, "device %s not found (no /dev/shm%s): start its PF first", name,
			  path);
		return -ENOENT;
	}
	if (flock(map->fd, LOCK_EX | LOCK_NB) != 0) {
		BCNIC_LOG_AT(lvl, "VF %u of device %s is already attached by another port or process",
			  vf, name);
		rc = -EBUSY;
		goto fail;
	}
	if (fstat(map->fd, &st) != 0 || st.st_size < (off_t)BCMBOX_WIN_RINGS_OFF ||
	    !bcmbox_is_pow2((uint64_t)st.st_size)) {
		BCNIC_LOG_AT(lvl, "/dev/shm%s is truncated or not a bcnic window (%lld bytes)", path,
			  (long long)st.st_size);
		rc = -EINVAL;
		goto fail;
	}
	map->size = (size_t)st.st_size;
	map->base = map_fd(map->fd, map->size);
	if (map->base == NULL) {
		rc = -errno;
		BCNIC_LOG_AT(lvl, "cannot map /dev/shm%s: %s", path, strerror(errno));
		goto fail;
	}
	map->guard = guard_add(map->base, map->size);
	rc = bcmbox_window_map(&w, map->base, map->size);
	if (rc == -ENODEV || rc == -EINVAL || (rc == 0 && w.info.vf_index != vf)) {
		/*
		 * Ours by name, yet the info line is wrong: in shared memory a VF
		 * can write over the PF's lines. A reset makes the PF publish
		 * them again (doc/mailbox.md 4.2); no PF, no answer: refused.
		 */
		BCNIC_LOG(NOTICE, "/dev/shm%s: info line invalid, asking the PF to re-publish it",
			  path);
		if (bcmbox_window_repair(map->base, map->size, REPAIR_TIMEOUT_NS) == 0)
			rc = bcmbox_window_map(&w, map->base, map->size);
	}
	switch (rc) {
	case 0:
		break;
	case -ENODEV:
		BCNIC_LOG_AT(lvl, "/dev/shm%s has no bcnic magic (0x%08x)", path, w.info.magic);
		goto fail;
	case -EPROTONOSUPPORT:
		BCNIC_LOG_AT(lvl, "/dev/shm%s has layout version %u, this driver speaks %u", path,
			  w.info.layout_version, BCMBOX_LAYOUT_VERSION);
		goto fail;
	default:
		BCNIC_LOG_AT(lvl, "/dev/shm%s: inconsistent window geometry", path);
		goto fail;
	}
	if (w.info.vf_index != vf) {
		BCNIC_LOG_AT(lvl, "/dev/shm%s says it is VF %u's window", path, w.info.vf_index);
		rc = -EINVAL;
		goto fail;
	}
	return 0;
fail:
	bcnic_window_unmap(map);
	return rc;
}
