# Runs in the xenbox's dom0 (bench/run puts BENCH_N=... in front).
# N creates of guests/hello (4 MiB; prints, powers off) by xl, by chaos in
# xenstore mode, by chaos in noxs mode and by chaos in noxs mode from
# chaos-shelld's pool, in one boot.  Per guest: create time (fork to exit
# of the create command, by bench/spawntime, 0.01 ms) and time from the
# create's start until the domain had powered off, as signalled: for xl
# and xenstore mode by bench/domwatch on @releaseDomain (xenstored relays
# VIRQ_DOM_EXC); for noxs and pool, xenstored is stopped first and chaos's
# monitor binds VIRQ_DOM_EXC itself and stamps each shutdown in its log.
# Both stamps are whole ms of CLOCK_BOOTTIME, the clock spawntime reports
# the start on.  pool: the daemon keeps 4 shells of a class that fits
# hello (memory=4, vcpus=1), refilled before each create (untimed); every
# create must say it took a shell (create -v).
. /xenbox/lib.sh
N=${BENCH_N:-100}
csv=$RESULTS/hello-curve.csv
echo "mode,guest,create_ms,off_ms" > "$csv"
spawntime=$(command -v spawntime) || die "spawntime is not on PATH"
xl=$(command -v xl) || die "xl is not on PATH"
chaos=$(command -v chaos) || die "chaos is not on PATH"

domwatch --xenstore > /tmp/dw.log &
dw=$!
wait_for 10 grep -q ready /tmp/dw.log || die "domwatch did not start"

# the first shutdown stamped at or after T0 (ms); guests run one at a time
shutdown_after() {
	awk -v t0="$1" '$3 == "shutdown" && $1 >= int(t0) { print $1; exit }' /tmp/dw.log
}
# off STAMP T0: ms from T0 to STAMP
off() { awk -v s="$1" -v t="$2" 'BEGIN { printf "%.2f\n", s - t }'; }

for mode in xl xenstore; do
	say "$mode: $N hellos"
	i=1
	while [ $i -le "$N" ]; do
		name=$mode$i
		tiny_cfg /tmp/$name.cfg $name hello marker=$name
		if [ $mode = xl ]; then
			set -- $($spawntime -o /tmp/$name.out $xl create -q /tmp/$name.cfg)
		else
			set -- $($spawntime -o /tmp/$name.out $chaos create \
				--device-method=xenstore /tmp/$name.cfg)
		fi
		if [ "$2" != 0 ]; then
			# xl's monitoring child has been seen to segfault when
			# the guest dies at once: count it, clean up, go on
			echo "$mode $name: $(tail -n 1 /tmp/$name.out)" |
				tee -a "$RESULTS/failures.txt"
			$mode destroy $name > /dev/null 2>&1 || chaos destroy $name
			i=$((i + 1))
			continue
		fi
		c=$1 t0=$3
		wait_for 60 sh -c "[ -n \"\$(awk -v t0=$t0 '\$3 == \"shutdown\" && \$1 >= int(t0)' /tmp/dw.log)\" ]" ||
			die "$name: no shutdown seen"
		o=$(off "$(shutdown_after $t0)" $t0)
		wait_for 60 domain_gone $name || die "$name not destroyed"
		echo "$mode,$i,$c,$o" >> "$csv"
		i=$((i + 1))
	done
done
kill $dw

# noxs: no xenstored, so the monitor binds VIRQ_DOM_EXC
say "xenstored stopped, for noxs and pool"
kill "$(cat /var/run/xenconsoled.pid)" "$(cat /var/run/xenstored.pid)" 2> /dev/null
wait_for 10 sh -c '! pidof xenstored > /dev/null' || die "xenstored still runs"
# the monitor was woken by xenstored; stop it, the next create starts one
# that binds VIRQ_DOM_EXC
kill "$(cat /run/chaos/monitor.lock)"
wait_for 10 sh -c '! ps | grep -q "[c]haos monitor"' || die "monitor still runs"

for mode in noxs pool; do
	# the daemon of the pool mode starts without xenstored
	[ $mode != pool ] || shelld_start 4
	say "$mode: $N hellos"
	i=1
	while [ $i -le "$N" ]; do
		name=$mode$i
		tiny_cfg /tmp/$name.cfg $name hello marker=$name
		[ $mode != pool ] || wait_for 60 pool_full || { chaos shells; die "the pool did not refill"; }
		set -- $($spawntime -o /tmp/$name.out $chaos -v create /tmp/$name.cfg)
		[ "$2" = 0 ] || { cat /tmp/$name.out; die "$mode create $name"; }
		c=$1 t0=$3
		if [ $mode = pool ]; then
			grep -q "(pool: shell " /tmp/$name.out || { cat /tmp/$name.out; die "$name did not take a shell"; }
		else
			grep -q "(cold: " /tmp/$name.out || { cat /tmp/$name.out; die "$name was not made cold"; }
		fi
		stamped() { grep -q "\] chaos-monitor: $name (domain [0-9]*) powered off" /run/chaos/monitor.log; }
		wait_for 60 stamped || { tail /run/chaos/monitor.log; die "$name: no shutdown seen"; }
		o=$(off "$(sed -n "s/.*\[\([0-9]*\)\] chaos-monitor: $name (domain [0-9]*) powered off.*/\1/p" /run/chaos/monitor.log)" $t0)
		wait_for 60 chaos_gone $name || die "$name not destroyed"
		echo "$mode,$i,$c,$o" >> "$csv"
		i=$((i + 1))
	done
done
grep -q "woken by VIRQ_DOM_EXC" /run/chaos/monitor.log || die "monitor did not use VIRQ_DOM_EXC"
shelld_stop
