/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwdz.so: the shim's private declarations, shared by its files:
 *
 *   zshim.c     a z_stream's state, the choice of path, moving a stream
 *               to the real zlib, WD_STATS
 *   zdeflate.c  deflate*()
 *   zinflate.c  inflate*()
 *   zcompress.c compress*() and uncompress*(), whole buffers
 *   zforward.c  the rest of zlib's API, forwarded to the real zlib
 *
 * zshim.c describes how the shim works.
 */
#ifndef WD_ZSHIM_H
#define WD_ZSHIM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <zlib.h>

#include "comp_priv.h"
#include "internal.h"
#include "zreal.h"

#define ZSHIM_MAGIC	0x5a445357u	/* "WSDZ" */

/* zlib's defaults, from its private zutil.h */
#define DEF_MEM_LEVEL	8
#define DEF_WBITS	MAX_WBITS

/* Compressed input an inflate stream keeps for a move to the real zlib. */
#define ZSHIM_KEEP	(1u << 20)

/* Inflate calls with at most ZSHIM_TINY bytes of room, in a row, before
 * the stream goes to zlib */
#define ZSHIM_TINY	64
#define ZSHIM_TINY_CALLS 32

enum zmode {
	ZM_UNDECIDED,	/* no data yet */
	ZM_HW,		/* a libwarpdrive stream on the device */
	ZM_REAL,	/* the real zlib */
	ZM_TAIL,	/* deflate: began on the device, goes on on zlib */
};

/* What sent a stream to the real zlib; counted and named by WD_STATS. */
enum zfeat {
	ZF_NONE,
	ZF_STRATEGY,	/* a strategy other than the default */
	ZF_LEVEL0,	/* level 0: stored blocks */
	ZF_DICT,	/* a preset dictionary */
	ZF_PRIME,	/* deflatePrime(), inflatePrime() */
	ZF_HEADER,	/* deflateSetHeader(), inflateGetHeader() */
	ZF_WINDOW,	/* a window below 32 KiB */
	ZF_BLOCK,	/* inflate(Z_BLOCK), inflate(Z_TREES) */
	ZF_SYNC,	/* inflateSync() */
	ZF_STATE,	/* inflateMark(), inflateGetDictionary(), ... */
	ZF_CORRUPT,	/* corrupt input: zlib says where and why */
	ZF_BOUND,	/* one Z_FINISH call with deflateBound()'s room */
	ZF_LOST,	/* the device failed or went away */
	ZF_SMALL,	/* inflate into tiny buffers, call after call */
	ZF_EMPTY,	/* compress()/uncompress() of an empty buffer */
	ZF_REFUSED,	/* a request the device says it cannot do */
	ZF_NR
};


/* streams that went to zlib because of each feature; those that moved */
extern atomic_ulong zfeat_count[ZF_NR], zmoved;

enum dstatus { DS_INIT, DS_BUSY, DS_FINISH };

/* gzip inflate on the device: where the shim is in the member */
enum { GZ_HEADER, GZ_BODY, GZ_TRAILER, GZ_DONE };

/**
 * struct gzp - a gzip member's header and trailer, read by the shim (the
 * device inflates the deflate data in between): zlib checks the CRC as
 * soon as its four bytes are in, and the length after it
 * @phase: GZ_*
 * @st: header: the part being read (H_*)
 * @fixed: header: its first ten bytes, @len of them (or of a part)
 * @skip: header: bytes of FEXTRA or FHCRC to go
 * @crc: header: CRC-32 of its bytes so far (checked by FHCRC)
 * @tr: trailer: its bytes so far, @len of them
 */
struct gzp {
	int phase;
	int st;
	unsigned char fixed[10];
	unsigned char tr[8];
	size_t len;
	unsigned int skip;
	uLong crc;
};

