# Runs in the xenbox's dom0 (bench/run puts BENCH_N=... in front).
# What one process per create costs: N rounds of `create -p` of
# guests/hello (timed from fork to exit by bench/spawntime, 0.01 ms
# resolution; the domain is then destroyed, untimed) and of the tool's
# `help` (nothing but process start), for xl, for chaos linked against
# the shared libraries (chaos-dynamic, STATIC=0) and for chaos as built
# (static).  One series after another.
. /xenbox/lib.sh
N=${BENCH_N:-30}
csv=$RESULTS/start-cost.csv
echo "mode,guest,create_ms,help_ms" > "$csv"
tiny_cfg /tmp/sc.cfg sc hello marker=sc
for mode in xl chaos-dynamic chaos; do
	bin=$(command -v $mode) || die "$mode is not on PATH"
	say "$mode: $N rounds"
	i=1
	while [ $i -le "$N" ]; do
		set -- $(spawntime "$bin" create -p /tmp/sc.cfg)
		[ "$2" = 0 ] || die "$mode create -p failed"
		c=$1
		set -- $(spawntime "$bin" help)
		h=$1
		chaos destroy sc > /dev/null 2>&1 || xl destroy sc
		wait_for 10 domain_gone sc || die "sc did not go"
		echo "$mode,$i,$c,$h" >> "$csv"
		i=$((i + 1))
	done
done
