# run-spawn.sh: B as a whole process, static against dynamic, as the CLI
# would pay it (fork to exit, poc/spawnstats.c).  B leaves the guest paused
# (-p) so that the booting guest does not compete with the measurement;
# the guest is unpaused afterwards and must print its marker.  Rounds
# alternate static and dynamic so that the host's load falls on both.
#   make -C shells/poc && tests/xenbox/run -o build/poc-spawn shells/poc/run-spawn.sh
. /xenbox/lib.sh

N=25
HELLO=/guests/hello
SP=$(command -v shellpoc)
SPS=$(command -v shellpoc-static)
ST=$(command -v spawnstats)
[ -n "$SP" ] && [ -n "$SPS" ] && [ -n "$ST" ] || die "build poc first (make -C shells/poc)"
domid_of() { awk '/^domid/ { print $2 }' "$1"; }

say "B (execute -p) spawned, $N rounds of static then dynamic"
i=1
while [ $i -le $N ]; do
	for bin in $SPS $SP; do
		shellpoc prepare -q -m 4 > /tmp/a.out || die "prepare"
		d=$(domid_of /tmp/a.out)
		$ST 1 $bin execute -q -p -d "$d" -k $HELLO -c "marker=sp$d" |
			sed "s|^|W $(basename $bin) |" >> $RESULTS/b-whole.txt
		xl unpause "$d" || die "unpause $d"
		shellpoc console -d "$d" -t 30 > /tmp/con || die "console"
		grep -q "XENBOX_MARKER sp$d" /tmp/con || { cat /tmp/con; die "no marker from $d"; }
		shellpoc destroy -d "$d"
	done
	i=$((i + 1))
done
echo "$((N * 2)) markers"

say "process start, $N rounds of 10 each"
i=1
while [ $i -le $N ]; do
	for what in "$SPS noop" "$SP noop" "$SPS xcopen" "$SP xcopen"; do
		$ST 10 $what
	done
	i=$((i + 1))
done >> $RESULTS/spawn.txt

wait_for 10 sh -c '[ "$(xl list | wc -l)" = 2 ]' || { xl list; die "domains left"; }
say "summary: what median min n (ms)"
stats() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], v[1], NR }'; }
{
	for b in shellpoc-static shellpoc; do
		echo "B-whole-paused $b $(awk -v b=$b '$2 == b { print $9 }' $RESULTS/b-whole.txt | stats)"
	done
	awk '{ k = $2 " " $3; sub(".*/", "", k); print k, $9 }' $RESULTS/spawn.txt |
		sort | awk '{ k = $1 " " $2; v[k] = v[k] " " $3 } END { for (k in v) print k, v[k] }' |
		while read -r prog arg vals; do
			echo "spawn-median-of-10 $prog $arg $(printf '%s\n' $vals | stats)"
		done
} | tee $RESULTS/summary.txt
