# Makefile: chaos, its tests, and (tests/xenbox) the Xen host they run on.
#
#   make              build build/chaos and what it installs
#   make check-unit   tests that need no Xen: unit (ASan+UBSan), golden,
#                     jsonflat, fuzz
#   make check        every test: check-unit, then check-e2e (real Xen 4.17
#                     booted in QEMU by tests/xenbox)
#   make demo         guests created and timed on that Xen host
#   make install      PREFIX=/usr/local DESTDIR= (chaos, xendevd, its
#                     systemd unit in SYSTEMDDIR, the man pages)
#
# make stress: the hardening campaign in one xenbox boot (counts in
# STRESS_HELLO, STRESS_VIF, STRESS_KILL, STRESS_RACE), table in build/stress/.
# make bench: the boot curve (BENCH_N=20 Linux guests), the hello curve
# (HELLO_N=100 tiny guests), vif-ping (VIF_N=5 rounds of a guest with a
# vif, to its first ping reply), start-cost (START_N=30 rounds of
# create -p and help: what process start costs), the LightVM boot curve
# (POOL_N=1000 tiny guests kept running, by xl, chaos and chaos from the
# shell pool), the floor (FLOOR_N=30 rounds of what a pooled create must
# do in the hypervisor, beside pooled creates), the breakdown
# (BREAKDOWN_N=10 creates per series, phase by phase), save-restore
# (SR_N=20 saves and restores of a tiny and of the Linux guest) and disk
# (DISK_N=10 creates with a file disk to the marker) and pvh (PVH_N=10
# creates each of the Linux guest and hello, PV and PVH) and noxs-vif
# (NOXS_VIF_N=10 creates to first ping, pong's noxs vif beside netback,
# and UDP echo), xl beside chaos (bench/run).
# WERROR=1 turns warnings into errors (CI sets it).  FUZZ_SECONDS sets the
# fuzzers' run, shared between them (default 60).

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
SYSTEMDDIR ?= /lib/systemd/system
MANDIR ?= $(PREFIX)/share/man
COMPLETIONDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR ?=

CC ?= cc
CLANG ?= clang
PKG_CONFIG ?= pkg-config
B := build
FUZZ_SECONDS ?= 60

CFLAGS ?= -O2 -g
WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wno-missing-field-initializers $(if $(WERROR),-Werror)
CPPFLAGS += -D_GNU_SOURCE -Ichaos -Ilibnoxs -Ilibipc -Ixendevd -Ishells
YAJL_CFLAGS := $(shell $(PKG_CONFIG) --cflags yajl)
YAJL_LIBS := $(shell $(PKG_CONFIG) --libs yajl)
XEN_PKGS := xencontrol xenguest xenstore xentoollog xenevtchn xengnttab \
	xenforeignmemory
XEN_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(XEN_PKGS))
# libchaos also checksums save files with zlib (chaos/savefile.c)
XEN_LIBS := $(shell $(PKG_CONFIG) --libs $(XEN_PKGS) zlib)
ZLIB_LIBS := $(shell $(PKG_CONFIG) --libs zlib)
MNL_CFLAGS := $(shell $(PKG_CONFIG) --cflags libmnl)
MNL_LIBS := $(shell $(PKG_CONFIG) --libs libmnl)
CMOCKA_CFLAGS = $(shell $(PKG_CONFIG) --cflags cmocka)
CMOCKA_LIBS = $(shell $(PKG_CONFIG) --libs cmocka)
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all

# libnoxs: the noxs ABI helpers (freestanding; guests build them too)
LIBNOXS_SRCS := libnoxs/noxs.c

# libipc: the framed request/reply sockets of the daemons and their
# clients (ipc.h), one implementation for both sides of every protocol;
# it tells time by chaos/clock.c; log.c and pidfile.c are the daemons'
LIBIPC_SRCS := libipc/msg.c libipc/server.c libipc/client.c libipc/log.c \
	libipc/pidfile.c

