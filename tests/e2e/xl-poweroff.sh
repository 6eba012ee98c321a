# A guest that powers itself off is gone afterwards (xl's on_poweroff
# = destroy, carried out by xl's per-domain monitor process).
. /xenbox/lib.sh

linux_cfg /tmp/off.cfg xloff marker=bye-xloff poweroff
xl create /tmp/off.cfg || die "xl create failed"
wait_marker xloff bye-xloff || die "guest did not boot"
wait_for 60 domain_gone xloff || { xl list; die "guest still exists after poweroff"; }
xl list | grep -q '^xloff ' && die "xl list still shows the guest"
echo "guest powered off and is gone"
