# noxs consoles logged by xendevd: with xendevd running (it follows
# xenconsoled's --log=guest), a noxs hello that powers off at once has its
# output in guest-NAME.log once it is gone; chaos console of a running
# noxs idle shows its boot lines (logged before the attach) and what it
# prints afterwards (its answer to a shutdown sent from another process);
# xendevd killed and restarted while idle runs takes the console back (the
# log keeps growing, the console is still attachable); 20 hellos in a row
# are all logged.  Without xendevd, create -c reads the ring itself.
. /xenbox/lib.sh

diagnose() {
	echo "--- xendevd"; cat /tmp/xdd-cons.log
	echo "--- monitor"; tail -n 20 /run/chaos/monitor.log
	ls -l /var/log/xen/console
	xl list
}
# only dom0 left: no guest, not even a dying one held by a mapping
only_dom0() { [ "$(xl list | awk 'NR > 1' | wc -l)" = 1 ]; }
logged() { grep -q "$2" "$(console_log "$1")" 2>/dev/null; }

cleanup() { kill $xpid 2> /dev/null; }
trap cleanup EXIT

xendevd -f 2> /tmp/xdd-cons.log &
xpid=$!
wait_for 10 test -S /run/xendevd.sock || die "xendevd did not start"
wait_for 10 grep -q "noxs consoles logged in /var/log/xen/console (setting from xenconsoled" /tmp/xdd-cons.log ||
	{ diagnose; die "xendevd does not follow xenconsoled's --log=guest"; }

say "a hello that powers off at once: its output is in its log"
rm -f "$(console_log nc-hello)"
tiny_cfg /tmp/h.cfg nc-hello hello marker=hi-cons
chaos create -T /tmp/h.cfg > /tmp/h.t || { diagnose; die "create hello"; }
grep -q "^  console  *[0-9]" /tmp/h.t || { cat /tmp/h.t; die "no console phase"; }
wait_for 30 only_dom0 || { diagnose; die "hello did not go away"; }
# gone: everything it wrote is logged already, no waiting
logged nc-hello "XENBOX_MARKER hi-cons" || { diagnose; die "hello's marker is not in its log"; }
logged nc-hello "(noxs), devices: console 0, sysctl 0" || die "hello's boot line is not in its log"

say "create -c through xendevd"
tiny_cfg /tmp/h.cfg nc-hello-c hello marker=hi-cons-c
chaos create -c /tmp/h.cfg > /tmp/hc.out < /dev/null || { diagnose; die "create -c"; }
grep -q "XENBOX_MARKER hi-cons-c" /tmp/hc.out || { cat /tmp/hc.out; diagnose; die "create -c: no marker"; }
wait_for 30 only_dom0 || { diagnose; die "hello -c did not go away"; }
logged nc-hello-c "XENBOX_MARKER hi-cons-c" || die "hello -c is not logged"

say "chaos console of a running idle: its boot lines, then its answer"
tiny_cfg /tmp/i.cfg nc-idle idle marker=wait-cons
chaos create /tmp/i.cfg || { diagnose; die "create idle"; }
wait_for 30 logged nc-idle "XENBOX_MARKER wait-cons" || { diagnose; die "idle's marker is not logged"; }
# Ctrl-] detaches at once
printf '\035' | timeout 10 chaos console nc-idle > /dev/null || die "Ctrl-] did not detach"
# typed bytes go to xendevd (idle reads none); the console stays
printf 'typed\r' | chaos console nc-idle > /tmp/ic.out &
cons=$!
wait_for 30 grep -q "XENBOX_MARKER wait-cons" /tmp/ic.out ||
	{ cat /tmp/ic.out; diagnose; die "chaos console did not replay the boot lines"; }
timeout 60 chaos shutdown nc-idle || { diagnose; die "chaos shutdown"; }
wait_for 30 sh -c "! kill -0 $cons 2> /dev/null" || { diagnose; die "chaos console did not end with the guest"; }
wait $cons || die "chaos console failed"
grep -q "idle: powering off" /tmp/ic.out || { cat /tmp/ic.out; die "chaos console missed the shutdown message"; }
[ "$(grep -c "XENBOX_MARKER wait-cons" /tmp/ic.out)" = 1 ] || { cat /tmp/ic.out; die "the boot lines came twice"; }
wait_for 30 only_dom0 || { diagnose; die "idle did not go away"; }
logged nc-idle "idle: powering off" || die "idle's last line is not logged"

say "xendevd restarted while idle runs: the console is taken back"
tiny_cfg /tmp/i.cfg nc-idle2 idle marker=wait-cons2
chaos create /tmp/i.cfg || die "create idle2"
wait_for 30 logged nc-idle2 "XENBOX_MARKER wait-cons2" || { diagnose; die "idle2 is not logged"; }
d=$(chaos domid nc-idle2)
kill $xpid
wait $xpid
xendevd -f 2>> /tmp/xdd-cons.log &
xpid=$!
wait_for 10 grep -q "console $d (nc-idle2): taken back" /tmp/xdd-cons.log ||
	{ diagnose; die "the restarted xendevd did not take the console back"; }
chaos console nc-idle2 > /tmp/ic2.out < /dev/null &
cons=$!
# its history went with the old xendevd: wait for the open itself
wait_for 10 grep -q "console $d (nc-idle2): opened by pid $cons" /tmp/xdd-cons.log ||
	{ diagnose; die "chaos console did not open idle2's console"; }
timeout 60 chaos shutdown nc-idle2 || { diagnose; die "chaos shutdown idle2"; }
wait $cons || die "chaos console of idle2 failed"
grep -q "idle: powering off" /tmp/ic2.out || { cat /tmp/ic2.out; diagnose; die "no shutdown message after the restart"; }
wait_for 30 only_dom0 || { diagnose; die "idle2 did not go away"; }
logged nc-idle2 "idle: powering off" || die "idle2's log did not grow after the restart"

say "20 hellos in a row, all logged"
t0=$(ms)
i=1
while [ $i -le 20 ]; do
	rm -f "$(console_log nc$i)"
	tiny_cfg /tmp/h.cfg nc$i hello marker=hi-nc$i
	chaos create /tmp/h.cfg || { diagnose; die "create nc$i"; }
	i=$((i + 1))
done
wait_for 60 only_dom0 || { diagnose; die "the hellos did not go away"; }
echo "20 noxs hellos gone in $(( $(ms) - t0 )) ms"
i=1
while [ $i -le 20 ]; do
	logged nc$i "XENBOX_MARKER hi-nc$i" || { diagnose; die "nc$i is not logged"; }
	i=$((i + 1))
done

say "without xendevd: create -c reads the ring itself"
kill $xpid
wait $xpid
tiny_cfg /tmp/h.cfg nc-direct hello marker=hi-direct
chaos create -c /tmp/h.cfg > /tmp/hd.out < /dev/null || die "create -c without xendevd"
grep -q "XENBOX_MARKER hi-direct" /tmp/hd.out || { cat /tmp/hd.out; die "no marker without xendevd"; }
wait_for 30 nothing_left || die "something was left behind"
grep -i "warn\|bad\|out of range" /tmp/xdd-cons.log && die "xendevd warned"
echo "--- xendevd's log"
cat /tmp/xdd-cons.log
