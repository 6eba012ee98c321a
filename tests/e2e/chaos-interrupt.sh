# chaos-interrupt: Ctrl-C (SIGINT) or SIGTERM while `chaos create` runs
# makes it stop at its next step and destroy what it made, so nothing is
# left the moment it exits; a create killed outright (SIGKILL) is undone
# by the monitor.  The Linux guest with a vif is made slowly enough (the
# wait for xendevd) to be caught in the middle.
. /xenbox/lib.sh

xendevd -f > /tmp/xdd-int.log 2>&1 &
xdd=$!
trap 'kill $xdd 2> /dev/null; wait $xdd' EXIT
wait_for 10 test -S /run/xendevd.sock || die "xendevd did not start"

linux_cfg /tmp/int.cfg intr marker=intr
echo 'vif = [ "bridge=xenbr0" ]' >> /tmp/int.cfg
stopped=0
for sig in INT TERM INT TERM; do
	for delay in 0.3 0.8; do
		chaos create /tmp/int.cfg > /tmp/int.out 2>&1 &
		p=$!
		sleep $delay
		kill -$sig $p 2> /dev/null
		wait $p
		rc=$?
		if [ $rc = 0 ]; then
			# it had finished: an ordinary destroy
			chaos destroy intr || die "destroy after a finished create"
		else
			grep -q "interrupted\|xendevd" /tmp/int.out ||
				{ cat /tmp/int.out; die "SIG$sig: no clear error"; }
			stopped=$((stopped + 1))
		fi
		# nothing left the moment chaos has exited
		nothing_left || { cat /tmp/int.out; xenstore-ls -f /local/domain/0/backend/vif; tail -5 /tmp/xdd-int.log; die "SIG$sig after ${delay}s left something"; }
	done
done
echo "$stopped of 8 creates stopped half-way by a signal, nothing left"
[ $stopped -gt 0 ] || die "no create was caught half-way"

# SIGKILL: the monitor undoes it (a create of another guest wakes it)
tiny_cfg /tmp/k.cfg killed idle marker=k
tiny_cfg /tmp/w.cfg waker hello marker=w
i=0
while [ $i -lt 5 ]; do
	chaos create /tmp/k.cfg > /dev/null 2>&1 &
	p=$!
	sleep 0.0$((i * 2))
	kill -KILL $p 2> /dev/null
	wait $p
	chaos destroy killed > /dev/null 2>&1
	i=$((i + 1))
done
chaos create /tmp/w.cfg || die "create after the kills"
wait_for 30 nothing_left || { ls -l /run/chaos/*; cat /run/chaos/monitor.log; die "SIGKILLed creates left something"; }
grep "undid" /run/chaos/monitor.log || echo "(every kill came before anything was made, or after the create had finished)"
