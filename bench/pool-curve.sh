# Runs in the xenbox's dom0 (bench/run puts BENCH_N=... in front).
# The LightVM boot curve: N guests/idle (4 MiB) created one after another
# and kept running, so that the Kth create happens beside K-1 running
# guests; four series in one boot, each destroyed before the next: xl,
# chaos in xenstore mode, chaos noxs without the shell daemon, chaos noxs
# from chaos-shelld's pool (a class of memory=4, vcpus=1 holding
# POOL_SHELLS ready shells).  One create process per guest, timed from
# fork to exit by bench/spawntime (0.01 ms); chaos runs with -v, whose
# "(pool: ...)" or "(cold: ...)" says where each guest came from, and
# with --timings=json, whose phases show what grows with the guests.  The
# destroys are timed too, apart.  A series stops early when a create fails
# or when it has spent BENCH_SERIES_S seconds (the run goes on with the
# next series; notes.txt says where and why), so that one slow tool
# cannot eat the whole run.  After each series: its guests all listed and
# running, the last one's marker on its console (xl, xenstore mode), and
# for the pool, chaos-shelld's count of ready shells the shell domains
# there are.  A failed create or check fails the run at its end, after
# the other series.
#
# $RESULTS: pool-curve.csv (series,guest,create_ms), destroy.csv
# (series,guest,destroy_ms), phases.csv (series,guest,phase,ms of chaos's
# creates), memory.csv (Xen's free memory and dom0's available memory as
# guests are added), notes.txt, shelld.log, failed-SERIES.out (the
# output of a create that failed).
. /xenbox/lib.sh
N=${BENCH_N:-1000}
BUDGET=${BENCH_SERIES_S:-7200}
SHELLS=${POOL_SHELLS:-32}

csv=$RESULTS/pool-curve.csv
dcsv=$RESULTS/destroy.csv
mcsv=$RESULTS/memory.csv
notes=$RESULTS/notes.txt
echo "series,guest,create_ms" > "$csv"
echo "series,guest,destroy_ms" > "$dcsv"
pcsv=$RESULTS/phases.csv
echo "series,guest,phase,ms" > "$pcsv"
echo "series,guests,xen_free_mib,dom0_available_mib" > "$mcsv"
: > "$notes"
note() { echo "$*" | tee -a "$notes"; }
# problem WHAT: noted, and the run fails at its end, after the other
# series (one tool's limit should not cost the others' figures)
failed=
problem() { note "PROBLEM: $*"; failed="$failed;$*"; }
spawntime=$(command -v spawntime) || die "spawntime is not on PATH"
xl=$(command -v xl) || die "xl is not on PATH"
chaos=$(command -v chaos) || die "chaos is not on PATH"
mkdir -p /tmp/pc

# memory SERIES GUESTS: one row of memory.csv
memory() {
	echo "$1,$2,$(chaos info | awk '$1 == "free_memory" { print $3 }'),$(awk '/^MemAvailable/ { print int($2 / 1024) }' /proc/meminfo)" >> "$mcsv"
}

