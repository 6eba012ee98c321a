# xl's everyday verbs, continued.  The Linux guest runs 2 of 2 vCPUs with
# cpu_weight and cap in its config (applied: chaos and xl sched-credit2
# show them), a vif and a disk; vcpu-set takes its vCPU 1 offline and
# back (the guest's /sys/devices/system/cpu/online says so, and xl's
# listings agree); sched-credit2 -w and -c change it as xl sees it, and
# its listings are xl's line for line; sched-credit on this credit2 host
# does what xl does; a noxs guest is refused by vcpu-set and gets its
# cpu_weight from a shell of chaos-shelld's pool as from a cold create;
# every listing's -l output is JSON (jsoncheck parses it) that agrees
# with the text; bad arguments fail with one line and xl's exit codes.
. /xenbox/lib.sh

# the last XENBOX_CPUS the guest NAME printed
cpus_of() { grep -a "XENBOX_CPUS" "$(console_log "$1")" | tail -n 1 | awk '{ print $2 }' | tr -d '\r'; }
cpus_are() { [ "$(cpus_of "$1")" = "$2" ]; }
# "NAME ID WEIGHT CAP" of domain $1 in a sched-credit2 listing on stdin
srow() { awk -v d="$1" 'NF == 4 && $2 == d { print $1, $2, $3, $4 }'; }
# VALUE at PATH in jsoncheck's lines on stdin
jget() { awk -v p="$1" '$1 == p { sub(/^[^ ]* /, ""); print; exit }'; }
# the index of domid $1's row in a JSON listing's jsoncheck lines on stdin
jrow() { awk -v d="$1" '$1 ~ /^\/[0-9]+\/domid$/ && $2 == d { split($1, p, "/"); print p[2]; exit }'; }
# xl list's VCPUs column (online vCPUs) of NAME is N
online_is() { [ "$(xl list "$1" | awk 'NR == 2 { print $4 }')" = "$2" ]; }
# "WEIGHT CAP" of domain $1 in a sched-credit2 listing on stdin (xl names
# a noxs guest "(null)")
sw() { awk -v d="$1" 'NF == 4 && $2 == d { print $3, $4 }'; }
shelld=
cleanup() {
	kill $xdd $shelld 2> /dev/null
	wait $xdd $shelld 2> /dev/null
	[ ! -d /etc/xen/scripts.away ] || mv /etc/xen/scripts.away /etc/xen/scripts
}
trap cleanup EXIT

say "the host's scheduler, as xl info names it"
chaos info > /tmp/info.out || die "info"
sched=$(awk -F': ' '/^xen_scheduler / { print $2 }' /tmp/info.out)
[ "$sched" = "$(xl info | awk -F': ' '/^xen_scheduler / { print $2 }')" ] || die "xen_scheduler '$sched' is not xl's"
[ "$sched" = credit2 ] || die "Debian's Xen boots with credit2, not '$sched'"
chaos info -l > /tmp/info.json || die "info -l"
jsoncheck < /tmp/info.json > /tmp/info.flat || { cat /tmp/info.json; die "info -l is no JSON"; }
[ "$(jget /xen_scheduler < /tmp/info.flat)" = credit2 ] || die "info -l: xen_scheduler"
[ "$(jget /nr_cpus < /tmp/info.flat)" = "$(awk -F': ' '/^nr_cpus / { print $2 }' /tmp/info.out)" ] || die "info -l: nr_cpus is not info's"

xendevd -f 2> /tmp/xendevd.log &
xdd=$!
wait_for 10 test -S /run/xendevd.sock || die "xendevd did not start"
mv /etc/xen/scripts /etc/xen/scripts.away

say "the Linux guest: 2 of 2 vCPUs, cpu_weight 384, cap 150, a vif, a disk"
dd if=/dev/zero of=/tmp/v2.img bs=1M count=4 2> /dev/null
printf 'v2disk\n' | dd of=/tmp/v2.img conv=notrunc 2> /dev/null
linux_cfg /tmp/l.cfg v2 marker=v2-up cpus ip=198.18.0.2/24 disk=xvda:read
sed -i 's/^vcpus = 1$/vcpus = 2/' /tmp/l.cfg
cat >> /tmp/l.cfg <<CFG
maxvcpus = 2
cpu_weight = 384
cap = 150
vif = [ 'bridge=xenbr0,mac=00:16:3e:00:00:22' ]
disk = [ '/tmp/v2.img,raw,xvda,r' ]
CFG
chaos create /tmp/l.cfg || die "create v2"
d=$(chaos domid v2)
wait_marker v2 v2-up 300 || die "v2: no marker"
wait_for 30 cpus_are v2 0-1 || die "the guest does not run 2 vCPUs: '$(cpus_of v2)'"
[ "$(xenstore-read /local/domain/$d/cpu/1/availability)" = online ] || die "cpu/1/availability is not online at create"

