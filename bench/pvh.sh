# Runs in the xenbox's dom0 (bench/run puts BENCH_N=... in front).
# PV against PVH, xl beside chaos, in one boot: N creates each of the
# Linux guest (128 MiB; time to return and to its marker on the console)
# and of guests/hello (4 MiB; time to return and until it had powered off,
# stamped by bench/domwatch looking every millisecond: a noxs guest wakes
# no XenStore watch).  The same kernel images
# boot both ways (the Linux ELF vmlinux and our hello have PVH entry
# points).  tsc_mode = "native" for every Linux guest: under QEMU's
# emulation an emulated RDTSCP hangs a PVH Linux.  chaos makes hello in
# noxs mode (its default for that kernel), the Linux guest in xenstore
# mode; each guest is gone before the next create.  A PVH hello gets
# shadow_memory = 2 under both: xl 4.17's default paging pool for a 4 MiB
# PVH guest is 16 KiB, which Xen refuses.
#
# $RESULTS/pvh.csv: series,round,create_ms,done_ms
. /xenbox/lib.sh
N=${BENCH_N:-10}
spawntime=$(command -v spawntime) || die "spawntime is not on PATH"
chaos=$(command -v chaos) || die "chaos is not on PATH"
xl=$(command -v xl) || die "xl is not on PATH"
csv=$RESULTS/pvh.csv
echo "series,round,create_ms,done_ms" > "$csv"

domwatch --poll 1 > /tmp/dw.log &
dw=$!
wait_for 10 grep -q ready /tmp/dw.log || die "domwatch did not start"
# the first shutdown stamped at or after T0 (ms)
shutdown_after() {
	awk -v t0="$1" '$3 == "shutdown" && $1 >= int(t0) { print $1; exit }' /tmp/dw.log
}

# create TOOL NAME CFG: the create's ms and start stamp, or die
create() {
	if [ "$1" = chaos ]; then
		set -- $($spawntime -o /tmp/$2.out $chaos create /tmp/$3)
	else
		set -- $($spawntime -o /tmp/$2.out $xl create -q /tmp/$3)
	fi
	[ "$2" = 0 ] || { cat /tmp/$2.out 2> /dev/null; die "create failed"; }
	echo "$1 $3"
}

# linux TOOL TYPE I
linux() {
	_name=l$1$2$3
	linux_cfg /tmp/$_name.cfg $_name marker=$_name
	printf 'type = "%s"\ntsc_mode = "native"\n' "$2" >> /tmp/$_name.cfg
	_t0=$(ms)
	set -- $1 $2 $3 $(create $1 $_name $_name.cfg)
	wait_marker $_name $_name 120 || die "$_name: no marker"
	echo "linux-$1-$2,$3,$4,$(( $(ms) - _t0 ))" >> "$csv"
	if [ "$1" = chaos ]; then chaos destroy $_name; else $xl destroy $_name; fi
	wait_for 60 nothing_left || die "$_name left something"
}

# hello TOOL TYPE I
hello() {
	_name=h$1$2$3
	tiny_cfg /tmp/$_name.cfg $_name hello marker=$_name
	echo "type = \"$2\"" >> /tmp/$_name.cfg
	[ "$2" = pv ] || echo "shadow_memory = 2" >> /tmp/$_name.cfg
	set -- $1 $2 $3 $(create $1 $_name $_name.cfg)
	wait_for 60 sh -c "[ -n \"\$(awk -v t0=$5 '\$3 == \"shutdown\" && \$1 >= int(t0)' /tmp/dw.log)\" ]" ||
		die "$_name: no shutdown seen"
	_off=$(awk -v s="$(shutdown_after $5)" -v t="$5" 'BEGIN { printf "%.2f\n", s - t }')
	wait_for 60 domain_gone $_name || die "$_name not destroyed"
	echo "hello-$1-$2,$3,$4,$_off" >> "$csv"
}

for g in hello linux; do
	for s in xl-pv xl-pvh chaos-pv chaos-pvh; do
		say "$g $s: $N creates"
		i=1
		while [ $i -le "$N" ]; do
			$g ${s%-*} ${s#*-} $i
			i=$((i + 1))
		done
	done
done
kill $dw
