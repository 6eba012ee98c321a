# chaos creates the Linux test guest (Debian's kernel); its marker appears;
# chaos list and xl list agree; pause, unpause, shutdown -w and destroy work.
. /xenbox/lib.sh

linux_cfg /tmp/life.cfg life marker=up-life
t0=$(ms)
chaos create /tmp/life.cfg || die "chaos create failed"
t1=$(ms)
wait_marker life up-life || die "guest did not boot"
t2=$(ms)
echo "chaos create $((t1 - t0)) ms, create to marker $((t2 - t0)) ms"
xl_agrees life || die "chaos list and xl list disagree"
xenstore-read /local/domain/$(chaos domid life)/control/feature-poweroff |
	grep -qx 1 || die "the guest did not connect to XenStore"
[ "$(chaos domname "$(chaos domid life)")" = life ] || die "domid/domname"

paused() { chaos list life | awk '$1 == "life" { print $5 }' | grep -q '^..p'; }
chaos pause life || die "pause"
paused || { chaos list; die "not paused"; }
chaos unpause life || die "unpause"
paused && die "still paused"

t3=$(ms)
timeout 120 chaos shutdown -w life || die "shutdown -w failed"
echo "shutdown -w $(( $(ms) - t3 )) ms"
domain_gone life || die "domain still there after shutdown -w"

linux_cfg /tmp/life2.cfg life2 marker=up-life2
chaos create /tmp/life2.cfg || die "second create"
chaos destroy life2 || die "destroy"
domain_gone life2 || die "domain still there after destroy"
wait_for 10 nothing_left || die "something was left behind"
