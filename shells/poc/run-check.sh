# run-check.sh: the committed binaries still do the split, and the static
# link without --whole-archive really fails (FINDINGS.md, Pitfalls).
#   make -C shells/poc all nowhole && tests/xenbox/run -o build/poc-check shells/poc/run-check.sh
. /xenbox/lib.sh
domid_of() { awk '/^domid/ { print $2 }' "$1"; }

shellpoc-static prepare -m 4 > /tmp/a.out || die "prepare"
d=$(domid_of /tmp/a.out)
say "static link without --whole-archive"
if shellpoc-nowhole execute -d "$d" -k /guests/hello -c marker=x 2> /tmp/err; then
	die "the no-whole-archive build executed"
fi
cat /tmp/err
grep -q "no loader found" /tmp/err || die "failed otherwise"
say "the same shell, executed by the static build"
shellpoc-static execute -d "$d" -k /guests/hello -c "marker=check$d" || die "execute"
shellpoc console -d "$d" -t 30 > /tmp/con || die "console"
cat /tmp/con
grep -q "XENBOX_MARKER check$d" /tmp/con || die "no marker"
shellpoc destroy -d "$d"

say "Linux on a shell, static build"
shellpoc-static prepare -m 128 > /tmp/a.out || die "prepare 128"
d=$(domid_of /tmp/a.out)
shellpoc-static execute -d "$d" -x xenstore -n check-linux -k $LINUX_KERNEL \
	-r $LINUX_INITRD -c "console=hvc0 quiet marker=chk$d poweroff" || die "execute"
wait_marker check-linux chk$d 120 || die "no Linux marker"
shellpoc destroy -d "$d"
wait_for 10 sh -c '[ "$(xl list | wc -l)" = 2 ]' || { xl list; die "domains left"; }
