# The monitor outlives xenstored.  Killed under it while a noxs guest
# runs: the monitor says so and still acts on that guest's power-off,
# looking at its domains itself and leaving VIRQ_DOM_EXC free, so that
# xenstored can start again; once it does, the monitor watches
# @releaseDomain again and a xenstore-mode guest's power-off is acted on
# through it.  xenstored, xen-init-dom0 and xenconsoled are restarted as
# dom0-init starts them, whatever happens, for the scenarios after this.
# Named to run late: a restarted xenstored no longer carries dom0 kernel's
# backend watches, so no vif can be made after it.
. /xenbox/lib.sh

log=/run/chaos/monitor.log

services_up() {
	if ! [ -s /var/run/xenstored.pid ] ||
		! kill -0 "$(cat /var/run/xenstored.pid)" 2> /dev/null; then
		xenstored --pid-file=/var/run/xenstored.pid || return 1
	fi
	wait_for 10 xen-init-dom0 > /dev/null 2>&1 || return 1
	if ! [ -s /var/run/xenconsoled.pid ] ||
		! kill -0 "$(cat /var/run/xenconsoled.pid)" 2> /dev/null; then
		xenconsoled --log=guest --log-dir=/var/log/xen/console \
			--pid-file=/var/run/xenconsoled.pid || return 1
	fi
}
trap 'for _j in $(jobs -p); do kill "$_j" 2> /dev/null; done; services_up' EXIT

# new_log PATTERN: the monitor logged PATTERN since this scenario began
start=$({ wc -l < "$log"; } 2> /dev/null || echo 0)
new_log() { tail -n +$((start + 1)) "$log" 2> /dev/null | grep -q "$1"; }
fail() { echo "monitor log:"; tail -n +$((start + 1)) "$log"; die "$*"; }

tiny_cfg /tmp/a.cfg mx-a idle marker=mx-a
chaos create /tmp/a.cfg || die "create mx-a"
a=$(chaos domid mx-a)
wait_for 10 sh -c 'ps | grep -q "[c]haos monitor"' || die "no monitor"

xs=$(cat /var/run/xenstored.pid)
kill "$(cat /var/run/xenconsoled.pid)" "$xs"
wait_for 10 sh -c "! kill -0 $xs 2> /dev/null" || die "xenstored did not stop"
wait_for 10 new_log "xenstored is gone" || fail "the monitor did not notice"
echo "monitor: $(tail -n +$((start + 1)) "$log" | grep 'xenstored is gone')"

# without xenstored: the guest's power-off is still acted on
wait_for 30 chaos shutdown mx-a 2> /dev/null || fail "shutdown mx-a"
wait_for 30 chaos_gone mx-a || fail "mx-a not destroyed without xenstored"
new_log "mx-a (domain $a) powered off" || fail "no action logged for mx-a"

# VIRQ_DOM_EXC is free: xenstored starts again, and the monitor finds it
services_up || fail "xenstored did not start again"
wait_for 10 new_log "xenstored answers again" || fail "monitor did not reconnect"
[ "$(ps | grep -c '[c]haos monitor')" = 1 ] || { ps; die "not exactly one monitor"; }

# a xenstore-mode guest made now is introduced to the new xenstored, and
# its power-off reaches the monitor through @releaseDomain
tiny_cfg /tmp/h.cfg mx-h hello marker=mx-h
chaos create --device-method=xenstore -q /tmp/h.cfg || fail "create mx-h"
wait_for 30 domain_gone mx-h || fail "mx-h not destroyed after power-off"
new_log "mx-h (domain [0-9]*) powered off" || fail "no action logged for mx-h"
tail -n +$((start + 1)) "$log"
wait_for 10 nothing_left || die "something was left behind"
