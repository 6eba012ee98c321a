# A host of noxs guests needs no xenstored.  This stops xenstored (so it
# runs last in the boot): chaos still creates, lists, shuts down and
# destroys noxs guests, its monitor binds VIRQ_DOM_EXC itself and acts on
# their power-offs, xendevd (-X) serves pong's vif, which network-attach
# gave it and network-list lists, and a xenstore-mode create fails at once
# with a clear error instead of hanging.  (xl needs xenstored: chaos is the oracle here.)
. /xenbox/lib.sh

xs=$(cat /var/run/xenstored.pid)
kill "$(cat /var/run/xenconsoled.pid)" "$xs"
wait_for 10 sh -c "! kill -0 $xs 2> /dev/null" || die "xenstored did not stop"
# a monitor started earlier was woken by xenstored: replace it
[ -s /run/chaos/monitor.lock ] && kill "$(cat /run/chaos/monitor.lock)" 2> /dev/null
wait_for 10 sh -c '! ps | grep -q "[c]haos monitor"' || die "old monitor still runs"

tiny_cfg /tmp/h.cfg solo hello marker=hi-solo
timeout 30 chaos create -c /tmp/h.cfg > /tmp/solo.out || die "create without xenstored"
grep -q "XENBOX_MARKER hi-solo" /tmp/solo.out || die "no marker"
wait_for 30 chaos_gone solo || die "hello not destroyed after poweroff"
grep -q "woken by VIRQ_DOM_EXC" /run/chaos/monitor.log || die "monitor not on VIRQ_DOM_EXC"

tiny_cfg /tmp/i.cfg solo-idle idle marker=w
timeout 30 chaos create /tmp/i.cfg || die "create idle"
chaos list | grep -q '^solo-idle ' || die "chaos list"
timeout 30 chaos shutdown -w solo-idle || die "shutdown -w without xenstored"
chaos_gone solo-idle || die "idle still there"

xendevd -f -X 2> /tmp/xendevd.log &
xpid=$!
trap 'kill $xpid 2> /dev/null' EXIT
wait_for 10 test -S /run/xendevd.sock || die "xendevd -X did not start"
tiny_cfg /tmp/p.cfg solo-pong pong
timeout 30 chaos create /tmp/p.cfg || die "create pong"
timeout 30 chaos network-attach solo-pong bridge=xenbr0 ip=198.18.0.70/24 ||
	{ cat /tmp/xendevd.log; die "network-attach without xenstored"; }
pingwait 198.18.0.70 20000 > /dev/null || { cat /tmp/xendevd.log; die "no ping reply"; }
chaos network-list solo-pong | grep -q "^0  *0  *00:16:3e:[0-9a-f:]*  *0  *4 " ||
	{ chaos network-list solo-pong; die "network-list without xenstored"; }
timeout 30 chaos network-detach solo-pong 0 || die "network-detach without xenstored"
timeout 30 chaos shutdown -w solo-pong || die "shutdown pong"

linux_cfg /tmp/l.cfg needs-xs
expect_fail 1 "xenstored is not running" timeout 30 chaos create /tmp/l.cfg || die "xenstore mode"
wait_for 10 sh -c '[ -z "$(find /run/chaos/names /run/chaos/doms -mindepth 1)" ]' ||
	{ ls -la /run/chaos/names /run/chaos/doms; chaos list; cat /run/chaos/monitor.log; die "registry not empty"; }
