# Save and restore of the Linux guest in xenstore mode, with a vif on
# xenbr0 wired by xendevd: after a restore it answers ping again, its
# uptime ticker carries on (its memory survived: no second boot), chaos
# list shows it once and xl agrees.  save -c leaves it running, restore -p
# paused, a name in use fails and leaves nothing; save to standard output
# piped into restore, and migrate to this same host.
. /xenbox/lib.sh

diagnose() {
	echo "--- console of vsr"; tail -n 30 "$(console_log vsr)"
	echo "--- monitor"; tail -n 20 /run/chaos/monitor.log
	echo "--- xendevd"; tail -n 20 /tmp/xendevd.log
	xl list; chaos list
}
fail() { diagnose; die "$*"; }
cleanup() { kill $xpid 2> /dev/null; }
trap cleanup EXIT

# the last uptime the guest printed, in whole seconds (after a migration
# to this host xenconsoled logs under the name it first saw, as under xl)
last_tick() {
	cat "$(console_log vsr)" "$(console_log vsr--incoming)" 2> /dev/null |
		awk '/^XENBOX_UPTIME/ && $2 > t { t = $2 } END { printf "%d\n", t }'
}
# the ticker has gone past $1 (so the guest runs and kept its clock)
ticks_past() { [ "$(last_tick)" -gt "$1" ]; }
boots() { grep -c "XENBOX_MARKER sr-up" "$(console_log vsr)"; }
# vsr is listed once by chaos, with the same id, memory and vCPUs as xl's
listed_once() {
	[ "$(chaos list | awk '$1 == "vsr"' | wc -l)" = 1 ] || return 1
	[ "$(xl list | awk '$1 == "vsr"' | wc -l)" = 1 ] || return 1
	xl_agrees vsr
}
# ping answered, the guest ticks on from where it was, and never rebooted
alive_as_before() {
	_before=$(last_tick)
	pingwait 198.18.0.3 60000 > /dev/null || fail "$1: no ping reply"
	wait_for 30 ticks_past "$_before" || fail "$1: the ticker stopped at $_before"
	[ "$(boots)" = 1 ] || fail "$1: the guest booted again"
	listed_once || fail "$1: not listed once"
}

xendevd -f 2> /tmp/xendevd.log &
xpid=$!
wait_for 10 test -S /run/xendevd.sock || die "xendevd did not start"

linux_cfg /tmp/v.cfg vsr marker=sr-up ip=198.18.0.3/24 tick
echo "vif = [ 'bridge=xenbr0' ]" >> /tmp/v.cfg
chaos create /tmp/v.cfg || fail "create"
wait_marker vsr sr-up 120 || fail "no marker"
pingwait 198.18.0.3 60000 > /dev/null || fail "no ping reply after create"
wait_for 30 ticks_past 0 || fail "no uptime ticks"
mac=$(xenstore-read "/local/domain/0/backend/vif/$(chaos domid vsr)/0/mac")

say "save to a file, restore"
t0=$(ms)
chaos save vsr /tmp/vsr.img || fail "save"
say "chaos save of the 128 MiB guest: $(( $(ms) - t0 )) ms"
domain_gone vsr || fail "vsr still there after save"
[ -z "$(ls -A /run/chaos/doms)$(ls -A /run/chaos/names)" ] || fail "registry entries after save"
ls /tmp/vsr.img.*.tmp 2> /dev/null && fail "a temporary file is left"
t0=$(ms)
chaos restore /tmp/vsr.img || fail "restore"
say "chaos restore: $(( $(ms) - t0 )) ms"
alive_as_before "restore"
d=$(chaos domid vsr)
[ "$(xenstore-read "/local/domain/0/backend/vif/$d/0/mac")" = "$mac" ] ||
	fail "the vif's MAC changed"
[ -e "/sys/class/net/xenbr0/brif/vif$d.0" ] || fail "vif$d.0 not in xenbr0"

rm /tmp/vsr.img # dom0's /tmp is RAM: one image of 128 MiB at a time

say "save -c: the guest runs on"
chaos save -c vsr /tmp/vsr-c.img || fail "save -c"
[ "$(chaos domid vsr)" = "$d" ] || fail "save -c: not the same domain"
alive_as_before "save -c"
expect_fail 1 "already in use" chaos restore /tmp/vsr-c.img || fail "restore over a name in use"
listed_once || fail "the failed restore left a domain"
[ "$(ls /run/chaos/doms | wc -l)" = 1 ] || fail "the failed restore left a record"
[ -z "$(ls -A /run/chaos/creating)" ] || fail "the failed restore left an intent"
rm /tmp/vsr-c.img

say "save -p, then restore -p"
chaos save -p vsr /tmp/vsr-p.img || fail "save -p"
xl list vsr | awk 'NR == 2 { exit !($5 ~ /p/) }' || fail "save -p: not paused"
chaos destroy vsr || fail "destroy"
chaos restore -p /tmp/vsr-p.img || fail "restore -p"
xl list vsr | awk 'NR == 2 { exit !($5 ~ /p/) }' || fail "restore -p: not paused"
chaos unpause vsr || fail "unpause"
alive_as_before "restore -p"
rm /tmp/vsr-p.img

say "chaos save vsr - | chaos restore -"
chaos save vsr - | chaos restore - || fail "save | restore"
alive_as_before "pipe"

say "chaos migrate -s '' vsr 'chaos migrate-receive'"
t0=$(ms)
chaos migrate -s "" vsr "chaos migrate-receive" || fail "migrate"
say "migrate to this host: $(( $(ms) - t0 )) ms"
alive_as_before "migrate"
chaos list | grep -q incoming && fail "an incoming domain is left"

say "a receiver that fails (its incoming name is taken): the guest runs on here"
d=$(chaos domid vsr)
tiny_cfg /tmp/block.cfg vsr--incoming hello
chaos create -p /tmp/block.cfg || fail "create vsr--incoming"
expect_fail 1 "receiver: .*already in use; vsr runs on here" \
	chaos migrate -s "" vsr "chaos migrate-receive" || fail "migrate to a failing receiver"
[ "$(chaos domid vsr)" = "$d" ] || fail "not the same domain after a failed migrate"
alive_as_before "failed migrate"
chaos destroy vsr--incoming || fail "destroy vsr--incoming"

chaos destroy vsr || fail "destroy"
wait_for 30 nothing_left || fail "something is left"
