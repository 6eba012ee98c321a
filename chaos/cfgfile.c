/* cfgfile.c: read an xl.cfg file plus command-line overrides. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "cfgfile.h"

int
cfgfile_read(const char *path, char **buf, size_t *len)
{
	struct stat st;
	ssize_t r;
	size_t n = 0;
	char *b = NULL;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	b = malloc(CFGFILE_MAX + 1);
	if (b == NULL)
		goto fail;
	while ((r = read(fd, b + n, CFGFILE_MAX + 1 - n)) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		n += (size_t)r;
		if (n > CFGFILE_MAX) {
			errno = EFBIG;
			goto fail;
		}
	}
	close(fd);
	*buf = b;
	*len = n;
	return 0;
fail:
	saved = errno;
	free(b);
	close(fd);
	errno = saved;
	return -1;
}

/* file text, then each override on a line of its own */
static char *
join(const char *text, size_t len, int n, char *const *over, size_t *outlen)
{
	size_t total = len + 1, at;
	char *out;
	int i;

	for (i = 0; i < n; i++)
		total += strlen(over[i]) + 1;
	out = malloc(total + 1);
	if (out == NULL)
		return NULL;
	memcpy(out, text, len);
	at = len;
	out[at++] = '\n';
	for (i = 0; i < n; i++) {
		memcpy(out + at, over[i], strlen(over[i]));
		at += strlen(over[i]);
		out[at++] = '\n';
	}
	out[at] = '\0';
	*outlen = at;
	return out;
}

int
cfgfile_load(struct domcfg *dc, const char *path, int noverrides,
	     char *const *overrides, struct diag *d, char **joined,
	     size_t *joinedlen)
{
	struct cfg cfg = {0};
	const char *file_source = d->source;
	char *text = NULL;
	size_t len;
	int i, rc = -1;

	d->source = path;
	if (cfgfile_read(path, &text, &len) < 0) {
		diag_error(d, 0, 0, "cannot read: %s",
			   errno == EFBIG ? "larger than 1 MiB"
					  : strerror(errno));
		goto out;
	}
	if (cfg_parse(&cfg, text, len, d) < 0)
		goto out;
	d->source = "command line";
	for (i = 0; i < noverrides; i++) {
		if (strchr(overrides[i], '=') == NULL) {
			diag_error(d, 0, 0, "'%s' is not KEY=VALUE",
				   overrides[i]);
			goto out;
		}
		if (cfg_parse(&cfg, overrides[i], strlen(overrides[i]), d) < 0)
			goto out;
	}
	d->source = path;
	rc = domcfg_from_cfg(dc, &cfg, d);
	if (rc == 0 && joined != NULL) {
		*joined = join(text, len, noverrides, overrides, joinedlen);
		if (*joined == NULL) {
			diag_error(d, 0, 0, "out of memory");
			domcfg_free(dc);
			rc = -1;
		}
	}
out:
	d->source = file_source;
	cfg_free(&cfg);
	free(text);
	return rc;
}
