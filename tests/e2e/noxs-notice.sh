# noxs guests tell the monitor that they shut down.  xenstored (running
# here) reports only the guests introduced to it, which noxs guests are
# not; so each signals the notice channel the monitor keeps bound, right
# before SCHEDOP_shutdown, and the monitor acts at once instead of on its
# slow poll.  idle, told to power off long after the monitor bound its
# channel, must be acted on through its notice every time; hello powers
# off by itself at once and is timed from create to the monitor's action.
. /xenbox/lib.sh

log=/run/chaos/monitor.log
start=$({ wc -l < "$log"; } 2> /dev/null || echo 0)
# acted_ms NAME: the monitor's boot-clock ms of its action on NAME
acted_ms() {
	tail -n +$((start + 1)) "$log" |
		sed -n "s/^.* \[\([0-9]*\)\] chaos-monitor: $1 (domain [0-9]*) powered off.*/\1/p"
}
shutdown_at() { t0=$(ms); chaos shutdown "$1" 2> /dev/null; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

i=1
while [ $i -le 10 ]; do
	tiny_cfg /tmp/i.cfg nn-idle$i idle marker=nn$i
	chaos create /tmp/i.cfg || die "create nn-idle$i"
	# it listens once booted: ask until it does, timing the last ask
	wait_for 30 shutdown_at nn-idle$i || die "shutdown nn-idle$i"
	wait_for 30 chaos_gone nn-idle$i || die "nn-idle$i still there"
	t1=$(acted_ms nn-idle$i)
	echo "nn-idle$i: chaos shutdown to acted on $((t1 - t0)) ms"
	i=$((i + 1))
done
n=$(tail -n +$((start + 1)) "$log" | grep -c 'nn-idle[0-9]* (domain [0-9]*) powered off (its notice woke us)')
[ "$n" = 10 ] || { tail -n +$((start + 1)) "$log"; die "$n of 10 idles acted on through their notice"; }

i=1
: > /tmp/hello-ms
while [ $i -le 10 ]; do
	tiny_cfg /tmp/h.cfg nn-hello$i hello marker=nh$i
	t0=$(ms)
	chaos create /tmp/h.cfg || die "create nn-hello$i"
	wait_for 30 chaos_gone nn-hello$i || die "nn-hello$i still there"
	echo $(( $(acted_ms nn-hello$i) - t0 )) >> /tmp/hello-ms
	i=$((i + 1))
done
echo "hello: create to acted on, median $(median < /tmp/hello-ms) ms of $(tr '\n' ' ' < /tmp/hello-ms)"
tail -n +$((start + 1)) "$log" | grep 'nn-hello'
wait_for 10 nothing_left || die "something was left behind"
