# PVH guests: the Linux test guest as type = "pvh" (ELF vmlinux entered at
# its PVH entry point, ACPI tables of chaos's own) in xenstore mode: it
# boots with 2 of its 3 vCPUs online, reads its disk (blkback, xendevd),
# answers ping through its vif, pauses
# and unpauses, reboots through the monitor as PVH again and shuts down,
# leaving nothing.  Our tiny guests boot as PVH from the same image: hello
# in noxs mode without any XenStore access, idle shut down through its
# sysctl device.  A PVH save and a kernel without a PVH entry point are
# refused with one line.  tsc_mode = "native": under QEMU's emulation an
# emulated RDTSCP hangs a PVH Linux (an artefact of the emulator).
. /xenbox/lib.sh

diagnose() {
	echo "--- console of $1"; tail -n 40 "$(console_log "$1")"
	echo "--- monitor"; tail -n 20 /run/chaos/monitor.log
	xl list
}
in_bridge() { [ -e "/sys/class/net/xenbr0/brif/$1" ]; }
# Under QEMU's emulation a PVH Linux triple-faults early in about one boot
# of eight, under xl as under chaos (8 boots each in one xenbox: one fault
# each, in the guest's early boot).  Xen makes an HVM guest's triple fault
# a reboot, so the monitor remakes the guest (on_reboot = "restart") and
# the scenario goes on with the new domain; a guest that crashes instead
# is kept (on_crash = "preserve") so the scenario can tell it from a hang
# and boot again (three tries).
crashed() { case $(xl_state "$1") in ???s*) true ;; *) false ;; esac; }
up_or_crashed() { has_marker "$1" "$2" || crashed "$1"; }
# remade NAME DOMID: 0 (and says so) when NAME is no longer DOMID: a
# triple fault rebooted it and the monitor made it again
remade() {
	_now=$(chaos domid "$1") || die "$1 is gone"
	[ "$_now" != "$2" ] || return 1
	say "$1 triple-faulted in its early boot and came back as domain $_now (the emulator's artefact)"
}
# wait_pvh_up NAME: 0 once its marker is there, 1 when it crashed first
wait_pvh_up() {
	wait_for 120 up_or_crashed "$1" pvh-up || { diagnose "$1"; die "no marker from $1"; }
	has_marker "$1" pvh-up && return 0
	say "$1 triple-faulted in its early boot (the emulator's artefact)"
	xl dmesg | grep -A4 "Triple fault" | tail -n 5
	return 1
}
is_pvh() { chaos list -l "$1" | grep -q '"type": "pvh"'; }
xl_state() { xl list "$1" 2> /dev/null | awk 'NR == 2 { print $5 }'; }

xendevd -f 2> /tmp/xendevd.log &
xpid=$!
trap 'kill $xpid 2> /dev/null' EXIT
wait_for 10 test -S /run/xendevd.sock || die "xendevd did not start"

dd if=/dev/zero of=/tmp/pvh-disk.img bs=1M count=4 2> /dev/null
printf 'pvh-disk\n' | dd of=/tmp/pvh-disk.img conv=notrunc 2> /dev/null
linux_cfg /tmp/p.cfg vpvh marker=pvh-up cpus ip=198.18.0.4/24 disk=xvda:read
cat >> /tmp/p.cfg <<CFG
disk = [ '/tmp/pvh-disk.img,raw,xvda,r' ]
type = "pvh"
tsc_mode = "native"
vcpus = 2
maxvcpus = 3
vif = [ 'bridge=xenbr0,mac=00:16:3e:00:00:04' ]
on_crash = "preserve"
CFG
chaos -n create /tmp/p.cfg | grep -q '"type": "pvh"' || die "dry run: not pvh"
for try in 1 2 3; do
	rm -f "$(console_log vpvh)"
	t0=$(ms)
	chaos -v create /tmp/p.cfg > /tmp/p.out 2>&1 || { cat /tmp/p.out; die "create PVH Linux"; }
	t1=$(ms)
	cat /tmp/p.out
	grep -q "cold: a PVH guest" /tmp/p.out || die "create -v does not say the PVH guest went cold"
	d=$(chaos domid vpvh) || die "vpvh is gone after its create"
	say "chaos create of PVH Linux: $((t1 - t0)) ms (domain $d)"
	wait_pvh_up vpvh && break
	[ "$try" -lt 3 ] || die "the PVH guest crashed in three boots out of three"
	chaos destroy vpvh || die "destroy the crashed guest"
done
say "PVH Linux: create to marker $(( $(ms) - t0 )) ms"
remade vpvh "$d" && d=$(chaos domid vpvh)
is_pvh vpvh || die "chaos list -l does not say pvh"
# Linux found 3 possible vCPUs, 2 online, in chaos's MADT
tr -d '\r' < "$(console_log vpvh)" | grep -qx "XENBOX_CPUS 0-1 of 0-2" ||
	{ grep "XENBOX_CPUS" "$(console_log vpvh)"; die "the guest does not see vCPUs 0-1 of 0-2"; }
grep -q "XENBOX_DISK xvda read pvh-disk" "$(console_log vpvh)" ||
	{ diagnose vpvh; die "the PVH guest did not read its disk"; }
