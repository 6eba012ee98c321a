# pvgrub2: Debian's grub-x86_64-xen.bin as the kernel, with an ext2 disk
# holding grub.cfg, a bzImage and the guest's initrd (tests/xenbox/
# build-image makes it).  Under chaos (xendevd backs the disk, no script)
# grub finds its config on xvda, loads the kernel and the guest prints
# its marker.  Then the same under xl, as far as grub booting the entry
# (grub reads at about 100 KiB/s under emulation: a whole boot takes
# minutes, once is enough).
. /xenbox/lib.sh
cleanup() { kill $xpid 2> /dev/null; }
trap cleanup EXIT
xendevd -f 2> /tmp/xendevd.log &
xpid=$!
wait_for 10 test -S /run/xendevd.sock || die "xendevd did not start"

cp /guests/pvgrub/disk.img /tmp/pvgrub.img
pvgrub_cfg() {
	cat > "$1" <<CFG
name = "$2"
kernel = "/guests/pvgrub/grub-x86_64-xen.bin"
disk = [ '/tmp/pvgrub.img,raw,xvda,r' ]
memory = 128
CFG
}
pvgrub_cfg /tmp/g.cfg pvg
t0=$(ms)
chaos create /tmp/g.cfg || die "chaos create of pvgrub2"
wait_marker pvg pvgrub-up 300 || { tail -n 30 /tmp/xendevd.log; die "chaos: grub did not boot the guest"; }
say "chaos: pvgrub2 to the guest's marker $(( $(ms) - t0 )) ms"
chaos destroy pvg || die "destroy"
wait_for 30 nothing_left || die "chaos left something"

pvgrub_cfg /tmp/x.cfg xpvg
xl create -q /tmp/x.cfg || die "xl create of pvgrub2"
wait_for 60 grep -q "Booting .chaos test guest" "$(console_log xpvg)" ||
	{ tail -c 600 "$(console_log xpvg)"; die "xl: grub did not boot its entry"; }
xl destroy xpvg || die "xl destroy"
wait_for 30 nothing_left || die "xl left something"
