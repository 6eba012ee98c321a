# run-xs.sh: is the XenStore phase (xsdom_write + introduce) of a pooled
# create tied to the Linux guest, or the same for any guest, and is it
# the same inside chaos?  Alternating, 4 rounds: pooled B of hello and of
# Linux in xenstore mode, and `chaos create -p --device-method=xenstore`
# of hello timed whole (spawnstats).
#   make -C shells/poc && tests/xenbox/run -o build/poc-xs shells/poc/run-xs.sh
. /xenbox/lib.sh
domid_of() { awk '/^domid/ { print $2 }' "$1"; }
ST=$(command -v spawnstats)
i=1
while [ $i -le 4 ]; do
	shellpoc-static prepare -q -m 4 > /tmp/a.out || die "prepare"
	d=$(domid_of /tmp/a.out)
	shellpoc-static execute -d "$d" -x xenstore -n xs-hello$i -k /guests/hello \
		-c "marker=xh$i" | sed "s/^/H $i /" | tee -a $RESULTS/xs.txt
	wait_marker xs-hello$i xh$i 60 || die "hello $i: no marker"
	shellpoc destroy -d "$d"

	tiny_cfg /tmp/h.cfg ch$i hello marker=ch$i
	$ST 1 "$(command -v chaos)" create -p --device-method=xenstore /tmp/h.cfg |
		sed "s/^/C $i /" | tee -a $RESULTS/xs.txt
	chaos destroy ch$i || die "chaos destroy"

	shellpoc-static prepare -q -m 128 > /tmp/a.out || die "prepare 128"
	d=$(domid_of /tmp/a.out)
	shellpoc-static execute -d "$d" -x xenstore -n xs-linux$i -k $LINUX_KERNEL \
		-r $LINUX_INITRD -c "console=hvc0 quiet marker=xl$i poweroff" |
		sed "s/^/L $i /" | tee -a $RESULTS/xs.txt
	wait_marker xs-linux$i xl$i 120 || die "Linux $i: no marker"
	shellpoc destroy -d "$d"
	i=$((i + 1))
done
grep " xenstore \|spawn" $RESULTS/xs.txt
wait_for 10 sh -c '[ "$(xl list | wc -l)" = 2 ]' || { xl list; die "domains left"; }
