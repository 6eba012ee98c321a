# pygrub: xl's bootloader finds the Linux test guest's kernel on its disk
# (ext2, /boot/grub/grub.cfg of two entries, the second the default;
# tests/xenbox/build-image makes it with pygrub's own Python, which only
# this scenario unpacks).  Under chaos: pygrub's menu times out on its
# default entry, --entry picks the other, the config's command line is
# appended to the entry's, a reboot runs pygrub again, and nothing of a
# run is left in /var/lib/xen.  A bootloader that fails (exits non-zero,
# finds no grub.cfg, is missing, has no disk, writes garbage, hangs past
# LIBXL_BOOTLOADER_TIMEOUT) is one line and leaves nothing.  Then xl
# boots the same config.
. /xenbox/lib.sh
cleanup() { kill $xpid 2> /dev/null; }
trap cleanup EXIT

t0=$(ms)
xenbox_extra pygrub || die "no pygrub in this xenbox"
say "pygrub with Python unpacked: $(( $(ms) - t0 )) ms"
xendevd -f 2> /tmp/xendevd.log &
xpid=$!
wait_for 10 test -S /run/xendevd.sock || die "xendevd did not start"

cp /guests/pygrub/disk.img /tmp/pygrub.img
# pyg_cfg FILE NAME [LINE...]: a guest whose kernel pygrub finds on
# /tmp/pygrub.img, with more config lines
pyg_cfg() {
	_f=$1 _n=$2
	shift 2
	{
		echo "name = \"$_n\""
		echo 'bootloader = "pygrub"'
		echo "disk = [ '/tmp/pygrub.img,raw,xvda,r' ]"
		echo 'memory = 128'
		for _l; do echo "$_l"; done
	} > "$_f"
}
# run_files: what any bootloader run left in /var/lib/xen (chaos's or xl's)
run_files() { ls -d /var/lib/xen/bootloader.* 2> /dev/null; }
no_run_files() { [ -z "$(run_files)" ] || { echo "left: $(run_files)"; return 1; }; }

say "the dry run shows the bootloader and runs nothing"
pyg_cfg /tmp/p1.cfg pyg1
chaos -n create /tmp/p1.cfg | grep -q '"bootloader": "pygrub"' || die "dry run"
[ ! -e /var/log/xen/bootloader.pyg1.log ] || die "the dry run ran pygrub"

say "the menu times out on the default entry"
t0=$(ms)
chaos create -T /tmp/p1.cfg || die "chaos create with pygrub"
say "chaos create with pygrub's menu: $(( $(ms) - t0 )) ms"
no_run_files || die "a run's files are left after the create"
grep -q 'pyGRUB' /var/log/xen/bootloader.pyg1.log ||
	{ cat -v /var/log/xen/bootloader.pyg1.log | tail -5; die "the menu is not in the log"; }
pyg_cfg /tmp/p2.cfg pyg2 'bootloader_args = [ "--entry=0" ]'
chaos create /tmp/p2.cfg || die "chaos create with --entry=0"
pyg_cfg /tmp/p3.cfg pyg3 'bootloader_args = [ "-q" ]' 'extra = "marker=from-config"'
t0=$(ms)
chaos create /tmp/p3.cfg || die "chaos create with -q and extra"
say "chaos create with pygrub -q: $(( $(ms) - t0 )) ms"
no_run_files || die "a run's files are left"
wait_marker pyg1 pygrub-up 180 || die "pyg1: not the default entry"
wait_marker pyg2 pygrub-first 180 || die "pyg2: --entry=0 did not boot the first entry"
wait_marker pyg3 from-config 180 || die "pyg3: the config's extra did not reach the guest"
xl_agrees pyg1 || die "xl list disagrees"

say "a reboot runs pygrub again"
chaos reboot pyg1 || die "reboot"
twice() { [ "$(grep -c 'XENBOX_MARKER pygrub-up' "$(console_log pyg1)")" -ge 2 ]; }
wait_for 180 twice || { cat /run/chaos/monitor.log; die "no second boot"; }
[ -e /var/log/xen/bootloader.pyg1.log.1 ] || die "the first run's log was not kept"
for g in pyg1 pyg2 pyg3; do chaos destroy $g || die "destroy $g"; done
wait_for 30 nothing_left || die "chaos left something"
no_run_files || die "files left"

say "bootloaders that fail: one line, nothing left"
fails() {
	_pat=$1
	shift
	expect_fail 1 "$_pat" "$@" || return 1
	nothing_left && no_run_files
}
pyg_cfg /tmp/f.cfg pf 'bootloader = "/bin/false"'
fails "bootloader: /bin/false: exit status 1" chaos create /tmp/f.cfg || die "/bin/false"
dd if=/dev/zero of=/tmp/empty.img bs=1M count=4 2> /dev/null
mke2fs -F /tmp/empty.img > /dev/null || die "mke2fs"
pyg_cfg /tmp/f.cfg pf "disk = [ '/tmp/empty.img,raw,xvda,r' ]"
fails "bootloader: pygrub: exit status 1: RuntimeError: Unable to find partition" \
	chaos create /tmp/f.cfg || die "a disk without grub.cfg"
pyg_cfg /tmp/f.cfg pf 'bootloader = "no-such-loader"'
fails "cannot run no-such-loader: No such file" chaos create /tmp/f.cfg || die "a missing bootloader"
printf 'name = "pf"\nbootloader = "pygrub"\nmemory = 128\n' > /tmp/f.cfg
fails "pygrub: no disk" chaos create /tmp/f.cfg || die "no disk"
# shell scripts standing in for a broken bootloader
printf '#!/bin/sh\nfor a; do case $a in --output=*) echo hello > ${a#--output=};; esac; done\n' > /tmp/junk-loader
printf '#!/bin/sh\nexec sleep 601\n' > /tmp/hang-loader
chmod +x /tmp/junk-loader /tmp/hang-loader
pyg_cfg /tmp/f.cfg pf 'bootloader = "/tmp/junk-loader"'
fails "its output names no kernel" chaos create /tmp/f.cfg || die "garbage output"
pyg_cfg /tmp/f.cfg pf 'bootloader = "/tmp/hang-loader"'
t0=$(ms)
export LIBXL_BOOTLOADER_TIMEOUT=2
fails "still running after 2 s, killed" chaos create /tmp/f.cfg || die "a bootloader that hangs"
unset LIBXL_BOOTLOADER_TIMEOUT
[ $(( $(ms) - t0 )) -lt 20000 ] || die "the time limit took $(( $(ms) - t0 )) ms"
ps | grep -q '[s]leep 601' && die "the hanging bootloader still runs"

say "xl boots the same config"
pyg_cfg /tmp/x.cfg xpyg
t0=$(ms)
xl create -q /tmp/x.cfg || die "xl create with pygrub"
say "xl create with pygrub's menu: $(( $(ms) - t0 )) ms"
wait_marker xpyg pygrub-up 180 || die "xl: not the default entry"
xl destroy xpyg || die "xl destroy"
wait_for 30 nothing_left || die "xl left something"
no_run_files || die "xl left files"
