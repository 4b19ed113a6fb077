/* SPDX-License-Identifier: BSD-3-Clause */
/* eventfd doorbells (shm transport; the ivshmem peers' eventfds are the same). */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <unistd.h>

#include "bcmbox_doorbell.h"

static int
efd_ring(void *ctx)
{
	uint64_t one = 1;

	/* The counter is the latch: it stays readable until the waiter reads it. */
	if (write(*(const int *)ctx, &one, sizeof(one)) == (ssize_t)sizeof(one))
		return 0;
	/* EAGAIN: the counter is at its maximum, so the peer is rung already. */
	return errno == EAGAIN ? 0 : -errno;
}

static int
efd_wait(void *ctx, int timeout_ms)
{
	struct pollfd p = { .fd = *(const int *)ctx, .events = POLLIN };
	uint64_t v;
	int n = poll(&p, 1, timeout_ms);

	if (n < 0)
		return errno == EINTR ? 1 : -errno;
	if (n == 0)
		return 0;
	if (p.revents & (POLLERR | POLLNVAL))
		return -EBADF;
	/* Clear the latch; EAGAIN (non-blocking fd, someone else read it) is harmless. */
	if (read(p.fd, &v, sizeof(v)) < 0 && errno != EAGAIN && errno != EINTR)
		return -errno;
	return 1;
}

const struct bcmbox_db_ops bcmbox_db_eventfd_ops = {
	.ring = efd_ring,
	.wait = efd_wait,
};
