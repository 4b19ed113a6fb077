/* SPDX-License-Identifier: BSD-3-Clause */
/* bcnic PMD internals shared by the PF and VF sides. */
#ifndef BCNIC_H
#define BCNIC_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_common.h>
#include <rte_ethdev.h>
#include <rte_ether.h>
#include <rte_log.h>
#include <rte_mbuf.h>

#include "bcmbox.h"

struct rte_eth_dev;

extern int bcnic_logtype;
extern int bcnic_logtype_mbox;

#define BCNIC_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, bcnic_logtype, "bcnic: " fmt "\n", ##__VA_ARGS__)
#define BCNIC_LOG_AT(lvl, fmt, ...) \
	rte_log(lvl, bcnic_logtype, "bcnic: " fmt "\n", ##__VA_ARGS__)
#define BCNIC_MBOX_LOG(level, fmt, ...) \
	rte_log(RTE_LOG_##level, bcnic_logtype_mbox, "bcnic.mbox: " fmt "\n", ##__VA_ARGS__)

#define BCNIC_DEV_NAME_MAX	BCMBOX_DEV_NAME_MAX	/* dev=<name> */
#define BCNIC_MAX_QUEUES	4	/* Rx and Tx queues per port */
#define BCNIC_DEFAULT_RING	256
#define BCNIC_DEFAULT_EVT_RING	64
/*
 * Frames: the data path carries at most BCMBOX_PKT_MAX_LEN bytes (no CRC);
 * a function at MTU m receives frames of up to m + BCNIC_MTU_OVERHEAD
 * (Ethernet header and one VLAN tag), so the largest MTU is the rest.
 */
#define BCNIC_MAX_RX_PKTLEN	BCMBOX_PKT_MAX_LEN
#define BCNIC_MTU_OVERHEAD	(RTE_ETHER_HDR_LEN + RTE_VLAN_HLEN)
#define BCNIC_MAX_MTU		(BCNIC_MAX_RX_PKTLEN - BCNIC_MTU_OVERHEAD)

/* ---- registration (bcnic_register.c): one active copy of the driver per process ---- */

struct rte_vdev_driver;
struct rte_vdev_device;
struct rte_pci_driver;
extern struct rte_vdev_driver bcnic_pf_driver;	/* bcnic_pf.c */
extern struct rte_vdev_driver bcnic_vf_driver;	/* bcnic_vf.c */
extern struct rte_pci_driver bcnic_vf_pci_driver;	/* bcnic_pci.c */
void bcnic_telemetry_register(void);		/* bcnic_pf_telemetry.c */

/* ---- transport seam: everything above sees a mapped window ---- */

/* One mapped VF window (shm object today, a PCI BAR later). */
struct bcnic_window_map {
	void *base;
	size_t size;
	int fd;				/* shm object, flock()ed; -1 if none */
	int guard;			/* truncation guard slot, -1 if none */
	bool borrowed;			/* mapped by someone else (a PCI BAR): never unmapped here */
};

/* The PF's view of an emulated device: its header and every window. */
struct bcnic_shm_device {
	char name[BCNIC_DEV_NAME_MAX + 1];
	int pf_fd;			/* PF object, held with an exclusive flock */
	struct bcmbox_dev_hdr *hdr;
	uint16_t num_vfs;
	struct bcnic_window_map win[];
};

int bcnic_shm_device_create(const char *name, uint16_t num_vfs,
			    const struct bcmbox_window_cfg *cfg, struct bcnic_shm_device **out);
void bcnic_shm_device_destroy(struct bcnic_shm_device *d);
/* A VF's window by device name; quiet: errors logged at debug level only. */
int bcnic_shm_window_open(const char *name, unsigned int vf, struct bcnic_window_map *map,
			  bool quiet);
void bcnic_window_unmap(struct bcnic_window_map *map);
/* The object under the window was truncated (SIGBUS caught): zeros are mapped there now. */
bool bcnic_window_broken(const struct bcnic_window_map *map);
/* 1: the PF process behind the window lives, 0: it is gone, -ENOTSUP: cannot tell. */
int bcnic_window_pf_alive(const struct bcnic_window_map *map);
/* Map the object back, grown to its size again. */
int bcnic_window_restore(struct bcnic_window_map *map);
/*
 * A PF in this process registers a hook that runs its poller once (NULL:
 * unregister). bcnic_shm_assist() runs the hook of device name if its PF
 * lives here: false when it does not.
 */
void bcnic_shm_set_assist(struct bcnic_shm_device *d, void (*assist)(void *arg), void *arg);
bool bcnic_shm_assist(const char *name);
/* shm object names: bcmbox_shm_name() (lib/bcmbox), for the driver, tests and tools alike. */

/* The VF port: bcnic_vf.h. */
size_t bcnic_vf_priv_size(void);

/* ---- devargs ---- */

/*
 * A driver's devargs, once: an X-macro list of rows
 *   X(key, TYPE, field, lo, hi, def, words)
 * with the key a macro of the driver, TYPE one of enum bcnic_devarg_type
 * without its prefix, lo/hi plain literals or macros of literals (the
 * param string shows them), words a "a|b|c" literal. BCNIC_DEVARG_ROW
 * makes of a row an entry of the table bcnic_devargs_parse() takes (valid
 * keys, validation naming key and value, parsing, defaults),
 * BCNIC_DEVARG_PARAM its part of RTE_PMD_REGISTER_PARAM_STRING.
 */
enum bcnic_devarg_type {
	BCNIC_DEVARG_UINT,	/* unsigned int in lo..hi */
	BCNIC_DEVARG_POW2,	/* unsigned int, a power of two in lo..hi */
	BCNIC_DEVARG_POW2_OFF,	/* the same, or 0: the feature is off */
	BCNIC_DEVARG_DEV,	/* char[BCNIC_DEV_NAME_MAX + 1], always required */
	BCNIC_DEVARG_WORD,	/* unsigned int: the index of the value in words */
	BCNIC_DEVARG_FLAG,	/* bool: words is "off-word|on-word" */
	BCNIC_DEVARG_REQ_UINT,	/* UINT without a default: must be given */
	BCNIC_DEVARG_SET,	/* uint64_t[4]: a set of 0..hi, "all", "n", "n-m", "[a,b-c]" */
};
#define BCNIC_DEVARG_SET_WORDS	4	/* uint64_t words of a SET: 0..255 */
struct bcnic_devarg {
	const char *key;
	enum bcnic_devarg_type type;
	size_t off;			/* of the field in the options struct */
	unsigned int lo, hi;		/* UINT, POW2; SET: hi only */
	unsigned int def;		/* default of all but DEV, REQ_UINT and SET (empty) */
	const char *words;		/* WORD, FLAG: "a|b|c"; SET: the param string's text */
};
#define BCNIC_DEVARG_ROW(opts, key, type, field, lo, hi, def, words) \
	{ key, BCNIC_DEVARG_##type, offsetof(opts, field), lo, hi, def, words },

#define BCNIC_DEVARG_PARAM_UINT(lo, hi, w)	"=<" RTE_STR(lo) "-" RTE_STR(hi) "> "
#define BCNIC_DEVARG_PARAM_REQ_UINT		BCNIC_DEVARG_PARAM_UINT
#define BCNIC_DEVARG_PARAM_POW2			BCNIC_DEVARG_PARAM_UINT
#define BCNIC_DEVARG_PARAM_POW2_OFF(lo, hi, w)	"=<0|" RTE_STR(lo) "-" RTE_STR(hi) "> "
#define BCNIC_DEVARG_PARAM_DEV(lo, hi, w)	"=<name> "
#define BCNIC_DEVARG_PARAM_WORD(lo, hi, w)	"=" w " "
#define BCNIC_DEVARG_PARAM_SET			BCNIC_DEVARG_PARAM_WORD
#define BCNIC_DEVARG_PARAM_FLAG			BCNIC_DEVARG_PARAM_WORD
#define BCNIC_DEVARG_PARAM(key, type, field, lo, hi, def, words) \
	key BCNIC_DEVARG_PARAM_##type(lo, hi, words)

#define BCNIC_DEVARGS_MAX 16
/* Parse args by table t[n] into opts (defaults first). 0 or -EINVAL (logged). */
int bcnic_devargs_parse(const char *drv, const char *args, const struct bcnic_devarg *t,
			unsigned int n, void *opts);
/* Only the defaults of table t[n] into opts (a port set up without devargs). */
void bcnic_devargs_defaults(const struct bcnic_devarg *t, unsigned int n, void *opts);

/* ---- ethdev glue common to both sides ---- */

struct bcnic_queue_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t errors;
};

struct bcnic_rxq {
	struct rte_mempool *mp;
	struct rte_ring *ring;		/* PF port: frames the switch delivers */
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t nb_desc;		/* the queue's depth (rxq_info) */
	struct rte_eth_rxconf conf;	/* as set up (rxq_info) */
	struct bcnic_queue_stats st;
};

/*
 * A frame copied out of a packet buffer into an mbuf chain from mp, for
 * port. NULL when mp ran dry (nothing is held then): the caller counts it.
 * Inline: both Rx paths (the switch to the PF port, a VF's rx_burst) run it per frame.
 */
static inline struct rte_mbuf *
bcnic_mbuf_from_frame(struct rte_mempool *mp, const uint8_t *data, uint32_t len, uint16_t port)
{
	struct rte_mbuf *head = NULL, *tail = NULL;
	uint32_t off = 0;

	do {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);
		uint32_t c;

		if (m == NULL) {
			rte_pktmbuf_free(head);
			return NULL;
		}
		c = RTE_MIN(len - off, (uint32_t)rte_pktmbuf_tailroom(m));
		memcpy(rte_pktmbuf_mtod(m, uint8_t *), data + off, c);
		m->data_len = (uint16_t)c;
		off += c;
		if (head == NULL) {
			head = m;
		} else {
			tail->next = m;
			head->nb_segs++;
		}
		tail = m;
	} while (off < len);
	head->pkt_len = len;
	head->port = port;
	return head;
}

struct bcnic_txq {
	struct rte_ring *ring;		/* PF port: frames for the switch */
	uint16_t port_id;
	uint16_t queue_id;
	uint16_t nb_desc;		/* the queue's depth (txq_info) */
	struct rte_eth_txconf conf;	/* as set up (txq_info) */
	struct bcnic_queue_stats st;
};

/* Fields both private structures start with, so the common ops work on either. */
struct bcnic_port {
	bool is_pf;
	uint16_t max_queues;		/* Rx and Tx queues the port really has */
	uint16_t desc_min, desc_max;	/* ring sizes queue setup accepts */
	uint16_t desc_default;		/* the ring size dev_info suggests */
	uint16_t max_mac_addrs;		/* unicast MACs the port answers to; 0: 1 */
	uint16_t port_id;
	struct rte_ether_addr mac;
	struct bcnic_rxq rxq[BCNIC_MAX_QUEUES];
	struct bcnic_txq txq[BCNIC_MAX_QUEUES];
};

void bcnic_default_mac(struct rte_ether_addr *mac, const char *dev, unsigned int function);
void bcnic_ethdev_init(struct rte_eth_dev *eth_dev, struct bcnic_port *port);
/* Bus remove of any bcnic port (vdev or PCI) by device name. */
int bcnic_port_remove(const char *dev_name);
/* The same as the .remove of both vdev drivers. */
int bcnic_vdev_remove(struct rte_vdev_device *vdev);

/* Common ops the PF and VF op tables share. */
int bcnic_dev_configure(struct rte_eth_dev *dev);
int bcnic_dev_infos_get(struct rte_eth_dev *dev, struct rte_eth_dev_info *info);
int bcnic_dev_start(struct rte_eth_dev *dev);
int bcnic_dev_stop(struct rte_eth_dev *dev);
int bcnic_rx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			 unsigned int socket, const struct rte_eth_rxconf *conf,
			 struct rte_mempool *mp);
int bcnic_tx_queue_setup(struct rte_eth_dev *dev, uint16_t qid, uint16_t nb_desc,
			 unsigned int socket, const struct rte_eth_txconf *conf);
int bcnic_link_update(struct rte_eth_dev *dev, int wait);
int bcnic_stats_get(struct rte_eth_dev *dev, struct rte_eth_stats *st);
int bcnic_stats_reset(struct rte_eth_dev *dev);
void bcnic_rxq_info_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_rxq_info *qi);
void bcnic_txq_info_get(struct rte_eth_dev *dev, uint16_t qid, struct rte_eth_txq_info *qi);

#endif /* BCNIC_H */
