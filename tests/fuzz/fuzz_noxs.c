/*
 * fuzz_noxs.c: libFuzzer target for what a backend reads from pages a guest
 * can write: the device page (as a guest reads it too, between two looks
 * at its generation), the sysctl block, and a console ring (read
 * and written by xendevd and chaos's console client).  Whatever the
 * bytes, the readers must not crash, and what they accept must hold their
 * promises.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "noxs.h"
#include "ring.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data as a console ring page: whatever its indices say, a read moves at
 * most cap bytes and a write at most what it was given */
static void
console_ring(const uint8_t *data, size_t size)
{
	static struct xencons_interface r;
	char buf[XDD_RING_OUT + 1];
	int bad = 0, w;
	size_t n;

	memset(&r, 0, sizeof(r));
	memcpy(&r, data, size < sizeof(r) ? size : sizeof(r));
	n = xdd_ring_read(&r, buf, sizeof(buf) - 1, &bad);
	if (n > sizeof(buf) - 1 || (bad && n != 0))
		abort();
	w = xdd_ring_write(&r, "typed input", 11);
	if (w > 11)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t page[NOXS_PAGE_SIZE];
	struct noxs_device_page p;
	struct noxs_sysctl s;
	uint32_t i;
	int rc;

	memset(page, 0, sizeof(page));
	memcpy(page, data, size < sizeof(page) ? size : sizeof(page));
	/* a page nobody rewrites: the stable read agrees with the plain
	 * one, or waits for an odd generation to end */
	rc = noxs_page_read_stable(page, &p);
	if (noxs_page_generation(page) % 2 != 0
		    ? rc != -NOXS_EAGAIN
		    : rc != noxs_page_read(page, &p))
		abort();
	if (noxs_page_read(page, &p) == 0) {
		if (p.ndevices > NOXS_MAX_DEVICES)
			abort();
		for (i = 0; i < p.ndevices; i++) {
			if (p.devices[i].flags == NOXS_F_IN_DEVPAGE &&
			    (p.devices[i].ctrl_offset < NOXS_ENTRIES_END ||
			     p.devices[i].ctrl_offset + 64 > NOXS_PAGE_SIZE))
				abort();
			if (p.devices[i].flags == NOXS_F_IN_DEVPAGE &&
			    noxs_sysctl_read(page + p.devices[i].ctrl_offset,
					     &s) == 0 &&
			    s.request > NOXS_SYSCTL_REQ_MAX)
				abort();
		}
	}
	if (noxs_sysctl_read(page, &s) == 0 && noxs_sysctl_post(page, 1) > 0 &&
	    (((struct noxs_sysctl *)page)->request != 1))
		abort();
	console_ring(data, size);
	return 0;
}
