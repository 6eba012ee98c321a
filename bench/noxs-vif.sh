# Runs in the xenbox's dom0 (bench/run puts BENCH_N=... in front).
# The noxs vif (xendevd's user-space netback) beside netback, in one boot:
#  - create to first ping reply (bench/pingwait, a try every 10 ms), N
#    rounds each: guests/pong by chaos in noxs mode, the Linux guest by
#    chaos in xenstore mode (netback, xendevd) and by xl (netback, its
#    vif-bridge script); each guest is destroyed before the next;
#  - UDP echo (bench/udpecho) through one vif, pong against the Linux
#    guest (serving echo with udpecho in its initrd): round trips per
#    second one at a time (64 bytes), and megabits per second of echoed
#    payload with 16 datagrams in flight (1472 bytes);
#  - network-attach and network-detach of a running guest, N rounds each:
#    pong (noxs, made without a vif) by chaos, to its first ping reply
#    on the new vif too; the Linux guest (netback) by chaos and by xl,
#    whose commands return once the interface is wired (xl: after its
#    vif-bridge script) and once the frontend has closed.
#
# $RESULTS/noxs-vif.csv: series,round,create_ms,ping_ms
# $RESULTS/udp.csv: guest,test,sent,echoed,lost,secs,rtt_us,per_sec,mbit_s
# $RESULTS/hotplug.csv: series,round,attach_ms,ping_ms,detach_ms (ping -1
#   where the guest does not configure the new interface)
. /xenbox/lib.sh
N=${BENCH_N:-10}
csv=$RESULTS/noxs-vif.csv
echo "series,round,create_ms,ping_ms" > "$csv"
command -v udpecho > /dev/null || die "udpecho is not on PATH"

xendevd -f 2> "$RESULTS/xendevd.log" &
wait_for 10 test -S /run/xendevd.sock || die "xendevd did not start"
udpecho_initrd /tmp/initrd-ue || die "no initrd with udpecho"

# cfg SERIES NAME: the guest of SERIES, at 198.18.0.2
cfg() {
	if [ "$1" = chaos-pong ]; then
		tiny_cfg /tmp/$2.cfg $2 pong
	else
		linux_cfg /tmp/$2.cfg $2 udpecho ip=198.18.0.2/24
		sed -i 's|^ramdisk = .*|ramdisk = "/tmp/initrd-ue"|' /tmp/$2.cfg
	fi
	echo "vif = [ 'bridge=xenbr0,ip=198.18.0.2/24' ]" >> /tmp/$2.cfg
}

for s in chaos-pong chaos-linux xl-linux; do
	say "$s: $N creates to first ping reply"
	i=1
	while [ $i -le "$N" ]; do
		name=${s#*-}$i
		cfg $s $name
		t0=$(ms)
		if [ "${s%%-*}" = xl ]; then
			xl create -q /tmp/$name.cfg
		else
			chaos create /tmp/$name.cfg
		fi || die "$s: create $name"
		t1=$(ms)
		t2=$(pingwait 198.18.0.2 180000) || die "$name: no ping reply"
		echo "$s,$i,$((t1 - t0)),$((t2 - t0))" | tee -a "$csv"
		if [ $i -lt "$N" ]; then
			${s%%-*} destroy $name || die "destroy $name"
			wait_for 60 nothing_left || die "$name left something"
			ip neigh flush dev xenbr0 > /dev/null 2>&1
		fi
		i=$((i + 1))
	done
	# the last guest of the series serves the UDP measurement
	if [ "$s" != xl-linux ]; then
		for t in "rtt -n 2000 -s 64 -w 1" "stream -n 20000 -s 1472 -w 16"; do
			set -- $t
			r=$(udpecho -t 500 $2 $3 $4 $5 $6 $7 198.18.0.2 7)
			echo "${s#*-},$1,$(echo "$r" | awk '{ print $2","$4","$6","$8","$10","$12","$14 }')" |
				tee -a "$RESULTS/udp.csv"
		done
	fi
	${s%%-*} destroy ${s#*-}$N
	wait_for 60 nothing_left || die "${s#*-}$N left something"
	ip neigh flush dev xenbr0 > /dev/null 2>&1
done

hp=$RESULTS/hotplug.csv
echo "series,round,attach_ms,ping_ms,detach_ms" > "$hp"
for s in chaos-pong chaos-linux xl-linux; do
	say "$s: $N network-attach and network-detach"
	tool=${s%%-*}
	if [ "$s" = chaos-pong ]; then
		tiny_cfg /tmp/hot.cfg hot pong
	else
		linux_cfg /tmp/hot.cfg hot marker=hot-up
		rm -f "$(console_log hot)"
	fi
	$tool create /tmp/hot.cfg > /dev/null || die "$s: create"
	[ "$s" = chaos-pong ] || wait_marker hot hot-up 180 || die "$s: no marker"
	i=1
	while [ $i -le "$N" ]; do
		t0=$(ms)
		$tool network-attach hot bridge=xenbr0 ip=198.18.0.2/24 ||
			die "$s: network-attach"
		t1=$(ms)
		ping=-1
		if [ "$s" = chaos-pong ]; then
			t2=$(pingwait 198.18.0.2 60000) || die "$s: no ping reply"
			ping=$((t2 - t0))
		fi
		t3=$(ms)
		$tool network-detach hot 0 || die "$s: network-detach"
		t4=$(ms)
		echo "$s,$i,$((t1 - t0)),$ping,$((t4 - t3))" | tee -a "$hp"
		ip neigh flush dev xenbr0 > /dev/null 2>&1
		i=$((i + 1))
	done
	$tool destroy hot
	wait_for 60 nothing_left || die "$s: hot left something"
done