/**
 * struct zpos - where an inflate stream stands on the device: what a call
 * that moves to zlib in its middle puts back as it was when it started
 * @kept_len: bytes of compressed input the device took, kept
 * @hw_out: bytes the device made
 * @gz: gzip on the device: header and trailer
 * @end_known: zlib read the check value in the call that started at
 *             @end_in of the kept input, @end_out of the output
 *             (@end_finish: a Z_FINISH call that made the first output
 *             and ended the deflate data of a raw or gzip stream, or
 *             may have ended a zlib stream's: zlib then keeps no window,
 *             and a replay runs that call and the rest as one Z_FINISH)
 */
struct zpos {
	size_t kept_len;
	uint64_t hw_out;
	struct gzp gz;
	bool end_known;
	bool end_finish;
	size_t end_in;
	uint64_t end_out;
};

/**
 * struct zshim - our state of a z_stream
 * @strm: the z_stream (first, as in zlib's states)
 * @magic: ZSHIM_MAGIC (where zlib's states have their mode or status)
 * @deflate: deflate, else inflate
 * @mode: enum zmode
 * @feat: a zlib feature the device lacks that the stream needs (ZF_*)
 * @why: why the stream runs on the real zlib
 * @level: deflate level (-1 for the default)
 * @window_bits: as given to deflateInit2_() or inflateInit2_()
 * @mem_level: deflate memLevel
 * @strategy: deflate strategy
 * @tune: deflateTune()'s four values, @tuned if given
 * @format: enum wd_format (inflate: -1 until known)
 * @wbits: log2 of the window, 9-15
 * @real: the real zlib's stream, with @real_ok
 * @comp: session of the device stream
 * @ws: the device stream
 * @last_flush: deflate: zlib's last_flush (-2 fresh, -1 output filled)
 * @dstatus: deflate: zlib's status as deflateEnd() tells it
 * @trial: deflate: the first call is a Z_FINISH with deflateBound()'s room
 * @ended: the stream ended on the device
 * @kept: inflate: the compressed input the device took, @at.kept_len
 *        bytes of @kept_cap; @kept_ok while it is all there
 * @at: inflate: where the stream stands on the device
 * @tiny: inflate: calls in a row with at most ZSHIM_TINY bytes of room
 * @sticky: inflate: the real zlib's stream has a setting inflateReset()
 *          keeps (inflateSync(), inflateValidate(0)): it stays there
 * @dict: raw deflate: the preset dictionary, @dict_len bytes, given before
 *        the first data (the device takes it as history)
 * @hist: deflate on the device: the last @hist_len bytes of input (a ring,
 *        next byte at @hist_pos), the device's history, for ZM_TAIL
 * @pend: ZM_TAIL: output to deliver before anything else (what the device
 *        made; at the end, the trailer): @pend_len bytes, @pend_off sent
 * @tail_sum: ZM_TAIL: checksum of all input, for adler and the trailer
 * @tail_in: ZM_TAIL: bytes of input in all
 * @tail_end: ZM_TAIL: zlib ended the deflate data; the trailer is in @pend
 * @late_head: gzip deflate: a header given after the data began, as zlib
 *        keeps it for the next member: given to zlib at deflateReset()
 */
struct zshim {
	z_streamp strm;
	uint32_t magic;
	bool deflate;
	enum zmode mode;
	enum zfeat feat;
	enum wd_reason why;
	int level;
	int window_bits;
	int mem_level;
	int strategy;
	int tune[4];
	bool tuned;
	int format;
	int wbits;
	z_stream real;
	bool real_ok;
	struct wd_comp *comp;
	struct wd_stream *ws;
	int last_flush;
	enum dstatus dstatus;
	bool trial;
	bool ended;
	unsigned char *kept;
	size_t kept_cap;
	bool kept_ok;
	struct zpos at;
	unsigned int tiny;
	bool sticky;
	unsigned char *dict;
	size_t dict_len;
	unsigned char *hist;
	bool hist_bad;
	size_t hist_len;
	size_t hist_pos;
	unsigned char *pend;
	size_t pend_len;
	size_t pend_off;
	uLong tail_sum;
	uint64_t tail_in;
	bool tail_end;
	gz_headerp late_head;
};

