// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vzip: save and restore of the kernel inflate state.
 *
 * A decompression stream can be split anywhere: in a header, between two
 * bits of a code, in the middle of a match.  The kernel's inflate keeps
 * everything it needs to resume in struct inflate_state plus its window,
 * but that structure is private to lib/zlib_inflate/ and the headers of a
 * distribution kernel do not ship it.  Its layout is repeated here (it is
 * zlib 1.2.3's, unchanged in Linux since 2.6.18) and checked against the
 * running kernel when the module loads: if the check fails, the driver
 * clears VZIP_CAP_STREAM instead of guessing.
 *
 * The saved state is the structure with its four pointers replaced by
 * references that carry no kernel address: an index into the code table, or
 * one of the two fixed tables.  stream.c seals it; a state is only loaded
 * after its seal has been checked, so it is always one this module wrote.
 */
#include <linux/errno.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/zlib.h>

#include "vzip.h"
#include "codec.h"

/* lib/zlib_inflate/inflate.h: enum inflate_mode */
enum vzip_zmode {
	ZMODE_HEAD,
	ZMODE_FLAGS,
	ZMODE_TIME,
	ZMODE_OS,
	ZMODE_EXLEN,
	ZMODE_EXTRA,
	ZMODE_NAME,
	ZMODE_COMMENT,
	ZMODE_HCRC,
	ZMODE_DICTID,
	ZMODE_DICT,
	ZMODE_TYPE,
	ZMODE_TYPEDO,
	ZMODE_STORED,
	ZMODE_COPY,
	ZMODE_TABLE,
	ZMODE_LENLENS,
	ZMODE_CODELENS,
	ZMODE_LEN,
	ZMODE_LENEXT,
	ZMODE_DIST,
	ZMODE_DISTEXT,
	ZMODE_MATCH,
	ZMODE_LIT,
	ZMODE_CHECK,
	ZMODE_LENGTH,
	ZMODE_DONE,
	ZMODE_BAD,
	ZMODE_MEM,
	ZMODE_SYNC,
};

/* lib/zlib_inflate/inftrees.h: code, ENOUGH */
struct vzip_zcode {
	unsigned char op;
	unsigned char bits;
	unsigned short val;
};

#define ZCODES_ENOUGH	2048

/* lib/zlib_inflate/inflate.h: struct inflate_state */
struct vzip_zstate {
	enum vzip_zmode mode;
	int last;
	int wrap;
	int havedict;
	int flags;
	unsigned int dmax;
	unsigned long check;
	unsigned long total;
	unsigned int wbits;
	unsigned int wsize;
	unsigned int whave;
	unsigned int write;
	unsigned char *window;
	unsigned long hold;
	unsigned int bits;
	unsigned int length;
	unsigned int offset;
	unsigned int extra;
	const struct vzip_zcode *lencode;
	const struct vzip_zcode *distcode;
	unsigned int lenbits;
	unsigned int distbits;
	unsigned int ncode;
	unsigned int nlen;
	unsigned int ndist;
	unsigned int have;
	struct vzip_zcode *next;
	unsigned short lens[320];
	unsigned short work[288];
	struct vzip_zcode codes[ZCODES_ENOUGH];
};

/* References saved in place of the table pointers. */
#define ZREF_LENFIX	(ZCODES_ENOUGH + 1)
#define ZREF_DISTFIX	(ZCODES_ENOUGH + 2)

/*
 * The fixed tables are static in lib/zlib_inflate/inflate.c; their addresses
 * are learnt by vzip_inflate_state_check() and read-only afterwards.
 */
static const struct vzip_zcode *vzip_lenfix;
static const struct vzip_zcode *vzip_distfix;

static unsigned long vzip_zref(const struct vzip_zstate *st,
			       const struct vzip_zcode *p)
{
	if (p == vzip_lenfix)
		return ZREF_LENFIX;
	if (p == vzip_distfix)
		return ZREF_DISTFIX;
	if (p >= st->codes && p <= st->codes + ZCODES_ENOUGH)
		return p - st->codes;
	return ULONG_MAX;
}

/* A table a saved state points at: a code of st->codes, or a fixed one */
static const struct vzip_zcode *vzip_zderef(const struct vzip_zstate *st,
					    unsigned long ref)
{
	if (ref == ZREF_LENFIX)
		return vzip_lenfix;
	if (ref == ZREF_DISTFIX)
		return vzip_distfix;
	/* the end of codes[] is where ->next may be, never a table */
	if (ref < ZCODES_ENOUGH)
		return st->codes + ref;
	return NULL;
}

static void vzip_put_ref(u8 *blob, size_t offset, unsigned long ref)
{
	memcpy(blob + offset, &ref, sizeof(ref));
}

static unsigned long vzip_get_ref(const u8 *blob, size_t offset)
{
	unsigned long ref;

	memcpy(&ref, blob + offset, sizeof(ref));
	return ref;
}

/**
 * vzip_inflate_state_size() - bytes of a saved inflate state
 *
 * Return: the size, not counting the window.
 */
u32 vzip_inflate_state_size(void)
{
	return sizeof(struct vzip_zstate);
}

/**
 * vzip_inflate_window() - the window of an inflate stream
 * @zs: a stream set up by zlib_inflateInit2()
 *
 * Return: the first byte of the window.
 */
u8 *vzip_inflate_window(z_stream *zs)
{
	return ((struct vzip_zstate *)zs->state)->window;
}

/**
 * vzip_inflate_state_save() - save the state of a raw inflate stream
 * @zs: the stream
 * @blob: vzip_inflate_state_size() bytes to write it to
 * @hist: VZIP_WINDOW_MAX bytes to copy the history to, oldest byte first
 * @max_hist: the most history to keep: 2^window_bits of the stream
 *
 * The stream runs with the largest window; what is saved is the last
 * @max_hist bytes of it at most, and a state that says so: restored, the
 * window holds that history from its start.
 *
 * Return: the bytes of history copied to @hist, or -EIO if the state holds
 * a pointer this file does not know (the layout check at load time makes
 * that a driver bug).
 */
int vzip_inflate_state_save(z_stream *zs, u8 *blob, u8 *hist, u32 max_hist)
{
	const struct vzip_zstate *st = (const void *)zs->state;
	unsigned long lc = vzip_zref(st, st->lencode);
	unsigned long dc = vzip_zref(st, st->distcode);
	unsigned long nx = vzip_zref(st, st->next);
	unsigned int len = min(st->whave, max_hist);
	unsigned int whave = len, write = len & (st->wsize - 1);
	unsigned int tail;

	if (lc == ULONG_MAX || dc == ULONG_MAX || nx == ULONG_MAX ||
	    st->next == vzip_lenfix || st->next == vzip_distfix ||
	    st->whave > st->wsize || st->write >= st->wsize ||
	    max_hist > VZIP_WINDOW_MAX)
		return -EIO;
	/* the last @len bytes end at write; before it, they wrap to the end */
	tail = min(len, st->write);
	memcpy(hist, st->window + st->wsize - (len - tail), len - tail);
	memcpy(hist + len - tail, st->window + st->write - tail, tail);

	memcpy(blob, st, sizeof(*st));
	memcpy(blob + offsetof(struct vzip_zstate, whave), &whave,
	       sizeof(whave));
	memcpy(blob + offsetof(struct vzip_zstate, write), &write,
	       sizeof(write));
	vzip_put_ref(blob, offsetof(struct vzip_zstate, window), 0);
	vzip_put_ref(blob, offsetof(struct vzip_zstate, lencode), lc);
	vzip_put_ref(blob, offsetof(struct vzip_zstate, distcode), dc);
	vzip_put_ref(blob, offsetof(struct vzip_zstate, next), nx);
	return len;
}

/**
 * vzip_inflate_state_load() - restore a state saved by the function above
 * @zs: a stream set up by zlib_inflateInit2() with the same window size
 * @blob: the saved state, whose seal has been checked
 * @window_len: bytes of history the caller will copy to the start of
 *              vzip_inflate_window()
 *
 * Return: 0, or -EINVAL if the state does not fit @zs.
 */
int vzip_inflate_state_load(z_stream *zs, const u8 *blob, u32 window_len)
{
	struct vzip_zstate *st = (void *)zs->state;
	unsigned int wbits = st->wbits;
	u8 *window = st->window;
	unsigned long lc, dc, next;

	lc = vzip_get_ref(blob, offsetof(struct vzip_zstate, lencode));
	dc = vzip_get_ref(blob, offsetof(struct vzip_zstate, distcode));
	next = vzip_get_ref(blob, offsetof(struct vzip_zstate, next));
	memcpy(st, blob, sizeof(*st));
	st->window = window;
	st->lencode = vzip_zderef(st, lc);
	st->distcode = vzip_zderef(st, dc);
	if (!st->lencode || !st->distcode || next > ZCODES_ENOUGH)
		return -EINVAL;
	st->next = st->codes + next;
	if (st->wbits != wbits || st->wsize != 1U << wbits || st->wrap ||
	    st->whave != window_len || st->whave > st->wsize ||
	    st->write != (st->whave & (st->wsize - 1)) ||
	    st->mode > ZMODE_SYNC)
		return -EINVAL;
	return 0;
}

/**
 * vzip_inflate_state_resumable() - may inflate go on from this state?
 * @zs: the stream
 *
 * The kernel's inflate checks a distance when it decodes it, against the
 * window and the output of the same call, but not when it resumes the
 * copy in a later call.  zlib checks it again there (since 1.2.5); this is
 * that check, for a match the stream stopped in.
 *
 * Return: false if the stream is in a match that reaches back further than
 * its window holds.
 */
bool vzip_inflate_state_resumable(z_stream *zs)
{
	const struct vzip_zstate *st = (const void *)zs->state;

	return st->mode != ZMODE_MATCH || st->offset <= st->whave;
}

/*
 * Checks that the running kernel's inflate state has the layout above, and
 * learns the addresses of the fixed code tables.  Two steps of a tiny raw
 * stream (one empty fixed block) go through every pointer of the state.
 */
static bool vzip_inflate_state_probe(z_stream *zs, void *ws)
{
	static const u8 fixed_final_block[] = { 0x03, 0x00 };
	struct vzip_zstate *st;
	u8 out[16];

	zs->workspace = ws;
	if (zlib_inflateInit2(zs, -VZIP_WINDOW_BITS_MAX) != Z_OK)
		return false;
	st = (void *)zs->state;
	if ((void *)st != ws || st->window != (u8 *)ws + sizeof(*st) ||
	    st->mode != ZMODE_HEAD || st->wrap || st->last ||
	    st->wbits != VZIP_WINDOW_BITS_MAX || st->wsize != VZIP_WINDOW_MAX ||
	    st->whave || st->write || st->bits || st->hold ||
	    st->lencode != st->codes || st->distcode != st->codes ||
	    st->next != st->codes)
		return false;

	/* BFINAL=1, BTYPE=fixed: stops waiting for the rest of the EOB code */
	zs->next_in = fixed_final_block;
	zs->avail_in = 1;
	zs->next_out = out;
	zs->avail_out = sizeof(out);
	if (zlib_inflate(zs, Z_SYNC_FLUSH) != Z_OK || zs->avail_in ||
	    st->mode != ZMODE_LEN || st->last != 1 || st->bits != 5 ||
	    st->hold || st->lenbits != 9 || st->distbits != 5 ||
	    st->next != st->codes || st->lencode == st->codes ||
	    st->distcode == st->codes || st->lencode == st->distcode)
		return false;
	vzip_lenfix = st->lencode;
	vzip_distfix = st->distcode;

	zs->avail_in = 1;
	if (zlib_inflate(zs, Z_SYNC_FLUSH) != Z_STREAM_END ||
	    st->mode != ZMODE_DONE || zs->avail_out != sizeof(out))
		return false;
	return true;
}

/**
 * vzip_inflate_state_check() - check that inflate states can be saved
 *
 * Return: true if the running kernel's inflate state has the layout this
 * file knows; stream decompression is only offered then.
 */
bool vzip_inflate_state_check(void)
{
	z_stream zs = {};
	void *ws;
	bool ok;

	if (zlib_inflate_workspacesize() !=
	    sizeof(struct vzip_zstate) + VZIP_WINDOW_MAX) {
		pr_warn("vzip: unknown inflate workspace layout (%d bytes), no stream contexts\n",
			zlib_inflate_workspacesize());
		return false;
	}
	ws = kvzalloc(zlib_inflate_workspacesize(), GFP_KERNEL);
	if (!ws)
		return false;
	ok = vzip_inflate_state_probe(&zs, ws);
	kvfree(ws);
	if (!ok) {
		vzip_lenfix = NULL;
		vzip_distfix = NULL;
		pr_warn("vzip: unknown inflate state layout, no stream contexts\n");
	}
	return ok;
}
