// SPDX-License-Identifier: GPL-2.0
/*
 * A reader of OpenSSL's EVP test files: see evp_reader.h.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "evp_reader.h"

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int evp_next(FILE *fp, const char *file, int *lineno, struct evp_stanza *st)
{
	static char *lines[EVP_MAX_FIELDS];
	char *line = NULL, *eq;
	size_t cap = 0;

	for (int i = 0; i < st->nfields && i < EVP_MAX_FIELDS; i++) {
		free(lines[i]);
		lines[i] = NULL;
	}
	st->file = file;
	st->nfields = 0;
	while (getline(&line, &cap, fp) >= 0) {
		char *t = trim(line);

		(*lineno)++;
		if (*t == '#')
			continue;
		if (!*t) {
			if (st->nfields)
				break;
			continue;
		}
		eq = strchr(t, '=');
		if (!eq || st->nfields == EVP_MAX_FIELDS) {
			fprintf(stderr, "%s:%d: not a \"Key = Value\" line\n",
				file, *lineno);
			free(line);
			return -1;
		}
		if (!st->nfields)
			st->line = *lineno;
		lines[st->nfields] = strdup(t);
		if (!lines[st->nfields]) {
			free(line);
			return -1;
		}
		eq = lines[st->nfields] + (eq - t);
		*eq = '\0';
		st->f[st->nfields].key = trim(lines[st->nfields]);
		st->f[st->nfields].value = trim(eq + 1);
		st->nfields++;
	}
	free(line);
	return st->nfields ? 1 : 0;
}

const char *evp_get(const struct evp_stanza *st, const char *key)
{
	for (int i = 0; i < st->nfields; i++)
		if (!strcasecmp(st->f[i].key, key))
			return st->f[i].value;
	return NULL;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

unsigned char *evp_bytes(const char *value, size_t *len)
{
	size_t n = strlen(value);
	unsigned char *b = malloc(n + 1);

	if (!b)
		return NULL;
	if (value[0] == '"') {
		if (n < 2 || value[n - 1] != '"')
			goto bad;
		memcpy(b, value + 1, n - 2);
		*len = n - 2;
		return b;
	}
	if (n % 2)
		goto bad;
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(value[2 * i]), lo = hexval(value[2 * i + 1]);

		if (hi < 0 || lo < 0)
			goto bad;
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	*len = n / 2;
	return b;
bad:
	free(b);
	return NULL;
}