# libchaos: the toolstack core, shared with the shell daemon; the first
# line is pure (no Xen), the rest talks to the hypervisor
LIBCHAOS_SRCS := chaos/diag.c chaos/cfg.c chaos/devspec.c chaos/domcfg.c \
	chaos/domcfg_json.c chaos/cfgfile.c chaos/elfnote.c \
	chaos/hv_xen.c chaos/xsdom.c chaos/regfile.c chaos/registry.c \
	chaos/xswatch.c chaos/toolstack.c chaos/monitor.c chaos/monstate.c \
	chaos/console.c chaos/xdclient.c chaos/netvif.c chaos/noxsvif.c \
	chaos/recdevs.c chaos/clock.c \
	chaos/escape.c chaos/phases.c xendevd/proto.c xendevd/ring.c \
	chaos/regshell.c \
	chaos/savefile.c chaos/saverestore.c chaos/vbd.c chaos/disk.c chaos/acpi.c \
	chaos/bootloader.c chaos/bootout.c chaos/sched.c shells/shp.c
CLI_SRCS := chaos/main.c chaos/cmdtable.c chaos/cmd_help.c chaos/cmd_create.c \
	chaos/cmd_domain.c chaos/cmd_list.c chaos/cmd_net.c chaos/cmd_save.c \
	chaos/cmd_block.c chaos/cmd_res.c chaos/cmd_misc.c chaos/cmd_top.c \
	chaos/cmd_sched.c chaos/cli_json.c
PURE_SRCS := chaos/diag.c chaos/cfg.c chaos/devspec.c chaos/domcfg.c chaos/vbd.c \
	chaos/domcfg_json.c chaos/cfgfile.c
UNIT_TESTS := test_cfg test_domcfg test_devspec test_cmdtable test_registry \
	test_monstate test_noxs test_elfnote test_phases test_escape \
	test_xswatch test_ipc test_pool test_savefile test_vbd test_acpi \
	test_consring test_bootloader test_net

# chaos-shelld: the shell daemon (conf.c and pool.c are pure)
SHELLD_SRCS := shells/main.c shells/conf.c shells/pool.c shells/shell.c
SHELLD_PURE_SRCS := shells/conf.c shells/pool.c

# xendevd: the device daemon (netlink through libmnl)
XENDEVD_SRCS := xendevd/main.c xendevd/server.c xendevd/msg.c \
	xendevd/proto.c xendevd/vif.c xendevd/netlink.c xendevd/xenstore.c \
	xendevd/vbd.c xendevd/loop.c xendevd/console.c xendevd/consconf.c \
	xendevd/ring.c xendevd/nbvif.c xendevd/netback.c $(LIBIPC_SRCS)
# chaos's registry (from libchaos.a, with what it needs): which noxs
# guests run, for a restarted xendevd
XENDEVD_REG_SRCS := chaos/registry.c chaos/regfile.c

LIBCHAOS_OBJS := $(LIBCHAOS_SRCS:%.c=$(B)/obj/%.o) \
	$(LIBIPC_SRCS:%.c=$(B)/obj/%.o)
CLI_OBJS := $(CLI_SRCS:%.c=$(B)/obj/%.o)
SAN_LIB_OBJS := $(LIBCHAOS_SRCS:%.c=$(B)/san/%.o) \
	$(LIBNOXS_SRCS:%.c=$(B)/san/%.o) $(LIBIPC_SRCS:%.c=$(B)/san/%.o)
SAN_CLI_OBJS := $(CLI_SRCS:%.c=$(B)/san/%.o)

all: $(B)/chaos $(B)/chaos.bash-completion $(B)/chaos.1 $(B)/bin/xendevd \
	$(B)/bin/chaos-shelld guests

include guests/guests.mk

guests: $(GUESTS)

