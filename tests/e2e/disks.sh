# Disks without scripts: blkback serves them, xendevd backs a file with a
# loop device of its own.  With /etc/xen/scripts moved away, the Linux
# guest reads a marker written into its raw image beforehand (xvda,
# read-only: a write to it is refused), writes a word to xvdb, and after
# destroy the word is in the image file, no loop device is left and no
# vbd node.  xendevd restarted meanwhile takes its loops back.  Eight
# disks on one guest; block-attach, block-list and block-detach (a paused
# guest does not let go: refused, then --force).  A missing image, a qcow2
# image, a cdrom, an image another guest has and a device mounted in dom0
# each fail at create with one line and leave nothing.  A block device
# (phy:) as a disk.  Then the same disks under xl and its block script,
# for comparison.
. /xenbox/lib.sh

diagnose() {
	echo "--- console of $1"; tail -n 30 "$(console_log "$1")"
	echo "--- xendevd"; tail -n 20 /tmp/xendevd.log
	losetup -a
	xenstore-ls -f /local/domain/0/backend/vbd 2> /dev/null | head -40
}
cleanup() {
	kill $xpid 2> /dev/null
	[ ! -d /etc/xen/scripts.away ] || mv /etc/xen/scripts.away /etc/xen/scripts
}
trap cleanup EXIT
# loops: how many loop devices are bound to a file
loops() { cat /sys/block/loop*/loop/backing_file 2> /dev/null | wc -l; }
no_vbd() { [ -z "$(xenstore-list /local/domain/0/backend/vbd 2> /dev/null)" ]; }
disk_line() { grep -q "XENBOX_DISK $2" "$(console_log "$1")" 2> /dev/null; }
# image FILE MiB [FIRST LINE]
image() {
	dd if=/dev/zero of="$1" bs=1M count="$2" 2> /dev/null
	[ -z "$3" ] || printf '%s\n' "$3" | dd of="$1" conv=notrunc 2> /dev/null
}

xendevd -f 2> /tmp/xendevd.log &
xpid=$!
wait_for 10 test -S /run/xendevd.sock || die "xendevd did not start"
mv /etc/xen/scripts /etc/xen/scripts.away
before=$(loops)

image /tmp/a.img 8 disk-marker-a
image /tmp/b.img 8
linux_cfg /tmp/d.cfg dsk marker=dsk-up disk=xvda:read disk=xvdb:write:written-by-guest \
	disk=xvda:write:must-not-land
echo "disk = [ '/tmp/a.img,raw,xvda,r', 'format=raw,vdev=xvdb,access=rw,target=/tmp/b.img' ]" >> /tmp/d.cfg
t0=$(ms)
chaos create /tmp/d.cfg || { diagnose dsk; die "chaos create with two disks"; }
say "chaos create with two file disks: $(( $(ms) - t0 )) ms"
d=$(chaos domid dsk)
[ "$(xenstore-read /local/domain/0/backend/vbd/$d/51712/hotplug-status)" = connected ] ||
	{ diagnose dsk; die "xvda: hotplug-status is not connected"; }
[ "$(xenstore-read /local/domain/0/backend/vbd/$d/51712/script)" = xendevd ] || die "xvda names a script"
wait_marker dsk dsk-up 120 || { diagnose dsk; die "no marker"; }
disk_line dsk "xvda read disk-marker-a" || { diagnose dsk; die "the guest did not read its disk's marker"; }
disk_line dsk "xvdb wrote written-by-guest" || { diagnose dsk; die "the guest could not write xvdb"; }
disk_line dsk "xvda refused must-not-land" || { diagnose dsk; die "a read-only disk took a write"; }
[ "$(loops)" = $((before + 2)) ] || { diagnose dsk; die "not two loop devices"; }
# xendevd restarted while the guest runs takes its loops back
kill $xpid
wait $xpid 2> /dev/null
xendevd -f 2>> /tmp/xendevd.log &
xpid=$!
wait_for 10 sh -c "[ \$(grep -c 'taken back' /tmp/xendevd.log) = 2 ]" ||
	{ diagnose dsk; die "the restarted xendevd did not take both loops back"; }
