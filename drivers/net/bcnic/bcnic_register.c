/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Registration of the driver's buses and telemetry: the top of the driver,
 * the one file that names both the PF's and the VF's drivers.
 */
#include <dlfcn.h>
#include <string.h>
#include <sys/queue.h>

#include <bus_pci_driver.h>
#include <bus_vdev_driver.h>

#include "bcnic.h"

/*
 * One active copy of the driver per process. An application that links the
 * installed librte_net_bcnic.so while EAL loads the PMD directory maps one
 * file (the library directory's name is a symlink to the plugin), so one copy.
 * But a program with the driver linked in statically (the test programs), or
 * a plugin given with -d beside an installed one, brings a second copy whose
 * constructor would register the same drivers and telemetry commands again:
 * the buses would probe with the first copy while telemetry answered from the
 * second, which has no ports. So the copy registered later finds the earlier
 * one in the vdev bus's driver list, takes its own drivers back off the buses
 * and stays inert, saying which file it came from.
 */
TAILQ_HEAD(bcnic_vdev_drivers, rte_vdev_driver);

static const char *
object_of(const void *addr)
{
	Dl_info info;

	if (dladdr(addr, &info) == 0 || info.dli_fname == NULL || info.dli_fname[0] == '\0')
		return "the program";
	return info.dli_fname;
}

RTE_INIT(bcnic_register)
{
	const struct rte_vdev_driver *d;

	rte_vdev_register(&bcnic_pf_driver);
	rte_vdev_register(&bcnic_vf_driver);
	rte_pci_register(&bcnic_vf_pci_driver);
	/* Walk back from this copy's PF driver (sys/queue.h: TAILQ_PREV of the first is NULL). */
	for (d = TAILQ_PREV(&bcnic_pf_driver, bcnic_vdev_drivers, next); d != NULL;
	     d = TAILQ_PREV(d, bcnic_vdev_drivers, next))
		if (d->driver.name != NULL &&
		    strcmp(d->driver.name, bcnic_pf_driver.driver.name) == 0)
			break;
	if (d == NULL) {
		bcnic_telemetry_register();
		return;
	}
	rte_pci_unregister(&bcnic_vf_pci_driver);
	rte_vdev_unregister(&bcnic_vf_driver);
	rte_vdev_unregister(&bcnic_pf_driver);
	BCNIC_LOG(WARNING, "driver already loaded from %s; this second copy (%s) stays unused",
		  object_of(d), object_of(&bcnic_pf_driver));
}
