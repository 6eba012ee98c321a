# Runs in the xenbox's dom0 (bench/run puts BENCH_N=... in front of it).
# N sequential creates of the same Linux PV guest with xl, then with chaos,
# in the same boot.  Guests stay up, so the Nth create happens beside N-1
# running guests.  Per guest: create time (command start to return) and
# time from create start to the guest's marker on its console.
. /xenbox/lib.sh
N=${BENCH_N:-20}

csv=$RESULTS/boot-curve.csv
echo "tool,guest,create_ms,marker_ms" > "$csv"
for tool in xl chaos; do
	say "$tool: $N guests"
	i=1
	while [ $i -le "$N" ]; do
		name=$tool$i
		linux_cfg /tmp/$name.cfg $name marker=up-$name
		t0=$(ms)
		$tool create -q /tmp/$name.cfg > /tmp/$name.out 2>&1 ||
			{ cat /tmp/$name.out; die "$tool create $name"; }
		t1=$(ms)
		wait_marker $name up-$name 600 || die "$name did not boot"
		t2=$(ms)
		echo "$tool,$i,$((t1 - t0)),$((t2 - t0))" | tee -a "$csv"
		i=$((i + 1))
	done
	i=1
	while [ $i -le "$N" ]; do
		$tool destroy $tool$i || die "$tool destroy $tool$i"
		i=$((i + 1))
	done
done
{
	xl info | grep -E '^(xen_version|nr_cpus|total_memory|free_memory)'
	uname -r
} > "$RESULTS/xen.txt"
