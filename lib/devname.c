// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libwarpdrive: the names of the devices a session has used (devname.h).
 * A session uses few devices, and the same one again after a fork or a
 * device's return: the list is short, searched from the newest.
 */
#include <stdlib.h>
#include <string.h>

#include "devname.h"

const char *wd_devname_keep(struct wd_devname **list, const char *name)
{
	size_t len = strlen(name) + 1;
	struct wd_devname *n;

	for (n = *list; n; n = n->next)
		if (!strcmp(n->name, name))
			return n->name;
	n = malloc(sizeof(*n) + len);
	if (!n)
		return NULL;
	memcpy(n->name, name, len);
	n->next = *list;
	*list = n;
	return n->name;
}

void wd_devname_free(struct wd_devname *list)
{
	while (list) {
		struct wd_devname *next = list->next;

		free(list);
		list = next;
	}
}
