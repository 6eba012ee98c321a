# run-xenbox.sh: the shell-split proof, run in the xenbox's dom0:
#   make -C shells/poc && tests/xenbox/run -o build/poc-out shells/poc/run-xenbox.sh
# Process A (shellpoc prepare) creates and populates a paused PV domain and
# exits; process B (shellpoc execute), given only the domid and A's file,
# loads the kernel, builds it, fills the device page or XenStore and
# unpauses.  Every guest must print its marker.  The variants are
# interleaved round by round, so that the host's load (other emulators on
# the same cores) falls on all of them alike.  Timings ("T phase ms") of
# every run go to $RESULTS/*.txt, medians and minima to summary.txt.
. /xenbox/lib.sh

N=20  # rounds of hello (4 MiB, noxs)
NL=5  # rounds of the Linux guest (128 MiB, xenstore mode)
HELLO=/guests/hello
SP=$(command -v shellpoc)
SPS=$(command -v shellpoc-static)
ST=$(command -v spawnstats)
[ -n "$SP" ] && [ -n "$SPS" ] && [ -n "$ST" ] || die "build poc first (make -C shells/poc)"

domid_of() { awk '/^domid/ { print $2 }' "$1"; }
# tag FILE PREFIX: append stdin's lines to $RESULTS/FILE, prefixed
tag() { sed "s/^/$2 /" >> "$RESULTS/$1"; }

# hello_check DOMID WORD: the noxs hello printed WORD through its console
hello_check() {
	shellpoc console -d "$1" -t 30 > /tmp/con.$1 || return 1
	grep -q "XENBOX_MARKER $2" /tmp/con.$1 || { cat /tmp/con.$1; return 1; }
	grep -q "(noxs)" /tmp/con.$1 || { cat /tmp/con.$1; return 1; }
}

# prepare MIB: a new shell; its domid in $d
prepare() {
	shellpoc prepare -m "$1" > /tmp/a.out || die "prepare $1"
	d=$(domid_of /tmp/a.out)
}

say "dom0's clock: $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource)"
say "first shell, as A leaves it"
prepare 4
cat /tmp/a.out /run/shellpoc/$d
xl list
shellpoc execute -d "$d" -k $HELLO -c "marker=first" || die "execute"
hello_check "$d" first || die "first hello: no marker"
cat /tmp/con.$d
shellpoc destroy -d "$d"

say "B refuses a shell file that does not describe its domain"
prepare 4
cp /run/shellpoc/$d /tmp/shell.good
sed -i 's/^uuid .*/uuid 00000000000000000000000000000000/' /run/shellpoc/$d
shellpoc execute -q -d "$d" -k $HELLO 2> /tmp/err && die "executed on a foreign shell file"
cat /tmp/err
cp /tmp/shell.good /run/shellpoc/$d
shellpoc destroy -d "$d"

say "hello, $N rounds: pooled (A, B), cold, B spawned static, B spawned dynamic"
i=1
while [ $i -le $N ]; do
	prepare 4
	tag a-hello.txt "A hello $i" < /tmp/a.out
	shellpoc execute -d "$d" -k $HELLO -c "marker=pool$i" > /tmp/b.out ||
		die "execute on $d"
	tag b-hello.txt "B hello $i" < /tmp/b.out
	hello_check "$d" "pool$i" || die "pooled hello $i: no marker"
	shellpoc destroy -d "$d"

	shellpoc cold -m 4 -k $HELLO -c "marker=cold$i" > /tmp/c.out || die "cold"
	tag c-hello.txt "C hello $i" < /tmp/c.out
	d=$(domid_of /tmp/c.out)
	hello_check "$d" "cold$i" || die "cold hello $i: no marker"
	shellpoc destroy -d "$d"

	for bin in $SPS $SP; do
		prepare 4
		$ST 1 $bin execute -q -d "$d" -k $HELLO -c "marker=sp$d" |
			tag b-whole.txt "W $(basename $bin)"
		hello_check "$d" "sp$d" || die "spawned $bin: no marker"
		shellpoc destroy -d "$d"
	done
	i=$((i + 1))
