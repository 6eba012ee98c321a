# shells: chaos-shelld keeps a pool of pre-made domains; chaos create takes
# one (through the registry) and only loads the kernel into it.  The pool fills; a noxs hello,
# a noxs pong with a vif and the Linux guest with a vif are made from shells (create -v says so, -T
# shows the take) and print their markers; the pool refills; shells are
# no guests to chaos list, "chaos-shell-CLASS" to xl list.  An empty pool
# or no daemon: creates go cold and still work.  8 creates at once take 8
# shells.  SIGKILL of the daemon, then a restart: the same domains, none
# lost, none counted twice.  A create killed while it builds on a shell
# leaves nothing once the daemon has looked.  Bad requests get errors and
# the daemon serves on.  SIGTERM destroys its shells.
. /xenbox/lib.sh

conf=/tmp/shelld.cfg
pool_conf() { # TINY LINUX: shells wanted per class
	cat > $conf <<CFG
# chaos-shelld's pool for this scenario
reserve = 64
class = [ "name=tiny,memory=4,vcpus=1,shells=$1",
          "name=linux,memory=128,shells=$2" ]
CFG
}
ready() { chaos shells 2> /dev/null | awk -v c="$1" '$1 == c { print $5 }'; }
is_ready() { [ "$(ready "$1")" = "$2" ]; }
shells_in_xl() { xl list | grep -c "^chaos-shell-$1 "; }
domains() { xl list | awk 'NR > 2' | wc -l; } # guests and shells
diagnose() {
	echo "--- chaos-shelld"; tail -n 30 /tmp/shelld.log
	chaos shells; xl list
}
start_daemon() {
	chaos-shelld -f -c $conf >> /tmp/shelld.log 2>&1 &
	spid=$!
	wait_for 10 test -S /run/chaos-shelld.sock || { diagnose; die "chaos-shelld did not start"; }
}
cleanup() {
	kill $spid $xdd 2> /dev/null
	wait $spid $xdd 2> /dev/null
	[ ! -d /etc/xen/scripts.away ] || mv /etc/xen/scripts.away /etc/xen/scripts
}
trap cleanup EXIT

xendevd -f > /tmp/xdd-shells.log 2>&1 &
xdd=$!
wait_for 10 test -S /run/xendevd.sock || die "xendevd did not start"

say "the pool fills"
pool_conf 10 1
start_daemon
wait_for 60 is_ready tiny 10 || { diagnose; die "tiny did not fill to 10"; }
wait_for 60 is_ready linux 1 || { diagnose; die "linux did not fill to 1"; }
chaos shells
chaos shells -l | grep -q '"class":"tiny"\|"class": "tiny"' || die "chaos shells -l"
[ "$(shells_in_xl tiny)" = 10 ] || { xl list; die "xl list does not show 10 chaos-shell-tiny"; }
chaos list | grep -q chaos-shell && die "chaos list shows shells"
[ "$(chaos list | awk 'NR > 1' | wc -l)" = 1 ] || { chaos list; die "chaos list shows more than dom0"; }

say "a noxs hello from a shell"
tiny_cfg /tmp/h.cfg p-hello hello marker=hi-pool
chaos -v create -c /tmp/h.cfg > /tmp/h.out 2> /tmp/h.err || { cat /tmp/h.err; diagnose; die "create from the pool"; }
cat /tmp/h.err
grep -q "(pool: shell [0-9]* of class tiny)" /tmp/h.err || die "create -v does not say it took a shell"
grep -q "XENBOX_MARKER hi-pool" /tmp/h.out || { cat /tmp/h.out; die "no marker from the pooled hello"; }
wait_for 30 domain_gone p-hello || die "pooled hello did not go away"
chaos create -p -T /tmp/h.cfg > /tmp/h.t || die "create -p -T"
cat /tmp/h.t
grep -q "^  shell taken " /tmp/h.t && grep -q "^  shell p2m " /tmp/h.t &&
	grep -q '(pool path)' /tmp/h.t || die "-T does not show the pooled path"
grep -q "^  memory " /tmp/h.t && die "a pooled create populated memory"
chaos destroy p-hello || die "destroy"
wait_for 30 is_ready tiny 10 || { diagnose; die "the pool did not refill"; }

