# bench/noxs-death.sh: how soon the chaos monitor acts on a noxs guest's
# shutdown on a host running xenstored (which does not report noxs
# guests).  Run in the xenbox:
#   tests/xenbox/run -o build/noxs-death bench/noxs-death.sh
# BENCH_N (20) hellos (which power off as soon as they booted), then
# BENCH_N idles (told to by `chaos shutdown`).  For each: from the
# domain's shutdown, seen by `domwatch --poll 1` (a look every ms), to
# the monitor's action in its log; and from `chaos create` (hello) or
# `chaos shutdown` (idle) to that action.  All stamps are CLOCK_BOOTTIME
# ms (/proc/uptime's clock; ms() has 10 ms steps).  Writes
# $RESULTS/noxs-death.csv and prints the medians.  Not part of make check.
. /xenbox/lib.sh

n=${BENCH_N:-20}
log=/run/chaos/monitor.log
start=$({ wc -l < "$log"; } 2> /dev/null || echo 0)
domwatch --poll 1 > /tmp/dw.log &
wait_for 10 grep -q ready /tmp/dw.log || die "domwatch did not start"

# acted NAME: "MS DOMID" of the monitor's action on NAME
acted() {
	tail -n +$((start + 1)) "$log" |
		sed -n "s/^.* \[\([0-9]*\)\] chaos-monitor: $1 (domain \([0-9]*\)) powered off.*/\1 \2/p"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
shutdown_at() { t0=$(ms); chaos shutdown "$1" 2> /dev/null; }
# row KIND I NAME: one line of the CSV, once the monitor has acted
row() {
	set -- "$1" "$2" $(acted "$3")
	_shut=$(awk -v d="$4" '$2 == d && $3 == "shutdown" { print $1; exit }' /tmp/dw.log)
	echo "$1,$2,$4,$(($3 - _shut)),$(($3 - t0))" >> "$csv"
}

csv=$RESULTS/noxs-death.csv
echo "guest,i,domid,shutdown_to_acted_ms,command_to_acted_ms" > "$csv"
i=1
while [ $i -le "$n" ]; do
	tiny_cfg /tmp/h.cfg nd-hello$i hello
	t0=$(ms)
	chaos create /tmp/h.cfg || die "create nd-hello$i"
	wait_for 30 chaos_gone nd-hello$i || die "nd-hello$i still there"
	row hello $i nd-hello$i
	i=$((i + 1))
done
i=1
while [ $i -le "$n" ]; do
	tiny_cfg /tmp/i.cfg nd-idle$i idle
	chaos create /tmp/i.cfg || die "create nd-idle$i"
	wait_for 30 shutdown_at nd-idle$i || die "shutdown nd-idle$i"
	wait_for 30 chaos_gone nd-idle$i || die "nd-idle$i still there"
	row idle $i nd-idle$i
	i=$((i + 1))
done
cat "$csv"
for k in hello idle; do
	echo "$k: shutdown to acted on, median $(grep "^$k," "$csv" | cut -d, -f4 | median) ms;" \
		"$([ $k = hello ] && echo create || echo 'chaos shutdown') to acted on," \
		"median $(grep "^$k," "$csv" | cut -d, -f5 | median) ms"
done
echo "notice woke the monitor: $(tail -n +$((start + 1)) "$log" | grep -c 'nd-.* (its notice woke us)') of $((2 * n))"
wait_for 10 nothing_left || die "something was left behind"
