# network-attach and network-detach of running noxs guests (docs/noxs.md
# section 9).  pong, made without a vif, learns of one attached later (its
# device page's generation, an event on its sysctl channel), answers ping
# on it, closes it when it is detached (the TAP goes at once) and takes
# the next one; the registry record and network-list follow.  A vif never
# connected (a second one, idle's) goes at once; a guest that does not
# close in time (paused) loses its vif after 10 s with a warning and
# recovers.  A restarted xendevd takes back a hot-attached vif; a reboot
# through the monitor keeps it (chaos's stored config follows attach and
# detach, as xl's does).  A PVH pong takes one too.  Bad
# requests fail in one line and change nothing; XenStore never changes;
# power requests still work; nothing is left at the end.
. /xenbox/lib.sh

diagnose() {
	for n in hp hi; do
		echo "--- console of $n"; tail -n 20 "$(console_log $n)" 2>/dev/null
	done
	echo "--- xendevd"; tail -n 40 /tmp/xendevd.log
	xl list
}
in_bridge() { [ -e "/sys/class/net/xenbr0/brif/$1" ]; }
# a closed TAP leaves /sys/class/net a moment later (the kernel unregisters
# it after the close returns)
no_link() { [ ! -e "/sys/class/net/$1" ]; }
taps() { ls /sys/class/net | grep -c '^vif\|^hp-'; }
evtchns() { grep -c 'evtchn:xendevd' /proc/interrupts; }
gntmaps() { grep -c /dev/xen/gntdev "/proc/$xpid/maps"; }
said() { tr -d '\r' < "$(console_log "$1")" | grep -c "$2"; }
rows() { chaos network-list "$1" | awk 'NR > 1' | wc -l; }

start_xendevd() {
	xendevd -f 2>> /tmp/xendevd.log &
	xpid=$!
	wait_for 10 test -S /run/xendevd.sock || die "xendevd did not start"
}
trap 'kill $xpid 2> /dev/null' EXIT

start_xendevd
xenstore-ls -f > /tmp/xs.before
base="$(taps) $(evtchns) $(gntmaps)"

tiny_cfg /tmp/hp.cfg hp pong
rm -f "$(console_log hp)"
chaos create /tmp/hp.cfg || die "create pong without a vif"
p=$(chaos domid hp) || die "no domid"
wait_for 10 sh -c "tr -d '\r' < $(console_log hp) | grep -q 'pong: no vif'" ||
	{ diagnose; die "pong does not say it has no vif"; }
[ "$(rows hp)" = 0 ] || die "network-list lists a vif before any attach"

say "network-attach to a running noxs pong"
t0=$(ms)
chaos network-attach hp bridge=xenbr0 ip=198.18.0.60/24 || { diagnose; die "network-attach"; }
t1=$(ms)
in_bridge "vif$p.0" || die "vif$p.0 is not a port of xenbr0"
t2=$(pingwait 198.18.0.60 20000) || { diagnose; die "no ping reply on the attached vif"; }
say "network-attach $((t1 - t0)) ms; to the first ping reply $((t2 - t0)) ms"
[ "$(said hp 'pong: up on 198.18.0.60')" = 1 ] || { diagnose; die "pong does not say it is up"; }
rec_vifs() { sed '/^config /q' "/run/chaos/doms/$1"; } # the record, not its config text
rec_vifs $p | grep -q '^vif 0 ' || die "the record has no vif 0"
chaos network-list hp | grep -q "^0  *0  *00:16:3e:[0-9a-f:]*  *0  *4 " ||
	{ chaos network-list hp; die "network-list: vif 0 is not connected"; }

say "a second vif (MAC, vifname): listed, never connected, detached by MAC at once"
chaos network-attach hp bridge=xenbr0 mac=00:16:3e:00:02:61 vifname=hp-b ip=198.18.0.61/24 ||
	die "network-attach of a second vif"
in_bridge hp-b || die "hp-b is not a port of xenbr0"
[ "$(rows hp)" = 2 ] || { chaos network-list hp; die "network-list does not list two vifs"; }
pingwait 198.18.0.60 5000 > /dev/null || die "vif 0 stopped answering"
t0=$(ms)
chaos network-detach hp 00:16:3E:00:02:61 || die "network-detach by MAC"
say "detach of a vif the guest never connected: $(( $(ms) - t0 )) ms"
[ $(( $(ms) - t0 )) -lt 3000 ] || die "the detach waited for a frontend that never connected"
wait_for 2 no_link hp-b || die "hp-b is still there"
[ "$(rows hp)" = 1 ] || die "network-list still lists the second vif"

say "network-detach: pong closes its side, the TAP goes"
t0=$(ms)
chaos network-detach hp 0 2> /tmp/det.err || { cat /tmp/det.err; die "network-detach"; }
say "network-detach of a connected vif: $(( $(ms) - t0 )) ms"
[ -s /tmp/det.err ] && { cat /tmp/det.err; die "network-detach warned"; }
wait_for 2 no_link "vif$p.0" || die "vif$p.0 is still there"
wait_for 5 sh -c "tr -d '\r' < $(console_log hp) | grep -q 'pong: vif 0 closed by the backend'" ||
	{ diagnose; die "pong did not close vif 0"; }
ping -c 1 -W 1 198.18.0.60 > /dev/null 2>&1 && die "pong answers without a vif"
rec_vifs $p | grep -q '^vif ' && die "the record still has a vif"
[ "$(rows hp)" = 0 ] || die "network-list still lists a vif"

say "attached again: a fresh block, devid 0 again"
chaos network-attach hp bridge=xenbr0 ip=198.18.0.60/24 || die "network-attach again"
pingwait 198.18.0.60 20000 > /dev/null || { diagnose; die "no ping reply after attaching again"; }
[ "$(said hp 'pong: up on 198.18.0.60')" = 2 ] || { diagnose; die "pong did not come up a second time"; }