$(B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(YAJL_CFLAGS) $(XEN_CFLAGS) $(MNL_CFLAGS) -MMD -MP -c $< -o $@

$(B)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -O1 -g $(SAN) $(WARN) $(YAJL_CFLAGS) $(XEN_CFLAGS) $(MNL_CFLAGS) $(CMOCKA_CFLAGS) \
		-MMD -MP -c $< -o $@

$(B)/libchaos.a: $(LIBCHAOS_OBJS)
	$(AR) rcs $@ $^

$(B)/libnoxs.a: $(LIBNOXS_SRCS:%.c=$(B)/obj/%.o)
	$(AR) rcs $@ $^

# chaos is one static binary: in a PV dom0 each page-table update of a
# starting process is a hypercall, and dynamic loading makes `chaos help`
# cost about 60 ms more than a static no-op under the xenbox's emulation
# (bench/run start-cost).  Debian's libxenstore.a has no reader thread,
# which is why watches are read off their own connection (xswatch.c).
# libxenguest registers its kernel loaders from constructors nothing
# references, so it is linked whole.  STATIC=0 links the shared
# libraries instead.
STATIC ?= 1
STATIC_LIBS := -static -l:libyajl_s.a -Wl,--whole-archive -lxenguest \
	-Wl,--no-whole-archive \
	$(shell $(PKG_CONFIG) --static --libs $(XEN_PKGS) liblzma libzstd zlib)
ifeq ($(STATIC),1)
CHAOS_LIBS := $(STATIC_LIBS)
else
CHAOS_LIBS := $(YAJL_LIBS) $(XEN_LIBS)
endif

$(B)/chaos: $(CLI_OBJS) $(B)/libchaos.a $(B)/libnoxs.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(CHAOS_LIBS)

# in build/bin, it rides into the xenbox with chaos
# with chaos's XenStore helpers (xsdom.c: the xenstored probe), clock and
# hypervisor interface (hv_xen.c: is a vbd's domain alive)
$(B)/bin/xendevd: $(XENDEVD_SRCS:%.c=$(B)/obj/%.o) $(B)/obj/chaos/xsdom.o \
		$(B)/obj/chaos/clock.o $(B)/obj/chaos/hv_xen.o \
		$(B)/obj/chaos/acpi.o $(XENDEVD_REG_SRCS:%.c=$(B)/obj/%.o) \
		$(B)/libchaos.a $(B)/libnoxs.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(MNL_LIBS) $(XEN_LIBS)

# the daemon's start costs nothing on a create's path: linked dynamically
$(B)/bin/chaos-shelld: $(SHELLD_SRCS:%.c=$(B)/obj/%.o) $(B)/libchaos.a \
		$(B)/libnoxs.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -pthread -o $@ $^ $(YAJL_LIBS) $(XEN_LIBS)

# generated from the command table, so they list exactly what works
$(B)/chaos.bash-completion: $(B)/chaos
	$(B)/chaos help --bash-completion > $@

$(B)/chaos.1: docs/chaos.1.in $(B)/chaos
	$(B)/chaos help --man-commands > $(B)/chaos.1.commands
	sed -e '/^@COMMANDS@$$/{r $(B)/chaos.1.commands' -e 'd}' \
		-e 's/@VERSION@/$(shell sed -n 's/.*CHAOS_VERSION "\(.*\)"/\1/p' chaos/cli.h)/' \
		docs/chaos.1.in > $@

# --- tests that need no Xen ------------------------------------------------

$(B)/san/bin/chaos: $(SAN_CLI_OBJS) $(SAN_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) -o $@ $^ $(YAJL_LIBS) $(XEN_LIBS)

$(B)/san/tests/unit/%: $(B)/san/tests/unit/%.o $(SAN_LIB_OBJS) \
		$(filter-out $(B)/san/chaos/main.o,$(SAN_CLI_OBJS)) \
		$(SHELLD_PURE_SRCS:%.c=$(B)/san/%.o)
	$(CC) $(SAN) -o $@ $^ $(YAJL_LIBS) $(XEN_LIBS) $(CMOCKA_LIBS)

# chaos-shelld's config and the pool's decisions on what it accepts
$(B)/fuzz/fuzz_shelld: tests/fuzz/fuzz_shelld.c $(SHELLD_PURE_SRCS) \
		$(PURE_SRCS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(YAJL_CFLAGS) -o $@ $^ $(YAJL_LIBS)

$(B)/fuzz/fuzz_cfg: tests/fuzz/fuzz_cfg.c $(PURE_SRCS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(YAJL_CFLAGS) -o $@ $^ $(YAJL_LIBS)

# xendevd's reading of xenconsoled's setting (pure parts) beside the rings
$(B)/san/tests/unit/test_consring: $(B)/san/xendevd/consconf.o

# the guests' network stack (guests/net, not netfront), built for the host
NET_STACK_SRCS := guests/net/net.c guests/net/tcp.c guests/net/date.c
$(B)/san/tests/unit/test_net: $(NET_STACK_SRCS:%.c=$(B)/san/%.o)
$(B)/san/tests/unit/test_net.o: CPPFLAGS += -Iguests/net

check-unit-tests: $(UNIT_TESTS:%=$(B)/san/tests/unit/%) $(GUESTS)
	@set -e; for t in $(UNIT_TESTS:%=$(B)/san/tests/unit/%); do \
		echo "== $$t"; $$t; done

# xendevd for real in a network namespace of the test's own
$(B)/san/libchaos.a: $(LIBCHAOS_SRCS:%.c=$(B)/san/%.o)
	$(AR) rcs $@ $^

$(B)/san/bin/xendevd: $(XENDEVD_SRCS:%.c=$(B)/san/%.o) \
		$(B)/san/chaos/xsdom.o $(B)/san/chaos/clock.o \
		$(B)/san/chaos/hv_xen.o $(B)/san/chaos/acpi.o \
		$(XENDEVD_REG_SRCS:%.c=$(B)/san/%.o) $(B)/san/libchaos.a \
		$(LIBNOXS_SRCS:%.c=$(B)/san/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(SAN) -o $@ $^ $(MNL_LIBS) $(XEN_LIBS)

$(B)/san/tests/net/test_xendevd: $(B)/san/tests/net/test_xendevd.o \
		$(B)/san/chaos/xdclient.o $(B)/san/xendevd/proto.o \
		$(B)/san/libipc/client.o $(B)/san/chaos/clock.o
	$(CC) $(SAN) -o $@ $^ $(CMOCKA_LIBS)

check-net: $(B)/san/bin/xendevd $(B)/san/tests/net/test_xendevd
	$(B)/san/tests/net/test_xendevd $(B)/san/bin/xendevd

check-golden: $(B)/san/bin/chaos
	tests/golden/run $(B)/san/bin/chaos tests/golden

$(B)/fuzz/fuzz_noxs: tests/fuzz/fuzz_noxs.c $(LIBNOXS_SRCS) xendevd/ring.c \
		xendevd/ring.h
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $(filter %.c,$^)

# the note scanner reads kernel images, which a tenant may supply
$(B)/fuzz/fuzz_elfnote: tests/fuzz/fuzz_elfnote.c chaos/elfnote.c \
		chaos/elfnote.h libnoxs/noxs.h
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $(filter %.c,$^)

# xendevd's message parser, pure: no socket, netlink or XenStore
$(B)/fuzz/fuzz_xdd: tests/fuzz/fuzz_xdd.c xendevd/msg.c xendevd/proto.c \
		libipc/msg.c
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $^

# the registry's files, read back as hostile
$(B)/fuzz/fuzz_registry: tests/fuzz/fuzz_registry.c chaos/regfile.c \
		chaos/registry.c chaos/regshell.c $(PURE_SRCS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(YAJL_CFLAGS) -o $@ $^ $(YAJL_LIBS)

# what xenstored's socket delivers to a watch connection
$(B)/fuzz/fuzz_xswatch: tests/fuzz/fuzz_xswatch.c chaos/xswatch.c \
		chaos/xsdom.c
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(XEN_CFLAGS) -o $@ $^ $(XEN_LIBS)

# save files: chaos's header and the stream behind it, which restore
# reads from whoever hands it one
$(B)/fuzz/fuzz_savefile: tests/fuzz/fuzz_savefile.c chaos/savefile.c \
		chaos/savefile.h
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $(filter %.c,$^) $(ZLIB_LIBS)

# frames from the wire into the guests' network stack
$(B)/fuzz/fuzz_net: tests/fuzz/fuzz_net.c $(NET_STACK_SRCS) guests/net/net.h
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS) -Iguests/net -g -O1 \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-o $@ $(filter %.c,$^)

# xendevd's netback for noxs vifs against a hostile frontend: pure
$(B)/fuzz/fuzz_netback: tests/fuzz/fuzz_netback.c xendevd/netback.c \
		xendevd/netback.h $(LIBNOXS_SRCS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $(filter %.c,$^)

# a guest's stored config rewritten after attach and detach
$(B)/fuzz/fuzz_recdevs: tests/fuzz/fuzz_recdevs.c chaos/recdevs.c \
		chaos/regfile.c chaos/registry.c chaos/regshell.c $(PURE_SRCS)
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(YAJL_CFLAGS) $(XEN_CFLAGS) -o $@ $^ \
		$(YAJL_LIBS)

# what a bootloader (the user's program) writes for the create
$(B)/fuzz/fuzz_bootout: tests/fuzz/fuzz_bootout.c chaos/bootout.c \
		chaos/bootloader.h
	@mkdir -p $(dir $@)
	$(CLANG) $(CPPFLAGS) -g -O1 -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all -o $@ $(filter %.c,$^)

# the fuzzers share the time: a quarter to the xl.cfg parser, an eighth
# each to the noxs pages and xendevd's messages, a tenth each to the
# registry, the watch reader, chaos-shelld's config and the save file, a
# twentieth each to the guests' network stack, xendevd's netback, the
# bootloader's output and the stored config's rewrite, the ELF note
# scanner the remainder (so it adds up)
FUZZERS := cfg noxs xdd registry xswatch elfnote shelld savefile net netback \
	bootout recdevs
check-fuzz: $(FUZZERS:%=$(B)/fuzz/fuzz_%)
	tests/fuzz/run $(B)/fuzz/fuzz_cfg $$(($(FUZZ_SECONDS) / 4))
	tests/fuzz/run $(B)/fuzz/fuzz_noxs $$(($(FUZZ_SECONDS) / 8))
	tests/fuzz/run $(B)/fuzz/fuzz_xdd $$(($(FUZZ_SECONDS) / 8))
	tests/fuzz/run $(B)/fuzz/fuzz_registry $$(($(FUZZ_SECONDS) / 10))
	tests/fuzz/run $(B)/fuzz/fuzz_xswatch $$(($(FUZZ_SECONDS) / 10))
	tests/fuzz/run $(B)/fuzz/fuzz_shelld $$(($(FUZZ_SECONDS) / 10))
	tests/fuzz/run $(B)/fuzz/fuzz_savefile $$(($(FUZZ_SECONDS) / 10))
	tests/fuzz/run $(B)/fuzz/fuzz_net $$(($(FUZZ_SECONDS) / 20))
	tests/fuzz/run $(B)/fuzz/fuzz_netback $$(($(FUZZ_SECONDS) / 20))
	tests/fuzz/run $(B)/fuzz/fuzz_bootout $$(($(FUZZ_SECONDS) / 20))
	tests/fuzz/run $(B)/fuzz/fuzz_recdevs $$(($(FUZZ_SECONDS) / 20))
	tests/fuzz/run $(B)/fuzz/fuzz_elfnote $$(($(FUZZ_SECONDS) - \
		$(FUZZ_SECONDS) / 4 - $(FUZZ_SECONDS) / 8 * 2 - \
		$(FUZZ_SECONDS) / 10 * 4 - $(FUZZ_SECONDS) / 20 * 4))

# one after another, so each runner's summary lines stay readable
check-unit:
	$(MAKE) check-unit-tests
	$(MAKE) check-net
	$(MAKE) check-golden
	$(MAKE) check-jsonflat
	$(MAKE) check-fuzz

check:
	$(MAKE) check-unit
	$(MAKE) check-e2e

format-check:
	clang-format --dry-run -Werror $(wildcard chaos/*.[ch] tests/unit/*.c \
		tests/fuzz/*.c tests/net/*.c libnoxs/*.[ch] libipc/*.[ch] \
		guests/*.[ch] guests/pv/*.[ch] guests/net/*.[ch] xendevd/*.[ch] bench/*.c \
		shells/*.[ch] tests/e2e/*.c)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(COMPLETIONDIR)
	install -m 755 $(B)/chaos $(DESTDIR)$(BINDIR)/chaos
	install -m 644 $(B)/chaos.1 $(DESTDIR)$(MANDIR)/man1/chaos.1
	install -m 644 docs/chaos.cfg.5 $(DESTDIR)$(MANDIR)/man5/chaos.cfg.5
	install -m 644 $(B)/chaos.bash-completion $(DESTDIR)$(COMPLETIONDIR)/chaos
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(SYSTEMDDIR)
	install -m 755 $(B)/bin/xendevd $(DESTDIR)$(SBINDIR)/xendevd
	install -m 644 docs/xendevd.8 $(DESTDIR)$(MANDIR)/man8/xendevd.8
	sed 's|/usr/local/sbin|$(SBINDIR)|' xendevd/xendevd.service \
		> $(DESTDIR)$(SYSTEMDDIR)/xendevd.service
	install -m 755 $(B)/bin/chaos-shelld $(DESTDIR)$(SBINDIR)/chaos-shelld
	install -m 644 docs/chaos-shelld.8 \
		$(DESTDIR)$(MANDIR)/man8/chaos-shelld.8
	sed 's|/usr/local/sbin|$(SBINDIR)|' shells/chaos-shelld.service \
		> $(DESTDIR)$(SYSTEMDDIR)/chaos-shelld.service
	install -d $(DESTDIR)/etc/chaos
	[ -e $(DESTDIR)/etc/chaos/shelld.cfg ] || \
		install -m 644 shells/shelld.cfg $(DESTDIR)/etc/chaos/shelld.cfg

clean:
	rm -rf $(B)

.PHONY: guests all check check-unit check-unit-tests check-net check-golden check-fuzz \
	format-check install clean
.SECONDARY:

-include $(shell find $(B) -name '*.d' 2>/dev/null)

# --- the Xen host in QEMU (tests/xenbox) and what runs on it ---------------

xenbox: all
	tests/xenbox/build-image $(B)/xenbox

check-e2e: all
	tests/e2e/check

demo: all
	XENBOX_QUIET=1 tests/xenbox/run -o $(B)/demo tests/xenbox/demo.sh

.PHONY: xenbox check-e2e demo

# --- the hardening campaign (not part of check) -----------------------------

# cycle counts: noxs guests, Linux guests with a vif, creates killed with
# SIGKILL, rounds of 8 concurrent creates of one name (tests/stress/README.md)
STRESS_HELLO ?= 1000
STRESS_VIF ?= 100
STRESS_KILL ?= 50
STRESS_RACE ?= 20

stress: all
	STRESS_HELLO=$(STRESS_HELLO) STRESS_VIF=$(STRESS_VIF) \
	STRESS_KILL=$(STRESS_KILL) STRESS_RACE=$(STRESS_RACE) tests/stress/run

.PHONY: stress

# --- benchmarks (not part of check) ----------------------------------------

bench: all
	bench/run boot-curve $(BENCH_N)
	bench/run hello-curve $(HELLO_N)
	bench/run vif-ping $(VIF_N)
	$(MAKE) $(B)/bin/chaos-dynamic
	bench/run start-cost $(START_N)
	bench/run pool-curve $(POOL_N)
	bench/run floor $(FLOOR_N)
	bench/run breakdown $(BREAKDOWN_N)
	bench/run save-restore $(SR_N)
	bench/run disk $(DISK_N)
	bench/run pvh $(PVH_N)
	bench/run noxs-vif $(NOXS_VIF_N)

.PHONY: bench

# bench/domwatch: stamps domain shutdowns for the hello curve; it rides
# into the xenbox from build/bin
$(B)/bin/domwatch: bench/domwatch.c $(B)/libchaos.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(XEN_CFLAGS) -o $@ $^ $(YAJL_LIBS) $(XEN_LIBS)

# bench/pingwait, bench/linkwatch: the vif benchmark's clocks
$(B)/bin/pingwait: bench/pingwait.c $(B)/obj/chaos/clock.o
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $^

# bench/udpecho: UDP echo server and client (noxs vif scenario and
# benchmark); static, so that it also runs in the Linux test guest
$(B)/bin/udpecho: bench/udpecho.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -static -o $@ $^

$(B)/bin/linkwatch: bench/linkwatch.c $(B)/obj/chaos/clock.o \
		$(B)/obj/xendevd/netlink.o
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $^ $(MNL_LIBS)

# bench/floor: what a create from a shell must do in the hypervisor, timed
# with nothing else (bench/run floor)
$(B)/bin/floor: bench/floor.c $(B)/libchaos.a $(B)/libnoxs.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(XEN_CFLAGS) -o $@ $^ $(YAJL_LIBS) $(XEN_LIBS)

# bench/spawntime: times one command from fork to exit (start-cost and
# the curves of single creates)
$(B)/bin/spawntime: bench/spawntime.c $(B)/obj/chaos/clock.o
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -static -o $@ $^

# chaos linked against the shared libraries, beside the static one
# (start-cost)
$(B)/bin/chaos-dynamic: $(CLI_OBJS) $(B)/libchaos.a $(B)/libnoxs.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(YAJL_LIBS) $(XEN_LIBS)

# tests/e2e/ipcpoke: hostile messages for a daemon's socket (shells.sh)
$(B)/bin/ipcpoke: tests/e2e/ipcpoke.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) -o $@ $^

# tests/e2e/jsonflat: JSON as PATH=VALUE lines for busybox awk
# (xl-differential.sh); it rides into the xenbox with its libyajl
$(B)/bin/jsonflat: tests/e2e/jsonflat.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(YAJL_CFLAGS) -o $@ $^ $(YAJL_LIBS)

check-jsonflat: $(B)/bin/jsonflat
	$(B)/bin/jsonflat tests/compat/jsonflat.json | \
		diff -u tests/compat/jsonflat.expected -
	@echo "jsonflat: passed"

.PHONY: check-jsonflat

# tests/e2e/jsoncheck: the JSON listings parse (verbs2.sh)
$(B)/bin/jsoncheck: tests/e2e/jsoncheck.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(WARN) $(YAJL_CFLAGS) -o $@ $^ $(YAJL_LIBS)

all: $(B)/bin/domwatch $(B)/bin/pingwait $(B)/bin/linkwatch \
	$(B)/bin/spawntime $(B)/bin/floor $(B)/bin/ipcpoke $(B)/bin/jsonflat \
	$(B)/bin/jsoncheck $(B)/bin/udpecho