say "a noxs pong with a vif from a shell answers ping"
tiny_cfg /tmp/pp.cfg p-pong pong
echo "vif = [ 'bridge=xenbr0,ip=198.18.0.80/24' ]" >> /tmp/pp.cfg
chaos -v create /tmp/pp.cfg 2> /tmp/pp.err || { cat /tmp/pp.err; diagnose; die "pong from the pool"; }
grep -q "(pool: shell [0-9]* of class tiny)" /tmp/pp.err || { cat /tmp/pp.err; die "pong was not made from a shell"; }
pingwait 198.18.0.80 30000 > /dev/null || { cat /tmp/xdd-shells.log; die "no ping reply from the pooled pong"; }
pp=$(chaos domid p-pong)
chaos destroy p-pong || die "destroy p-pong"
wait_for 5 sh -c "[ ! -e /sys/class/net/vif$pp.0 ]" || die "the pooled pong's TAP outlived it"
wait_for 30 is_ready tiny 10 || { diagnose; die "the pool did not refill"; }

say "the Linux guest with a vif from a shell"
mv /etc/xen/scripts /etc/xen/scripts.away
linux_cfg /tmp/v.cfg p-linux marker=pool-linux ip=198.18.0.2/24
echo "vif = [ 'bridge=xenbr0' ]" >> /tmp/v.cfg
chaos -v create /tmp/v.cfg 2> /tmp/v.err || { cat /tmp/v.err; diagnose; die "Linux from the pool"; }
cat /tmp/v.err
grep -q "(pool: shell [0-9]* of class linux)" /tmp/v.err || die "the Linux guest was not made from a shell"
wait_marker p-linux pool-linux 300 || { tail -n 20 "$(console_log p-linux)"; die "no marker from the pooled Linux guest"; }
xl list p-linux | grep -q "^p-linux " || die "xl list does not name the guest"
pingwait 198.18.0.2 120000 > /dev/null || die "no ping reply from the pooled Linux guest"
chaos destroy p-linux || die "destroy p-linux"
mv /etc/xen/scripts.away /etc/xen/scripts

say "8 creates at once take 8 distinct shells"
wait_for 30 is_ready tiny 10 || { diagnose; die "the pool did not refill"; }
i=1
pids=
while [ $i -le 8 ]; do
	tiny_cfg /tmp/c$i.cfg par$i hello marker=par$i
	chaos -v create -c /tmp/c$i.cfg > /tmp/c$i.out 2> /tmp/c$i.err &
	pids="$pids $!"
	i=$((i + 1))
done
wait $pids # not the daemons
i=1
while [ $i -le 8 ]; do
	grep -q "XENBOX_MARKER par$i" /tmp/c$i.out || { cat /tmp/c$i.err; die "par$i did not boot"; }
	grep -o "pool: shell [0-9]*" /tmp/c$i.err || { cat /tmp/c$i.err; die "par$i was not made from a shell"; }
	i=$((i + 1))
done > /tmp/par.shells
[ "$(sort -u /tmp/par.shells | wc -l)" = 8 ] || { cat /tmp/par.shells; die "8 creates did not take 8 distinct shells"; }

say "an empty pool, then no daemon: creates go cold"
wait_for 30 is_ready tiny 10 || die "refill after 8"
pool_conf 0 0
chaos shells --reload || die "reload"
wait_for 30 is_ready tiny 0 || { diagnose; die "the pool did not empty after the reload"; }
no_shells_in_xl() { [ "$(xl list | grep -c chaos-shell)" = 0 ]; }
wait_for 30 no_shells_in_xl || { xl list; die "surplus shells not destroyed"; }
chaos -v create -c /tmp/h.cfg > /tmp/h.out 2> /tmp/h.err || die "cold create with an empty pool"
grep -q "(cold: no shell of 4 MiB and 1 vCPUs ready)" /tmp/h.err || { cat /tmp/h.err; die "-v does not say cold"; }
grep -q "XENBOX_MARKER hi-pool" /tmp/h.out || die "no marker, cold"
echo 'class = [ "name=tiny,memory=4,shells=nine" ]' > /tmp/bad.cfg
cp $conf /tmp/good.cfg && cp /tmp/bad.cfg $conf
expect_fail 1 "shelld.cfg:1: class 1: shells 'nine'" chaos shells --reload || die "a bad config reloaded"
cp /tmp/good.cfg $conf

