/* escape.c: bytes from places a guest can write, made safe to print. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>

#include "escape.h"

/* the escaped form of c into e (4 bytes at most): its length */
static size_t
esc_one(unsigned char c, char e[4])
{
	static const char hex[] = "0123456789abcdef";

	if (c == '\\' || c == '\t' || c == '\n' || c == '\r') {
		e[0] = '\\';
		e[1] = c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : c;
		return 2;
	}
	if (c >= 0x20 && c <= 0x7e) {
		e[0] = (char)c;
		return 1;
	}
	e[0] = '\\';
	e[1] = 'x';
	e[2] = hex[c >> 4];
	e[3] = hex[c & 0xf];
	return 4;
}

size_t
esc_bytes(char *out, size_t outsz, const void *s, size_t len)
{
	const unsigned char *p = s;
	size_t i, k, n, need = 0, used = 0;
	int full = outsz == 0;
	char e[4];

	for (i = 0; i < len; i++) {
		n = esc_one(p[i], e);
		need += n;
		if (full || n > outsz - 1 - used) {
			full = 1;
			continue;
		}
		for (k = 0; k < n; k++)
			out[used++] = e[k];
	}
	if (outsz > 0)
		out[used] = '\0';
	return need;
}

char *
esc_dup(const void *s, size_t len)
{
	size_t need;
	char *out;

	if (len > (SIZE_MAX - 1) / 4) {
		errno = ENOMEM;
		return NULL;
	}
	need = esc_bytes(NULL, 0, s, len);
	out = malloc(need + 1);
	if (out == NULL)
		return NULL;
	esc_bytes(out, need + 1, s, len);
	return out;
}
