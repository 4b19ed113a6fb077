/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PF side: the net_bcnic_pf vdev. Creates the emulated device (the PF
 * object and one window per VF) and exposes the PF port.
 */
#include <errno.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_kvargs.h>

#include "bcnic.h"

#define PF_DRV "net_bcnic_pf"

struct bcnic_pf {
	struct bcnic_port port;		/* first: the common ops use it */
	char dev_name[BCNIC_DEV_NAME_MAX + 1];
	struct bcmbox_window_cfg cfg;
	struct bcnic_shm_device *shm;
};

static int
bcnic_pf_close(struct rte_eth_dev *dev)
{
	struct bcnic_pf *pf = dev->data->dev_private;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	BCNIC_LOG(INFO, "PF port %u: closing device %s", dev->data->port_id, pf->dev_name);
	bcnic_shm_device_destroy(pf->shm);
	pf->shm = NULL;
	dev->data->mac_addrs = NULL;	/* part of dev_private */
	return 0;
}

static const struct eth_dev_ops bcnic_pf_ops = {
	.dev_configure = bcnic_dev_configure,
	.dev_infos_get = bcnic_dev_infos_get,
	.dev_start = bcnic_dev_start,
	.dev_stop = bcnic_dev_stop,
	.dev_close = bcnic_pf_close,
	.rx_queue_setup = bcnic_rx_queue_setup,
	.tx_queue_setup = bcnic_tx_queue_setup,
	.link_update = bcnic_link_update,
	.stats_get = bcnic_stats_get,
	.stats_reset = bcnic_stats_reset,
	.promiscuous_enable = bcnic_promisc_noop,
	.promiscuous_disable = bcnic_promisc_noop,
	.allmulticast_enable = bcnic_promisc_noop,
	.allmulticast_disable = bcnic_promisc_noop,
};

static const char *const pf_valid_args[] = { "dev", "vfs", "ring_size", "evt_ring_size", NULL };

static int
bcnic_pf_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	char dev_name[BCNIC_DEV_NAME_MAX + 1];
	struct bcmbox_window_cfg cfg = {
		.req_slots = BCNIC_DEFAULT_RING,
		.resp_slots = BCNIC_DEFAULT_RING,
		.evt_slots = BCNIC_DEFAULT_EVT_RING,
	};
	unsigned int vfs = 1, ring = BCNIC_DEFAULT_RING, evt = BCNIC_DEFAULT_EVT_RING;
	struct bcnic_shm_device *shm = NULL;
	struct rte_eth_dev *eth_dev;
	struct rte_kvargs *kv;
	struct bcnic_pf *pf;
	int rc;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		BCNIC_LOG(ERR, "%s: secondary processes are not supported yet; run the PF in a primary",
			  name);
		return -ENOTSUP;
	}
	rc = bcnic_kvargs_parse(PF_DRV, rte_vdev_device_args(vdev), pf_valid_args, &kv);
	if (rc != 0)
		return rc;
	rc = bcnic_kvarg_dev(kv, dev_name);
	if (rc == 0 && bcnic_kvarg_uint(kv, "vfs", 1, BCMBOX_MAX_VFS, false, &vfs) < 0)
		rc = -EINVAL;
	if (rc == 0 &&
	    bcnic_kvarg_uint(kv, "ring_size", BCMBOX_RING_MIN, BCMBOX_RING_MAX, true, &ring) < 0)
		rc = -EINVAL;
	if (rc == 0 && bcnic_kvarg_uint(kv, "evt_ring_size", BCMBOX_EVT_RING_MIN,
					BCMBOX_EVT_RING_MAX, true, &evt) < 0)
		rc = -EINVAL;
	rte_kvargs_free(kv);
	if (rc != 0)
		return rc;
	cfg.req_slots = ring;
	cfg.resp_slots = ring;
	cfg.evt_slots = evt;

	rc = bcnic_shm_device_create(dev_name, (uint16_t)vfs, &cfg, &shm);
	if (rc != 0) {
		BCNIC_LOG(ERR, "%s: cannot create device %s: %s", name, dev_name, strerror(-rc));
		return rc;
	}
	eth_dev = rte_eth_vdev_allocate(vdev, sizeof(*pf));
	if (eth_dev == NULL) {
		bcnic_shm_device_destroy(shm);
		return -ENOMEM;
	}
	pf = eth_dev->data->dev_private;
	pf->port.is_pf = true;
	strcpy(pf->dev_name, dev_name);
	pf->cfg = cfg;
	pf->shm = shm;
	bcnic_default_mac(&pf->port.mac, dev_name, 0);
	bcnic_ethdev_init(eth_dev, &pf->port);
	eth_dev->dev_ops = &bcnic_pf_ops;
	rte_eth_dev_probing_finish(eth_dev);
	BCNIC_LOG(INFO, "%s: port %u is the PF of device %s with %u VF(s), rings %u/%u/%u slots",
		  name, eth_dev->data->port_id, dev_name, vfs, ring, ring, evt);
	return 0;
}

static int
bcnic_pf_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *eth_dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	if (eth_dev == NULL)
		return 0;
	return rte_eth_dev_close(eth_dev->data->port_id);
}

static struct rte_vdev_driver bcnic_pf_driver = {
	.probe = bcnic_pf_probe,
	.remove = bcnic_pf_remove,
};

RTE_PMD_REGISTER_VDEV(net_bcnic_pf, bcnic_pf_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_bcnic_pf,
	"dev=<name> "
	"vfs=<1-256> "
	"ring_size=<128-4096> "
	"evt_ring_size=<16-1024>");
