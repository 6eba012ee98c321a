# xl's everyday verbs: vcpu-list (xl's columns; the affinity agrees with
# xl's own listing), vcpu-pin (hard, soft, "-" to leave one, all vCPUs),
# mem-set (the Linux guest's balloon driver gives memory back; a noxs
# guest has none and is refused), mem-max (not below what the guest has),
# dump-core, dmesg, uptime (a noxs guest has no start time), sysrq (the
# Linux guest prints its help); tsc_mode is applied (Xen's TSC dump says
# so); top -b prints xentop's columns; bad arguments fail with one line.
. /xenbox/lib.sh

# the affinity column of DOMID's vCPU V in a vcpu-list listing on stdin
aff() { awk -v d="$1" -v v="$2" '$2 == d && $3 == v { sub(/.*[0-9]  /, ""); print; exit }'; }

tiny_cfg /tmp/i.cfg vi idle
chaos create /tmp/i.cfg || die "create vi"
d=$(chaos domid vi)
chaos vcpu-list > /tmp/vl.out || die "vcpu-list"
cat /tmp/vl.out
head -n 1 /tmp/vl.out | grep -q "^Name  *ID  *VCPU  *CPU State   Time(s) Affinity (Hard / Soft)$" ||
	die "vcpu-list: not xl's header"
grep -q "^Domain-0  *0  *0 " /tmp/vl.out || die "vcpu-list: no Domain-0"
[ "$(chaos vcpu-list vi | awk -v d="$d" '$1 == "vi" && $2 == d' | wc -l)" = 1 ] || die "vcpu-list vi: not one row"
[ "$(chaos vcpu-list vi | aff "$d" 0)" = "all / all" ] || die "a fresh vCPU is not 'all / all'"

chaos vcpu-pin vi 0 1 || die "vcpu-pin hard"
[ "$(chaos vcpu-list vi | aff "$d" 0)" = "1 / all" ] || { chaos vcpu-list vi; die "vcpu-pin: hard affinity not 1"; }
[ "$(xl vcpu-list "$d" | aff "$d" 0)" = "1 / all" ] || { xl vcpu-list "$d"; die "xl does not see the pin"; }
chaos vcpu-pin vi all - 0 || die "vcpu-pin soft"
[ "$(chaos vcpu-list vi | aff "$d" 0)" = "1 / 0" ] || { chaos vcpu-list vi; die "vcpu-pin: soft affinity not 0"; }
chaos vcpu-pin vi 0 all all || die "vcpu-pin all"
[ "$(chaos vcpu-list vi | aff "$d" 0)" = "all / all" ] || die "vcpu-pin all: not 'all / all'"
expect_fail 1 "no vCPU '3'" chaos vcpu-pin vi 3 0 || die "a vCPU it does not have"
expect_fail 2 "'0-x'" chaos vcpu-pin vi 0 0-x || die "a bad CPU list"
expect_fail 1 "no balloon driver" chaos mem-set vi 2 || die "mem-set of a noxs guest"
expect_fail 2 "no amount of memory" chaos mem-set vi 12q || die "a bad amount"
chaos dump-core vi /tmp/vi.core || die "dump-core"
[ "$(wc -c < /tmp/vi.core)" -gt 4194304 ] || { ls -l /tmp/vi.core; die "the core is smaller than the guest's memory"; }
rm /tmp/vi.core
expect_fail 1 "no start time" chaos uptime vi || die "uptime of a noxs guest"
expect_fail 1 "noxs" chaos sysrq vi h || die "sysrq of a noxs guest"
chaos destroy vi || die "destroy vi"
# an earlier scenario may have cleared the ring (dmesg -c): put a line in
xl debug-keys h
chaos dmesg | grep -q "'h' pressed" || die "dmesg: not Xen's console"

# tsc_mode is applied: Xen's soft-TSC dump names the guest's mode
tiny_cfg /tmp/t.cfg vt idle
echo 'tsc_mode = "always_emulate"' >> /tmp/t.cfg
chaos create /tmp/t.cfg || die "create with tsc_mode"
dt=$(chaos domid vt)
xl debug-keys s
chaos dmesg | grep -q "dom$dt: mode=1" || { chaos dmesg | tail -n 8; die "tsc_mode always_emulate is not applied"; }
chaos top -b -i 2 -d 1 > /tmp/top.out || die "top -b"
cat /tmp/top.out
[ "$(grep -c "^ *NAME  *STATE  *CPU(sec)  *CPU(%)  *MEM(k)  *MEM(%)  *MAXMEM(k)  *MAXMEM(%)  *VCPUS$" /tmp/top.out)" = 2 ] ||
	die "top -b -i 2: not two screens"
[ "$(grep -c "^ *Domain-0 " /tmp/top.out)" = 2 ] || die "top: no Domain-0 on each screen"
grep -q "^ *vt  *-b----  *[0-9]*  *[0-9.]*  *[0-9]*  *[0-9.]*  *[0-9]*  *[0-9.]*  *1$" /tmp/top.out ||
	die "top: no row for vt"
chaos destroy vt || die "destroy vt"

linux_cfg /tmp/l.cfg vm marker=vm-up
chaos create /tmp/l.cfg || die "create vm"
wait_marker vm vm-up 120 || die "vm: no marker"
d=$(chaos domid vm)
expect_fail 1 "above its maximum" chaos mem-set vm 256 || die "mem-set above static-max"
expect_fail 1 "cannot be below" chaos mem-max vm 64 || die "mem-max below what it has"
chaos mem-set vm 96 || die "mem-set 96"
[ "$(xenstore-read /local/domain/$d/memory/target)" = 98304 ] || die "memory/target is not 98304"
shrunk() { [ "$(xl list vm | awk 'NR == 2 { print $3 }')" -le 100 ]; }
wait_for 30 shrunk || { xl list vm; die "the guest did not balloon down to 96 MiB"; }
chaos mem-max vm 112m || die "mem-max 112m"
[ "$(xenstore-read /local/domain/$d/memory/static-max)" = 114688 ] || die "static-max is not 114688"
chaos uptime > /tmp/up.out || die "uptime"
cat /tmp/up.out
head -n 1 /tmp/up.out | grep -q "^Name  *ID Uptime$" || die "uptime: not xl's header"
grep -q "^Domain-0  *0  *[0-9]*:[0-9][0-9]:[0-9][0-9]$" /tmp/up.out || die "uptime: no Domain-0"
grep -q "^vm  *$d  *0:0[0-9]:[0-9][0-9]$" /tmp/up.out || die "uptime: vm is not minutes old"
chaos uptime -s vm | grep -q "^ [0-9:]* up  0:0[0-9], vm ($d)$" || die "uptime -s"
chaos sysrq vm h || die "sysrq"
wait_for 10 grep -q "sysrq: HELP" "$(console_log vm)" || { tail "$(console_log vm)"; die "the guest did not see the sysrq"; }
chaos destroy vm || die "destroy vm"
wait_for 30 nothing_left || die "something is left"
