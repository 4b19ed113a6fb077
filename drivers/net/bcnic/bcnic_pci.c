/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pci transport: a VF whose window is a PCI BAR, bound to vfio-pci. The
 * same VF code as the shm transport runs on top (bcnic_vf_setup()).
 *
 * Where the window is: BAR 2, from offset 0 (the whole BAR is the window,
 * its size a power of two). bcnic has no silicon and no PCI ids of its own
 * yet: a vendor adds its VF's vendor/device id to bcnic_vf_pci_ids. QEMU's
 * ivshmem-plain device (1af4:1110), whose BAR 2 is a shared-memory object,
 * carries an emulated VF window into a VM; an ivshmem device is claimed
 * only when its BAR 2 starts with the bcnic magic and a layout version
 * this driver speaks, and declined (probe returns > 0) otherwise.
 */
#include <errno.h>
#include <string.h>

#include <bus_pci_driver.h>
#include <ethdev_driver.h>
#include <ethdev_pci.h>

#include "bcnic_vf.h"

#define BCNIC_PCI_WINDOW_BAR 2

static const struct rte_pci_id bcnic_vf_pci_ids[] = {
	{ RTE_PCI_DEVICE(0x1af4, 0x1110) },	/* QEMU ivshmem-plain, carrying a VF window */
	{ .vendor_id = 0 },
};

static int
bcnic_vf_pci_probe(struct rte_pci_driver *drv, struct rte_pci_device *pdev)
{
	struct rte_mem_resource *bar = &pdev->mem_resource[BCNIC_PCI_WINDOW_BAR];
	struct bcnic_window_map map = { .fd = -1, .guard = -1, .borrowed = true };
	struct bcnic_vf_opts opts;
	struct bcmbox_window w;
	struct rte_eth_dev *eth_dev;
	int rc;

	RTE_SET_USED(drv);
	if (rte_eal_process_type() != RTE_PROC_PRIMARY)
		return -ENOTSUP;
	if (bar->addr == NULL || bar->len < BCMBOX_WIN_RINGS_OFF) {
		BCNIC_LOG(INFO, "%s: no BAR %d large enough for a window: not a bcnic VF, declined",
			  pdev->device.name, BCNIC_PCI_WINDOW_BAR);
		return 1;
	}
	/* Reads the window's info line only (a copy), nothing is written. */
	rc = bcmbox_window_map(&w, bar->addr, bar->len);
	if (rc == -ENODEV) {
		BCNIC_LOG(INFO, "%s: BAR %d has no bcnic magic: not a bcnic VF, declined",
			  pdev->device.name, BCNIC_PCI_WINDOW_BAR);
		return 1;
	}
	if (rc == -EPROTONOSUPPORT) {
		BCNIC_LOG(ERR, "%s: bcnic window of layout version %u, this driver speaks %u: declined",
			  pdev->device.name, w.info.layout_version, BCMBOX_LAYOUT_VERSION);
		return 1;
	}
	if (rc != 0) {
		BCNIC_LOG(ERR, "%s: bcnic window with an inconsistent geometry: declined",
			  pdev->device.name);
		return 1;
	}
	rc = bcnic_vf_pci_opts(pdev->device.name,
			       pdev->device.devargs != NULL ? pdev->device.devargs->args : NULL,
			       &opts);
	if (rc != 0)
		return rc;
	map.base = bar->addr;
	map.size = w.info.window_size;
	eth_dev = rte_eth_dev_pci_allocate(pdev, bcnic_vf_priv_size());
	if (eth_dev == NULL)
		return -ENOMEM;
	snprintf(opts.dev_name, sizeof(opts.dev_name), "%.32s", pdev->device.name);
	opts.vf = w.info.vf_index;
	return bcnic_vf_setup(eth_dev, &map, &opts);
}

static int
bcnic_vf_pci_remove(struct rte_pci_device *pdev)
{
	return bcnic_port_remove(pdev->device.name);
}

/* Registered by bcnic_register() (bcnic_register.c), once per process. */
struct rte_pci_driver bcnic_vf_pci_driver = {
	.driver = { .name = RTE_STR(net_bcnic_vf_pci) },
	.id_table = bcnic_vf_pci_ids,
	.drv_flags = RTE_PCI_DRV_NEED_MAPPING,
	.probe = bcnic_vf_pci_probe,
	.remove = bcnic_vf_pci_remove,
};

RTE_PMD_EXPORT_NAME(net_bcnic_vf_pci, __COUNTER__);
RTE_PMD_REGISTER_PCI_TABLE(net_bcnic_vf_pci, bcnic_vf_pci_ids);
RTE_PMD_REGISTER_KMOD_DEP(net_bcnic_vf_pci, "vfio-pci");
RTE_PMD_REGISTER_PARAM_STRING(net_bcnic_vf_pci, BCNIC_VF_ARGS_SESSION(BCNIC_DEVARG_PARAM));
