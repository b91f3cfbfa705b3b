/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * vcrypt trace events, in tracefs under events/vcrypt/:
 *
 *	vcrypt_request	an engine completed a request: which engine, which
 *			queue, the request's ring index, opcode, algorithm
 *			and status.  Never a key, an IV or data
 *			(Documentation/vcrypt.rst, "Key slots").
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vcrypt

#if !defined(_VCRYPT_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VCRYPT_TRACE_H

#include <linux/tracepoint.h>
#include <linux/uacce.h>

#include "vcrypt.h"

TRACE_EVENT(vcrypt_request,
	    TP_PROTO(const struct vcrypt_device *vdev, unsigned int engine,
		     const struct vcrypt_queue *q, u32 index, u8 opcode, u8 alg,
		     u16 status),
	    TP_ARGS(vdev, engine, q, index, opcode, alg, status),
	    TP_STRUCT__entry(__string(dev, dev_name(&vdev->accel.uacce->dev))
			     __field(unsigned int, engine)
			     __field(u32, qid)
			     __field(u32, index)
			     __field(u8, opcode)
			     __field(u8, alg)
			     __field(u16, status)),
	    TP_fast_assign(__assign_str(dev, dev_name(&vdev->accel.uacce->dev));
			   __entry->engine = engine;
			   __entry->qid = q->hw.qid;
			   __entry->index = index;
			   __entry->opcode = opcode;
			   __entry->alg = alg;
			   __entry->status = status;),
	    TP_printk("dev=%s engine=%u qid=%u index=%u opcode=%u alg=%u status=%u",
		      __get_str(dev), __entry->engine, __entry->qid,
		      __entry->index, __entry->opcode, __entry->alg,
		      __entry->status)
);

#endif /* _VCRYPT_TRACE_H */

/* out of tree: define_trace.h finds this file through -I$(src) */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
