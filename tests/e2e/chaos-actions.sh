# on_reboot = restart brings the guest back (a new domain, same name);
# on_crash = preserve keeps the crashed domain for inspection; the default
# on_crash = destroy removes it.  One monitor process serves all guests.
. /xenbox/lib.sh

linux_cfg /tmp/rb.cfg rb marker=up-rb
chaos create /tmp/rb.cfg || die "create"
wait_marker rb up-rb || die "boot"
old=$(chaos domid rb)
chaos reboot rb || die "reboot"
twice() { [ "$(grep -c 'XENBOX_MARKER up-rb' "$(console_log rb)")" -ge 2 ]; }
wait_for 120 twice || { cat /run/chaos/monitor.log; die "no second boot"; }
new=$(chaos domid rb)
[ "$new" != "$old" ] || die "same domain id after restart"
echo "rebooted: domain $old -> $new"
chaos destroy rb

linux_cfg /tmp/cr.cfg cr marker=up-cr crash
echo 'on_crash = "preserve"' >> /tmp/cr.cfg
chaos create /tmp/cr.cfg || die "create crash guest"
crashed() { chaos list cr | grep -q ' ----c- '; }
wait_for 120 crashed || { chaos list; cat /run/chaos/monitor.log; die "not kept as crashed"; }
chaos destroy cr

linux_cfg /tmp/cd.cfg cd marker=up-cd crash
chaos create /tmp/cd.cfg || die "create crash guest 2"
wait_for 120 domain_gone cd || die "crashed guest not destroyed"

[ "$(ps | grep -c '[c]haos monitor')" = 1 ] || { ps; die "not exactly one monitor"; }
cat /run/chaos/monitor.log
wait_for 10 nothing_left || die "something was left behind"
