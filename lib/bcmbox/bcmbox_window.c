/* SPDX-License-Identifier: BSD-3-Clause */
/* VF window layout: formatting (PF) and validated mapping (both sides). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bcmbox.h"

static bool
pow2_in(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v >= lo && v <= hi && bcmbox_is_pow2(v);
}

int
bcmbox_window_cfg_check(const struct bcmbox_window_cfg *cfg)
{
	if (!pow2_in(cfg->req_slots, BCMBOX_RING_MIN, BCMBOX_RING_MAX) ||
	    !pow2_in(cfg->resp_slots, BCMBOX_RING_MIN, BCMBOX_RING_MAX) ||
	    !pow2_in(cfg->evt_slots, BCMBOX_EVT_RING_MIN, BCMBOX_EVT_RING_MAX) ||
	    (cfg->data_slots != 0 &&
	     !pow2_in(cfg->data_slots, BCMBOX_DATA_RING_MIN, BCMBOX_DATA_RING_MAX)))
		return -EINVAL;
	return 0;
}

/* The data rings start at the first 4 KiB boundary after the mailbox rings. */
static uint32_t
data_offset(const struct bcmbox_window_cfg *cfg)
{
	uint32_t end = BCMBOX_WIN_RINGS_OFF + BCMBOX_RING_COLORS * BCMBOX_SLOT_SIZE +
		(cfg->req_slots + cfg->resp_slots + cfg->evt_slots) * BCMBOX_SLOT_SIZE;

	return (end + 4095u) & ~4095u;
}

/* Room for the rings of any VF, whatever its color. */
static uint32_t
rings_end(const struct bcmbox_window_cfg *cfg)
{
	return BCMBOX_WIN_RINGS_OFF + BCMBOX_RING_COLORS * BCMBOX_SLOT_SIZE +
		(cfg->req_slots + cfg->resp_slots + cfg->evt_slots) * BCMBOX_SLOT_SIZE;
}

uint32_t
bcmbox_window_size(const struct bcmbox_window_cfg *cfg)
{
	uint32_t need = cfg->data_slots == 0 ? rings_end(cfg) :
		data_offset(cfg) + 2 * cfg->data_slots * BCMBOX_PKT_BUF_SIZE;
	uint32_t size = 4096;

	while (size < need)
		size <<= 1;
	return size;
}

