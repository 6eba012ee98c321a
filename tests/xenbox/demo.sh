# The demo: guests created on real Xen (in QEMU), each timed from the create
# command to its return and to the guest's first words on its console.
. /xenbox/lib.sh

say "chaos reads the same xl.cfg (dry run: what it would build)"
linux_cfg /tmp/demo.cfg demo0 marker=hello-demo0 poweroff
chaos -n create /tmp/demo.cfg | head -n 14
echo

say "Creating 3 Linux PV guests with xl (Debian's kernel, 128 MiB)"
printf '%-8s %12s %16s\n' guest "create (ms)" "to marker (ms)"
for i in 1 2 3; do
	linux_cfg /tmp/demo$i.cfg demo$i marker=hello-demo$i poweroff
	t0=$(ms)
	xl create -q /tmp/demo$i.cfg > /dev/null 2>&1 || die "xl create demo$i"
	t1=$(ms)
	wait_marker demo$i hello-demo$i || die "demo$i did not boot"
	t2=$(ms)
	printf '%-8s %12d %16d\n' demo$i $((t1 - t0)) $((t2 - t0))
	echo "demo$i,$((t1 - t0)),$((t2 - t0))" >> "$RESULTS/demo.csv"
done
wait_for 60 domain_gone demo3
echo
say "Their consoles said:"
for i in 1 2 3; do
	grep -h XENBOX_MARKER "$(console_log demo$i)"
done
say "chaos create on real Xen comes next; then it runs beside xl here."