image /tmp/c.img 1
linux_cfg /tmp/c.cfg dclash
echo "disk = [ '/tmp/b.img,raw,xvda,w' ]" >> /tmp/c.cfg
expect_fail 1 "b.img" chaos create /tmp/c.cfg || die "a clash after the restart"
chaos destroy dsk || die "destroy"
wait_for 30 no_vbd || { diagnose dsk; die "vbd nodes left"; }
wait_for 30 sh -c "[ \$(cat /sys/block/loop*/loop/backing_file 2> /dev/null | wc -l) = $before ]" ||
	{ diagnose dsk; die "loop devices left after destroy"; }
[ "$(head -n 1 /tmp/b.img)" = written-by-guest ] || die "the guest's word is not in b.img"
[ "$(head -n 1 /tmp/a.img)" = disk-marker-a ] || die "the read-only image changed"

say "save and restore of a guest with a disk"
image /tmp/s.img 4 save-marker
linux_cfg /tmp/s.cfg dsr marker=dsr-up disk=xvda:read
echo "disk = [ '/tmp/s.img,raw,xvda,w' ]" >> /tmp/s.cfg
chaos create /tmp/s.cfg || { diagnose dsr; die "create dsr"; }
wait_marker dsr dsr-up 120 && disk_line dsr "xvda read save-marker" || { diagnose dsr; die "dsr did not read its disk"; }
chaos save dsr /tmp/dsr.sav || { diagnose dsr; die "save of a guest with a disk"; }
[ "$(loops)" = "$before" ] || { diagnose dsr; die "the saved guest's loop is left"; }
chaos restore /tmp/dsr.sav || { diagnose dsr; die "restore of a guest with a disk"; }
rm /tmp/dsr.sav
ds=$(chaos domid dsr)
wait_for 30 sh -c "[ \"\$(xenstore-read /local/domain/0/backend/vbd/$ds/51712/state)\" = 4 ]" ||
	{ diagnose dsr; die "the restored guest did not connect its disk again"; }
[ "$(loops)" = $((before + 1)) ] || { diagnose dsr; die "the restored guest has no loop"; }
chaos destroy dsr || die "destroy dsr"
wait_for 30 no_vbd || die "dsr: vbd nodes left"

say "eight disks on one guest"
spec=
for l in a b c d e f g h; do
	image /tmp/e$l.img 1 "disk-$l"
	spec="$spec${spec:+, }'/tmp/e$l.img,raw,xvd$l,r'"
done
linux_cfg /tmp/e.cfg ds8 marker=ds8-up disk=xvda:read disk=xvdh:read
echo "disk = [ $spec ]" >> /tmp/e.cfg
chaos create /tmp/e.cfg || { diagnose ds8; die "create with eight disks"; }
wait_marker ds8 ds8-up 120 || { diagnose ds8; die "eight disks: no marker"; }
disk_line ds8 "xvda read disk-a" && disk_line ds8 "xvdh read disk-h" ||
	{ diagnose ds8; die "eight disks: the guest did not read the first and the last"; }
[ "$(xenstore-list /local/domain/0/backend/vbd/$(chaos domid ds8) | wc -l)" = 8 ] || die "not eight vbds"

say "block-attach to a running guest, block-list, block-detach"
image /tmp/h.img 2 hot-disk
chaos block-attach ds8 /tmp/h.img,raw,xvdi,r || { diagnose ds8; die "block-attach"; }
d8=$(chaos domid ds8)
[ "$(xenstore-read /local/domain/0/backend/vbd/$d8/51840/hotplug-status)" = connected ] ||
	{ diagnose ds8; die "the attached disk is not backed"; }
