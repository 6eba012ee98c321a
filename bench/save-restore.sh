# Runs in the xenbox's dom0 (bench/run puts BENCH_N=... in front).
# Save and restore, N rounds each, in one boot: guests/idle (4 MiB) by
# chaos in noxs mode and by xl (xenstore mode: the same image), then the
# Linux guest (128 MiB) by chaos and by xl, both in xenstore mode.  One
# guest per series is saved to a file and restored from it N times; each
# command is timed from fork to exit by bench/spawntime, chaos's with
# --timings=json (its phases).  A round counts only if the guest came
# back: idle prints its resume count, the Linux guest its uptime ticker.
#
# $RESULTS/save-restore.csv: series,round,save_ms,restore_ms
# $RESULTS/phases.csv: series,round,op,phase,ms (chaos only)
. /xenbox/lib.sh
N=${BENCH_N:-20}
spawntime=$(command -v spawntime) || die "spawntime is not on PATH"
chaos=$(command -v chaos) || die "chaos is not on PATH"
xl=$(command -v xl) || die "xl is not on PATH"
csv=$RESULTS/save-restore.csv
phases=$RESULTS/phases.csv
echo "series,round,save_ms,restore_ms" > "$csv"
echo "series,round,op,phase,ms" > "$phases"
img=/tmp/bench.img

# resumed FILE K: idle's console in FILE says it resumed K times
resumed() { grep -q "resumes $2)" "$1" 2> /dev/null; }
# ticked NAME T: the Linux guest printed an uptime above T
ticked() {
	awk -v t="$2" '/^XENBOX_UPTIME/ && $2 > t { f = 1 } END { exit !f }' "$(console_log "$1")"
}
last_tick() { awk '/^XENBOX_UPTIME/ { t = $2 } END { print t + 0 }' "$(console_log "$1")"; }

# series NAME TOOL KIND: N rounds of save and restore of the running NAME
series() {
	_s=$1 _tool=$2 _kind=$3
	say "$_s: $N rounds"
	i=1
	while [ $i -le "$N" ]; do
		[ "$_kind" = linux ] && _t=$(last_tick "$_s")
		if [ "$_tool" = chaos ]; then
			set -- $($spawntime -o /tmp/save.json $chaos save --timings=json "$_s" $img)
			[ "$2" = 0 ] || { cat /tmp/save.json; die "$_s: chaos save"; }
			phases_csv "$_s,$i,save" /tmp/save.json >> "$phases"
			_save=$1
			set -- $($spawntime -o /tmp/restore.json $chaos restore --timings=json $img)
			[ "$2" = 0 ] || { cat /tmp/restore.json; die "$_s: chaos restore"; }
			phases_csv "$_s,$i,restore" /tmp/restore.json >> "$phases"
		else
			set -- $($spawntime -o /tmp/save.out $xl save "$_s" $img)
			[ "$2" = 0 ] || { cat /tmp/save.out; die "$_s: xl save"; }
			_save=$1
			set -- $($spawntime -o /tmp/restore.out $xl restore $img)
			[ "$2" = 0 ] || { cat /tmp/restore.out; die "$_s: xl restore"; }
		fi
		echo "$_s,$i,$_save,$1" >> "$csv"
		if [ "$_kind" = idle ] && [ "$_tool" = chaos ]; then
			# noxs: nothing logs its console; read it (untimed)
			# until it says it resumed
			chaos console "$_s" >> "/tmp/$_s.console" 2>&1 &
			_con=$!
			wait_for 60 resumed "/tmp/$_s.console" $i ||
				{ tail -n 5 "/tmp/$_s.console"; die "$_s: no resume $i"; }
			kill $_con 2> /dev/null
			wait $_con 2> /dev/null
		elif [ "$_kind" = idle ]; then
			wait_for 60 resumed "$(console_log "$_s")" $i ||
				{ tail -n 5 "$(console_log "$_s")"; die "$_s: no resume $i"; }
		else
			wait_for 60 ticked "$_s" "$_t" || die "$_s: the ticker stopped"
		fi
		i=$((i + 1))
	done
	rm -f $img
}

tiny_cfg /tmp/ci.cfg chaos-idle idle marker=bench
chaos create /tmp/ci.cfg || die "create chaos-idle"
chaos console chaos-idle > /tmp/chaos-idle.console 2>&1 &
con=$!
wait_for 30 grep -q "XENBOX_MARKER bench" /tmp/chaos-idle.console || die "chaos-idle: no marker"
kill $con
wait $con 2> /dev/null
series chaos-idle chaos idle
chaos destroy chaos-idle

tiny_cfg /tmp/xi.cfg xl-idle idle marker=bench
$xl create -q /tmp/xi.cfg || die "xl create xl-idle"
wait_marker xl-idle bench 30 || die "xl-idle: no marker"
series xl-idle xl idle
$xl destroy xl-idle

linux_cfg /tmp/cl.cfg chaos-linux marker=bench tick
chaos create /tmp/cl.cfg || die "create chaos-linux"
wait_marker chaos-linux bench 120 && wait_for 30 ticked chaos-linux 0 || die "chaos-linux did not boot"
series chaos-linux chaos linux
chaos destroy chaos-linux

linux_cfg /tmp/xlx.cfg xl-linux marker=bench tick
$xl create -q /tmp/xlx.cfg || die "xl create xl-linux"
wait_marker xl-linux bench 120 && wait_for 30 ticked xl-linux 0 || die "xl-linux did not boot"
series xl-linux xl linux
$xl destroy xl-linux
wait_for 30 nothing_left || die "something was left behind"
