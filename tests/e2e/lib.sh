# lib.sh: helpers for scenarios that run inside the xenbox's dom0
# (tests/xenbox/run puts this file at /xenbox/lib.sh).  Waiting is always on
# a condition with a deadline, never a fixed sleep.

# A scenario's background jobs must not outlive it: the runner streams its
# output through a pipe, which stays open while any of them lives.
trap 'for _j in $(jobs -p); do kill "$_j" 2> /dev/null; done' EXIT

LINUX_KERNEL=/guests/linux/vmlinux
LINUX_INITRD=/guests/linux/initrd

say() { echo "== $*"; }
die() { echo "FAILED: $*"; exit 1; }

# ms: dom0 uptime in milliseconds (10 ms resolution)
ms() { awk '{ printf "%d\n", $1 * 1000 }' /proc/uptime; }

# wait_for SECONDS CMD...: retry CMD until it succeeds; 1 on timeout
wait_for() {
	_t=$1
	shift
	_end=$(( $(ms) + _t * 1000 ))
	until "$@"; do
		[ "$(ms)" -lt "$_end" ] || return 1
		sleep 0.05
	done
}

# xenbox_extra NAME: unpack the image's extra/NAME.tar (tests/xenbox/run
# attaches it as the disk whose serial is NAME) over dom0's root
xenbox_extra() {
	for _b in /sys/block/vd*; do
		[ "$(cat "$_b/serial" 2> /dev/null)" = "$1" ] || continue
		tar -xf "/dev/${_b##*/}" -C / && return 0
		echo "xenbox_extra $1: tar failed"
		return 1
	done
	echo "xenbox_extra $1: no disk of that serial"
	return 1
}

console_log() { echo "/var/log/xen/console/guest-$1.log"; }

has_marker() { grep -q "XENBOX_MARKER $2" "$(console_log "$1")" 2>/dev/null; }

# wait_marker DOMNAME WORD [SECONDS]
wait_marker() {
	wait_for "${3:-120}" has_marker "$1" "$2" && return 0
	echo "no marker '$2' from $1; its console:"
	tail -n 30 "$(console_log "$1")" 2>/dev/null
	return 1
}

domain_exists() { xl domid "$1" > /dev/null 2>&1; }
domain_gone() { ! domain_exists "$1"; }
# the same through chaos, for a host without xenstored (xl needs it)
chaos_gone() { ! chaos domid "$1" > /dev/null 2>&1; }

# linux_cfg FILE NAME EXTRA...: an xl.cfg for the Linux PV test guest; the
# words after NAME go to its kernel command line (marker=, ip=, poweroff)
linux_cfg() {
	_f=$1 _n=$2
	shift 2
	cat > "$_f" <<CFG
name = "$_n"
kernel = "$LINUX_KERNEL"
ramdisk = "$LINUX_INITRD"
extra = "console=hvc0 quiet $*"
memory = 128
vcpus = 1
CFG
}

# xl_agrees NAME: chaos list and xl list show NAME with the same id,
# memory and vCPUs
xl_agrees() {
	_c=$(chaos list "$1" | awk -v n="$1" '$1 == n { print $2, $3, $4 }')
	_x=$(xl list "$1" | awk -v n="$1" '$1 == n { print $2, $3, $4 }')
	[ -n "$_c" ] && [ "$_c" = "$_x" ] && return 0
	echo "chaos list: '$_c'  xl list: '$_x'"
	return 1
}

# nothing_left: no domain but dom0, no XenStore node of a guest, no
# registry entry
nothing_left() {
	_ok=0
	if [ "$(xl list | awk 'NR > 1' | wc -l)" != 1 ]; then
		echo "domains left:"; xl list; _ok=1
	fi
	if [ -n "$(xenstore-list /local/domain | grep -vx 0)" ]; then
		echo "XenStore /local/domain has:"; xenstore-list /local/domain; _ok=1
	fi
	for p in /vm /libxl /local/domain/0/backend/console \
		/local/domain/0/backend/vif /local/domain/0/backend/vbd; do
		_l=$(xenstore-list "$p" 2>/dev/null)
		[ -z "$_l" ] || { echo "XenStore $p has: $_l"; _ok=1; }
	done
	for d in /run/chaos/names /run/chaos/doms /run/chaos/creating /run/chaos/tmp; do
		_l=$(ls -A "$d" 2>/dev/null)
		[ -z "$_l" ] || { echo "registry $d has: $_l"; _ok=1; }
	done
	return $_ok
}

# expect_fail CODE PATTERN CMD...: CMD exits CODE and says PATTERN (one
# line on stderr)
expect_fail() {
	_code=$1 _pat=$2
	shift 2
	_err=$("$@" 2>&1 > /dev/null)
	_rc=$?
	echo "$* -> exit $_rc: $_err"
	[ "$_rc" = "$_code" ] || { echo "expected exit $_code"; return 1; }
	[ "$(printf '%s\n' "$_err" | wc -l)" = 1 ] || { echo "expected one line"; return 1; }
	printf '%s\n' "$_err" | grep -q "$_pat" || { echo "expected '$_pat'"; return 1; }
}

# tiny_cfg FILE NAME IMAGE EXTRA...: an xl.cfg for one of chaos's own PV
# guests (/guests/hello, /guests/idle) in 4 MiB
tiny_cfg() {
	_f=$1 _n=$2 _img=$3
	shift 3
	cat > "$_f" <<CFG
name = "$_n"
kernel = "/guests/$_img"
extra = "$*"
memory = 4
CFG
}

# udpecho_initrd OUT: the Linux test guest's initrd with /bin/udpecho
# (static, from the project's build) appended as a second cpio archive,
# for guests started with "udpecho" on their command line; the kernel
# looks for the second archive at a multiple of 4 bytes
udpecho_initrd() {
	_d=$(mktemp -d)
	mkdir -p "$_d/bin"
	cp "$(command -v udpecho)" "$_d/bin/udpecho" || return 1
	(cd "$_d" && find bin | cpio -o -H newc 2> /dev/null) > "$_d.cpio" || return 1
	_pad=$(( (4 - $(wc -c < "$LINUX_INITRD") % 4) % 4 ))
	{ cat "$LINUX_INITRD"; head -c "$_pad" /dev/zero; cat "$_d.cpio"; } > "$1"
	rm -rf "$_d" "$_d.cpio"
}
