/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libwarpdrive: the names of the devices a session has used, kept until
 * the session closes.  wd_comp_device() and wd_crypto_device() return one
 * without the session's lock, so it must outlive the queue it came from:
 * another thread may let that queue go (its device died, or the process
 * forked) and take one on another device at any time.
 */
#ifndef WD_DEVNAME_H
#define WD_DEVNAME_H

/**
 * struct wd_devname - one name on a session's list, never changed once
 * made
 * @next: the name made before it
 * @name: the device's name
 */
struct wd_devname {
	struct wd_devname *next;
	char name[];
};

/**
 * wd_devname_keep() - the session's copy of @name
 * @list: the session's list; its writers are serialised by the caller
 * @name: a device's name
 *
 * Return: the copy on @list, added if it was not there; NULL if it was
 * not and there is no memory for it.
 */
const char *wd_devname_keep(struct wd_devname **list, const char *name);

/**
 * wd_devname_free() - frees @list: when the session closes, and nobody
 * can read a name from it any more
 */
void wd_devname_free(struct wd_devname *list);

#endif