wait_for 30 sh -c "[ \"\$(xenstore-read /local/domain/0/backend/vbd/$d8/51840/state)\" = 4 ]" ||
	{ diagnose ds8; die "the guest did not connect the attached disk"; }
chaos block-list ds8 > /tmp/bl.out || die "block-list"
cat /tmp/bl.out
[ "$(awk 'NR > 1' /tmp/bl.out | wc -l)" = 9 ] || die "block-list does not show nine disks"
grep -q "^51840 *0 *$d8 *4 " /tmp/bl.out || die "block-list does not show xvdi connected"
# kept in the config chaos keeps for a reboot, as xl keeps it
chaos list -l ds8 | grep -q '"vdev": "xvdi"' || die "the stored config does not have xvdi"
expect_fail 1 "has a xvdi already" chaos block-attach ds8 /tmp/h.img,raw,xvdi,r || die "attach twice"
chaos block-detach ds8 xvdi || { diagnose ds8; die "block-detach"; }
chaos list -l ds8 | grep -q '"vdev": "xvdi"' && die "the stored config still has xvdi"
chaos list -l ds8 | grep -q '"vdev": "xvdh"' || die "the stored config lost xvdh"
[ -z "$(xenstore-read /local/domain/0/backend/vbd/$d8/51840/state 2> /dev/null)" ] ||
	die "block-detach left the vbd's nodes"
expect_fail 1 "has no vbd" chaos block-detach ds8 xvdi || die "detach twice"
expect_fail 1 "No such file" chaos block-attach ds8 /tmp/none.img,raw,xvdj,r || die "attach of a missing file"
[ -z "$(xenstore-read /local/domain/0/backend/vbd/$d8/51856/state 2> /dev/null)" ] ||
	die "a failed block-attach left nodes"

say "a guest that will not let go (paused): block-detach waits, --force removes"
image /tmp/p2.img 2
chaos block-attach ds8 /tmp/p2.img,raw,xvdj,r || die "block-attach xvdj"
wait_for 30 sh -c "[ \"\$(xenstore-read /local/domain/0/backend/vbd/$d8/51856/state)\" = 4 ]" ||
	{ diagnose ds8; die "the guest did not connect xvdj"; }
chaos pause ds8 || die "pause"
expect_fail 1 "did not close in 10 s" chaos block-detach ds8 xvdj || die "detach from a paused guest"
[ "$(xenstore-read /local/domain/0/backend/vbd/$d8/51856/online)" = 1 ] || die "the refused detach left the disk offline"
chaos block-detach --force ds8 xvdj 2> /tmp/bd.err || { cat /tmp/bd.err; die "block-detach --force"; }
grep -q "removed anyway" /tmp/bd.err || { cat /tmp/bd.err; die "--force did not say it removed an open disk"; }
[ -z "$(xenstore-read /local/domain/0/backend/vbd/$d8/51856/state 2> /dev/null)" ] || die "--force left nodes"
chaos unpause ds8 || die "unpause"