say "SIGKILL of the daemon, then a restart"
pool_conf 6 1
chaos shells --reload || die "reload 6"
wait_for 60 is_ready tiny 6 || { diagnose; die "tiny did not fill to 6"; }
wait_for 60 is_ready linux 1 || { diagnose; die "linux did not fill to 1"; }
before=$(domains)
kill -KILL $spid
wait $spid 2> /dev/null
[ "$(domains)" = "$before" ] || die "SIGKILL changed the domains"
start_daemon
wait_for 20 is_ready tiny 6 || { diagnose; die "the restarted daemon did not adopt its shells"; }
sleep 2 # a daemon that counted twice would make or destroy shells now
chaos shells
[ "$(domains)" = "$before" ] || { xl list; die "after the restart $(domains) domains, not $before"; }
[ "$(ready tiny)" = 6 ] && [ "$(ready linux)" = 1 ] || { diagnose; die "counts changed after the restart"; }
grep -q "adopted 7 shell(s)" /tmp/shelld.log || { diagnose; die "the log does not say 7 shells were adopted"; }

say "a create killed while it builds on a shell"
linux_cfg /tmp/k.cfg p-killed marker=never
chaos create /tmp/k.cfg > /dev/null 2>&1 &
p=$!
# the Linux image takes hundreds of ms to load: kill once the shell is
# taken (the taken column counts it)
taken() { [ "$(chaos shells | awk '$1 == "linux" { print $7 }')" -ge 1 ]; }
wait_for 20 taken || die "the create took no shell"
kill -KILL $p
wait $p 2> /dev/null
no_intent() { [ -z "$(ls /run/chaos/creating)" ]; }
wait_for 10 no_intent || { ls -l /run/chaos/creating; die "the killed create's intent stayed"; }
wait_for 30 is_ready linux 1 || { diagnose; die "linux did not refill"; }
chaos domid p-killed > /dev/null 2>&1 && die "the killed create left a guest"
[ "$(domains)" = "$before" ] || { xl list; die "the killed create left a domain behind"; }
grep -q "undid 1 create" /tmp/shelld.log || { diagnose; die "the daemon did not undo the killed create"; }

say "bad requests: errors, and the daemon serves on"
for kind in short oversized version type length nohello; do
	out=$(ipcpoke /run/chaos-shelld.sock 21504853 $kind) || die "$kind: no reply"
	echo "$kind: $out"
	case $kind in
	short | length) echo "$out" | grep -q "^err 74:" ;;  # EBADMSG
	oversized) echo "$out" | grep -q "^err 90:" ;;       # EMSGSIZE
	version) echo "$out" | grep -q "^err 93:" ;;         # EPROTONOSUPPORT
	type) echo "$out" | grep -q "^err 95:" ;;            # EOPNOTSUPP
	nohello) echo "$out" | grep -q "^err 71:" ;;         # EPROTO
	esac || die "$kind: not the expected error"
	chaos shells > /dev/null || die "the daemon stopped serving after $kind"
done

say "SIGTERM destroys the ready shells"
kill -TERM $spid
wait $spid
spid=
[ "$(xl list | grep -c chaos-shell)" = 0 ] || { xl list; die "shells left after SIGTERM"; }
[ -z "$(ls /run/chaos/shells)" ] || { ls -R /run/chaos/shells; die "shell records left after SIGTERM"; }
nothing_left || die "something left"

say "no daemon: creates go cold"
chaos -v create -c /tmp/h.cfg > /tmp/h.out 2> /tmp/h.err || die "cold create without a daemon"
grep -q "(cold: no shell class of 4 MiB and 1 vCPUs)" /tmp/h.err || { cat /tmp/h.err; die "-v does not say there is no class"; }
grep -q "XENBOX_MARKER hi-pool" /tmp/h.out || die "no marker without a daemon"
wait_for 30 domain_gone p-hello || die "hello did not go away"