done
echo "hello: $((N * 4)) markers"

say "Linux, $NL rounds: pooled (A, B), cold"
i=1
while [ $i -le $NL ]; do
	prepare 128
	tag a-linux.txt "A linux $i" < /tmp/a.out
	[ $i = 1 ] && head -12 /run/shellpoc/$d
	shellpoc execute -d "$d" -x xenstore -n pool-linux$i -k $LINUX_KERNEL \
		-r $LINUX_INITRD -c "console=hvc0 quiet marker=plinux$i poweroff" \
		> /tmp/b.out || die "execute linux on $d"
	tag b-linux.txt "B linux $i" < /tmp/b.out
	wait_marker pool-linux$i plinux$i 120 || die "pooled Linux $i: no marker"
	shellpoc destroy -d "$d"

	shellpoc cold -m 128 -x xenstore -n cold-linux$i -k $LINUX_KERNEL \
		-r $LINUX_INITRD -c "console=hvc0 quiet marker=clinux$i poweroff" \
		> /tmp/c.out || die "cold linux"
	tag c-linux.txt "C linux $i" < /tmp/c.out
	d=$(domid_of /tmp/c.out)
	wait_marker cold-linux$i clinux$i 120 || die "cold Linux $i: no marker"
	shellpoc destroy -d "$d"
	i=$((i + 1))
done
echo "Linux: $((NL * 2)) markers"

say "M2P rewrite: what B pays if it picks its own pfn order"
for r in 1 2 3 4 5; do
	for mib in 4 128; do
		shellpoc prepare -q -m $mib > /tmp/a.out || die "prepare"
		d=$(domid_of /tmp/a.out)
		shellpoc m2p -d "$d" | tee -a $RESULTS/m2p.txt
		if [ $mib = 4 ]; then
			# a rewritten shell still boots
			shellpoc execute -q -d "$d" -k $HELLO -c "marker=m2p$d" ||
				die "execute after m2p"
			hello_check "$d" "m2p$d" || die "hello after m2p: no marker"
		fi
		shellpoc destroy -d "$d"
	done
done

say "process start: static against dynamic, 5 rounds of 10"
for r in 1 2 3 4 5; do
	for what in "$SPS noop" "$SP noop" "$SPS xcopen" "$SP xcopen" \
		"$(command -v chaos) help"; do
		$ST 10 $what
	done
done | tee $RESULTS/spawn.txt

wait_for 10 sh -c '[ "$(xl list | wc -l)" = 2 ]' || { xl list; die "domains left"; }

say "summary: what median min n (ms)"
stats() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], v[1], NR }'; }
for f in $RESULTS/a-*.txt $RESULTS/b-*.txt $RESULTS/c-*.txt; do
	case $f in *b-whole*) continue ;; esac
	for ph in $(awk '$4 == "T" { print $5 }' "$f" | sort -u); do
		echo "$(basename $f .txt) $ph $(awk -v p=$ph '$4 == "T" && $5 == p { print $6 }' "$f" | stats)"
	done
done | tee $RESULTS/summary.txt
{
	for b in shellpoc-static shellpoc; do
		echo "B-whole $b $(awk -v b=$b '$2 == b { print $9 }' $RESULTS/b-whole.txt | stats)"
	done
	for p in 1024 32768; do
		echo "m2p $p-pages $(awk -v p="($p" '$5 == p { print $3 }' $RESULTS/m2p.txt | stats)"
	done
	# spawn lines: "spawn PROG ARG: n 10 min A median B max C ms"
	awk '{ k = $2 " " $3; sub(".*/", "", k); print k, $9 }' $RESULTS/spawn.txt |
		sort | awk '{ k = $1 " " $2; v[k] = v[k] " " $3 } END { for (k in v) print k, v[k] }' |
		while read -r prog arg vals; do
			echo "spawn-median-of-10 $prog $arg $(printf '%s\n' $vals | stats)"
		done
} | tee -a $RESULTS/summary.txt