[ "$(xl vcpu-list vpvh | awk 'NR > 1' | wc -l)" = 3 ] || die "Xen has not 3 vCPUs for it"
in_bridge "vif$d.0" || {
	ls /sys/class/net /sys/class/net/xenbr0/brif; cat /tmp/xendevd.log
	xenstore-ls -f /local/domain/0/backend/vif; die "vif$d.0 is not in xenbr0"
}
pingwait 198.18.0.4 60000 > /dev/null || { diagnose vpvh; die "no ping reply from the PVH guest"; }
say "PVH Linux answers ping"

chaos pause vpvh || die "pause"
# A paused domain whose vCPUs all block shows "-bp---": only the p counts.
case $(xl_state vpvh) in ??p*) ;; *) xl list; die "not paused" ;; esac
chaos unpause vpvh || die "unpause"
pingwait 198.18.0.4 20000 > /dev/null || die "no ping reply after unpause"

expect_fail 1 "PVH" chaos save vpvh /tmp/p.save || die "a PVH save is not refused"
[ ! -e /tmp/p.save ] || die "the refused save left a file"
pingwait 198.18.0.4 20000 > /dev/null || die "no ping reply after the refused save"

# on_reboot = restart: the monitor makes it again, as PVH (a remade guest
# that crashed in its early boot is made afresh and rebooted again)
for try in 1 2 3; do
	rm -f "$(console_log vpvh)"
	chaos reboot vpvh || die "reboot"
	# one lookup: two could straddle the old domain's end and see nothing
	wait_for 60 sh -c "x=\$(chaos domid vpvh 2> /dev/null) && [ \"\$x\" != $d ]" ||
		{ diagnose vpvh; die "the monitor did not remake vpvh"; }
	d2=$(chaos domid vpvh) || die "vpvh is gone after its reboot"
	if wait_pvh_up vpvh; then
		remade vpvh "$d2" && d2=$(chaos domid vpvh)
		# (the name shows in XenStore before the monitor's create has
		# written its record: the record is looked at once it runs)
		is_pvh vpvh || die "the rebooted guest is not PVH"
		break
	fi
	[ "$try" -lt 3 ] || die "the rebooted PVH guest crashed three times"
	chaos destroy vpvh || die "destroy the crashed guest"
	for again in 1 2 3; do
		rm -f "$(console_log vpvh)"
		chaos create /tmp/p.cfg > /dev/null || die "create PVH Linux again"
		wait_pvh_up vpvh && break
		chaos destroy vpvh
	done
	has_marker vpvh pvh-up || die "the PVH guest crashed in three boots out of three"
	d=$(chaos domid vpvh)
done
xl list -v vpvh > /dev/null || die "xl does not see the rebooted guest"
pingwait 198.18.0.4 60000 > /dev/null || die "no ping reply after the reboot"
say "rebooted as domain $d2, PVH, answering ping"
chaos shutdown -w vpvh || die "shutdown"
wait_for 10 nothing_left || die "the PVH guest left something behind"
in_bridge "vif$d2.0" && die "vif$d2.0 is still in xenbr0"

# our tiny guests as PVH: hello in noxs mode touches no XenStore
xenstore-ls -f > /tmp/xs-before
tiny_cfg /tmp/h.cfg hpvh hello marker=hello-pvh
echo 'type = "pvh"' >> /tmp/h.cfg
t0=$(ms)
chaos create -c /tmp/h.cfg > /tmp/h.out || { cat /tmp/h.out; die "create PVH hello"; }
say "PVH hello (noxs): create to console end $(( $(ms) - t0 )) ms"
cat /tmp/h.out
grep -q "(noxs), devices: console 0, sysctl 0" /tmp/h.out || die "PVH hello is not a noxs boot"
grep -q "XENBOX_MARKER hello-pvh" /tmp/h.out || die "no marker from PVH hello"
wait_for 10 chaos_gone hpvh || die "PVH hello did not go"
xenstore-ls -f > /tmp/xs-after
cmp -s /tmp/xs-before /tmp/xs-after || { diff /tmp/xs-before /tmp/xs-after; die "XenStore changed"; }

tiny_cfg /tmp/i.cfg ipvh idle marker=idle-pvh
echo 'type = "pvh"' >> /tmp/i.cfg
chaos create /tmp/i.cfg || die "create PVH idle"
timeout 3 chaos console ipvh < /dev/null > /tmp/i.out
grep -q "XENBOX_MARKER idle-pvh" /tmp/i.out || { cat /tmp/i.out; die "no marker from PVH idle's console"; }
grep -q "idle: nonce" /tmp/i.out || die "PVH idle did not start its wait"
chaos shutdown -w ipvh || die "shutdown of PVH idle"
tiny_cfg /tmp/x.cfg xpvh idle marker=idle-pvh-xs
printf 'type = "pvh"\ndevice_method = "xenstore"\n' >> /tmp/x.cfg
chaos create /tmp/x.cfg || die "create PVH idle, xenstore mode"
wait_marker xpvh idle-pvh-xs 30 || die "no marker from PVH idle in xenstore mode"
grep -q "(xenstore)" "$(console_log xpvh)" || die "not a xenstore boot"
chaos shutdown -w xpvh || die "shutdown of PVH idle, xenstore mode"

# a kernel without a PVH entry point: one line, nothing left
printf 'name = "nopvh"\ntype = "pvh"\nkernel = "/bin/busybox"\nmemory = 16\n' > /tmp/n.cfg
expect_fail 1 "no PVH entry point" chaos create /tmp/n.cfg || die "a kernel without a PVH entry point"
wait_for 10 nothing_left || die "the failed create left something behind"
