/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A reader of OpenSSL's EVP test files (test/recipes/30-test_evp_data/ in
 * OpenSSL; the format is described in the README of the copy the tests
 * read): stanzas of "Key = Value" lines ended by a blank line, '#'
 * comments, values in hex or "quoted" literals.
 */
#ifndef WD_TEST_EVP_READER_H
#define WD_TEST_EVP_READER_H

#include <stddef.h>
#include <stdio.h>

#define EVP_MAX_FIELDS	64

struct evp_field {
	char *key;	/* as written, without surrounding blanks */
	char *value;	/* as written, without surrounding blanks */
};

struct evp_stanza {
	const char *file;
	int line;			/* of its first field */
	int nfields;
	struct evp_field f[EVP_MAX_FIELDS];
};

/*
 * evp_next() - read the next stanza of @fp into @st (its strings are
 * valid until the next call).  Return: 1 with a stanza, 0 at the end of
 * the file, -1 for a malformed line (reported on stderr).
 */
int evp_next(FILE *fp, const char *file, int *lineno, struct evp_stanza *st);

/* The value of the first field named @key (case-insensitive), or NULL. */
const char *evp_get(const struct evp_stanza *st, const char *key);

/*
 * evp_bytes() - decode a value: hex digits, or a "quoted" literal; an
 * empty value is zero bytes.  Return: a malloc()ed buffer (never NULL
 * on success, even for 0 bytes) with its length in *@len, or NULL if the
 * value is malformed.
 */
unsigned char *evp_bytes(const char *value, size_t *len);

#endif /* WD_TEST_EVP_READER_H */
