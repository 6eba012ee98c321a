# lib.sh: helpers for scenarios that run inside the xenbox's dom0
# (tests/xenbox/run puts this file at /xenbox/lib.sh).  Waiting is always on
# a condition with a deadline, never a fixed sleep.

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
