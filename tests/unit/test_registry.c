/* test_registry.c: names, records and intents under a temporary
 * CHAOS_RUN_DIR, with real processes racing for names. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <ftw.h>

#include "registry.h"

static uint32_t live_domid = 7;
static unsigned reaps;
static uint8_t reaped_uuid[16];
static int reap_result;

static int
alive(uint32_t domid, void *arg)
{
	(void)arg;
	return domid == live_domid;
}

static int
reap(const uint8_t uuid[16], void *arg)
{
	(void)arg;
	reaps++;
	memcpy(reaped_uuid, uuid, 16);
	return reap_result;
}

static const struct reg_hooks hooks = {alive, reap, NULL};

static void
put_file(const char *sub, const char *name, const char *text)
{
	char path[1200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", reg_dir(), sub, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* a pid that existed a moment ago and is gone now */
static long
dead_pid(void)
{
	pid_t p = fork();

	assert_true(p >= 0);
	if (p == 0)
		_exit(0);
	waitpid(p, NULL, 0);
	return (long)p;
}

static void
test_claim_is_exclusive(void **state)
{
	uint32_t d;

	(void)state;
	assert_int_equal(reg_claim("web", NULL, &hooks), 0);
	/* reserved by a live creator (this process) */
	assert_int_equal(reg_claim("web", NULL, &hooks), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(reg_lookup("web", &d), -1);
	assert_int_equal(errno, EINPROGRESS);
	assert_int_equal(reg_bind("web", 7), 0);
	assert_int_equal(reg_lookup("web", &d), 0);
	assert_int_equal(d, 7);
	/* bound to a live domain */
	assert_int_equal(reg_claim("web", NULL, &hooks), -1);
	assert_int_equal(errno, EEXIST);
	/* a bind needs our own reservation */
	assert_int_equal(reg_bind("web", 9), -1);
	assert_int_equal(errno, EPERM);
	/* release only what is bound to that domid */
	assert_int_equal(reg_release("web", 8), 0);
	assert_int_equal(reg_lookup("web", &d), 0);
	/* once the domain is gone, the name can be taken over */
	live_domid = 8;
	assert_int_equal(reg_claim("web", NULL, &hooks), 0);
	assert_int_equal(reg_release("web", 7), 0); /* not bound: stays */
	assert_int_equal(reg_lookup("web", &d), -1);
	assert_int_equal(errno, EINPROGRESS);
	assert_int_equal(reg_unclaim("web"), 0);
	assert_int_equal(reg_lookup("web", &d), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(reg_unclaim("web"), 0); /* twice is fine */
	live_domid = 7;
}

static void
test_stale_pending_claim(void **state)
{
	char line[128];
	uint8_t uuid[16];

	(void)state;
	/* a create that died half-way: its pid no longer exists; what it
	 * left is reaped before the name is taken over */
	memset(uuid, 0x5a, sizeof(uuid));
	snprintf(line, sizeof(line),
		 "- %ld 12 5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a\n", dead_pid());
	put_file("names", "orphan", line);
	reaps = 0;
	reap_result = -1; /* its domain could not be destroyed */
	assert_int_equal(reg_claim("orphan", NULL, &hooks), -1);
	assert_int_equal(errno, EBUSY);
	assert_int_equal(reaps, 1);
	assert_memory_equal(reaped_uuid, uuid, 16);
	reap_result = 0;
	assert_int_equal(reg_claim("orphan", NULL, &hooks), 0);
	assert_int_equal(reaps, 2);
	assert_int_equal(reg_unclaim("orphan"), 0);
	/* a live pid that is not the creator (the pid was reused): its
	 * start time differs */
	snprintf(line, sizeof(line), "- %ld 1 -\n", (long)getppid());
	put_file("names", "reused", line);
	assert_int_equal(reg_claim("reused", NULL, &hooks), 0);
	assert_int_equal(reg_unclaim("reused"), 0);
}

static void
test_corrupt_names(void **state)
{
	static const char *const bad[] = {
		"",
		"-",
		"- ",
		"\n",
		"7",
		"07\n",
		"-7\n",
		"99999999999\n",
		"7\nx",
		"- 12\n",
		"- 12 5\n",
		"- 0 5 -\n",
		"- 12 5 -",
		"- 12 5 5a5a\n",
		"- 12 5 -\n\n",
		"- -12 5 -\n",
	};
	uint32_t d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_file("names", "broken", bad[i]);
		assert_int_equal(reg_claim("broken", NULL, &hooks), -1);
		assert_int_equal(errno, EUCLEAN);
		assert_int_equal(reg_lookup("broken", &d), -1);
		assert_int_equal(errno, EUCLEAN);
	}
	assert_int_equal(reg_claim("../broken", NULL, &hooks), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(reg_claim("a/b", NULL, &hooks), -1);
	assert_int_equal(errno, EINVAL);
}

/* a domain may be called like the registry's temporary files once were */
static void
test_temporary_files_are_not_names(void **state)
{
	char name[64];
	uint32_t d;

	(void)state;
	snprintf(name, sizeof(name), "x.%ld.tmp", (long)getpid());
	assert_int_equal(reg_claim(name, NULL, &hooks), 0);
	assert_int_equal(reg_bind(name, 7), 0);
	assert_int_equal(reg_claim("x", NULL, &hooks), 0);
	assert_int_equal(reg_bind("x", 7), 0);
	assert_int_equal(reg_lookup(name, &d), 0);
	assert_int_equal(d, 7);
	assert_int_equal(reg_release(name, 7), 0);
	assert_int_equal(reg_release("x", 7), 0);
}

/*
 * n processes claim name at once; each reports 'W' or 'L' and stays alive
 * (a winner that exited would rightly be taken over) until all have.
 */
static int
race(const char *name, int n, int bind_too)
{
	int go[2], done[2], res[2], i, wins = 0;
	pid_t kids[32];
	char c;

	assert_true(n <= 32);
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(done), 0);
	assert_int_equal(pipe(res), 0);
	for (i = 0; i < n; i++) {
		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] > 0)
			continue;
		close(go[1]);
		close(done[1]);
		(void)!read(go[0], &c, 1);
		c = reg_claim(name, NULL, &hooks) == 0 ? 'W' : 'L';
		if (c == 'W' && bind_too && reg_bind(name, 7) < 0)
			c = 'B';
		(void)!write(res[1], &c, 1);
		(void)!read(done[0], &c, 1);
		_exit(0);
	}
	close(go[0]);
	close(go[1]); /* all start */
	for (i = 0; i < n; i++) {
		assert_int_equal(read(res[0], &c, 1), 1);
		assert_true(c != 'B');
		wins += c == 'W';
	}
	close(done[1]);
	for (i = 0; i < n; i++)
		waitpid(kids[i], NULL, 0);
	close(done[0]);
	close(res[0]);
	close(res[1]);
	return wins;
}

