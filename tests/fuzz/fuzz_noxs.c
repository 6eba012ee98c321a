/*
 * fuzz_noxs.c: libFuzzer target for what a backend reads from pages a guest
 * can write: the device page and the sysctl block.  Whatever the bytes, the
 * readers must not crash, and what they accept must hold their promises.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "noxs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t page[NOXS_PAGE_SIZE];
	struct noxs_device_page p;
	struct noxs_sysctl s;
	uint32_t i;

	memset(page, 0, sizeof(page));
	memcpy(page, data, size < sizeof(page) ? size : sizeof(page));
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
	return 0;
}
