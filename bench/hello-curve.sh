# Runs in the xenbox's dom0 (bench/run-hello puts BENCH_N=... in front).
# N creates of guests/hello (4 MiB; prints, powers off) by xl, by chaos in
# xenstore mode and by chaos in noxs mode, in one boot.  Per guest: create
# time (command start to return) and time from create start until the
# domain had powered off, as signalled: for xl and xenstore mode by
# bench/domwatch on @releaseDomain (xenstored relays VIRQ_DOM_EXC); for
# noxs, xenstored is stopped first and chaos's monitor binds VIRQ_DOM_EXC
# itself and stamps each shutdown in its log.
. /xenbox/lib.sh
N=${BENCH_N:-100}
csv=$RESULTS/hello-curve.csv
echo "mode,guest,create_ms,off_ms" > "$csv"

domwatch --xenstore > /tmp/dw.log &
dw=$!
wait_for 10 grep -q ready /tmp/dw.log || die "domwatch did not start"

# the first shutdown stamped after T0 (ms); guests run one at a time
shutdown_after() {
	awk -v t0="$1" '$3 == "shutdown" && $1 >= t0 { print $1; exit }' /tmp/dw.log
}

for mode in xl xenstore; do
	say "$mode: $N hellos"
	i=1
	while [ $i -le "$N" ]; do
		name=$mode$i
		tiny_cfg /tmp/$name.cfg $name hello marker=$name
		t0=$(ms)
		if [ $mode = xl ]; then
			xl create -q /tmp/$name.cfg > /tmp/$name.out 2>&1
		else
			chaos create --device-method=xenstore /tmp/$name.cfg \
				> /tmp/$name.out 2>&1
		fi || {
			# xl's monitoring child has been seen to segfault when
			# the guest dies at once: count it, clean up, go on
			echo "$mode $name: $(tail -n 1 /tmp/$name.out)" |
				tee -a "$RESULTS/failures.txt"
			$mode destroy $name > /dev/null 2>&1 || chaos destroy $name
			i=$((i + 1))
			continue
		}
		t1=$(ms)
		wait_for 60 sh -c "[ -n \"\$(awk -v t0=$t0 '\$3 == \"shutdown\" && \$1 >= t0' /tmp/dw.log)\" ]" ||
			die "$name: no shutdown seen"
		off=$(shutdown_after $t0)
		wait_for 60 domain_gone $name || die "$name not destroyed"
		echo "$mode,$i,$((t1 - t0)),$((off - t0))" >> "$csv"
		i=$((i + 1))
	done
done
kill $dw

# noxs: no xenstored, so the monitor binds VIRQ_DOM_EXC
say "noxs: $N hellos, xenstored stopped"
kill "$(cat /var/run/xenconsoled.pid)" "$(cat /var/run/xenstored.pid)" 2> /dev/null
wait_for 10 sh -c '! pidof xenstored > /dev/null' || die "xenstored still runs"
# the monitor was woken by xenstored; stop it, the next create starts one
# that binds VIRQ_DOM_EXC
kill "$(cat /run/chaos/monitor.lock)"
wait_for 10 sh -c '! ps | grep -q "[c]haos monitor"' || die "monitor still runs"
i=1
while [ $i -le "$N" ]; do
	name=noxs$i
	tiny_cfg /tmp/$name.cfg $name hello marker=$name
	t0=$(ms)
	chaos create /tmp/$name.cfg || die "noxs create $name"
	t1=$(ms)
	stamped() { grep -q "\] chaos-monitor: $name (domain [0-9]*) powered off" /run/chaos/monitor.log; }
	wait_for 60 stamped || { tail /run/chaos/monitor.log; die "$name: no shutdown seen"; }
	off=$(sed -n "s/.*\[\([0-9]*\)\] chaos-monitor: $name (domain [0-9]*) powered off.*/\1/p" /run/chaos/monitor.log)
	wait_for 60 chaos_gone $name || die "$name not destroyed"
	echo "noxs,$i,$((t1 - t0)),$((off - t0))" >> "$csv"
	i=$((i + 1))
done
grep -q "woken by VIRQ_DOM_EXC" /run/chaos/monitor.log || die "monitor did not use VIRQ_DOM_EXC"
