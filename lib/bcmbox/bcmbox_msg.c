/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Message validation, status codes and events. Every check reads only the
 * caller's private copy of the message.
 */
#include <errno.h>
#include <string.h>

#include "bcmbox.h"

static const char *const reject_names[BCMBOX_REJ__MAX] = {
	[BCMBOX_REJ_NONE] = "none",
	[BCMBOX_REJ_NSLOTS] = "nslots",
	[BCMBOX_REJ_CONT_SEQ] = "cont_seq",
	[BCMBOX_REJ_LENGTH] = "length",
	[BCMBOX_REJ_TYPE] = "type",
	[BCMBOX_REJ_STATUS] = "status",
	[BCMBOX_REJ_EPOCH] = "epoch",
	[BCMBOX_REJ_XFER] = "xfer",
	[BCMBOX_REJ_RANGE] = "range",
	[BCMBOX_REJ_PAYLOAD] = "payload",
	[BCMBOX_REJ_HELLO] = "hello",
	[BCMBOX_REJ_RESERVED] = "reserved",
};

const char *
bcmbox_reject_name(enum bcmbox_reject why)
{
	if ((unsigned int)why >= BCMBOX_REJ__MAX)
		return "unknown";
	return reject_names[why];
}

static const struct {
	int err;
	const char *name;
} status_info[BCMBOX_ST__MAX] = {
	[BCMBOX_ST_OK] = { 0, "ok" },
	[BCMBOX_ST_NOENT] = { -ENOENT, "noent" },
	[BCMBOX_ST_ACCESS] = { -EACCES, "access" },
	[BCMBOX_ST_RANGE] = { -EINVAL, "range" },
	[BCMBOX_ST_MSGSIZE] = { -EMSGSIZE, "msgsize" },
	[BCMBOX_ST_BUSY] = { -EBUSY, "busy" },
	[BCMBOX_ST_AGAIN] = { -EAGAIN, "again" },
	[BCMBOX_ST_PROTO] = { -EPROTO, "proto" },
	[BCMBOX_ST_VERSION] = { -EPROTONOSUPPORT, "version" },
	[BCMBOX_ST_NOTSUP] = { -ENOTSUP, "notsup" },
};

int
bcmbox_status_to_errno(uint32_t status)
{
	if (status >= BCMBOX_ST__MAX)
		return -EPROTO;
	return status_info[status].err;
}

const char *
bcmbox_status_name(uint32_t status)
{
	if (status >= BCMBOX_ST__MAX)
		return "unknown";
	return status_info[status].name;
}

uint16_t
bcmbox_errno_to_status(int err)
{
	unsigned int i;

	if (err > 0)
		err = -err;
	for (i = 0; i < BCMBOX_ST__MAX; i++)
		if (status_info[i].err == err)
			return (uint16_t)i;
	return BCMBOX_ST_PROTO;
}

int
bcmbox_negotiate(uint16_t a_min, uint16_t a_max, uint16_t b_min, uint16_t b_max)
{
	uint16_t hi = a_max < b_max ? a_max : b_max;
	uint16_t lo = a_min > b_min ? a_min : b_min;

	if (a_min > a_max || b_min > b_max || lo > hi)
		return -1;
	return hi;
}

static bool
range_ok(uint32_t offset, uint32_t len)
{
	return (uint64_t)offset + len <= BCMBOX_MAX_BLOCK_SIZE;
}

enum bcmbox_reject
bcmbox_check_request(const struct bcmbox_msg *m, uint32_t session_epoch)
{
	const struct bcmbox_msg_hdr *h = &m->hdr;
	struct bcmbox_hello_req hello;

	/* Type first: an unknown type is answered NOTSUP whatever else it holds. */
	if (h->type < BCMBOX_MSG_HELLO || h->type > BCMBOX_MSG_BYE)
		return BCMBOX_REJ_TYPE;
	if (h->status != 0)
		return BCMBOX_REJ_STATUS;
	if (h->type == BCMBOX_MSG_HELLO) {
		/* Epoch 0: a VF starting a session has none (and must not claim one). */
		if (h->length != sizeof(hello))
			return BCMBOX_REJ_PAYLOAD;
		if (h->epoch != 0 || h->block_id != 0 || h->offset != 0 || h->arg != 0)
			return BCMBOX_REJ_RESERVED;
		memcpy(&hello, m->payload, sizeof(hello));
		if (hello.proto_min > hello.proto_max)
			return BCMBOX_REJ_HELLO;
		return BCMBOX_REJ_NONE;
	}
	if (session_epoch == 0 || h->epoch != session_epoch)
		return BCMBOX_REJ_EPOCH;
	switch (h->type) {
	case BCMBOX_MSG_LIST:
		if (h->length != 0)
			return BCMBOX_REJ_PAYLOAD;
		if (h->block_id != 0 || h->arg != 0)
			return BCMBOX_REJ_RESERVED;
		break;
	case BCMBOX_MSG_READ:
		if (h->length != 0)
			return BCMBOX_REJ_PAYLOAD;
		if (h->arg > BCMBOX_MAX_XFER)
			return BCMBOX_REJ_XFER;
		if (h->arg == 0 || !range_ok(h->offset, h->arg))
			return BCMBOX_REJ_RANGE;
		break;
	case BCMBOX_MSG_WRITE:
		if (h->length == 0)
			return BCMBOX_REJ_PAYLOAD;
		if (!range_ok(h->offset, h->length))
			return BCMBOX_REJ_RANGE;
		if (h->arg != 0)
			return BCMBOX_REJ_RESERVED;
		break;
	default: /* BYE */
		if (h->length != 0)
			return BCMBOX_REJ_PAYLOAD;
		if (h->block_id != 0 || h->offset != 0 || h->arg != 0)
			return BCMBOX_REJ_RESERVED;
		break;
	}
	return BCMBOX_REJ_NONE;
}

