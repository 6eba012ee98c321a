/*
 * fuzz_registry.c: libFuzzer target for the registry's readers.  Its files
 * under /run/chaos are read back as hostile: the first byte of the input
 * picks a name file, a domain record, a create's intent, a shell's record
 * (the p2m a create builds on) or a take's name in taken/, the rest is
 * the file (or the name).  Whatever the
 * bytes, the readers must not crash, and what they accept must hold the
 * registry's promises (names safe as paths, ports and offsets in range, the
 * config exactly as long as it says).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "noxs.h"
#include "registry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t uuid[16] = {0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
				 0x5a, 0x5a, 0x5a, 0x5a, 0x5a, 0x5a,
				 0x5a, 0x5a, 0x5a, 0x5a};

static void
put(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		abort();
	if (size && fwrite(data, 1, size, f) != size)
		abort();
	fclose(f);
}

static void
check_record(void)
{
	struct reg_record r;

	if (reg_record_read(7, &r) < 0) {
		if (r.config != NULL)
			abort(); /* nothing is handed out on failure */
		return;
	}
	if (!reg_name_ok(r.name) || r.config == NULL ||
	    strlen(r.config) > r.config_len)
		abort();
	if (r.noxs &&
	    (r.sysctl_offset < NOXS_ENTRIES_END ||
	     r.sysctl_offset + 64 > NOXS_PAGE_SIZE || r.sysctl_offset % 64 ||
	     r.sysctl_port == 0 || r.console_port == 0 ||
	     r.sysctl_port >= 1u << 17 || r.notice_port >= 1u << 17))
		abort();
	reg_record_free(&r);
}

/* an accepted shell covers its memory with runs in pfn order, once */
static void
check_shell(void)
{
	const struct reg_shell_id id = {9, 4, 1};
	struct reg_shell r;
	uint64_t next = 0;
	size_t i;

	if (reg_shell_read(&id, &r) < 0) {
		if (r.runs != NULL)
			abort();
		return;
	}
	if (r.domid != 9 || r.memory_mib != 4 || r.vcpus != 1 ||
	    !reg_name_ok(r.cls) || r.nruns == 0 || r.store_port == 0 ||
	    r.console_port == 0 || r.sysctl_port == 0 || r.notice_port == 0)
		abort();
	for (i = 0; i < r.nruns; i++) {
		if (r.runs[i].pfn != next || r.runs[i].count == 0)
			abort();
		next += r.runs[i].count;
	}
	if (next != 4 << 8)
		abort();
	reg_shell_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64];
	struct reg_intent in;
	char path[128];
	uint32_t domid;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/chaos-fuzz-registry-%ld",
			 (long)getpid());
		setenv("CHAOS_RUN_DIR", dir, 1);
		reg_dir(); /* makes the folders */
	}
	if (size == 0)
		return 0;
	switch (data[0] % 5) {
	case 0:
		snprintf(path, sizeof(path), "%s/names/web", dir);
		put(path, data + 1, size - 1);
		if (reg_lookup("web", &domid) == 0 &&
		    (domid == 0 || domid >= 0x7ff0))
			abort();
		break;
	case 1:
		snprintf(path, sizeof(path), "%s/doms/7", dir);
		put(path, data + 1, size - 1);
		check_record();
		break;
	case 4: { /* a take's name, as the daemon's watch reads it */
		struct reg_taken t;
		char name[96];

		snprintf(name, sizeof(name), "%.*s", (int)(size - 1),
			 (const char *)data + 1);
		if (reg_taken_parse(name, &t) == 0 &&
		    (t.domid == 0 || t.domid >= 0x7ff0 || t.pid <= 0))
			abort();
		return 0;
	}
	case 2:
		reg_shape_open(4, 1);
		snprintf(path, sizeof(path), "%s/shells/4m1v/9", dir);
		put(path, data + 1, size - 1);
		check_shell();
		break;
	default:
		snprintf(path, sizeof(path),
			 "%s/creating/5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a", dir);
		put(path, data + 1, size - 1);
		if (reg_intent_read(uuid, &in) == 0 &&
		    (!reg_name_ok(in.name) || in.pid <= 0 ||
		     memcmp(in.uuid, uuid, 16) != 0))
			abort();
		break;
	}
	unlink(path);
	return 0;
}