say "cpu_weight and cap of the config are applied"
[ "$(chaos sched-credit2 -d v2 | srow "$d")" = "v2 $d 384 150" ] || { chaos sched-credit2 -d v2; die "chaos: not weight 384, cap 150"; }
[ "$(xl sched-credit2 -d "$d" | srow "$d")" = "v2 $d 384 150" ] || { xl sched-credit2 -d "$d"; die "xl does not see weight 384, cap 150"; }

say "sched-credit2 -w and -c, as xl sees them"
chaos sched-credit2 -d v2 -w 512 || die "sched-credit2 -w 512"
[ "$(xl sched-credit2 -d "$d" | srow "$d")" = "v2 $d 512 150" ] || { xl sched-credit2 -d "$d"; die "xl does not see weight 512"; }
chaos sched-credit2 -d v2 -c 0 || die "sched-credit2 -c 0"
[ "$(xl sched-credit2 -d "$d" | srow "$d")" = "v2 $d 512 0" ] || { xl sched-credit2 -d "$d"; die "xl does not see cap 0"; }
chaos sched-credit2 -d v2 > /tmp/c.out
xl sched-credit2 -d v2 > /tmp/x.out
diff /tmp/x.out /tmp/c.out || die "sched-credit2 -d v2 is not xl's"
chaos sched-credit2 > /tmp/c.out || die "sched-credit2"
xl sched-credit2 > /tmp/x.out
cat /tmp/c.out
diff /tmp/x.out /tmp/c.out || die "the sched-credit2 listing is not xl's"
chaos sched-credit2 -s > /tmp/c.out || die "sched-credit2 -s"
xl sched-credit2 -s > /tmp/x.out
diff /tmp/x.out /tmp/c.out || die "sched-credit2 -s is not xl's"
chaos sched-credit2 -p Pool-0 > /tmp/c.out || die "sched-credit2 -p Pool-0"
xl sched-credit2 -p Pool-0 > /tmp/x.out
diff /tmp/x.out /tmp/c.out || die "sched-credit2 -p Pool-0 is not xl's"
xl sched-credit2 -s > /tmp/x.out
chaos sched-credit2 -l > /tmp/s.json || die "sched-credit2 -l"
jsoncheck < /tmp/s.json > /tmp/s.flat || { cat /tmp/s.json; die "sched-credit2 -l is no JSON"; }
i=$(jrow "$d" < /tmp/s.flat)
[ -n "$i" ] && [ "$(jget "/$i/weight" < /tmp/s.flat)" = 512 ] && [ "$(jget "/$i/name" < /tmp/s.flat)" = v2 ] &&
	[ "$(jget "/$i/pool" < /tmp/s.flat)" = Pool-0 ] || { cat /tmp/s.flat; die "sched-credit2 -l: v2's row"; }
i=$(jrow 0 < /tmp/s.flat)
[ "$(jget "/$i/weight" < /tmp/s.flat)" = 256 ] || die "sched-credit2 -l: Domain-0's weight"
chaos sched-credit2 -s -l | jsoncheck > /tmp/p.flat || die "sched-credit2 -s -l is no JSON"
[ "$(jget /ratelimit_us < /tmp/p.flat)" = "$(sed -n 's/.*ratelimit=\([0-9]*\)us$/\1/p' /tmp/x.out)" ] || die "sched-credit2 -s -l: ratelimit"

say "sched-credit on a credit2 host, as xl"
[ -z "$(chaos sched-credit)" ] || die "sched-credit lists a pool that runs credit2"
[ -z "$(xl sched-credit)" ] || die "xl sched-credit is not empty either?"
[ "$(chaos sched-credit -s)" = "$(xl sched-credit -s)" ] || die "sched-credit -s is not xl's"
[ "$(chaos sched-credit -l | tr -d ' \n')" = "[]" ] || die "sched-credit -l is not an empty array"
expect_fail 1 "runs under the credit2 scheduler, not credit" chaos sched-credit -d v2 || die "sched-credit -d of a credit2 domain"
expect_fail 1 "runs credit2, not credit" chaos sched-credit -s -t 10 || die "sched-credit -s -t on credit2"

