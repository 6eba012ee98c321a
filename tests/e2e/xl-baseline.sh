# Debian's xl creates the Linux test guest; its marker appears on its
# console; xl list shows it; xl destroy removes it.
. /xenbox/lib.sh

linux_cfg /tmp/base.cfg xlbase marker=up-xlbase
t0=$(ms)
xl create /tmp/base.cfg || die "xl create failed"
t1=$(ms)
wait_marker xlbase up-xlbase || die "guest did not boot"
t2=$(ms)
xl list
xl list | grep -q '^xlbase ' || die "xl list does not show the guest"
xl destroy xlbase || die "xl destroy failed"
wait_for 10 domain_gone xlbase || die "domain still there after destroy"
t3=$(ms)
echo "xl create $((t1 - t0)) ms, create to marker $((t2 - t0)) ms, destroy $((t3 - t2)) ms"
printf 'create_ms,marker_ms,destroy_ms\n%s,%s,%s\n' $((t1 - t0)) $((t2 - t0)) $((t3 - t2)) > "$RESULTS/times.csv"