static void
test_one_winner_for_a_stale_name(void **state)
{
	char line[64];
	int round;

	(void)state;
	for (round = 0; round < 40; round++) {
		/* bound to a dead domain, or held by a dead creator */
		if (round % 2)
			put_file("names", "stale", "99\n");
		else {
			snprintf(line, sizeof(line), "- %ld 3 -\n", dead_pid());
			put_file("names", "stale", line);
		}
		assert_int_equal(race("stale", 12, round % 4 == 1), 1);
		/* the winner's children are gone: its claim is stale again */
	}
	live_domid = 7;
}

/* claimers running while the holder binds must never win */
static void
test_no_takeover_during_bind(void **state)
{
	pid_t kids[6];
	int pipefd[2], round, i, won = 0;
	char c;

	(void)state;
	for (round = 0; round < 30; round++) {
		assert_int_equal(reg_claim("busy", NULL, &hooks), 0);
		assert_int_equal(pipe(pipefd), 0);
		for (i = 0; i < 6; i++) {
			kids[i] = fork();
			assert_true(kids[i] >= 0);
			if (kids[i] > 0)
				continue;
			close(pipefd[0]);
			c = 'L';
			for (int t = 0; t < 200 && c == 'L'; t++)
				if (reg_claim("busy", NULL, &hooks) == 0)
					c = 'W';
			(void)!write(pipefd[1], &c, 1);
			_exit(0);
		}
		close(pipefd[1]);
		assert_int_equal(reg_bind("busy", 7), 0);
		for (i = 0; i < 6; i++) {
			assert_int_equal(read(pipefd[0], &c, 1), 1);
			won += c == 'W';
			waitpid(kids[i], NULL, 0);
		}
		close(pipefd[0]);
		assert_int_equal(won, 0);
		assert_int_equal(reg_release("busy", 7), 0);
	}
}