say "sched-credit2's bad arguments"
expect_fail 1 "v2: weight: 0 is out of range" chaos sched-credit2 -d v2 -w 0 || die "weight 0"
expect_fail 1 "70000 is out of range (1 to 65535)" chaos sched-credit2 -d v2 -w 70000 || die "weight 70000"
expect_fail 1 "250 is out of range (0 to 200" chaos sched-credit2 -d v2 -c 250 || die "cap above 2 vCPUs"
expect_fail 2 "'x' is not a number" chaos sched-credit2 -d v2 -w x || die "weight x"
expect_fail 1 "no such domain" chaos sched-credit2 -d nosuch || die "an unknown domain"
expect_fail 1 "no cpupool 'nosuch'" chaos sched-credit2 -p nosuch || die "an unknown pool"
expect_fail 1 "ratelimit 5 is out of range" chaos sched-credit2 -s -r 5 || die "ratelimit 5"
chaos sched-credit2 -w 5 2> /dev/null; [ $? = 2 ] || die "-w without -d is no usage error"
chaos sched-credit2 -d v2 -s 2> /dev/null; [ $? = 2 ] || die "-d with -s is no usage error"
chaos sched-credit2 -d v2 -l -w 5 2> /dev/null; [ $? = 2 ] || die "-l with -w is no usage error"
[ "$(xl sched-credit2 -d "$d" | srow "$d")" = "v2 $d 512 0" ] || die "a refused change changed something"

say "vcpu-set takes vCPU 1 offline, and back"
chaos vcpu-set v2 1 || die "vcpu-set v2 1"
[ "$(xenstore-read /local/domain/$d/cpu/1/availability)" = offline ] || die "cpu/1/availability is not offline"
[ "$(xenstore-read /local/domain/$d/cpu/0/availability)" = online ] || die "cpu/0/availability is not online"
wait_for 60 cpus_are v2 0 || { tail -n 5 "$(console_log v2)"; die "the guest did not take vCPU 1 offline: '$(cpus_of v2)'"; }
wait_for 30 online_is v2 1 || { xl list v2; die "xl list does not show 1 vCPU"; }
chaos vcpu-list v2 > /tmp/vl.out
cat /tmp/vl.out
[ "$(awk -v d="$d" '$2 == d && $3 == 1 { print $4, $5 }' /tmp/vl.out)" = "- --p" ] || die "vcpu-list: vCPU 1 is not offline"
[ "$(xl vcpu-list v2 | awk -v d="$d" '$2 == d && $3 == 1 { print $4, $5 }')" = "- --p" ] || die "xl vcpu-list: vCPU 1 is not offline"
chaos vcpu-list -l v2 | jsoncheck > /tmp/vl.flat || die "vcpu-list -l is no JSON"
[ "$(jget /1/online < /tmp/vl.flat) $(jget /1/cpu < /tmp/vl.flat)" = "false null" ] || { cat /tmp/vl.flat; die "vcpu-list -l: vCPU 1"; }
[ "$(jget /0/online < /tmp/vl.flat) $(jget /0/hard_affinity < /tmp/vl.flat)" = "true all" ] || die "vcpu-list -l: vCPU 0"
chaos vcpu-set v2 2 || die "vcpu-set v2 2"
wait_for 60 cpus_are v2 0-1 || { tail -n 5 "$(console_log v2)"; die "the guest did not bring vCPU 1 back: '$(cpus_of v2)'"; }
wait_for 30 online_is v2 2 || { xl list v2; die "xl list does not show 2 vCPUs"; }
expect_fail 1 "has 1 to 2 vCPUs (its maxvcpus), not 3" chaos vcpu-set v2 3 || die "vcpu-set above maxvcpus"
expect_fail 1 "has 1 to 2 vCPUs (its maxvcpus), not 0" chaos vcpu-set v2 0 || die "vcpu-set 0"
expect_fail 2 "'x' is no number of vCPUs" chaos vcpu-set v2 x || die "vcpu-set x"
expect_fail 1 "no such domain" chaos vcpu-set nosuch 1 || die "vcpu-set of an unknown domain"
cpus_are v2 0-1 || die "a refused vcpu-set changed the guest"

say "the other listings' JSON agrees with their text"
chaos network-list v2 > /tmp/n.out || die "network-list"
chaos network-list -l v2 > /tmp/n.json || die "network-list -l"
cat /tmp/n.out /tmp/n.json
jsoncheck < /tmp/n.json > /tmp/n.flat || die "network-list -l is no JSON"
[ "$(jget /0/mac < /tmp/n.flat)" = 00:16:3e:00:00:22 ] || die "network-list -l: mac"
[ "$(jget /0/domid < /tmp/n.flat) $(jget /0/devid < /tmp/n.flat)" = "$d 0" ] || die "network-list -l: domid, devid"
[ "$(jget /0/state < /tmp/n.flat)" = "$(awk 'NR == 2 { print $5 }' /tmp/n.out)" ] || die "network-list -l: state is not the listing's"
# the text shows "-" where JSON has null (netfront's rings are under queue-0/)
dash() { sed 's/^null$/-/'; }
[ "$(jget /0/event_channel < /tmp/n.flat | dash) $(jget /0/tx_ring_ref < /tmp/n.flat | dash)/$(jget /0/rx_ring_ref < /tmp/n.flat | dash)" = \
	"$(awk 'NR == 2 { print $6, $7 }' /tmp/n.out)" ] || die "network-list -l: event channel and rings are not the listing's"