/* ---- the real zlib ---- */

/*
 * The real zlib's @f (zreal.h's table), or NULL if the system's zlib
 * lacks it.
 */
#define REAL(f) (wd_zreal_all()->f)

/*
 * Calls the real @f, or returns @err when the system's zlib lacks it.
 * (The parentheses keep zlib.h's gzgetc() macro out.)
 */
#define CALL_REAL(err, f, ...)						\
	(REAL(f) ? (REAL(f))(__VA_ARGS__) : (err))

/* The buffers of @from and their counts into @to. */
static inline void zs_copy_buffers(z_streamp to, const z_stream *from)
{
	to->next_in = from->next_in;
	to->avail_in = from->avail_in;
	to->total_in = from->total_in;
	to->next_out = from->next_out;
	to->avail_out = from->avail_out;
	to->total_out = from->total_out;
}

/*
 * The caller's fields into the real zlib's stream, before a call (zlib
 * reads adler and data_type too: deflate() keeps its checksum there).
 */
static inline void zs_sync_in(struct zshim *w)
{
	z_streamp s = w->strm;

	w->real.msg = s->msg;
	w->real.adler = s->adler;
	w->real.data_type = s->data_type;
	zs_copy_buffers(&w->real, s);
}

/* And back, after it. */
static inline void zs_sync_out(struct zshim *w)
{
	z_streamp s = w->strm;

	zs_copy_buffers(s, &w->real);
	s->msg = w->real.msg;
	s->data_type = w->real.data_type;
	s->adler = w->real.adler;
}

/* Counts a call on the real zlib. */
static inline void zs_count_real(struct zshim *w, uLong in0, uLong out0)
{
	wd_count_sw(NULL, w->why, w->strm->total_in - in0,
		    w->strm->total_out - out0);
}

/* A call on the real zlib's inner stream, fields synced and counted. */
#define REAL_CALL(w, fn, ...) ({					\
	uLong in0_ = (w)->strm->total_in, out0_ = (w)->strm->total_out;	\
	int r_;								\
									\
	zs_sync_in(w);							\
	r_ = CALL_REAL(Z_STREAM_ERROR, fn, &(w)->real, ##__VA_ARGS__);	\
	zs_sync_out(w);							\
	zs_count_real(w, in0_, out0_);					\
	r_;								\
})

/* set while the real compress2() or uncompress2() runs (zcompress.c) */
extern _Thread_local bool zpass;

/* ---- zshim.c ---- */

/* Our state of @strm, or NULL if it is the real zlib's (or none). */
struct zshim *zs_ours(z_streamp strm);
struct zshim *zshim_new(z_streamp strm, bool deflate);
void zshim_free(struct zshim *w);

/* zlib's windowBits into format and window; false where zlib fails. */
bool zs_parse_window(bool deflate, int wb, int *format, int *wbits);
bool zs_version_ok(const char *version, int stream_size);
/* zlib's deflateBound() for a stream of ours */
uLong zs_zlib_bound(const struct zshim *w, uLong n);

/* The path of an undecided stream: the device or the real zlib. */
int zs_decide(struct zshim *w, size_t in_len, size_t out_len, int flush);
/* Moves an undecided stream to the real zlib. */
int zs_to_real(struct zshim *w, enum wd_reason why);
/* The real zlib's inflateReset2(), its overflow worked around (zshim.c). */
int zs_real_inflate_reset2(z_streamp strm, int window_bits);
int zs_hw_error(struct zshim *w, int err);
/* zlib's ERR_RETURN(): its own message for @err. */
int zs_err(z_streamp strm, int err);

/* The inner z_stream of the real zlib (and the inline helpers above). */
void zs_real_fields(struct zshim *w);
void zs_real_free(struct zshim *w);

/* deflateCopy() and inflateCopy() */
int zs_copy_state(z_streamp dest, z_streamp source, bool deflate);

#endif /* WD_ZSHIM_H */
