# Runs in the xenbox's dom0 (bench/run puts BENCH_N=... in front).
# The floor under a pooled create, beside the create itself, in one boot:
# bench/floor runs N rounds on guests/hello (a shell prepared untimed, then
# build, device page and unpause timed: what the hypervisor must do), then
# N pooled `chaos create -p --timings=json` of hello, each timed from fork
# to exit by bench/spawntime and destroyed after (untimed), the pool
# refilled before the next (untimed).
#
# $RESULTS: floor.csv (kind,round,ms: create = the pooled create process,
# toolstack = its own -T total, floor = bench/floor's total), rounds.csv
# (bench/floor's columns per round and their medians), phases.csv
# (round,phase,ms of each pooled create), shelld.log.
. /xenbox/lib.sh
N=${BENCH_N:-30}
spawntime=$(command -v spawntime) || die "spawntime is not on PATH"
chaos=$(command -v chaos) || die "chaos is not on PATH"
csv=$RESULTS/floor.csv
echo "kind,round,ms" > "$csv"

say "floor: $N rounds on a shell of its own"
floor -r "$N" /guests/hello > "$RESULTS/rounds.csv" || die "floor failed"
cat "$RESULTS/rounds.csv"
awk -F, 'NR > 1 && $1 != "median" { print "floor," $1 "," $2 }' "$RESULTS/rounds.csv" >> "$csv"
[ "$(grep -c '^floor,' "$csv")" = "$N" ] || die "floor: not $N rounds"
nothing_left || die "floor left something behind"

shelld_start 4
say "pooled create -p: $N rounds"
tiny_cfg /tmp/fl.cfg fl hello
echo "round,phase,ms" > "$RESULTS/phases.csv"
i=1
while [ $i -le "$N" ]; do
	wait_for 60 pool_full || { chaos shells; die "the pool did not refill"; }
	set -- $($spawntime -o /tmp/fl.json $chaos create -p --timings=json /tmp/fl.cfg)
	[ "$2" = 0 ] || { cat /tmp/fl.json; die "create -p, round $i"; }
	grep -q '"path": *"pool"' /tmp/fl.json || { cat /tmp/fl.json; die "round $i did not take a shell"; }
	total=$(sed -n 's/.*"total_ms": *\([0-9.]*\).*/\1/p' /tmp/fl.json)
	[ -n "$total" ] || { cat /tmp/fl.json; die "round $i: no total_ms"; }
	echo "create,$i,$1" >> "$csv"
	echo "toolstack,$i,$total" >> "$csv"
	phases_csv $i /tmp/fl.json >> "$RESULTS/phases.csv"
	chaos destroy fl || die "destroy, round $i"
	i=$((i + 1))
done
shelld_stop
nothing_left || die "something was left behind"
