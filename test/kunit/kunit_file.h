/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * For the KUnit suites of this directory: read or write a file (sysfs
 * attribute, device node) as an administrator would, from the test's
 * kernel thread.
 */
#ifndef _WD_KUNIT_FILE_H
#define _WD_KUNIT_FILE_H

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/string.h>

/*
 * kt_file() - write @write to @path, or, when @write is NULL, read at most
 * @size - 1 bytes of it into @buf and terminate them.  The file is closed
 * (its release run) before it returns.
 *
 * Return: 0, or the errno of the open, read or write.
 */
static inline int kt_file(const char *path, char *buf, size_t size,
			  const char *write)
{
	struct file *f;
	loff_t pos = 0;
	ssize_t n;

	f = filp_open(path, write ? O_WRONLY : O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	if (write) {
		n = kernel_write(f, write, strlen(write), &pos);
	} else {
		n = kernel_read(f, buf, size - 1, &pos);
		if (n >= 0)
			buf[n] = '\0';
	}
	fput(f);
	flush_delayed_fput();
	return n < 0 ? n : 0;
}

#endif /* _WD_KUNIT_FILE_H */