static void
test_records(void **state)
{
	struct reg_record r = {.domid = 42, .name = "db"}, back;
	char cfg[] = "name = \"db\"\nkernel = \"/k\"\n\0binary\n";
	uint32_t *ids;
	size_t n, i;
	int found = 0;

	(void)state;
	memset(r.uuid, 0xab, 16);
	r.config = cfg;
	r.config_len = sizeof(cfg) - 1;
	assert_int_equal(reg_record_write(&r), 0);
	assert_int_equal(reg_record_read(42, &back), 0);
	assert_string_equal(back.name, "db");
	assert_int_equal(back.uuid[15], 0xab);
	assert_int_equal(back.config_len, sizeof(cfg) - 1);
	assert_memory_equal(back.config, cfg, sizeof(cfg) - 1);
	assert_false(back.noxs);
	reg_record_free(&back);
	r.noxs = 1;
	r.devpage_mfn = 0x123456789ULL;
	r.sysctl_offset = 1088;
	r.sysctl_port = 3;
	r.console_port = 2;
	r.notice_port = 4;
	assert_int_equal(reg_record_write(&r), 0);
	assert_int_equal(reg_record_read(42, &back), 0);
	assert_true(back.noxs);
	assert_int_equal(back.notice_port, 4);
	assert_true(back.devpage_mfn == 0x123456789ULL);
	assert_int_equal(back.sysctl_offset, 1088);
	assert_int_equal(back.sysctl_port, 3);
	assert_int_equal(back.console_port, 2);
	assert_memory_equal(back.config, cfg, sizeof(cfg) - 1);
	assert_int_equal(back.nvifs, 0);
	reg_record_free(&back);
	/* noxs vifs, with and without a vifname */
	r.nvifs = 2;
	r.vifs[0] = (struct reg_vif){.devid = 0,
				     .offset = 1152,
				     .port = 5,
				     .mtu = 1500,
				     .bridge = "xenbr0",
				     .mac = {0x00, 0x16, 0x3e, 0xa, 0xb, 0xc}};
	r.vifs[1] = (struct reg_vif){.devid = 3,
				     .offset = 1216,
				     .port = 6,
				     .mtu = 68,
				     .bridge = "br-1",
				     .vifname = "web.1"};
	assert_int_equal(reg_record_write(&r), 0);
	assert_int_equal(reg_record_read(42, &back), 0);
	assert_int_equal(back.nvifs, 2);
	assert_memory_equal(&back.vifs[0], &r.vifs[0], sizeof(r.vifs[0]));
	assert_memory_equal(&back.vifs[1], &r.vifs[1], sizeof(r.vifs[1]));
	assert_memory_equal(back.config, cfg, sizeof(cfg) - 1);
	reg_record_free(&back);
	/* a bridge that could not be read back is not written */
	snprintf(r.vifs[1].bridge, sizeof(r.vifs[1].bridge), "a b");
	assert_int_equal(reg_record_write(&r), -1);
	r.nvifs = 0;
	assert_int_equal(reg_record_list(&ids, &n), 0);
	for (i = 0; i < n; i++)
		found |= ids[i] == 42;
	free(ids);
	assert_true(found);
	assert_int_equal(reg_record_remove(42), 0);
	assert_int_equal(reg_record_read(42, &back), -1);
	assert_int_equal(errno, ENOENT);
	/* a name that is no domain name is never written */
	snprintf(r.name, sizeof(r.name), "../names/x");
	assert_int_equal(reg_record_write(&r), -1);
	assert_int_equal(errno, EINVAL);
}

#define UUID_LINE "uuid abababababababababababababababab\n"
#define NOXS_LINE "noxs 1 1088 3 2\n"

