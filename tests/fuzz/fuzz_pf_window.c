/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the PF's whole per-VF request path (copy, decode,
 * validate, policy event, block store, responses, events) driven by what a
 * VF can write into its window. A real net_bcnic_pf port (poller=app) is
 * polled after each input is laid into VF 0's window.
 *
 * Input: ctrl (u32), resp_cons (u32), evt_cons (u32), then the
 * fuzz_common.h ring layout (start and epoch words ignored; bits 8..15 of
 * ctrl: how many slots, 0: all that fit). ctrl bits:
 *   0: HELLO first (a real session)   1: patch every message's epoch to it
 *   2: write resp_cons                3: write evt_cons
 *   4: bump reset_req (after the input) 5: a control sweep amid the polls, then a reset
 *   6: the bytes after the slots become packet buffers in the data Tx ring
 *      (each: control byte, u16 len, u16 flags, then up to 64 data bytes)
 *   7: then 65 bytes overwrite a PF-owned line (the first picks which): the
 *      next input's reset must give the window back whole
 *   16: VF 0 is trusted for this input (may turn promiscuous on); else trust is
 *      revoked first, which turns a promiscuous mode of the last input off
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ethdev_driver.h>
#include <rte_cycles.h>
#include <rte_dev.h>
#include <rte_eal.h>
#include <rte_ethdev.h>

#include "bcmbox.h"
#include "bcnic_pf.h"
#include "fuzz_common.h"
#include "rte_pmd_bcnic.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char dev[32];
static int pf = -1;
static struct bcmbox_window w;
static uint32_t reset_gen;

static int
policy(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	struct rte_pmd_bcnic_mb_event_param *p = ret;

	(void)port;
	(void)arg;
	if (type == RTE_ETH_EVENT_VF_MBOX && p->length > 0 && ((const uint8_t *)p->data)[0] == 0xff)
		p->retval = RTE_PMD_BCNIC_MB_EVENT_REJECT;
	return 0;
}

static void
teardown(void)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s", rte_eal_get_runtime_dir());
	rte_eal_hotplug_remove("vdev", "net_bcnic_pf_fz");
	rte_eal_cleanup();
	rmdir(dir);	/* empty: --no-shconf */
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *eal[] = { "fuzz", "--no-huge", "-m", "128", "--no-pci", "--no-shconf",
			"--file-prefix=bcnic-fuzz", "--no-telemetry", "-l", "0",
			"--log-level=*:error", NULL };
	struct rte_pmd_bcnic_block_def defs[] = {
		{ 0x1, 64, RTE_PMD_BCNIC_SCOPE_PER_VF, RTE_PMD_BCNIC_ACCESS_RW },
		{ 0x2, 4096, RTE_PMD_BCNIC_SCOPE_SHARED, RTE_PMD_BCNIC_ACCESS_RO },
		{ 0x3, 65536, RTE_PMD_BCNIC_SCOPE_PER_VF, RTE_PMD_BCNIC_ACCESS_RW },
		{ 0x4, 16, RTE_PMD_BCNIC_SCOPE_PER_VF, RTE_PMD_BCNIC_ACCESS_NONE },
		{ 0x5, 100, RTE_PMD_BCNIC_SCOPE_SHARED, RTE_PMD_BCNIC_ACCESS_RW },
	};
	char args[128], path[64];
	uint16_t port;
	size_t size;
	void *base;

	(void)argc;
	(void)argv;
	if (rte_eal_init(RTE_DIM(eal) - 1, eal) < 0)
		abort();
	snprintf(dev, sizeof(dev), "fz%d", getpid());
	snprintf(args, sizeof(args), "net_bcnic_pf_fz,dev=%s,vfs=2,poller=app,evt_ring_size=16", dev);
	if (rte_dev_probe(args) != 0 || rte_eth_dev_get_port_by_name("net_bcnic_pf_fz", &port) != 0)
		abort();
	pf = port;
	for (unsigned int i = 0; i < RTE_DIM(defs); i++)
		if (rte_pmd_bcnic_pf_block_define(pf, &defs[i]) != 0)
			abort();
	rte_eth_dev_callback_register(pf, RTE_ETH_EVENT_VF_MBOX, policy, NULL);
	if (bcmbox_shm_map(dev, 0, &base, &size) != 0 || bcmbox_window_map(&w, base, size) != 0)
		abort();
	/*
	 * Nothing opens them by name from here on (the PF keeps its descriptors):
	 * unlinked now, a crash (the fuzzer's whole point) leaves nothing in /dev/shm.
	 */
	for (unsigned int i = 0; i < 3; i++) {
		if (i == 0)
			bcmbox_shm_name(path, sizeof(path), dev, BCMBOX_SHM_PF);
		else
			bcmbox_shm_name(path, sizeof(path), dev, (int)i - 1);
		shm_unlink(path);
	}
	atexit(teardown);
	return 0;
}

