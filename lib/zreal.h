/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive: the system's zlib, reached through dlopen("libz.so.1").
 *
 * The library never calls zlib by name: when libwdz.so (our zlib ABI
 * shim) is preloaded, a plain call to deflate() would land in the shim
 * instead of zlib.  dlsym() on zlib's own handle always finds zlib.
 */
#ifndef WD_ZREAL_H
#define WD_ZREAL_H

#include <zlib.h>

/*
 * The one table of the system zlib's functions, in two parts.
 *
 * WD_ZREAL_CORE: what the software path needs (soft.c, stream.c);
 * wd_zreal() fails unless the system's zlib has every one of them.
 */
#define WD_ZREAL_CORE(X)						\
	X(zlibVersion) X(deflateInit2_) X(deflate) X(deflateEnd)	\
	X(deflateReset) X(deflateBound) X(deflateParams)		\
	X(inflateInit2_) X(inflate) X(inflateEnd) X(inflateReset)	\
	X(crc32) X(adler32) X(crc32_combine) X(adler32_combine)

/*
 * WD_ZREAL_MORE: the rest of zlib's API, which libwdz.so forwards to;
 * a function the system's zlib lacks (an older version) is NULL.
 */
#define WD_ZREAL_MORE(X)						\
	X(zlibCompileFlags) X(zError)					\
	X(deflateResetKeep) X(deflateSetDictionary)			\
	X(deflateGetDictionary) X(deflatePending)			\
	X(deflatePrime) X(deflateTune) X(deflateSetHeader) X(deflateCopy) \
	X(inflateReset2) X(inflateResetKeep) X(inflateSetDictionary)	\
	X(inflateGetDictionary) X(inflateSync) X(inflateSyncPoint)	\
	X(inflateCopy) X(inflatePrime) X(inflateMark) X(inflateGetHeader) \
	X(inflateUndermine) X(inflateValidate) X(inflateCodesUsed)	\
	X(inflateBackInit_) X(inflateBack) X(inflateBackEnd)		\
	X(compress2) X(uncompress2)					\
	X(compressBound) X(adler32_z)					\
	X(adler32_combine64) X(crc32_z)					\
	X(crc32_combine64) X(crc32_combine_gen) X(crc32_combine_gen64)	\
	X(crc32_combine_op) X(get_crc_table)				\
	X(gzopen) X(gzopen64) X(gzdopen) X(gzbuffer) X(gzsetparams)	\
	X(gzread) X(gzfread) X(gzwrite) X(gzfwrite) X(gzvprintf)	\
	X(gzputs) X(gzgets) X(gzputc) X(gzgetc) X(gzgetc_) X(gzungetc)	\
	X(gzflush) X(gzseek) X(gzseek64) X(gzrewind) X(gztell)		\
	X(gztell64) X(gzoffset) X(gzoffset64) X(gzeof) X(gzdirect)	\
	X(gzclose) X(gzclose_r) X(gzclose_w) X(gzerror) X(gzclearerr)

/**
 * struct wd_zreal - the system zlib's functions, one field per name of
 * WD_ZREAL_CORE and WD_ZREAL_MORE, each with zlib.h's own type.  (zlib.h
 * makes gzgetc() a macro too; the bare name here is the function.)
 */
struct wd_zreal {
#define WD_ZREAL_FIELD(f) __typeof__(f) *f;
	WD_ZREAL_CORE(WD_ZREAL_FIELD)
	WD_ZREAL_MORE(WD_ZREAL_FIELD)
#undef WD_ZREAL_FIELD
};

/**
 * wd_zreal() - the system zlib, loaded on first use
 *
 * Return: its functions, or NULL if libz.so.1 cannot be loaded or lacks a
 * function of WD_ZREAL_CORE (the reason was printed on stderr once).
 */
const struct wd_zreal *wd_zreal(void);

/**
 * wd_zreal_all() - the same table for libwdz.so's forwarding
 *
 * Return: never NULL; every function the system's zlib lacks (all of
 * them if it cannot be loaded) is NULL.
 */
const struct wd_zreal *wd_zreal_all(void);

#endif /* WD_ZREAL_H */
