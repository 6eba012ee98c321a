# Vifs without scripts: xendevd wires netback's vif into xenbr0 over
# netlink.  The Linux test guest gets a vif and ip=198.18.0.2/24 and dom0
# pings it, with /etc/xen/scripts moved away so that no script can run;
# network-attach/list on the running guest; a reboot recreates it with
# both vifs (the attached one kept in its stored config) wired again;
# network-detach; destroy takes the vif out of the bridge.  Without xendevd, or with a bridge that does not
# exist, create fails at once and leaves nothing.  Then the same guest
# through xl and its vif-bridge script, for comparison.
. /xenbox/lib.sh

diagnose() {
	echo "--- console of vnet"; tail -n 40 "$(console_log vnet)"
	echo "--- monitor"; tail -n 20 /run/chaos/monitor.log
	echo "--- xendevd"; cat /tmp/xendevd.log
	xl list
}
in_bridge() { [ -e "/sys/class/net/xenbr0/brif/$1" ]; }
no_link() { [ ! -e "/sys/class/net/$1" ]; }
be_state() { xenstore-read "/local/domain/0/backend/vif/$1/state" 2>/dev/null; }
connected() { [ "$(be_state "$1")" = 4 ]; }

# whatever happens, leave no xendevd running and xl its scripts
cleanup() {
	kill $xpid 2> /dev/null
	[ ! -d /etc/xen/scripts.away ] || mv /etc/xen/scripts.away /etc/xen/scripts
}
trap cleanup EXIT

xendevd -f 2> /tmp/xendevd.log &
xpid=$!
wait_for 10 test -S /run/xendevd.sock || die "xendevd did not start"

mv /etc/xen/scripts /etc/xen/scripts.away
linux_cfg /tmp/v.cfg vnet marker=vnet-up ip=198.18.0.2/24
echo "vif = [ 'bridge=xenbr0,mac=00:16:3e:00:00:02' ]" >> /tmp/v.cfg
t0=$(ms)
chaos create /tmp/v.cfg || die "chaos create with a vif"
t1=$(ms)
d=$(chaos domid vnet) || {
	xl list; cat /run/chaos/monitor.log; cat /tmp/xendevd.log
	tail -n 30 "$(console_log vnet)"; die "vnet is gone after its create"
}
say "chaos create with a vif: $((t1 - t0)) ms (domain $d)"
in_bridge "vif$d.0" || die "vif$d.0 is not in xenbr0 when create returns"
[ "$(xenstore-read /local/domain/0/backend/vif/$d/0/hotplug-status)" = connected ] ||
	die "hotplug-status is not connected"
[ "$(xenstore-read /local/domain/0/backend/vif/$d/0/script)" = xendevd ] ||
	die "the backend names a script"
t2=$(pingwait 198.18.0.2 120000) || { tail -n 20 "$(console_log vnet)"; die "no ping reply from the chaos guest"; }
say "chaos: create to first ping reply $((t2 - t0)) ms"
wait_for 30 connected "$d/0" || die "netback did not connect vif $d/0"
chaos network-list vnet
chaos network-list vnet | grep -q "^0 .*00:16:3e:00:00:02 .* 4 " ||
	die "network-list does not show vif 0 connected"

say "network-attach, network-list, network-detach"
chaos network-attach vnet bridge=xenbr0 mac=00:16:3e:00:00:12 || die "network-attach"
in_bridge "vif$d.1" || die "vif$d.1 is not in xenbr0"
wait_for 30 connected "$d/1" || die "netback did not connect vif $d/1"
[ "$(chaos network-list vnet | wc -l)" = 3 ] || die "network-list should show two vifs"
expect_fail 1 "bridge nobr0: no such interface" chaos network-attach vnet bridge=nobr0 || die "attach to a missing bridge"
# fails in xendevd, after the nodes were written: they are taken back
expect_fail 1 "rename to xenbr0: File exists" chaos network-attach vnet vifname=xenbr0 || die "attach with a taken vifname"
[ "$(chaos network-list vnet | wc -l)" = 3 ] || die "a failed attach left a vif behind"