/* The next round runs the PF's control sweep (resets, heartbeat) whatever the clock says. */
static void
sweep_next_round(void)
{
	struct bcnic_pf *p = rte_eth_devices[pf].data->dev_private;

	p->next_sweep = 0;	/* this thread is the poller: a plain store */
}

/*
 * The reset handshake, as a VF does it: the PF clears the rings and acks
 * in its next sweep. The verdict counts rounds, not time: a descheduled
 * fuzzer (seen: one round of 1.1 s wall clock, 4 ms CPU) is not a PF bug.
 */
static void
reset_window(void)
{
	reset_gen = __atomic_load_n(&w.vf_ctrl->reset_req, __ATOMIC_RELAXED) + 1;
	/* Never 0, never what reset_ack holds already (junk there: doc/mailbox.md 4.2). */
	while (reset_gen == 0 || reset_gen == __atomic_load_n(&w.pf->reset_ack, __ATOMIC_ACQUIRE))
		reset_gen++;
	__atomic_store_n(&w.vf_ctrl->reset_req, reset_gen, __ATOMIC_RELEASE);
	sweep_next_round();
	rte_pmd_bcnic_pf_poll(pf);
	if (__atomic_load_n(&w.pf->reset_ack, __ATOMIC_ACQUIRE) != reset_gen) {
		fprintf(stderr, "reset %u not served: reset_req %u reset_ack %u\n", reset_gen,
			__atomic_load_n(&w.vf_ctrl->reset_req, __ATOMIC_ACQUIRE),
			__atomic_load_n(&w.pf->reset_ack, __ATOMIC_ACQUIRE));
		abort();	/* the PF ignored a reset in its sweep: a real bug */
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t ctrl = 0, resp_cons = 0, evt_cons = 0, epoch = 0, pos;
	size_t used = 12 + 8;

	if (size >= 12) {
		memcpy(&ctrl, data, 4);
		memcpy(&resp_cons, data + 4, 4);
		memcpy(&evt_cons, data + 8, 4);
	}
	/* Between polls, as an application thread would. */
	if (rte_pmd_bcnic_pf_vf_trust_set(pf, 0, (ctrl >> 16) & 1) != 0)
		abort();
	reset_window();	/* every input starts from a clean window */
	/* ... with the PF-owned lines it published, whatever the last input wrote there. */
	if (memcmp(w.base, &w.info, sizeof(w.info)) != 0 ||
	    __atomic_load_n(&w.pf->vf_state, __ATOMIC_ACQUIRE) != BCMBOX_VF_HELLO ||
	    __atomic_load_n(&w.pf->pf_epoch, __ATOMIC_ACQUIRE) == 0 ||
	    __atomic_load_n(&w.req_cons->pos, __ATOMIC_ACQUIRE) != 0)
		abort();
	pos = 0;
	if (ctrl & 1) {
		struct bcmbox_ring r;
		struct bcmbox_hello_req hello = { 1, 1, BCMBOX_CAP_EVENTS };
		struct bcmbox_msg_hdr h = { .type = BCMBOX_MSG_HELLO, .length = sizeof(hello) };

		bcmbox_ring_init(&r, w.req, w.info.req_slots, &w.req_cons->pos);
		bcmbox_ring_send(&r, &h, &hello);
		rte_pmd_bcnic_pf_poll(pf);
		epoch = __atomic_load_n(&w.pf->vf_epoch, __ATOMIC_ACQUIRE);
		pos = 1;
		/* Read the HELLO answer, as a VF would. */
		__atomic_store_n(&w.vf->resp_cons, 1, __ATOMIC_RELEASE);
	}
	/* Lay the input's slots where the PF reads next (ctrl bits 8..15: how many, 0: all that fit). */
	uint32_t max_slots = (ctrl >> 8 & 0xff) ? (ctrl >> 8 & 0xff) : w.info.req_slots;

	for (uint32_t i = 0; i < max_slots && used + FUZZ_SLOT_BYTES <= size; i++) {
		struct bcmbox_slot *s = &w.req[(pos + i) & (w.info.req_slots - 1)];
		const uint8_t *in = data + used;

		memcpy(s->data, in + 1, BCMBOX_SLOT_DATA);
		if ((ctrl & 2) && in[0] == 0) {
			struct bcmbox_msg_hdr h;

			memcpy(&h, s->data, sizeof(h));
			if (h.type != BCMBOX_MSG_HELLO) {
				h.epoch = epoch;
				memcpy(s->data, &h, sizeof(h));
			}
		}
		__atomic_store_n(&s->seq, pos + i + 1 + in[0], __ATOMIC_RELEASE);
		used += FUZZ_SLOT_BYTES;
	}
	if ((ctrl & 64) && w.tx != NULL) {
		/* Frames the switch must survive, laid where it reads next. */
		uint32_t tpos = __atomic_load_n(&w.tx_cons->pos, __ATOMIC_ACQUIRE);

		for (uint32_t i = 0; i < 16 && used + 69 <= size; i++) {
			struct bcmbox_pkt_buf *b = &w.tx[(tpos + i) & (w.info.data_slots - 1)];
			const uint8_t *in = data + used;

			memcpy(&b->len, in + 1, 2);
			memcpy(&b->flags, in + 3, 2);
			memcpy(b->data, in + 5, 64);
			__atomic_store_n(&b->seq, tpos + i + 1 + in[0], __ATOMIC_RELEASE);
			used += 69;
		}
	}
	if ((ctrl & 128) && used + 65 <= size) {
		static const uint32_t lines[] = { BCMBOX_WIN_INFO_OFF, BCMBOX_WIN_PF_OFF,
						  BCMBOX_WIN_REQ_CONS_OFF, BCMBOX_WIN_HEARTBEAT_OFF,
						  BCMBOX_WIN_TX_CONS_OFF };

		memcpy(w.base + lines[data[used] % RTE_DIM(lines)], data + used + 1, 64);
		used += 65;
	}
	if (ctrl & 4)
		__atomic_store_n(&w.vf->resp_cons, resp_cons, __ATOMIC_RELEASE);
	if (ctrl & 8)
		__atomic_store_n(&w.vf->evt_cons, evt_cons, __ATOMIC_RELEASE);
	if (ctrl & 16)
		__atomic_fetch_add(&w.vf_ctrl->reset_req, 1, __ATOMIC_RELEASE);
	for (int i = 0; i < 8; i++) {
		if ((ctrl & 32) && i == 4)
			sweep_next_round();	/* a sweep amid the input's requests */
		rte_pmd_bcnic_pf_poll(pf);
	}
	if (ctrl & 32)
		reset_window();
	/* The PF still answers a well-formed VF. */
	if (ctrl & 1) {
		struct rte_pmd_bcnic_vf_info info;

		if (rte_pmd_bcnic_pf_vf_info_get(pf, 0, &info) != 0)
			abort();
	}
	return 0;
}