# series NAME: N creates (or fewer, see above); sets made
series() {
	s=$1
	case $s in
	xl) create="$xl create -q" ;;
	xenstore) create="$chaos -v create --timings=json --device-method=xenstore" ;;
	noxs | pool) create="$chaos -v create --timings=json --device-method=noxs" ;;
	esac
	say "$s: up to $N idle guests, kept running"
	memory "$s" 0
	end=$(($(ms) + BUDGET * 1000))
	made=0 pooled=0 cold=0 coldlist=
	i=1
	while [ $i -le "$N" ]; do
		if [ "$(ms)" -ge $end ]; then
			note "$s: stopped at guest $i of $N: its ${BUDGET} s were spent (BENCH_SERIES_S)"
			break
		fi
		name=pc-$s$i
		tiny_cfg /tmp/pc/$name.cfg $name idle marker=$name
		set -- $($spawntime -o /tmp/pc/out $create /tmp/pc/$name.cfg)
		if [ "$2" != 0 ]; then
			problem "$s: stopped at guest $i of $N: create failed (exit $2): $(grep -v '^ *[][{}"]' /tmp/pc/out | tail -n 1)"
			cp /tmp/pc/out "$RESULTS/failed-$s.out"
			# whatever the failed create left: not counted
			$xl destroy $name > /dev/null 2>&1
			break
		fi
		echo "$s,$i,$1" >> "$csv"
		if [ $s != xl ]; then
			phases_csv "$s,$i" /tmp/pc/out >> "$pcsv"
			if grep -q "(pool: shell " /tmp/pc/out; then
				pooled=$((pooled + 1))
			elif grep -q "(cold: " /tmp/pc/out; then
				cold=$((cold + 1))
				[ $s != pool ] || coldlist="$coldlist $i"
			else
				cat /tmp/pc/out
				die "$s $name: create -v did not say pool or cold"
			fi
		fi
		made=$i
		case $i in 1 | 10 | *00) memory "$s" $i ;; esac
		i=$((i + 1))
	done
	[ $((made % 100)) = 0 ] || memory "$s" $made
	say "$s: $made guests running"
	[ "$(guests $s)" = "$made" ] || problem "$s: $(guests $s) guests listed, not $made"
	# none of them has stopped (state s, c or d in xl list)
	bad=$(xl list | awk 'NR > 2 && $5 ~ /[scd]/ { print $1 }')
	[ -z "$bad" ] || problem "$s: guests not running:" $bad
	# the last one booted: its marker on the console (xl and xenstore
	# mode; xenconsoled does not serve noxs guests)
	if [ $made -gt 0 ] && [ $s = xl -o $s = xenstore ]; then
		wait_marker pc-$s$made pc-$s$made 120 > /dev/null ||
			problem "$s: no marker on the console of guest $made"
	fi
	case $s in
	xenstore | noxs)
		[ "$pooled" = 0 ] || die "$s: $pooled creates took a shell without a daemon"
		;;
	pool)
		note "pool: $pooled of $made creates from the pool, $cold cold${coldlist:+ (guests$coldlist)}"
		;;
	esac
}

# unmake NAME: destroy the series' guests, each timed
unmake() {
	s=$1
	tool=$chaos
	[ $s != xl ] || tool=$xl
	say "$s: destroying $made guests"
	i=1
	while [ $i -le $made ]; do
		set -- $($spawntime -o /tmp/pc/out $tool destroy pc-$s$i)
		[ "$2" = 0 ] || { cat /tmp/pc/out; die "$s: destroy pc-$s$i"; }
		echo "$s,$i,$1" >> "$dcsv"
		i=$((i + 1))
	done
}

# guests SERIES: how many of its guests there are (chaos list names xl's
# guests too, and hides shells)
guests() { chaos list | grep -c "^pc-$1[0-9]"; }
# shells_agree: the daemon's ready count is the shell domains there are
shells_agree() {
	[ "$(chaos shells | awk '$1 == "tiny" { print $5 }')" = "$(xl list | grep -c '^chaos-shell-tiny ')" ]
}

for s in xl xenstore noxs pool; do
	[ $s != pool ] || shelld_start $SHELLS
	series $s
	unmake $s
	gone() { [ "$(guests $s)" = 0 ]; }
	wait_for 120 gone || { chaos list; die "$s: guests left after the destroys"; }
	if [ $s = pool ]; then
		# the pool refilled, and counts what there is
		if ! wait_for 60 pool_full || ! shells_agree; then
			problem "pool: after the series chaos-shelld counts $(chaos shells | awk '$1 == "tiny" { print $5 }') shells ready of $SHELLS, and $(xl list | grep -c '^chaos-shell-tiny ') shell domains exist"
		fi
		chaos shells | tee -a "$notes"
		shelld_stop
	fi
done
nothing_left || die "something was left behind"
{
	xl info | grep -E '^(xen_version|nr_cpus|total_memory|free_memory)'
	uname -r
} > "$RESULTS/xen.txt"
[ -z "$failed" ] || die "$failed (notes.txt)"
