/* test_bootloader.c: a config's bootloader run as libxl runs it, with a
 * shell script standing in for pygrub (no Xen, no disk read). */
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
#include <unistd.h>

#include <cmocka.h>

#include "bootloader.h"
#include "cfgfile.h"
#include "clock.h"
#include "toolstack.h"

static char top[] = "/tmp/chaos-test-boot-XXXXXX";
static char bindir[64], workdir[64], logdir[64];
static const struct boot_paths paths = {bindir, workdir, logdir};

/* records how it was run, then does what --mode= says */
static const char fake[] =
	"#!/bin/sh\n"
	"T=%s\n"
	"{ echo \"$0\"; for a; do echo \"$a\"; done; } > $T/argv\n"
	"/usr/bin/env > $T/env\n"
	"[ -t 0 ] && [ -t 1 ] && echo tty > $T/tty\n"
	"echo $$ > $T/pid\n"
	"out= dir= args= mode=ok\n"
	"for a; do\n"
	"	case $a in\n"
	"	--output=*) out=${a#--output=} ;;\n"
	"	--output-directory=*) dir=${a#--output-directory=} ;;\n"
	"	--args=*) args=${a#--args=} ;;\n"
	"	--mode=*) mode=${a#--mode=} ;;\n"
	"	esac\n"
	"done\n"
	"echo hello from fake\n"
	"case $mode in\n"
	"ok)\n"
	"	echo KERNEL > $dir/boot_kernel.1\n"
	"	echo RAMDISK > $dir/boot_ramdisk.1\n"
	"	printf 'kernel %%s\\0\\0ramdisk  %%s\\0args %%s\\0\\0' \\\n"
	"		\"$dir//boot_kernel.1\" \"$dir/boot_ramdisk.1\" "
	"\"$args more\" > $out ;;\n"
	"kernel) echo K > $dir/k; printf 'kernel %%s' $dir/k > $out ;;\n"
	"fail)\n"
	"	echo 'Traceback (most recent call last):'\n"
	"	printf '\\033[?1l\\033>RuntimeError: no grub.cfg here\\r\\n' "
	">&2\n"
	"	exit 3 ;;\n"
	"garbage) printf 'hello\\0world\\0' > $out ;;\n"
	"hang) read -r x ;;\n"
	"outside) printf 'kernel %%s\\0' $T/victim > $out ;;\n"
	"esac\n";

/* a file of the test's directory, NUL-terminated; NULL if missing */
static char *
slurp(const char *name)
{
	static char *buf;
	char path[128];
	size_t n;

	free(buf);
	buf = NULL;
	snprintf(path, sizeof(path), "%s/%s", top, name);
	if (cfgfile_read(path, &buf, &n) < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

static int
empty_dir(const char *dir)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "[ -z \"$(ls -A %s)\" ]", dir);
	return system(cmd) == 0;
}

static struct dc_disk disk = {.target = "/images/guest.img"};

static void
make_dc(struct domcfg *dc, char *prog, char **args, size_t nargs)
{
	memset(dc, 0, sizeof(*dc));
	dc->name = "guest";
	dc->bootloader = prog;
	dc->bootloader_args = args;
	dc->nbootloader_args = nargs;
	dc->disks = &disk;
	dc->ndisks = 1;
}

