# Runs in the xenbox's dom0 (bench/run puts BENCH_N=... in front).
# N rounds; each round creates the Linux test guest with one vif on
# xenbr0 and ip=198.18.0.2/24 by xl (vif-bridge script), then by chaos
# (xendevd), and destroys it.  Per guest: create time (command start to
# return), time from create start to the first ping reply (bench/pingwait,
# one try every 10 ms), and the per-vif setup time: from netback's
# vif<D>.0 appearing to it being an up port of xenbr0, both read from
# rtnetlink events (bench/linkwatch), the same way for the script and for
# xendevd.
. /xenbox/lib.sh
N=${BENCH_N:-5}
csv=$RESULTS/vif-ping.csv
echo "mode,guest,create_ms,ping_ms,vif_setup_ms" > "$csv"

linkwatch > /tmp/links.log &
xendevd -f 2> /tmp/xendevd.log &
wait_for 10 test -S /run/xendevd.sock || die "xendevd did not start"

# setup IFNAME T0: ms from IFNAME's first event after T0 to the first in
# which it is up with a master
setup() {
	awk -v n="$1" -v t0="$2" '$2 == n && $3 == "new" && $1 >= t0 {
		if (!a) a = $1
		if ($4 != "master=0" && $5 == "up") { print $1 - a; exit }
	}' /tmp/links.log
}

i=1
while [ $i -le "$N" ]; do
	for mode in xl chaos; do
		name=$mode$i
		linux_cfg /tmp/$name.cfg $name ip=198.18.0.2/24
		echo "vif = [ 'bridge=xenbr0' ]" >> /tmp/$name.cfg
		t0=$(ms)
		if [ $mode = xl ]; then
			xl create -q /tmp/$name.cfg
			d=$(xl domid $name)
		else
			chaos create /tmp/$name.cfg
			d=$(chaos domid $name)
		fi || die "$mode: create $name"
		t1=$(ms)
		t2=$(pingwait 198.18.0.2 180000) || die "$name: no ping reply"
		s=$(setup "vif$d.0" "$t0")
		[ -n "$s" ] || die "$name: vif$d.0 never became an up port"
		echo "$mode,$i,$((t1 - t0)),$((t2 - t0)),$s" | tee -a "$csv"
		$mode destroy $name || die "$mode: destroy $name"
		wait_for 30 sh -c "[ ! -e /sys/class/net/vif$d.0 ]" || die "vif$d.0 left"
		# the next guest reuses the address: forget this one's MAC
		ip neigh flush dev xenbr0 > /dev/null 2>&1
	done
	i=$((i + 1))
done
