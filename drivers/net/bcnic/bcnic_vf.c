/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VF side: the net_bcnic_vf vdev. Maps its own window of the emulated
 * device, and nothing else, and exposes the VF port.
 */
#include <errno.h>
#include <string.h>

#include <bus_vdev_driver.h>
#include <ethdev_driver.h>
#include <ethdev_vdev.h>
#include <rte_kvargs.h>

#include "bcnic.h"

#define VF_DRV "net_bcnic_vf"

struct bcnic_vf {
	struct bcnic_port port;		/* first: the common ops use it */
	char dev_name[BCNIC_DEV_NAME_MAX + 1];
	unsigned int vf;
	struct bcnic_window_map map;
	struct bcmbox_window win;
};

static int
bcnic_vf_close(struct rte_eth_dev *dev)
{
	struct bcnic_vf *vf = dev->data->dev_private;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return 0;
	BCNIC_LOG(INFO, "VF port %u: detaching from VF %u of device %s", dev->data->port_id,
		  vf->vf, vf->dev_name);
	bcnic_window_unmap(&vf->map);
	dev->data->mac_addrs = NULL;	/* part of dev_private */
	return 0;
}

static const struct eth_dev_ops bcnic_vf_ops = {
	.dev_configure = bcnic_dev_configure,
	.dev_infos_get = bcnic_dev_infos_get,
	.dev_start = bcnic_dev_start,
	.dev_stop = bcnic_dev_stop,
	.dev_close = bcnic_vf_close,
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

static const char *const vf_valid_args[] = { "dev", "vf", NULL };

static int
bcnic_vf_probe(struct rte_vdev_device *vdev)
{
	const char *name = rte_vdev_device_name(vdev);
	char dev_name[BCNIC_DEV_NAME_MAX + 1];
	struct bcnic_window_map map;
	struct rte_eth_dev *eth_dev;
	struct rte_kvargs *kv;
	struct bcnic_vf *vf;
	unsigned int index = 0;
	int rc;

	if (rte_eal_process_type() != RTE_PROC_PRIMARY) {
		BCNIC_LOG(ERR, "%s: secondary processes are not supported yet; run the VF in a primary",
			  name);
		return -ENOTSUP;
	}
	rc = bcnic_kvargs_parse(VF_DRV, rte_vdev_device_args(vdev), vf_valid_args, &kv);
	if (rc != 0)
		return rc;
	rc = bcnic_kvarg_dev(kv, dev_name);
	if (rc == 0) {
		int set = bcnic_kvarg_uint(kv, "vf", 0, BCMBOX_MAX_VFS - 1, false, &index);

		if (set == 0)
			BCNIC_LOG(ERR, "%s: missing vf=<index>: which VF of device %s this port is",
				  name, dev_name);
		if (set <= 0)
			rc = -EINVAL;
	}
	rte_kvargs_free(kv);
	if (rc != 0)
		return rc;

	rc = bcnic_shm_window_open(dev_name, index, &map);
	if (rc != 0)
		return rc;
	eth_dev = rte_eth_vdev_allocate(vdev, sizeof(*vf));
	if (eth_dev == NULL) {
		bcnic_window_unmap(&map);
		return -ENOMEM;
	}
	vf = eth_dev->data->dev_private;
	strcpy(vf->dev_name, dev_name);
	vf->vf = index;
	vf->map = map;
	bcmbox_window_map(&vf->win, map.base, map.size);
	bcnic_default_mac(&vf->port.mac, dev_name, index + 1);
	bcnic_ethdev_init(eth_dev, &vf->port);
	eth_dev->dev_ops = &bcnic_vf_ops;
	rte_eth_dev_probing_finish(eth_dev);
	BCNIC_LOG(INFO, "%s: port %u is VF %u of device %s", name, eth_dev->data->port_id, index,
		  dev_name);
	return 0;
}

static int
bcnic_vf_remove(struct rte_vdev_device *vdev)
{
	struct rte_eth_dev *eth_dev = rte_eth_dev_allocated(rte_vdev_device_name(vdev));

	if (eth_dev == NULL)
		return 0;
	return rte_eth_dev_close(eth_dev->data->port_id);
}

static struct rte_vdev_driver bcnic_vf_driver = {
	.probe = bcnic_vf_probe,
	.remove = bcnic_vf_remove,
};

RTE_PMD_REGISTER_VDEV(net_bcnic_vf, bcnic_vf_driver);
RTE_PMD_REGISTER_PARAM_STRING(net_bcnic_vf,
	"dev=<name> "
	"vf=<0-255>");
