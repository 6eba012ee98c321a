# run-xenbox.sh: the shell-split proof, run in the xenbox's dom0:
#   make -C poc && tests/xenbox/run -o build/poc-out poc/run-xenbox.sh
# Process A (shellpoc prepare) creates and populates a paused PV domain and
# exits; process B (shellpoc execute), given only the domid and A's file,
# loads the kernel, builds it, fills the device page or XenStore and
# unpauses.  Timings ("T phase ms") of every run go to $RESULTS/*.txt.
. /xenbox/lib.sh

N=20
NL=5
HELLO=/guests/hello
SP=$(command -v shellpoc)
SPS=$(command -v shellpoc-static)
ST=$(command -v spawntime)
[ -n "$SP" ] && [ -n "$SPS" ] && [ -n "$ST" ] || die "build poc first (make -C poc)"

domid_of() { awk '/^domid/ { print $2 }' "$1"; }

# hello_check DOMID WORD: the noxs hello printed WORD through its console
hello_check() {
	shellpoc console -d "$1" -t 30 > /tmp/con.$1 || return 1
	grep -q "XENBOX_MARKER $2" /tmp/con.$1 || { cat /tmp/con.$1; return 1; }
	grep -q "(noxs)" /tmp/con.$1 || { cat /tmp/con.$1; return 1; }
}

say "hello (4 MiB, noxs): A prepares, B executes, $N times"
i=1
while [ $i -le $N ]; do
	shellpoc prepare -m 4 > /tmp/a.out || die "prepare"
	d=$(domid_of /tmp/a.out)
	sed "s/^/A hello $i /" /tmp/a.out >> $RESULTS/a-hello.txt
	[ $i = 1 ] && { cat /tmp/a.out; cat /run/shellpoc/$d; xl list; }
	shellpoc execute -d "$d" -k $HELLO -c "marker=pool$i" > /tmp/b.out ||
		die "execute on $d"
	sed "s/^/B hello $i /" /tmp/b.out >> $RESULTS/b-hello.txt
	[ $i = 1 ] && cat /tmp/b.out
	hello_check "$d" "pool$i" || die "hello $i: no marker"
	[ $i = 1 ] && cat /tmp/con.$d
	shellpoc destroy -d "$d"
	i=$((i + 1))
done
echo "pooled hello: $N markers"

say "B refuses a shell file that does not describe its domain"
shellpoc prepare -q -m 4 > /tmp/a.out || die "prepare"
d=$(domid_of /tmp/a.out)
cp /run/shellpoc/$d /tmp/shell.good
sed -i 's/^uuid .*/uuid 00000000000000000000000000000000/' /run/shellpoc/$d
shellpoc execute -q -d "$d" -k $HELLO 2> /tmp/err && die "executed on a foreign shell file"
cat /tmp/err
cp /tmp/shell.good /run/shellpoc/$d
shellpoc destroy -d "$d"

say "hello cold (today's one-shot builder), $N times"
i=1
while [ $i -le $N ]; do
	shellpoc cold -m 4 -k $HELLO -c "marker=cold$i" > /tmp/c.out || die "cold"
	d=$(domid_of /tmp/c.out)
	sed "s/^/C hello $i /" /tmp/c.out >> $RESULTS/c-hello.txt
	[ $i = 1 ] && cat /tmp/c.out
	hello_check "$d" "cold$i" || die "cold hello $i: no marker"
	shellpoc destroy -d "$d"
	i=$((i + 1))
done

