# guests.mk: chaos's tiny PV guests, built freestanding with the host gcc
# (included by the top-level Makefile).

GUEST_CFLAGS := -O2 -g -std=gnu11 -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -mno-red-zone \
	-mno-sse -mno-mmx -mno-avx -mcmodel=small -fno-builtin \
	-D__XEN_INTERFACE_VERSION__=0x00040e00 -Iguests -Ilibnoxs \
	-Wall -Wextra $(if $(WERROR),-Werror)
GUEST_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-T,guests/pv/pv.lds -Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,--no-warn-rwx-segments
GUEST_COMMON := guests/pv/head.S guests/pv/pv.c guests/pv/pvh.c guests/pv/xs.c \
	guests/common.c \
	libnoxs/noxs.c
GUEST_HDRS := $(wildcard guests/*.h guests/pv/*.h guests/net/*.h \
	libnoxs/*.h)
# what the guests with a vif add: grant table, netfront, the stack
GUEST_NET := guests/pv/gnttab.c guests/net/netfront.c guests/net/serve.c \
	guests/net/net.c guests/net/tcp.c guests/net/date.c

$(B)/guests/%: guests/%.c $(GUEST_COMMON) $(GUEST_HDRS) guests/pv/pv.lds
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $(GUEST_COMMON) $<
	strip --strip-debug -o $@.stripped $@ && mv $@.stripped $@

$(B)/guests/pong $(B)/guests/daytime: $(B)/guests/%: guests/%.c \
		$(GUEST_COMMON) $(GUEST_NET) $(GUEST_HDRS) guests/pv/pv.lds
	@mkdir -p $(dir $@)
	$(CC) $(GUEST_CFLAGS) $(GUEST_LDFLAGS) -o $@ $(GUEST_COMMON) \
		$(GUEST_NET) $<
	strip --strip-debug -o $@.stripped $@ && mv $@.stripped $@

GUESTS := $(B)/guests/hello $(B)/guests/idle $(B)/guests/pong \
	$(B)/guests/daytime
