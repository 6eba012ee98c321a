# Runs in the xenbox's dom0 (bench/run puts BENCH_N=... in front).
# Where a create's time goes, in one boot: N creates of guests/hello each
# by chaos noxs cold (no shell daemon), by chaos noxs from the pool
# (chaos-shelld, refilled before each create, untimed) and by xl.  chaos
# runs with --timings=json (its phases, main() to the name bound) and
# every create is timed from fork to exit by bench/spawntime; what is
# left over is process start and exit.  xl has no phases: its create and,
# apart, `xl help` (its process start) are timed the same way.  Each guest
# powers off and is gone before the next create.
#
# $RESULTS/breakdown.csv: series,round,phase,ms; chaos series (cold,
# pool) have their phases, "total" (-T) and "process" (fork to exit), xl
# has "process" (create, fork to exit) and "help" (`xl help`, fork to
# exit).
. /xenbox/lib.sh
N=${BENCH_N:-10}
spawntime=$(command -v spawntime) || die "spawntime is not on PATH"
xl=$(command -v xl) || die "xl is not on PATH"
chaos=$(command -v chaos) || die "chaos is not on PATH"
raw=$RESULTS/breakdown.csv
echo "series,round,phase,ms" > "$raw"

for s in cold pool; do
	[ $s != pool ] || shelld_start 4
	say "chaos $s: $N hellos"
	i=1
	while [ $i -le "$N" ]; do
		name=bd-$s$i
		tiny_cfg /tmp/$name.cfg $name hello
		[ $s != pool ] || wait_for 60 pool_full || { chaos shells; die "the pool did not refill"; }
		set -- $($spawntime -o /tmp/$name.json $chaos create --timings=json /tmp/$name.cfg)
		[ "$2" = 0 ] || { cat /tmp/$name.json; die "$s create $name"; }
		grep -q "\"path\": *\"$s\"" /tmp/$name.json || { cat /tmp/$name.json; die "$name: not the $s path"; }
		phases_csv "$s,$i" /tmp/$name.json >> "$raw"
		echo "$s,$i,process,$1" >> "$raw"
		wait_for 60 chaos_gone $name || die "$name did not power off and go"
		i=$((i + 1))
	done
done
shelld_stop

say "xl: $N hellos, $N xl help"
i=1
failed=0
while [ $i -le "$N" ]; do
	name=bd-xl$i
	tiny_cfg /tmp/$name.cfg $name hello
	set -- $($spawntime -o /tmp/$name.out $xl create -q /tmp/$name.cfg)
	if [ "$2" != 0 ]; then
		# xl's monitoring child has been seen to segfault when the
		# guest dies at once: count it, clean up, try again
		echo "xl $name: $(tail -n 1 /tmp/$name.out)" | tee -a "$RESULTS/failures.txt"
		$xl destroy $name > /dev/null 2>&1
		failed=$((failed + 1))
		[ $failed -le "$N" ] || die "xl create failed $failed times"
		continue
	fi
	echo "xl,$i,process,$1" >> "$raw"
	wait_for 60 domain_gone $name || die "$name did not power off and go"
	set -- $($spawntime $xl help)
	echo "xl,$i,help,$1" >> "$raw"
	i=$((i + 1))
done
nothing_left || die "something was left behind"