say "reboot: the monitor recreates the guest with both vifs (the stored config follows network-attach, as xl's), xendevd wires them"
old=$d
chaos reboot vnet || die "reboot"
new_domain() { _n=$(chaos domid vnet 2>/dev/null) && [ "$_n" != "$old" ]; }
wait_for 60 new_domain || { diagnose; die "vnet was not recreated"; }
d=$(chaos domid vnet)
wait_for 10 no_link "vif$old.0" || die "vif$old.0 of the old domain left"
# the name (and so its XenStore name) may show before the monitor's
# create has returned: the vif is wired by then, or soon after
wait_for 10 in_bridge "vif$d.0" || die "vif$d.0 of the recreated guest is not in xenbr0"
pingwait 198.18.0.2 120000 > /dev/null || die "no ping reply after the reboot"
wait_for 10 in_bridge "vif$d.1" || die "the attached vif$d.1 did not come back with the reboot"
chaos network-list vnet | grep -q "^1 .*00:16:3e:00:00:12 " ||
	{ chaos network-list vnet; die "the attached vif lost its devid or MAC in the reboot"; }

say "network-detach after the reboot"
chaos network-detach vnet 00:16:3e:00:00:12 || { diagnose; die "network-detach"; }
wait_for 10 no_link "vif$d.1" || die "vif$d.1 still exists after detach"
if xenstore-exists "/local/domain/0/backend/vif/$d/1"; then
	xenstore-ls -p "/local/domain/0/backend/vif/$d/1"; die "backend of vif 1 left behind"
fi
# found once as the rebooted guest's, never again
[ "$(grep -c "vif$d.1: found" /tmp/xendevd.log)" -le 1 ] ||
	die "xendevd wired the detached vif$d.1 again"
# the guest may have answered ARP for its address on eth1 too (Linux
# does by default): forget which MAC dom0 learnt
ip neigh flush dev xenbr0 > /dev/null 2>&1
pingwait 198.18.0.2 10000 > /dev/null || { diagnose; die "vif 0 stopped answering after the detach"; }

chaos destroy vnet || die "destroy"
wait_for 10 no_link "vif$d.0" || die "vif$d.0 still exists after destroy"
[ -z "$(ls /sys/class/net/xenbr0/brif/)" ] || die "xenbr0 still has ports: $(ls /sys/class/net/xenbr0/brif/)"
wait_for 10 nothing_left || die "destroy left something behind"

say "bad bridge and no xendevd: fail at once, leave nothing"
expect_fail 1 "bridge nobr0: no such interface" chaos create /tmp/v.cfg 'vif=["bridge=nobr0"]' || die "create with a missing bridge"
wait_for 10 nothing_left || die "the failed create left something behind"
kill $xpid
wait $xpid
t0=$(ms)
expect_fail 1 "vif: xendevd does not answer on /run/xendevd.sock" chaos create /tmp/v.cfg || die "create without xendevd"
say "create without xendevd failed in $(( $(ms) - t0 )) ms"
nothing_left || die "the failed create left something behind"

say "xendevd restarted: picks up a wired vif"
xendevd -f 2>> /tmp/xendevd.log &
xpid=$!
wait_for 10 test -S /run/xendevd.sock || die "xendevd did not restart"
chaos create /tmp/v.cfg 'name="vnet2"' || die "create after the restart"
d=$(chaos domid vnet2)
kill $xpid
wait $xpid
xendevd -f 2>> /tmp/xendevd.log &
xpid=$!
wait_for 10 grep -q "vif$d.0: found wired into xenbr0" /tmp/xendevd.log || die "the restarted xendevd did not find vif$d.0"
chaos destroy vnet2 || die "destroy vnet2"
wait_for 10 no_link "vif$d.0" || die "vif$d.0 of vnet2 left"
mv /etc/xen/scripts.away /etc/xen/scripts

say "the same guest through xl and vif-bridge"
linux_cfg /tmp/x.cfg xnet marker=xnet-up ip=198.18.0.3/24
echo "vif = [ 'bridge=xenbr0,mac=00:16:3e:00:00:03' ]" >> /tmp/x.cfg
t0=$(ms)
xl create -q /tmp/x.cfg || die "xl create with a vif"
t1=$(ms)
d=$(xl domid xnet)
say "xl create with a vif: $((t1 - t0)) ms"
t2=$(pingwait 198.18.0.3 120000) || die "no ping reply from the xl guest"
say "xl: create to first ping reply $((t2 - t0)) ms"
xl destroy xnet || die "xl destroy"
wait_for 10 no_link "vif$d.0" || die "xl's vif$d.0 left"
wait_for 10 nothing_left || die "xl left something behind"
echo "--- xendevd's log"
cat /tmp/xendevd.log
