/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vzip trace events, in tracefs under events/vzip/:
 *
 *	vzip_request	an engine completed a request: which engine, which
 *			queue, the request's ring index, opcode and status.
 *			The events of one engine are in the order it served
 *			the requests, so they show the scheduler's decisions
 *			(Documentation/vzip.rst, "Scheduling").
 *	vzip_vq_request	an engine served a request of a vfio-pci instance's
 *			queue: which engine, which instance, which queue.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vzip

#if !defined(_VZIP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VZIP_TRACE_H

#include <linux/tracepoint.h>
#include <linux/uacce.h>
#include <linux/wd_mdev.h>

#include "vzip.h"

TRACE_EVENT(vzip_request,
	    TP_PROTO(const struct vzip_device *vdev, unsigned int engine,
		     const struct wd_hwq *q, u32 index, u8 opcode,
		     u16 status),
	    TP_ARGS(vdev, engine, q, index, opcode, status),
	    TP_STRUCT__entry(__string(dev, dev_name(&vdev->accel.uacce->dev))
			     __field(unsigned int, engine)
			     __field(u32, qid)
			     __field(u32, index)
			     __field(u8, opcode)
			     __field(u16, status)),
	    TP_fast_assign(__assign_str(dev, dev_name(&vdev->accel.uacce->dev));
			   __entry->engine = engine;
			   __entry->qid = q->qid;
			   __entry->index = index;
			   __entry->opcode = opcode;
			   __entry->status = status;),
	    TP_printk("dev=%s engine=%u qid=%u index=%u opcode=%u status=%u",
		      __get_str(dev), __entry->engine, __entry->qid,
		      __entry->index, __entry->opcode, __entry->status)
);

TRACE_EVENT(vzip_vq_request,
	    TP_PROTO(const struct vzip_device *vdev, unsigned int engine,
		     const struct wd_mdev_vq *vq),
	    TP_ARGS(vdev, engine, vq),
	    TP_STRUCT__entry(__string(dev, dev_name(&vdev->accel.uacce->dev))
			     __field(unsigned int, engine)
			     __string(instance, dev_name(vq->dev))
			     __field(unsigned int, queue)),
	    TP_fast_assign(__assign_str(dev, dev_name(&vdev->accel.uacce->dev));
			   __entry->engine = engine;
			   __assign_str(instance, dev_name(vq->dev));
			   __entry->queue = vq->index;),
	    TP_printk("dev=%s engine=%u instance=%s queue=%u",
		      __get_str(dev), __entry->engine, __get_str(instance),
		      __entry->queue)
);

#endif /* _VZIP_TRACE_H */

/* out of tree: define_trace.h finds this file through -I$(src) */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