enum bcmbox_reject
bcmbox_check_response(const struct bcmbox_msg *m, uint32_t session_epoch)
{
	const struct bcmbox_msg_hdr *h = &m->hdr;
	uint8_t req = h->type & (uint8_t)~BCMBOX_RESP;

	/* 0x80: the answer to a request of a type the PF does not know. */
	if (h->type == BCMBOX_RESP_UNKNOWN)
		return h->status != BCMBOX_ST_NOTSUP ? BCMBOX_REJ_STATUS :
			h->epoch != session_epoch ? BCMBOX_REJ_EPOCH :
			h->length != 0 ? BCMBOX_REJ_PAYLOAD : BCMBOX_REJ_NONE;
	if (!(h->type & BCMBOX_RESP) || req < BCMBOX_MSG_HELLO || req > BCMBOX_MSG_BYE)
		return BCMBOX_REJ_TYPE;
	if (h->status >= BCMBOX_ST__MAX)
		return BCMBOX_REJ_STATUS;
	/* A HELLO response carries the new epoch; the VF learns it from there. */
	if (req != BCMBOX_MSG_HELLO && h->epoch != session_epoch)
		return BCMBOX_REJ_EPOCH;
	if (h->status != BCMBOX_ST_OK)
		return h->length == 0 ? BCMBOX_REJ_NONE : BCMBOX_REJ_PAYLOAD;
	switch (req) {
	case BCMBOX_MSG_HELLO:
		if (h->length != sizeof(struct bcmbox_hello_resp))
			return BCMBOX_REJ_PAYLOAD;
		break;
	case BCMBOX_MSG_LIST:
		if (h->length % sizeof(struct bcmbox_catalog_entry) != 0)
			return BCMBOX_REJ_PAYLOAD;
		break;
	case BCMBOX_MSG_READ:
		if (!range_ok(h->offset, h->length))
			return BCMBOX_REJ_RANGE;
		break;
	default: /* WRITE, BYE */
		if (h->length != 0)
			return BCMBOX_REJ_PAYLOAD;
		break;
	}
	return BCMBOX_REJ_NONE;
}

enum bcmbox_reject
bcmbox_check_event(const struct bcmbox_msg *m)
{
	const struct bcmbox_msg_hdr *h = &m->hdr;

	if (h->status != 0)
		return BCMBOX_REJ_STATUS;
	switch (h->type) {
	case BCMBOX_EVT_INVALIDATE:
	case BCMBOX_EVT_RESET:
	case BCMBOX_EVT_OVERFLOW:
		return h->length == 0 ? BCMBOX_REJ_NONE : BCMBOX_REJ_PAYLOAD;
	case BCMBOX_EVT_LINK:
		return h->length == sizeof(struct bcmbox_link_evt) ? BCMBOX_REJ_NONE :
			BCMBOX_REJ_PAYLOAD;
	default:
		return BCMBOX_REJ_TYPE;
	}
}

int
bcmbox_event_post(struct bcmbox_ring *evt, struct bcmbox_evt_overflow *ovf,
		  struct bcmbox_msg_hdr *hdr, const void *payload)
{
	uint32_t need = bcmbox_msg_slots(hdr->length);
	int free_slots = bcmbox_ring_free(evt, need + 1 + (ovf->pending ? 1 : 0));
	int rc;

	if (free_slots < 0) {
		/* Dropped like an event that did not fit: the VF is owed an OVERFLOW. */
		ovf->dropped++;
		if (!ovf->queued)
			ovf->pending = true;
		return free_slots;
	}
	if (ovf->queued && (int32_t)(evt->cons_cache - ovf->marker_pos) > 0)
		ovf->queued = false;	/* the VF has read the marker */
	if (ovf->pending && free_slots >= 1) {
		struct bcmbox_msg_hdr mark = {
			.type = BCMBOX_EVT_OVERFLOW,
			.epoch = hdr->epoch,
		};

		ovf->marker_pos = evt->pos;
		rc = bcmbox_ring_send(evt, &mark, NULL);
		if (rc < 0)
			return rc;
		free_slots -= rc;
		ovf->pending = false;
		ovf->queued = true;
	}
	/* The last free slot is kept for the OVERFLOW marker. */
	if ((uint32_t)free_slots < need + 1) {
		ovf->dropped++;
		if (!ovf->queued)
			ovf->pending = true;
		return -ENOSPC;
	}
	rc = bcmbox_ring_send(evt, hdr, payload);
	return rc < 0 ? rc : 0;
}