static void
test_corrupt_records(void **state)
{
	static const char *const bad[] = {
		"name x\nuuid zz\nconfig 99999\n",
		"",
		"name ../../names/web\n" UUID_LINE "config 0\n",
		"name \n" UUID_LINE "config 0\n",
		"name x\nuuid ABABABABABABABABABABABABABABABAB\nconfig 0\n",
		"name x\n" UUID_LINE "noxs 1 4096 3 2\nconfig 0\n",
		"name x\n" UUID_LINE "noxs 1 1024 3 2\nconfig 0\n",
		"name x\n" UUID_LINE "noxs 1 1089 3 2\nconfig 0\n",
		"name x\n" UUID_LINE "noxs 1 1088 0 2\nconfig 0\n",
		"name x\n" UUID_LINE "noxs 1 1088 3 131072\nconfig 0\n",
		"name x\n" UUID_LINE "noxs 1 1088 -1 2\nconfig 0\n",
		"name x\n" UUID_LINE "noxs 1099511627776 1088 3 2\nconfig 0\n",
		"name x\n" UUID_LINE "noxs 1 1088 3 2 9 9\nconfig 0\n",
		"name x\n" UUID_LINE "noxs 1 1088 3 2 0\nconfig 0\n",
		"name x\n" UUID_LINE "noxs 1 1088 3 2 131072\nconfig 0\n",
		"name x\n" UUID_LINE "noxs 1 1088 3 2 \nconfig 0\n",
		"name x\n" UUID_LINE "noxs 1 1088 3\nconfig 0\n",
		"name x\n" UUID_LINE "vif 0 1152 5 1500 00163e0a0b0c xenbr0 "
		"-\nconfig 0\n",
		"name x\n" UUID_LINE NOXS_LINE "vif 0 1153 5 1500 00163e0a0b0c "
		"xenbr0 -\nconfig 0\n",
		"name x\n" UUID_LINE NOXS_LINE "vif 0 1088 0 1500 00163e0a0b0c "
		"xenbr0 -\nconfig 0\n",
		"name x\n" UUID_LINE NOXS_LINE "vif 0 1088 5 1501 00163e0a0b0c "
		"xenbr0 -\nconfig 0\n",
		"name x\n" UUID_LINE NOXS_LINE "vif 0 1088 5 67 00163e0a0b0c "
		"xenbr0 -\nconfig 0\n",
		"name x\n" UUID_LINE NOXS_LINE "vif 65536 1088 5 1500 "
		"00163e0a0b0c xenbr0 -\nconfig 0\n",
		"name x\n" UUID_LINE NOXS_LINE "vif 0 1088 5 1500 00163E0a0b0c "
		"xenbr0 -\nconfig 0\n",
		"name x\n" UUID_LINE NOXS_LINE "vif 0 1088 5 1500 00163e0a0b "
		"xenbr0 -\nconfig 0\n",
		"name x\n" UUID_LINE NOXS_LINE "vif 0 1088 5 1500 00163e0a0b0c "
		"- -\nconfig 0\n",
		"name x\n" UUID_LINE NOXS_LINE "vif 0 1088 5 1500 00163e0a0b0c "
		"xenbr0 ../x\nconfig 0\n",
		"name x\n" UUID_LINE NOXS_LINE "vif 0 1088 5 1500 00163e0a0b0c "
		"xenbr0123456789ab -\nconfig 0\n",
		"name x\n" UUID_LINE NOXS_LINE "vif 0 1088 5 1500 00163e0a0b0c "
		"xenbr0\nconfig 0\n",
		"name x\n" UUID_LINE "config 5\nabc",
		"name x\n" UUID_LINE "config 1\nabc",
		"name x\n" UUID_LINE "config -1\n",
		"name x\n" UUID_LINE "config 18446744073709551617\n",
		"name x\n" UUID_LINE "config 0",
		"name x\n" UUID_LINE,
	};
	struct reg_record back;
	size_t i;

	(void)state;
	put_file("doms", "5",
		 "name x\n" UUID_LINE "noxs 1 1088 3 2\nconfig 0\n");
	assert_int_equal(reg_record_read(5, &back), 0); /* the good one */
	reg_record_free(&back);
	put_file("doms", "5",
		 "name x\n" UUID_LINE NOXS_LINE
		 "vif 1 1152 5 1500 00163e0a0b0c xenbr0 -\n"
		 "vif 2 1216 6 68 00163e0a0b0d br.2 v_2\nconfig 0\n");
	assert_int_equal(reg_record_read(5, &back), 0);
	assert_int_equal(back.nvifs, 2);
	assert_string_equal(back.vifs[1].vifname, "v_2");
	reg_record_free(&back);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_file("doms", "5", bad[i]);
		assert_int_equal(reg_record_read(5, &back), -1);
		assert_int_equal(errno, EUCLEAN);
		assert_null(back.config);
	}
	assert_int_equal(reg_record_remove(5), 0);
}

static void
test_record_list_is_strict(void **state)
{
	uint32_t *ids;
	size_t n, i;

	(void)state;
	put_file("doms", "007", "");
	put_file("doms", "+8", "");
	put_file("doms", "99999", "");
	put_file("doms", "0", "");
	put_file("doms", "12", "");
	assert_int_equal(reg_record_list(&ids, &n), 0);
	for (i = 0; i < n; i++)
		assert_int_equal(ids[i], 12);
	assert_int_equal(n, 1);
	free(ids);
}

