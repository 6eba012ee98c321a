# noxs vifs: xendevd's user-space netback (docs/noxs.md section 8) serves
# guests/pong (ping, UDP echo on port 7) and guests/daytime (TCP 13), made
# by chaos in noxs mode (device_method auto: their kernels carry the
# note) with vif = ['bridge=xenbr0,ip=...'].  dom0 pings pong, gets its
# UDP echo and daytime's line; XenStore is not touched; the TAP is a port
# of xenbr0 while the guest runs and gone after destroy; xendevd killed
# and restarted while pong runs takes it back; the Linux guest's
# xenstore-mode vif works beside them; 50 pongs answer ping and leave no
# TAP, grant map or event channel behind; without xendevd the create
# fails in one line and leaves nothing.
. /xenbox/lib.sh

diagnose() {
	for n in np nd; do
		echo "--- console of $n"; tail -n 20 "$(console_log $n)" 2>/dev/null
	done
	echo "--- xendevd"; tail -n 60 /tmp/xendevd.log
	xl list
}
in_bridge() { [ -e "/sys/class/net/xenbr0/brif/$1" ]; }
no_link() { [ ! -e "/sys/class/net/$1" ]; }
vifs() { ls /sys/class/net | grep -c '^vif'; }
# what xendevd holds of guests: grant maps and foreign pages in its
# address space, bound event channels (named after it in /proc/interrupts)
gntmaps() { grep -c /dev/xen/gntdev "/proc/$xpid/maps"; }
fmaps() { grep -c /dev/xen/privcmd "/proc/$xpid/maps"; }
evtchns() { grep -c 'evtchn:xendevd' /proc/interrupts; }
held() { echo "$(gntmaps) $(fmaps) $(evtchns)"; }

start_xendevd() {
	xendevd -f 2>> /tmp/xendevd.log &
	xpid=$!
	wait_for 10 test -S /run/xendevd.sock || die "xendevd did not start"
}
cleanup() { kill $xpid 2> /dev/null; }
trap cleanup EXIT

# net_cfg FILE NAME IMAGE ADDR: one of the net guests with a noxs vif
net_cfg() {
	tiny_cfg "$1" "$2" "$3"
	echo "vif = [ 'bridge=xenbr0,ip=$4/24' ]" >> "$1"
}

start_xendevd
base=$(held)
say "xendevd holds (gnt maps, foreign maps, channels): $base"
xenstore-ls -f > /tmp/xs.before

say "pong and daytime with noxs vifs"
net_cfg /tmp/np.cfg np pong 198.18.0.10
net_cfg /tmp/nd.cfg nd daytime 198.18.0.11
t0=$(ms)
chaos create /tmp/np.cfg || { diagnose; die "create pong"; }
say "chaos create pong with a noxs vif: $(( $(ms) - t0 )) ms"
chaos create /tmp/nd.cfg || { diagnose; die "create daytime"; }
p=$(chaos domid np) && d=$(chaos domid nd) || die "no domid"
grep -q '^noxs ' /run/chaos/doms/$p || die "pong is not a noxs guest"
grep -q '^vif 0 ' /run/chaos/doms/$p || die "pong's record has no vif"
in_bridge "vif$p.0" || die "vif$p.0 is not a port of xenbr0"
in_bridge "vif$d.0" || die "vif$d.0 is not a port of xenbr0"
t1=$(pingwait 198.18.0.10 60000) || { diagnose; die "no ping reply from pong"; }
say "create to first ping reply: $((t1 - t0)) ms"
udpecho -n 20 -t 2000 198.18.0.10 7 || { diagnose; die "no UDP echo from pong"; }
line=$(timeout 10 nc 198.18.0.11 13) || { diagnose; die "no daytime from nd"; }
say "daytime says: $line"
[ -n "$line" ] || die "daytime's line is empty"
# network-list: xl's columns from the record and the control block
chaos network-list np > /tmp/nl.out || die "network-list of pong"
cat /tmp/nl.out
grep -q "^0  *0  *00:16:3e:[0-9a-f:]*  *0  *4  *[0-9]*  *[0-9]*/[0-9]*  *xendevd:vif$p.0$" /tmp/nl.out ||
	die "network-list: pong's vif is not connected (state 4) on xendevd:vif$p.0"
chaos network-list -l np | grep -q '"state": 4' || die "network-list -l: no state 4"
xenstore-ls -f > /tmp/xs.after
diff /tmp/xs.before /tmp/xs.after || die "XenStore changed with noxs vifs"

