/*
 * fuzz_cfg.c: libFuzzer target for the whole dry-run path: xl.cfg text ->
 * settings -> struct domcfg -> JSON.  Any crash, leak, or sanitizer report
 * is a bug; so is a successful parse whose JSON yajl cannot produce.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "cfg.h"
#include "domcfg.h"
#include "domcfg_json.h"
#include "vbd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d = {.source = "fuzz"};
	struct cfg cfg = {0};
	struct domcfg dc;
	uint32_t num;
	size_t i;
	char *json;

	if (cfg_parse(&cfg, (const char *)data, size, &d) == 0 &&
	    domcfg_from_cfg(&dc, &cfg, &d) == 0) {
		json = domcfg_to_json(&dc);
		if (json == NULL)
			abort();
		free(json);
		/* a disk's vdev, numbered as xl does: never 0 when accepted */
		for (i = 0; i < dc.ndisks; i++)
			if (vbd_devnum(dc.disks[i].vdev, &num) == 0 && num == 0)
				abort();
		domcfg_free(&dc);
	}
	cfg_free(&cfg);
	return 0;
}
