# Runs in the xenbox's dom0 (bench/run puts BENCH_N=... in front).
# Create with one file-backed disk to the guest's marker, which the Linux
# guest prints after it has read its disk (disk=xvda:read), N rounds each
# by xl (its block script) and by chaos (xendevd), beside the same create
# without a disk, so that the disk's own cost is the difference; chaos's
# -T phases say what backing the disk took ("disks").  Each guest is
# destroyed before the next create.
#
# $RESULTS/disk.csv: series,round,create_ms,marker_ms
# $RESULTS/phases.csv: series,round,phase,ms (chaos)
. /xenbox/lib.sh
N=${BENCH_N:-10}
spawntime=$(command -v spawntime) || die "spawntime is not on PATH"
chaos=$(command -v chaos) || die "chaos is not on PATH"
xl=$(command -v xl) || die "xl is not on PATH"
csv=$RESULTS/disk.csv
echo "series,round,create_ms,marker_ms" > "$csv"
echo "series,round,phase,ms" > "$RESULTS/phases.csv"

xendevd -f 2> "$RESULTS/xendevd.log" &
wait_for 10 test -S /run/xendevd.sock || die "xendevd did not start"
dd if=/dev/zero of=/tmp/disk.img bs=1M count=8 2> /dev/null
printf 'bench-disk\n' | dd of=/tmp/disk.img conv=notrunc 2> /dev/null

# round SERIES TOOL KIND I: one create (KIND disk or nodisk), timed to its
# return and to its marker
round() {
	_s=$1 _tool=$2 _kind=$3 _i=$4
	_name=$_s-$_i
	if [ "$_kind" = disk ]; then
		linux_cfg /tmp/$_name.cfg $_name marker=$_name disk=xvda:read
		echo "disk = [ '/tmp/disk.img,raw,xvda,r' ]" >> /tmp/$_name.cfg
	else
		linux_cfg /tmp/$_name.cfg $_name marker=$_name
	fi
	_t0=$(ms)
	if [ "$_tool" = chaos ]; then
		set -- $($spawntime -o /tmp/$_name.json $chaos create --timings=json /tmp/$_name.cfg)
		[ "$2" = 0 ] || { cat /tmp/$_name.json; die "chaos create $_name"; }
		phases_csv "$_s,$_i" /tmp/$_name.json >> "$RESULTS/phases.csv"
	else
		set -- $($spawntime -o /tmp/$_name.out $xl create -q /tmp/$_name.cfg)
		[ "$2" = 0 ] || { cat /tmp/$_name.out; die "xl create $_name"; }
	fi
	_create=$1
	wait_marker $_name $_name 120 || die "$_name: no marker"
	_marker=$(( $(ms) - _t0 ))
	[ "$_kind" != disk ] || grep -q "XENBOX_DISK xvda read bench-disk" "$(console_log $_name)" ||
		die "$_name did not read its disk"
	echo "$_s,$_i,$_create,$_marker" >> "$csv"
	if [ "$_tool" = chaos ]; then chaos destroy $_name; else $xl destroy $_name; fi
	wait_for 60 nothing_left || die "$_name left something"
}

for s in xl-disk chaos-disk xl-nodisk chaos-nodisk; do
	say "$s: $N creates"
	i=1
	while [ $i -le "$N" ]; do
		round $s ${s%%-*} ${s#*-} $i
		i=$((i + 1))
	done
done