say "device_method noxs with vifs, and a MAC and MTU of the config's"
net_cfg /tmp/nm.cfg nm pong 198.18.0.12
sed -i "s|ip=|mac=00:16:3e:00:01:12,mtu=1400,ip=|" /tmp/nm.cfg
echo 'device_method = "noxs"' >> /tmp/nm.cfg
chaos create /tmp/nm.cfg || { diagnose; die "create with device_method noxs"; }
m=$(chaos domid nm)
[ "$(cat "/sys/class/net/vif$m.0/mtu")" = 1400 ] || die "vif$m.0's mtu is not 1400"
pingwait 198.18.0.12 30000 > /dev/null || { diagnose; die "no ping from nm"; }
ip neigh show 198.18.0.12 | grep -q 00:16:3e:00:01:12 || die "nm answers with another MAC"
chaos destroy nm || die "destroy nm"
wait_for 5 no_link "vif$m.0" || die "vif$m.0 left after destroy"

say "save of a noxs guest with vifs is refused in one line"
expect_fail 1 "noxs vifs" chaos save np /tmp/np.save || die "save np"
chaos domid np > /dev/null || die "the refused save lost pong"

say "xendevd killed and restarted while pong runs"
kill -9 $xpid
wait $xpid 2> /dev/null
wait_for 5 no_link "vif$p.0" || die "the TAP outlived its xendevd"
t0=$(ms)
start_xendevd
# the socket comes before the registry is read: wait for the line
wait_for 5 grep -q "vif$p.0: noxs vif of domain $p: taken back" /tmp/xendevd.log ||
	{ diagnose; die "the restarted xendevd did not take vif$p.0 back"; }
t1=$(pingwait 198.18.0.10 10000) || { diagnose; die "no ping after the restart"; }
say "ping again $((t1 - t0)) ms after the restart began"
[ $((t1 - t0)) -lt 1000 ] || die "pong answered only $((t1 - t0)) ms after the restart"
in_bridge "vif$p.0" || die "vif$p.0 is not a port after the restart"

say "the Linux guest's xenstore-mode vif beside them"
linux_cfg /tmp/l.cfg lnet marker=lnet-up ip=198.18.0.2/24
echo "vif = [ 'bridge=xenbr0' ]" >> /tmp/l.cfg
chaos create /tmp/l.cfg || { diagnose; die "create the Linux guest"; }
l=$(chaos domid lnet)
pingwait 198.18.0.2 120000 > /dev/null || { diagnose; die "no ping from the Linux guest"; }
pingwait 198.18.0.10 5000 > /dev/null || die "pong stopped answering beside it"
chaos destroy lnet || die "destroy lnet"
wait_for 10 no_link "vif$l.0" || die "vif$l.0 left"

say "destroy: the TAPs go"
chaos destroy np || die "destroy np"
chaos destroy nd || die "destroy nd"
wait_for 2 no_link "vif$p.0" || die "vif$p.0 left after destroy"
wait_for 2 no_link "vif$d.0" || die "vif$d.0 left after destroy"
wait_for 10 nothing_left || die "destroy left something behind"
wait_for 5 test "$(held)" = "$base" || die "xendevd holds $(held), had $base"

say "50 pongs, each answering ping, then destroyed"
i=0
while [ $i -lt 50 ]; do
	net_cfg /tmp/p$i.cfg p$i pong 198.18.0.$((100 + i))
	chaos create /tmp/p$i.cfg || { diagnose; die "create p$i"; }
	i=$((i + 1))
done
[ "$(vifs)" = 50 ] || die "$(vifs) vif interfaces for 50 pongs"
say "with 50 pongs xendevd holds $(held)"
i=0
while [ $i -lt 50 ]; do
	pingwait 198.18.0.$((100 + i)) 30000 > /dev/null || { diagnose; die "no ping from p$i"; }
	i=$((i + 1))
done
i=0
while [ $i -lt 50 ]; do
	chaos destroy p$i || die "destroy p$i"
	i=$((i + 1))
done
wait_for 10 test "$(vifs)" = 0 || die "$(vifs) vif interfaces left"
wait_for 10 nothing_left || die "the pongs left something behind"
wait_for 5 test "$(held)" = "$base" || die "xendevd holds $(held), had $base"

say "a pong that powers off: xendevd lets its vif go by itself"
chaos create /tmp/np.cfg || die "create np again"
p=$(chaos domid np)
pingwait 198.18.0.10 30000 > /dev/null || die "no ping from np"
chaos shutdown -w np || die "shutdown np"
wait_for 2 no_link "vif$p.0" || die "vif$p.0 left after poweroff"
wait_for 10 nothing_left || die "poweroff left something behind"

say "without xendevd: one line, nothing left"
kill $xpid
wait $xpid
expect_fail 1 "xendevd does not answer" chaos create /tmp/np.cfg || die "create without xendevd"
nothing_left || die "the failed create left something behind"
[ "$(vifs)" = 0 ] || die "a TAP was left"
echo "--- xendevd's log"
tail -n 40 /tmp/xendevd.log
echo "ALL OK"