static void
test_intents(void **state)
{
	struct reg_intent in = {.name = "fn", .noxs = 1}, back;
	uint8_t(*uuids)[16];
	char line[128];
	size_t n, bad;

	(void)state;
	memset(in.uuid, 0x11, 16);
	assert_int_equal(reg_intent_begin(&in), 0);
	assert_int_equal(in.pid, (long)getpid());
	/* one create per uuid */
	assert_int_equal(reg_intent_begin(&in), -1);
	assert_int_equal(errno, EEXIST);
	assert_int_equal(reg_intent_read(in.uuid, &back), 0);
	assert_string_equal(back.name, "fn");
	assert_true(back.noxs);
	assert_true(reg_creator_alive(back.pid, back.start));
	assert_false(reg_creator_alive(back.pid, back.start + 1));
	assert_false(reg_creator_alive(dead_pid(), back.start));
	put_file("creating", "not-a-uuid", "");
	snprintf(line, sizeof(line), "%ld 5 ../x noxs\n", (long)getpid());
	put_file("creating", "22222222222222222222222222222222", line);
	assert_int_equal(reg_intent_list(&uuids, &n, &bad), 0);
	assert_int_equal(n, 2);
	assert_int_equal(bad, 1);
	free(uuids);
	memset(back.uuid, 0x22, 16);
	assert_int_equal(reg_intent_read(back.uuid, &back), -1);
	assert_int_equal(errno, EUCLEAN);
	assert_int_equal(reg_intent_remove(in.uuid), 0);
}

/* A noxs record written before it had a notice port reads as having
 * none; a line with junk after the ports is refused. */
static void
test_noxs_record_without_notice_port(void **state)
{
	char path[1200];
	struct reg_record back;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/doms/6", reg_dir());
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "name old\nuuid %032d\nnoxs 77 1088 3 2\nconfig 2\nx\n", 0);
	fclose(f);
	assert_int_equal(reg_record_read(6, &back), 0);
	assert_true(back.noxs);
	assert_int_equal(back.console_port, 2);
	assert_int_equal(back.notice_port, 0);
	reg_record_free(&back);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "name old\nuuid %032d\nnoxs 77 1088 3 2 5 9\nconfig 2\nx\n",
		0);
	fclose(f);
	assert_int_equal(reg_record_read(6, &back), -1);
	assert_int_equal(reg_record_remove(6), 0);
}

/* a writer killed between its temporary file and the rename */
static void
test_sweep(void **state)
{
	char name[96];
	DIR *d;
	struct dirent *de;
	int left = 0;

	(void)state;
	snprintf(name, sizeof(name), "names.web.%ld.tmp", dead_pid());
	put_file("tmp", name, "- 1 2 -\n");
	snprintf(name, sizeof(name), "doms.7.%ld.tmp", (long)getpid());
	put_file("tmp", name, "");
	put_file("tmp", "not-ours", "");
	assert_int_equal(reg_sweep(), 2);
	/* a live writer's file stays; nothing else does */
	snprintf(name, sizeof(name), "%s/tmp", reg_dir());
	d = opendir(name);
	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		left += de->d_name[0] != '.';
	closedir(d);
	assert_int_equal(left, 1);
	snprintf(name, sizeof(name), "%s/tmp/doms.7.%ld.tmp", reg_dir(),
		 (long)getpid());
	assert_int_equal(unlink(name), 0);
	/* a write leaves no temporary file behind */
	assert_int_equal(reg_claim("swept", NULL, &hooks), 0);
	assert_int_equal(reg_bind("swept", 7), 0);
	assert_int_equal(reg_sweep(), 0);
	assert_int_equal(reg_release("swept", 7), 0);
}

/* a shell record of 4 MiB, 1 vCPU: two runs */
static void
put_shell(uint32_t domid)
{
	struct hv_p2m_run runs[2] = {{0, 1000, 512}, {512, 5000, 512}};
	struct reg_shell r = {
		.domid = domid,
		.memory_mib = 4,
		.vcpus = 1,
		.store_port = 1,
		.console_port = 2,
		.sysctl_port = 3,
		.notice_port = 4,
		.nruns = 2,
		.runs = runs,
	};

	snprintf(r.cls, sizeof(r.cls), "tiny");
	memset(r.uuid, (int)domid, 16);
	assert_int_equal(reg_shape_open(4, 1), 0);
	assert_int_equal(reg_shell_write(&r), 0);
}