static void
test_argv_env_and_result(void **state)
{
	char *args[] = {"--mode=ok", "-q"};
	struct boot_result r;
	struct domcfg dc;
	char err[256], want[2048], buf[16], *argv;
	size_t n;
	int fd;

	(void)state;
	make_dc(&dc, "fake", args, 2);
	dc.kernel = "/boot/vmlinuz";
	dc.ramdisk = "/boot/initrd";
	dc.cmdline = "root=/dev/xvda1";
	setenv("CHAOS_TEST_SECRET", "kept from the bootloader", 1);
	assert_int_equal(boot_run(&dc, &paths, 10, &r, err, sizeof(err)), 0);
	/* libxl's order; the output directory is made for the run */
	argv = slurp("argv");
	n = strlen(workdir) + strlen("/bootloader.guest.XXXXXX");
	snprintf(want, sizeof(want),
		 "%s/fake\n--kernel=/boot/vmlinuz\n--ramdisk=/boot/initrd\n"
		 "--args=root=/dev/xvda1\n--output=%.*s/output\n"
		 "--output-format=simple0\n--output-directory=%.*s\n"
		 "--mode=ok\n-q\n/images/guest.img\n",
		 bindir, (int)n, strstr(argv, "--output=") + 9, (int)n,
		 strstr(argv, "--output=") + 9);
	assert_string_equal(argv, want);
	assert_non_null(strstr(argv, "/bootloader.guest."));
	assert_non_null(strstr(slurp("env"), "TERM=vt100\n"));
	assert_null(strstr(slurp("env"), "CHAOS_TEST_SECRET"));
	assert_null(strstr(slurp("env"), "PATH="));
	assert_string_equal(slurp("tty"), "tty\n");
	/* kernel and ramdisk open, their files gone; the args as given */
	assert_true(r.kernel_fd >= 0 && r.ramdisk_fd >= 0);
	snprintf(want, sizeof(want), "/proc/self/fd/%d", r.kernel_fd);
	assert_string_equal(r.kernel, want);
	fd = open(r.kernel, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(read(fd, buf, sizeof(buf)), 7);
	assert_memory_equal(buf, "KERNEL\n", 7);
	close(fd);
	assert_int_equal(pread(r.ramdisk_fd, buf, sizeof(buf), 0), 8);
	assert_string_equal(r.args, "root=/dev/xvda1 more");
	assert_true(empty_dir(workdir));
	/* what it showed is logged */
	assert_non_null(
		strstr(slurp("log/bootloader.guest.log"), "hello from fake"));
	boot_result_free(&r);
	assert_int_equal(r.kernel_fd, -1);
}

static void
test_absolute_name_and_no_args(void **state)
{
	char prog[96], *args[] = {"--mode=kernel"};
	struct boot_result r;
	struct domcfg dc;
	char err[256];

	(void)state;
	snprintf(prog, sizeof(prog), "%s/fake", bindir);
	make_dc(&dc, prog, args, 1);
	assert_int_equal(boot_run(&dc, &paths, 10, &r, err, sizeof(err)), 0);
	/* nothing set, nothing passed; no args out: no command line */
	assert_null(strstr(slurp("argv"), "--kernel"));
	assert_null(strstr(slurp("argv"), "--args"));
	assert_true(r.kernel_fd >= 0);
	assert_int_equal(r.ramdisk_fd, -1);
	assert_string_equal(r.ramdisk, "");
	assert_null(r.args);
	boot_result_free(&r);
	/* a second run keeps the first one's log as .log.1 */
	assert_non_null(slurp("log/bootloader.guest.log.1"));
}

static void
test_failures(void **state)
{
	static const struct {
		char *prog, *mode;
		const char *want;
	} cases[] = {
		{"fake", "--mode=fail",
		 "fake: exit status 3: RuntimeError: no grub.cfg here (see "},
		{"no-such-loader", "-q",
		 "no-such-loader: cannot run no-such-loader: No such file"},
		{"fake", "--mode=garbage", "fake: its output names no kernel"},
		{"fake", "--mode=outside", "is not a file of its output dir"},
	};
	struct boot_result r;
	struct domcfg dc;
	char err[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		make_dc(&dc, cases[i].prog, (char **)&cases[i].mode, 1);
		assert_int_equal(
			boot_run(&dc, &paths, 10, &r, err, sizeof(err)), -1);
		if (strstr(err, cases[i].want) == NULL)
			fail_msg("case %zu: '%s'", i, err);
		assert_int_equal(r.kernel_fd, -1);
		assert_true(empty_dir(workdir));
	}
	/* the file it named outside its directory is still there */
	assert_non_null(slurp("victim"));
	/* the garbage run's log, rotated by the next run */
	assert_non_null(strstr(slurp("log/bootloader.guest.log.1"),
			       "unexpected output: hello"));
	dc.ndisks = 0;
	assert_int_equal(boot_run(&dc, &paths, 10, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "fake: no disk to find the kernel on (it "
				 "reads the first disk)");
}

static void
test_time_limit_and_interrupt(void **state)
{
	char *args[] = {"--mode=hang"};
	struct boot_result r;
	struct domcfg dc;
	char err[512];
	int64_t t0;
	pid_t pid;

	(void)state;
	make_dc(&dc, "fake", args, 1);
	t0 = clk_now_ms();
	assert_int_equal(boot_run(&dc, &paths, 1, &r, err, sizeof(err)), -1);
	assert_true(clk_now_ms() - t0 < 5000);
	assert_non_null(strstr(err, "fake: still running after 1 s, killed"));
	pid = (pid_t)atol(slurp("pid"));
	assert_int_equal(kill(pid, 0), -1);
	assert_true(empty_dir(workdir));
	ts_interrupted = 1;
	assert_int_equal(boot_run(&dc, &paths, 0, &r, err, sizeof(err)), -1);
	ts_interrupted = 0;
	assert_string_equal(err, "fake: interrupted");
	assert_true(empty_dir(workdir));
}

/* libxl's restrict mode: --runas and --quiet after --args, never root */
static void
test_restricted(void **state)
{
	char *args[] = {"--mode=kernel"};
	struct boot_result r;
	struct domcfg dc;
	char err[256];

	(void)state;
	make_dc(&dc, "fake", args, 1);
	dc.kernel = "/vmlinuz"; /* every argument there is */
	dc.ramdisk = "/initrd";
	dc.cmdline = "quiet";
	setenv("LIBXL_BOOTLOADER_USER", "nobody", 1); /* Debian's 65534 */
	assert_int_equal(boot_run(&dc, &paths, 10, &r, err, sizeof(err)), 0);
	boot_result_free(&r);
	assert_non_null(
		strstr(slurp("argv"),
		       "\n--args=quiet\n--runas=65534\n--quiet\n--output="));
	setenv("LIBXL_BOOTLOADER_USER", "root", 1);
	assert_int_equal(boot_run(&dc, &paths, 10, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "fake: restricted (LIBXL_BOOTLOADER_USER) "
				 "but user root is root");
	setenv("LIBXL_BOOTLOADER_USER", "chaos-no-such-user", 1);
	assert_int_equal(boot_run(&dc, &paths, 10, &r, err, sizeof(err)), -1);
	assert_string_equal(err, "fake: restricted (LIBXL_BOOTLOADER_USER) but "
				 "user chaos-no-such-user does not exist");
	unsetenv("LIBXL_BOOTLOADER_USER");
	assert_true(empty_dir(workdir));
}

static void
test_timeout_setting(void **state)
{
	unsigned s;

	(void)state;
	unsetenv("LIBXL_BOOTLOADER_TIMEOUT");
	assert_int_equal(boot_timeout(&s), 0);
	assert_int_equal(s, BOOT_TIMEOUT_S);
	setenv("LIBXL_BOOTLOADER_TIMEOUT", "0", 1);
	assert_int_equal(boot_timeout(&s), 0);
	assert_int_equal(s, 0);
	setenv("LIBXL_BOOTLOADER_TIMEOUT", "30", 1);
	assert_int_equal(boot_timeout(&s), 0);
	assert_int_equal(s, 30);
	setenv("LIBXL_BOOTLOADER_TIMEOUT", "-1", 1);
	assert_int_equal(boot_timeout(&s), -1);
	setenv("LIBXL_BOOTLOADER_TIMEOUT", "10s", 1);
	assert_int_equal(boot_timeout(&s), -1);
	unsetenv("LIBXL_BOOTLOADER_TIMEOUT");
}

/* boot_parse on a buffer of n bytes (and room for its NUL) */
static int
parse_bytes(const char *bytes, size_t n, struct boot_items *it, char *buf,
	    char *err)
{
	memcpy(buf, bytes, n);
	return boot_parse(buf, n, it, NULL, NULL, err, 128);
}

static void
test_parse(void **state)
{
	static const char pygrub[] = "kernel /d/boot_kernel.1\0"
				     "ramdisk /d/boot_ramdisk.2\0"
				     "args root=/dev/xvda1 quiet\0";
	static const char odd[] = "\0args first\0what\0kernel\t /k\0"
				  "args  last\0kernels /x";
	struct boot_items it;
	char buf[256], err[128];

	(void)state;
	assert_int_equal(parse_bytes(pygrub, sizeof(pygrub) - 1, &it, buf, err),
			 0);
	assert_string_equal(it.kernel, "/d/boot_kernel.1");
	assert_string_equal(it.ramdisk, "/d/boot_ramdisk.2");
	assert_string_equal(it.args, "root=/dev/xvda1 quiet");
	assert_int_equal(it.unknown, 0);
	/* empty items skipped, the last args counts, blanks after the word,
	 * an unterminated last item, words that only begin like ours */
	assert_int_equal(parse_bytes(odd, sizeof(odd) - 1, &it, buf, err), 0);
	assert_string_equal(it.kernel, "/k");
	assert_null(it.ramdisk);
	assert_string_equal(it.args, "last");
	assert_int_equal(it.unknown, 2);
	assert_int_equal(parse_bytes("kernel /a\0kernel /b", 19, &it, buf, err),
			 -1);
	assert_string_equal(err, "its output names two kernels");
	assert_int_equal(parse_bytes("kernel /a\0ramdisk /r\0ramdisk /s", 32,
				     &it, buf, err),
			 -1);
	assert_string_equal(err, "its output names two ramdisks");
	assert_int_equal(parse_bytes("kernel \0args x", 15, &it, buf, err), -1);
	assert_string_equal(err, "its output names no kernel");
	assert_int_equal(parse_bytes("", 0, &it, buf, err), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_argv_env_and_result),
		cmocka_unit_test(test_absolute_name_and_no_args),
		cmocka_unit_test(test_failures),
		cmocka_unit_test(test_time_limit_and_interrupt),
		cmocka_unit_test(test_restricted),
		cmocka_unit_test(test_timeout_setting),
		cmocka_unit_test(test_parse),
	};
	char path[128];
	FILE *f;
	int rc;

	if (mkdtemp(top) == NULL)
		return 1;
	snprintf(bindir, sizeof(bindir), "%s/bin", top);
	snprintf(workdir, sizeof(workdir), "%s/work", top);
	snprintf(logdir, sizeof(logdir), "%s/log", top);
	mkdir(bindir, 0755);
	mkdir(workdir, 0755);
	mkdir(logdir, 0755);
	snprintf(path, sizeof(path), "%s/fake", bindir);
	f = fopen(path, "w");
	if (f == NULL)
		return 1;
	fprintf(f, fake, top);
	fclose(f);
	chmod(path, 0755);
	snprintf(path, sizeof(path), "%s/victim", top);
	f = fopen(path, "w");
	if (f == NULL)
		return 1;
	fputs("not the bootloader's\n", f);
	fclose(f);
	rc = cmocka_run_group_tests_name("bootloader", tests, NULL, NULL);
	slurp("");
	snprintf(path, sizeof(path), "rm -rf %s", top);
	return system(path) == 0 ? rc : 1;
}