int
bcmbox_window_format(void *base, size_t size, uint16_t vf_index, uint16_t num_vfs,
		     const struct bcmbox_window_cfg *cfg)
{
	struct bcmbox_win_info *info = base;
	struct bcmbox_win_info tmp;

	if (base == NULL || bcmbox_window_cfg_check(cfg) != 0 ||
	    size < bcmbox_window_size(cfg) || size > UINT32_MAX || vf_index >= num_vfs ||
	    num_vfs > BCMBOX_MAX_VFS)
		return -EINVAL;
	/*
	 * Magic goes last: a VF that sees it sees a complete layout. The data
	 * rings must be zero already (a freshly sized object is): clearing
	 * megabytes of buffers here would only cost memory.
	 */
	/*
	 * Magic 0 goes out before any line is cleared: the release fence
	 * orders this relaxed store before the memset's stores, so a VF that
	 * maps the window meanwhile finds no magic rather than a half-cleared
	 * layout under the old one (doc/mailbox.md section 7, re-published lines).
	 */
	__atomic_store_n(&info->magic, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memset((uint8_t *)base + sizeof(info->magic), 0, rings_end(cfg) - sizeof(info->magic));
	memset(&tmp, 0, sizeof(tmp));
	tmp.layout_version = BCMBOX_LAYOUT_VERSION;
	tmp.vf_index = vf_index;
	tmp.num_vfs = num_vfs;
	tmp.slot_size = BCMBOX_SLOT_SIZE;
	tmp.window_size = (uint32_t)size;
	tmp.req_offset = BCMBOX_REQ_OFFSET(vf_index);
	tmp.req_slots = cfg->req_slots;
	tmp.resp_offset = tmp.req_offset + cfg->req_slots * BCMBOX_SLOT_SIZE;
	tmp.resp_slots = cfg->resp_slots;
	tmp.evt_offset = tmp.resp_offset + cfg->resp_slots * BCMBOX_SLOT_SIZE;
	tmp.evt_slots = cfg->evt_slots;
	tmp.max_xfer = BCMBOX_MAX_XFER;
	tmp.max_block_size = BCMBOX_MAX_BLOCK_SIZE;
	if (cfg->data_slots != 0) {
		tmp.data_offset = data_offset(cfg);
		tmp.data_slots = cfg->data_slots;
		tmp.data_buf_size = BCMBOX_PKT_BUF_SIZE;
	}
	memcpy((uint8_t *)info + sizeof(info->magic), (uint8_t *)&tmp + sizeof(tmp.magic),
	       sizeof(tmp) - sizeof(tmp.magic));
	/* store-release pairs with the VF's load-acquire of magic in bcmbox_window_map() */
	__atomic_store_n(&info->magic, BCMBOX_MAGIC, __ATOMIC_RELEASE);
	return 0;
}

int
bcmbox_window_map(struct bcmbox_window *w, void *base, size_t size)
{
	struct bcmbox_win_info *info = &w->info;
	struct bcmbox_window_cfg cfg;
	uint8_t *b = base;

	if (base == NULL || size < BCMBOX_WIN_RINGS_OFF)
		return -EINVAL;
	/*
	 * load-acquire synchronizes with the PF's store-release of magic in
	 * bcmbox_window_init() (and its re-publication): the layout is written.
	 */
	info->magic = __atomic_load_n(&((struct bcmbox_win_info *)base)->magic, __ATOMIC_ACQUIRE);
	if (info->magic != BCMBOX_MAGIC)
		return -ENODEV;
	memcpy((uint8_t *)info + sizeof(info->magic), b + sizeof(info->magic),
	       sizeof(*info) - sizeof(info->magic));
	if (info->layout_version != BCMBOX_LAYOUT_VERSION)
		return -EPROTONOSUPPORT;
	cfg.req_slots = info->req_slots;
	cfg.resp_slots = info->resp_slots;
	cfg.evt_slots = info->evt_slots;
	cfg.data_slots = info->data_slots;
	if (bcmbox_window_cfg_check(&cfg) != 0 || info->slot_size != BCMBOX_SLOT_SIZE ||
	    info->window_size > size || info->window_size < bcmbox_window_size(&cfg) ||
	    info->num_vfs == 0 || info->num_vfs > BCMBOX_MAX_VFS ||
	    info->vf_index >= info->num_vfs ||
	    info->req_offset != BCMBOX_REQ_OFFSET(info->vf_index) ||
	    info->resp_offset != info->req_offset + cfg.req_slots * BCMBOX_SLOT_SIZE ||
	    info->evt_offset != info->resp_offset + cfg.resp_slots * BCMBOX_SLOT_SIZE ||
	    info->max_xfer != BCMBOX_MAX_XFER || info->max_block_size != BCMBOX_MAX_BLOCK_SIZE ||
	    (info->data_slots != 0 && (info->data_buf_size != BCMBOX_PKT_BUF_SIZE ||
				       info->data_offset != data_offset(&cfg))) ||
	    (info->data_slots == 0 && (info->data_offset != 0 || info->data_buf_size != 0)) ||
	    info->reserved != 0)
		return -EINVAL;
	w->base = b;
	w->pf = (struct bcmbox_win_pf *)(b + BCMBOX_WIN_PF_OFF);
	w->req_cons = (struct bcmbox_win_req_cons *)(b + BCMBOX_WIN_REQ_CONS_OFF);
	w->heartbeat = (struct bcmbox_win_heartbeat *)(b + BCMBOX_WIN_HEARTBEAT_OFF);
	w->vf = (struct bcmbox_win_vf *)(b + BCMBOX_WIN_VF_OFF);
	w->vf_ctrl = (struct bcmbox_win_vf_ctrl *)(b + BCMBOX_WIN_VF_CTRL_OFF);
	w->req = (struct bcmbox_slot *)(b + info->req_offset);
	w->resp = (struct bcmbox_slot *)(b + info->resp_offset);
	w->evt = (struct bcmbox_slot *)(b + info->evt_offset);
	w->tx_cons = (struct bcmbox_win_tx_cons *)(b + BCMBOX_WIN_TX_CONS_OFF);
	w->rx_cons = (struct bcmbox_win_rx_cons *)(b + BCMBOX_WIN_RX_CONS_OFF);
	w->dp_stats = (struct bcmbox_win_dp_stats *)(b + BCMBOX_WIN_DP_STATS_OFF);
	w->tx = info->data_slots ? (struct bcmbox_pkt_buf *)(b + info->data_offset) : NULL;
	w->rx = info->data_slots ? w->tx + info->data_slots : NULL;
	return 0;
}

int
bcmbox_window_rings(const struct bcmbox_window *w, struct bcmbox_ring *req,
		    struct bcmbox_ring *resp, struct bcmbox_ring *evt)
{
	const struct bcmbox_win_info *i = &w->info;

	if (bcmbox_ring_init(req, w->req, i->req_slots, &w->req_cons->pos) != 0 ||
	    bcmbox_ring_init(resp, w->resp, i->resp_slots, &w->vf->resp_cons) != 0 ||
	    bcmbox_ring_init(evt, w->evt, i->evt_slots, &w->vf->evt_cons) != 0)
		return -EINVAL;
	return 0;
}

bool
bcmbox_dev_name_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > BCMBOX_DEV_NAME_MAX)
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return false;
	}
	return true;
}

int
bcmbox_shm_name(char *buf, size_t len, const char *dev, int fn)
{
	if (fn == BCMBOX_SHM_PF)
		return snprintf(buf, len, "/bcnic.%s.pf", dev);
	return snprintf(buf, len, "/bcnic.%s.vf%d", dev, fn);
}

int
bcmbox_shm_map(const char *dev, int fn, void **base, size_t *size)
{
	char path[BCMBOX_DEV_NAME_MAX + 32];
	struct stat st;
	void *p;
	int fd, rc = 0;

	bcmbox_shm_name(path, sizeof(path), dev, fn);
	fd = shm_open(path, O_RDWR, 0);
	if (fd < 0)
		return -errno;
	p = fstat(fd, &st) == 0 ? mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE,
				       MAP_SHARED, fd, 0) : MAP_FAILED;
	if (p == MAP_FAILED)
		rc = -errno;
	close(fd);	/* the mapping stays */
	if (rc != 0)
		return rc;
	*base = p;
	*size = (size_t)st.st_size;
	return 0;
}