/*
 * 10 processes take from a class of 4 shells at once: 4 distinct shells
 * go to 4 takers, each with its record; the others find none (EAGAIN);
 * a shape without a class is ENOENT; a taken shell is no longer listed.
 */
static void
test_shell_takes(void **state)
{
	struct reg_shell_id *ids;
	struct reg_shell r;
	struct reg_taken t;
	int res[2], i, got = 0, none = 0;
	uint32_t seen[10] = {0}, d;
	size_t n, bad;
	pid_t kids[10];

	(void)state;
	for (d = 11; d <= 14; d++)
		put_shell(d);
	assert_int_equal(reg_shell_list(&ids, &n, &bad), 0);
	assert_int_equal(n, 4);
	free(ids);
	assert_int_equal(pipe(res), 0);
	for (i = 0; i < 10; i++) {
		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] > 0)
			continue;
		d = 0;
		if (reg_shell_take(4, 1, 1, &r, &t) == 0 &&
		    t.domid == r.domid && r.nruns == 2 &&
		    r.runs[1].mfn == 5000 && strcmp(r.cls, "tiny") == 0 &&
		    reg_taken_end(&t) == 0)
			d = r.domid;
		else if (errno == EAGAIN)
			d = 1;
		(void)!write(res[1], &d, sizeof(d));
		_exit(0);
	}
	for (i = 0; i < 10; i++) {
		assert_int_equal(read(res[0], &d, sizeof(d)), sizeof(d));
		if (d == 1) {
			none++;
			continue;
		}
		assert_true(d >= 11 && d <= 14);
		seen[got++] = d;
	}
	for (i = 0; i < 10; i++)
		waitpid(kids[i], NULL, 0);
	close(res[0]);
	close(res[1]);
	assert_int_equal(got, 4);
	assert_int_equal(none, 6);
	assert_true(seen[0] != seen[1] && seen[1] != seen[2] &&
		    seen[2] != seen[3] && seen[0] != seen[3] &&
		    seen[0] != seen[2] && seen[1] != seen[3]);
	assert_int_equal(reg_shell_list(&ids, &n, &bad), 0);
	assert_int_equal(n, 0);
	free(ids);
	assert_int_equal(reg_shell_take(8, 1, 0, &r, &t), -1);
	assert_int_equal(errno, ENOENT);
	/* a take left by a dead taker is listed, read back, given back */
	put_shell(20);
	assert_int_equal(reg_shell_take(4, 1, 0, &r, &t), 0);
	reg_shell_free(&r);
	{
		struct reg_taken *v;

		assert_int_equal(reg_taken_list(&v, &n), 0);
		assert_int_equal(n, 1);
		assert_int_equal(v[0].domid, 20);
		assert_int_equal(v[0].noxs, 0);
		assert_int_equal(reg_taken_read(&v[0], &r), 0);
		assert_int_equal(reg_taken_giveback(&v[0], &r), 0);
		reg_shell_free(&r);
		free(v);
	}
	assert_int_equal(reg_shell_list(&ids, &n, &bad), 0);
	assert_int_equal(n, 1);
	assert_int_equal(reg_shell_remove(&ids[0]), 0);
	assert_int_equal(reg_shell_remove(&ids[0]), -1); /* taken: not ours */
	assert_int_equal(errno, ENOENT);
	free(ids);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_claim_is_exclusive),
		cmocka_unit_test(test_stale_pending_claim),
		cmocka_unit_test(test_corrupt_names),
		cmocka_unit_test(test_temporary_files_are_not_names),
		cmocka_unit_test(test_one_winner_for_a_stale_name),
		cmocka_unit_test(test_no_takeover_during_bind),
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_corrupt_records),
		cmocka_unit_test(test_record_list_is_strict),
		cmocka_unit_test(test_intents),
		cmocka_unit_test(test_noxs_record_without_notice_port),
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_shell_takes),
	};
	char dir[] = "/tmp/chaos-test-registry-XXXXXX";
	int rc;

	if (mkdtemp(dir) == NULL)
		return 1;
	setenv("CHAOS_RUN_DIR", dir, 1);
	rc = cmocka_run_group_tests_name("registry", tests, NULL, NULL);
	if (nftw(dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS) != 0)
		rc = 1;
	return rc;
}