chaos block-list v2 > /tmp/b.out || die "block-list"
chaos block-list -l v2 > /tmp/b.json || die "block-list -l"
cat /tmp/b.out /tmp/b.json
jsoncheck < /tmp/b.json > /tmp/b.flat || die "block-list -l is no JSON"
[ "$(jget /0/devid < /tmp/b.flat)" = 51712 ] || die "block-list -l: xvda's devid"
[ "$(jget /0/backend < /tmp/b.flat)" = "$(awk 'NR == 2 { print $7 }' /tmp/b.out)" ] || die "block-list -l: the backend path is not the listing's"
[ "$(jget /0/state < /tmp/b.flat)" = 4 ] || die "block-list -l: xvda is not connected"
chaos uptime -l > /tmp/u.json || die "uptime -l"
jsoncheck < /tmp/u.json > /tmp/u.flat || die "uptime -l is no JSON"
i=$(jrow "$d" < /tmp/u.flat)
[ "$(jget "/$i/name" < /tmp/u.flat)" = v2 ] && [ "$(jget "/$i/uptime_s" < /tmp/u.flat)" -lt 3600 ] || { cat /tmp/u.flat; die "uptime -l: v2"; }
chaos list -l | jsoncheck > /tmp/l.flat || die "list -l is no JSON"
i=$(jrow "$d" < /tmp/l.flat)
[ "$(jget "/$i/config/cpu_weight" < /tmp/l.flat) $(jget "/$i/config/cap" < /tmp/l.flat)" = "384 150" ] || die "list -l: the config's cpu_weight and cap"
for v in network-list block-list vcpu-list uptime list info sched-credit sched-credit2; do
	chaos $v -q v2 > /dev/null 2>&1; [ $? = 2 ] || die "$v -q: not a usage error"
done
expect_fail 1 "no such domain" chaos network-list -l nosuch || die "network-list -l of an unknown domain"
chaos destroy v2 || die "destroy v2"

say "a noxs guest: vcpu-set refused; cpu_weight from a cold create and from a shell"
tiny_cfg /tmp/i.cfg vi idle
cat >> /tmp/i.cfg <<CFG
maxvcpus = 4
cpu_weight = 128
CFG
chaos create /tmp/i.cfg || die "create vi"
di=$(chaos domid vi)
expect_fail 1 "overcommit the host's 2 CPUs (-i to do it anyway)" chaos vcpu-set vi 4 || die "vcpu-set above the host's CPUs"
expect_fail 1 "is a noxs guest" chaos vcpu-set vi 1 || die "vcpu-set of a noxs guest"
expect_fail 1 "is a noxs guest" chaos vcpu-set -i vi 4 || die "vcpu-set -i of a noxs guest"
[ "$(chaos sched-credit2 -d vi | srow "$di")" = "vi $di 128 0" ] &&
	[ "$(xl sched-credit2 -d "$di" | sw "$di")" = "128 0" ] || { chaos sched-credit2 -d vi; die "vi: cpu_weight 128 not applied"; }
chaos destroy vi || die "destroy vi"
cat > /tmp/shelld.cfg <<CFG
reserve = 64
class = [ "name=tiny,memory=4,vcpus=1,shells=1" ]
CFG
chaos-shelld -f -c /tmp/shelld.cfg > /tmp/shelld.log 2>&1 &
shelld=$!
ready() { [ "$(chaos shells 2> /dev/null | awk '$1 == "tiny" { print $5 }')" = 1 ]; }
wait_for 60 ready || { cat /tmp/shelld.log; die "the pool did not fill"; }
tiny_cfg /tmp/p.cfg vp idle
echo "cpu_weight = 1000" >> /tmp/p.cfg
chaos -v create /tmp/p.cfg 2> /tmp/p.err || { cat /tmp/p.err; die "create vp"; }
cat /tmp/p.err
grep -q "(pool: shell [0-9]* of class tiny)" /tmp/p.err || die "vp was not made from a shell"
dp=$(chaos domid vp)
[ "$(chaos sched-credit2 -d vp | srow "$dp")" = "vp $dp 1000 0" ] &&
	[ "$(xl sched-credit2 -d "$dp" | sw "$dp")" = "1000 0" ] || { xl sched-credit2 -d "$dp"; die "vp: cpu_weight 1000 not applied to the shell"; }
chaos destroy vp || die "destroy vp"
kill -TERM $shelld
wait $shelld
shelld=
wait_for 30 nothing_left || die "something is left"