say "creates that fail leave nothing"
linux_cfg /tmp/f.cfg dbad
echo "disk = [ '/tmp/missing.img,raw,xvda,w' ]" >> /tmp/f.cfg
expect_fail 1 "missing.img: No such file" chaos create /tmp/f.cfg || die "a missing image"
printf 'QFI\373' > /tmp/q.img
linux_cfg /tmp/f.cfg dbad
echo "disk = [ 'format=qcow2,vdev=xvda,target=/tmp/q.img' ]" >> /tmp/f.cfg
expect_fail 1 "qcow2" chaos create /tmp/f.cfg || die "a qcow2 image"
linux_cfg /tmp/f.cfg dbad
echo "disk = [ '/tmp/ea.img,raw,xvdc,r,devtype=cdrom' ]" >> /tmp/f.cfg
expect_fail 1 "cdrom" chaos create /tmp/f.cfg || die "a cdrom"
# ds8 has ea.img open read-only: a guest that wants it writable is refused
linux_cfg /tmp/f.cfg dbad
echo "disk = [ '/tmp/ea.img,raw,xvda,w' ]" >> /tmp/f.cfg
expect_fail 1 "ea.img" chaos create /tmp/f.cfg || die "an image another guest has"
# a block device mounted in dom0 is refused writable (a file that is
# mounted is bound to a loop: refused as in use, above)
mkdir -p /mnt/m
image /tmp/m.img 4
ml=$(losetup -f) && losetup "$ml" /tmp/m.img || die "losetup m.img"
mkdosfs "$ml" > /dev/null 2>&1 || die "mkdosfs"
mount -t vfat "$ml" /mnt/m || die "mount the image"
linux_cfg /tmp/f.cfg dbad
echo "disk = [ 'phy:$ml,xvda,w' ]" >> /tmp/f.cfg
expect_fail 1 "mounted" chaos create /tmp/f.cfg || die "a device mounted in dom0"
umount /mnt/m
losetup -d "$ml"
chaos_gone dbad || die "a failed create left dbad"
[ -z "$(xenstore-list /local/domain/0/backend/vbd 2> /dev/null | grep -vx "$(chaos domid ds8)")" ] ||
	die "a failed create left vbd nodes"
chaos destroy ds8 || die "destroy ds8"
wait_for 30 no_vbd || die "vbd nodes left"
wait_for 30 sh -c "[ \$(cat /sys/block/loop*/loop/backing_file 2> /dev/null | wc -l) = $before ]" ||
	{ diagnose ds8; die "loop devices left"; }
wait_for 30 nothing_left || die "something is left"

say "a block device as the disk (phy:)"
image /tmp/p.img 4
lo=$(losetup -f) && losetup "$lo" /tmp/p.img || die "losetup"
before=$(loops)
linux_cfg /tmp/p.cfg dphy marker=dphy-up disk=xvda:write:phy-word
echo "disk = [ 'phy:$lo,xvda,w' ]" >> /tmp/p.cfg
chaos create /tmp/p.cfg || { diagnose dphy; die "create with a phy disk"; }
wait_marker dphy dphy-up 120 || { diagnose dphy; die "phy: no marker"; }
disk_line dphy "xvda wrote phy-word" || { diagnose dphy; die "phy: the guest could not write"; }
[ "$(loops)" = "$before" ] || die "a phy disk got a loop of its own"
chaos destroy dphy || die "destroy dphy"
wait_for 30 no_vbd || die "phy: vbd nodes left"
losetup -d "$lo"
[ "$(head -n 1 /tmp/p.img)" = phy-word ] || die "phy: the guest's word is not in the image"
before=$(loops)

say "the same disks under xl, with its block script, for comparison"
mv /etc/xen/scripts.away /etc/xen/scripts
image /tmp/b.img 8
linux_cfg /tmp/x.cfg xdsk marker=xdsk-up disk=xvda:read disk=xvdb:write:written-by-xl
echo "disk = [ '/tmp/a.img,raw,xvda,r', 'format=raw,vdev=xvdb,access=rw,target=/tmp/b.img' ]" >> /tmp/x.cfg
t0=$(ms)
xl create -q /tmp/x.cfg || die "xl create with two disks"
say "xl create with two file disks: $(( $(ms) - t0 )) ms"
wait_marker xdsk xdsk-up 120 || die "xl: no marker"
disk_line xdsk "xvda read disk-marker-a" && disk_line xdsk "xvdb wrote written-by-xl" ||
	{ diagnose xdsk; die "xl: the guest did not read and write its disks"; }
xl destroy xdsk || die "xl destroy"
wait_for 30 sh -c "[ \$(cat /sys/block/loop*/loop/backing_file 2> /dev/null | wc -l) = $before ]" ||
	{ diagnose xdsk; die "xl left loop devices"; }
[ "$(head -n 1 /tmp/b.img)" = written-by-xl ] || die "xl: the guest's word is not in b.img"
wait_for 30 nothing_left || die "xl left something"
