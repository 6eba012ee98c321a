# The demo: the same Linux PV guest created on real Xen (in QEMU) by xl and
# by chaos, each create timed from the command to its return and to the
# guest's first words on its console.
. /xenbox/lib.sh

say "chaos reads xl's config files (dry run: what it would build)"
linux_cfg /tmp/demo.cfg demo marker=hello-demo poweroff
chaos -n create /tmp/demo.cfg | head -n 12
echo "  ..."
echo

say "3 guests each with xl and chaos (Debian's kernel, 128 MiB, 1 vCPU)"
printf '%-8s %-6s %12s %16s\n' guest tool "create (ms)" "to marker (ms)"
for i in 1 2 3; do
	for tool in xl chaos; do
		name=$tool-demo$i
		linux_cfg /tmp/$name.cfg $name marker=hello-$name poweroff
		t0=$(ms)
		$tool create -q /tmp/$name.cfg > /dev/null 2>&1 ||
			die "$tool create $name"
		t1=$(ms)
		wait_marker $name hello-$name || die "$name did not boot"
		t2=$(ms)
		printf '%-8s %-6s %12d %16d\n' demo$i $tool $((t1 - t0)) \
			$((t2 - t0))
		echo "$tool,$i,$((t1 - t0)),$((t2 - t0))" >> "$RESULTS/demo.csv"
	done
done
echo
say "the guests said (then powered off; chaos's monitor and xl's cleaned up)"
for f in /var/log/xen/console/guest-*demo*.log; do
	grep -h XENBOX_MARKER "$f"
done
wait_for 60 sh -c '[ "$(xl list | wc -l)" = 2 ]' && chaos list
echo

say "chaos's own tiny guest (19 KiB, 4 MiB): xl, chaos via XenStore, chaos via noxs"
printf '%-22s %22s\n' how "create to powered off (ms)"
for how in xl xenstore noxs; do
	tiny_cfg /tmp/t-$how.cfg tiny-$how hello marker=hi-$how
	t0=$(ms)
	case $how in
	xl) xl create -q /tmp/t-$how.cfg > /dev/null 2>&1 ;;
	xenstore) chaos create --device-method=xenstore /tmp/t-$how.cfg ;;
	noxs) chaos create -c /tmp/t-$how.cfg > /tmp/t-noxs.out ;;
	esac || die "create tiny-$how"
	wait_for 60 domain_gone tiny-$how || die "tiny-$how did not finish"
	printf '%-22s %22d\n' "$how" $(( $(ms) - t0 ))
done
grep -h "hello from" /tmp/t-noxs.out
echo
say "figures under emulation are slow in absolute terms; compare the columns"
