/*
 * fuzz_xswatch.c: libFuzzer target for the watch connection's reader
 * (chaos/xswatch.c).  The input is what xenstored's socket delivers, cut
 * into reads where its first byte says; the reader must not crash, must
 * count no more events than whole messages arrived, and must refuse for
 * good what does not parse.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "xswatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xsw w;
	size_t at = 1, chunk, whole;
	int sv[2], n, events = 0, failed = 0;

	if (size < 1 || size > 16384)
		return 0;
	chunk = (size_t)data[0] + 1;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		abort();
	w.fd = sv[0];
	w.have = 0;
	while (at < size && !failed) {
		whole = size - at < chunk ? size - at : chunk;
		if (write(sv[1], data + at, whole) != (ssize_t)whole)
			abort();
		at += whole;
		n = xsw_read(&w);
		if (n < 0) {
			if (errno != EBADMSG && errno != EPROTO)
				abort();
			failed = 1;
		} else {
			events += n;
		}
	}
	/* a message is at least its header: no more events than that */
	if ((size_t)events > (size - 1) / sizeof(struct xsd_sockmsg))
		abort();
	if (!failed && w.have > sizeof(w.buf))
		abort();
	close(sv[1]);
	if (!failed && (xsw_read(&w) != -1 || errno != ECONNRESET))
		abort();
	xsw_close(&w);
	return 0;
}