say "Linux (128 MiB, xenstore mode): A prepares, B executes, $NL times"
i=1
while [ $i -le $NL ]; do
	shellpoc prepare -m 128 > /tmp/a.out || die "prepare 128"
	d=$(domid_of /tmp/a.out)
	sed "s/^/A linux $i /" /tmp/a.out >> $RESULTS/a-linux.txt
	[ $i = 1 ] && { cat /tmp/a.out; head -12 /run/shellpoc/$d; }
	shellpoc execute -d "$d" -x xenstore -n pool-linux$i -k $LINUX_KERNEL \
		-r $LINUX_INITRD -c "console=hvc0 quiet marker=plinux$i poweroff" \
		> /tmp/b.out || die "execute linux on $d"
	sed "s/^/B linux $i /" /tmp/b.out >> $RESULTS/b-linux.txt
	cat /tmp/b.out
	wait_marker pool-linux$i plinux$i 120 || die "pooled Linux $i: no marker"
	shellpoc destroy -d "$d"
	i=$((i + 1))
done

say "Linux cold, $NL times"
i=1
while [ $i -le $NL ]; do
	shellpoc cold -m 128 -x xenstore -n cold-linux$i -k $LINUX_KERNEL \
		-r $LINUX_INITRD -c "console=hvc0 quiet marker=clinux$i poweroff" \
		> /tmp/c.out || die "cold linux"
	d=$(domid_of /tmp/c.out)
	sed "s/^/C linux $i /" /tmp/c.out >> $RESULTS/c-linux.txt
	cat /tmp/c.out
	wait_marker cold-linux$i clinux$i 120 || die "cold Linux $i: no marker"
	shellpoc destroy -d "$d"
	i=$((i + 1))
done

say "M2P rewrite (what B pays if it picks its own pfn order)"
for mib in 4 4 4 4 4 128 128 128 128 128; do
	shellpoc prepare -q -m $mib > /tmp/a.out || die "prepare"
	d=$(domid_of /tmp/a.out)
	shellpoc m2p -d "$d" | sed "s/^/M $mib /" | tee -a $RESULTS/m2p.txt
	if [ $mib = 4 ]; then
		# rewritten shells still boot
		shellpoc execute -q -d "$d" -k $HELLO -c "marker=m2p$d" ||
			die "execute after m2p"
		hello_check "$d" "m2p$d" || die "hello after m2p: no marker"
	fi
	shellpoc destroy -d "$d"
done

say "process start: static against dynamic"
{
	$ST 50 $SPS noop
	$ST 50 $SP noop
	$ST 50 $SPS xcopen
	$ST 50 $SP xcopen
	$ST 20 "$(command -v chaos)" help
} | tee $RESULTS/spawn.txt

say "B as a whole process (fork to exit), static and dynamic, $N each"
for bin in $SPS $SP; do
	i=1
	while [ $i -le $N ]; do
		shellpoc prepare -q -m 4 > /tmp/a.out || die "prepare"
		d=$(domid_of /tmp/a.out)
		$ST 1 $bin execute -q -d "$d" -k $HELLO -c "marker=sp$d" \
			| sed "s|^|W $(basename $bin) |" | tee -a $RESULTS/b-whole.txt
		hello_check "$d" "sp$d" || die "spawned B: no marker"
		shellpoc destroy -d "$d"
		i=$((i + 1))
	done
done

wait_for 10 sh -c '[ "$(xl list | wc -l)" = 2 ]' || { xl list; die "domains left"; }
say "summary: phase median min (ms)"
stats() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], v[1], NR }'; }
for f in $RESULTS/a-*.txt $RESULTS/b-*.txt $RESULTS/c-*.txt; do
	[ -f "$f" ] || continue
	for ph in $(awk '$4 == "T" { print $5 }' "$f" | sort -u); do
		echo "$(basename $f .txt) $ph $(awk -v p=$ph '$4 == "T" && $5 == p { print $6 }' "$f" | stats)"
	done
done | tee $RESULTS/summary.txt
for b in shellpoc-static shellpoc; do
	echo "B-whole $b $(awk -v b=$b '$2 == b { print $9 }' $RESULTS/b-whole.txt | stats)"
done | tee -a $RESULTS/summary.txt
for mib in 4 128; do
	echo "m2p $mib $(awk -v m=$mib '$2 == m { print $5 }' $RESULTS/m2p.txt | stats)"
done | tee -a $RESULTS/summary.txt