say "xendevd restarted: the hot-attached vif is taken back"
kill $xpid; wait $xpid 2> /dev/null
wait_for 5 no_link "vif$p.0" || die "the TAP outlived xendevd"
start_xendevd
t0=$(ms)
t1=$(pingwait 198.18.0.60 10000) || { diagnose; die "no ping reply after xendevd's restart"; }
say "ping again $((t1 - t0)) ms after the restart"

say "a reboot keeps the attached vif and its MAC, as xl's stored config does"
mac0=$(chaos network-list hp | awk 'NR == 2 { print $3 }')
chaos reboot hp || die "reboot"
wait_for 30 sh -c "x=\$(chaos domid hp 2> /dev/null) && [ \"\$x\" != $p ]" ||
	{ diagnose; die "the monitor did not remake hp"; }
p=$(chaos domid hp)
pingwait 198.18.0.60 20000 > /dev/null || { diagnose; die "no ping reply after the reboot"; }
in_bridge "vif$p.0" || die "the rebooted pong's vif is not in xenbr0"
[ "$(chaos network-list hp | awk 'NR == 2 { print $3 }')" = "$mac0" ] ||
	{ chaos network-list hp; die "the rebooted pong's MAC is not $mac0"; }
[ "$(rows hp)" = 1 ] || { chaos network-list hp; die "the detached vifs came back"; }

say "a guest that does not close (paused): the vif goes after 10 s, with a warning"
chaos pause hp || die "pause"
t0=$(ms)
chaos network-detach hp 0 2> /tmp/det.err || { cat /tmp/det.err; die "network-detach of a paused guest"; }
t1=$(ms)
cat /tmp/det.err
grep -q "warning: .*did not close its vif in time; removed anyway" /tmp/det.err ||
	die "no warning for the guest that did not close"
[ $((t1 - t0)) -ge 9000 ] && [ $((t1 - t0)) -lt 15000 ] ||
	die "the detach took $((t1 - t0)) ms, not about 10 s"
wait_for 2 no_link "vif$p.0" || die "vif$p.0 outlived the timeout"
chaos unpause hp || die "unpause"
chaos network-attach hp bridge=xenbr0 ip=198.18.0.60/24 || die "network-attach after a forced detach"
pingwait 198.18.0.60 20000 > /dev/null || { diagnose; die "pong did not recover after a forced detach"; }

say "bad requests: one line each, nothing changed"
cp /run/chaos/doms/$p /tmp/rec.before
before=$(taps)
expect_fail 1 "not an IPv4 address" chaos network-attach hp bridge=xenbr0 ip=300.1.2.3 ||
	die "a bad ip= is not refused"
expect_fail 1 "nosuchbr" chaos network-attach hp bridge=nosuchbr ip=198.18.0.62 ||
	die "a missing bridge is not refused"
expect_fail 1 "mtu" chaos network-attach hp bridge=xenbr0 mtu=9000 ||
	die "an MTU above 1500 is not refused"
expect_fail 1 "has no vif 5" chaos network-detach hp 5 || die "detach of no vif"
kill $xpid; wait $xpid 2> /dev/null
expect_fail 1 "xendevd" chaos network-attach hp bridge=xenbr0 ip=198.18.0.62 ||
	die "an attach without xendevd is not refused"
start_xendevd
pingwait 198.18.0.60 10000 > /dev/null || die "pong stopped answering"
cmp -s /run/chaos/doms/$p /tmp/rec.before || die "a refused request changed the record"
[ "$(taps)" = "$before" ] || die "a refused request left an interface"

say "idle never connects: its vif goes at once"
tiny_cfg /tmp/hi.cfg hi idle
chaos create /tmp/hi.cfg || die "create idle"
i=$(chaos domid hi)
chaos network-attach hi bridge=xenbr0 || die "network-attach to idle"
in_bridge "vif$i.0" || die "idle's vif is not in the bridge"
t0=$(ms)
chaos network-detach hi 0 || die "network-detach from idle"
[ $(( $(ms) - t0 )) -lt 3000 ] || die "the detach from idle waited"
chaos network-attach hi bridge=xenbr0 || die "network-attach to idle again"

say "a PVH pong (device page by its frame number) takes an attached vif"
tiny_cfg /tmp/hv.cfg hv pong
echo 'type = "pvh"' >> /tmp/hv.cfg
chaos create /tmp/hv.cfg || die "create PVH pong"
chaos network-attach hv bridge=xenbr0 ip=198.18.0.63/24 || die "network-attach to PVH pong"
pingwait 198.18.0.63 20000 > /dev/null || { diagnose; die "no ping reply from PVH pong"; }
chaos network-detach hv 0 || die "network-detach from PVH pong"
chaos destroy hv || die "destroy PVH pong"

say "power requests still obeyed; nothing left"
chaos shutdown -w hp || { diagnose; die "shutdown of pong"; }
chaos destroy hi || die "destroy idle"
wait_for 5 no_link "vif$p.0" || die "pong's TAP outlived it"
wait_for 5 no_link "vif$i.0" || die "idle's TAP outlived it"
wait_for 5 sh -c "[ \"\$(ls /sys/class/net | grep -c '^vif\|^hp-') \$(grep -c 'evtchn:xendevd' /proc/interrupts) \$(grep -c /dev/xen/gntdev /proc/$xpid/maps)\" = \"$base\" ]" ||
	die "xendevd holds $(taps) $(evtchns) $(gntmaps), not $base as before"
xenstore-ls -f > /tmp/xs.after
diff /tmp/xs.before /tmp/xs.after || die "XenStore changed"
wait_for 10 nothing_left || die "something was left"
