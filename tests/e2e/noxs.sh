# noxs: chaos creates guests/hello with no XenStore at all: its marker
# comes through chaos's own console client, it powers off and is gone, and
# XenStore is the same before and after with no watch fired.  idle stays
# up until `chaos shutdown` asks it through the sysctl device.  Then 100
# hellos in a row: 100 markers, nothing left behind.
. /xenbox/lib.sh

xenstore-ls -f > /tmp/xs-before
xenstore-watch / > /tmp/xs-watch 2>&1 &
watcher=$!
wait_for 10 sh -c '[ -s /tmp/xs-watch ]' # the watch fires once when set

tiny_cfg /tmp/h.cfg nx-hello hello marker=hi-noxs
chaos -n create /tmp/h.cfg | grep -q '"device_method": "auto"' || die "dry run"
t0=$(ms)
chaos create -c /tmp/h.cfg > /tmp/h.out || die "chaos create -c"
echo "noxs hello: create to console end $(( $(ms) - t0 )) ms"
cat /tmp/h.out
grep -q "(noxs), devices: console 0, sysctl 0" /tmp/h.out || die "not a noxs boot"
grep -q "XENBOX_MARKER hi-noxs" /tmp/h.out || die "no marker"
wait_for 30 domain_gone nx-hello || die "hello did not go away after poweroff"

# -T: each phase of the create, then the total; JSON on request
chaos create -p -T /tmp/h.cfg > /tmp/h.t || die "create -p -T"
cat /tmp/h.t
for phase in parse name domain memory "image load" "device page" record total; do
	grep -q "^  $phase  *[0-9][0-9]*\.[0-9][0-9]$" /tmp/h.t || die "no phase '$phase'"
done
chaos destroy nx-hello || die "destroy after -T"
chaos create -p --timings=json /tmp/h.cfg > /tmp/h.j || die "create --timings=json"
grep -q '"phase": "memory"' /tmp/h.j && grep -q '"total_ms": [0-9]' /tmp/h.j ||
	{ cat /tmp/h.j; die "no JSON timings"; }
chaos destroy nx-hello || die "destroy after --timings=json"

tiny_cfg /tmp/i.cfg nx-idle idle marker=wait-noxs
chaos create -c /tmp/i.cfg > /tmp/i.out &
console=$!
wait_for 30 grep -q "XENBOX_MARKER wait-noxs" /tmp/i.out || die "idle: no marker"
chaos list nx-idle | grep -q nx-idle || die "chaos list does not show idle"
t0=$(ms)
timeout 60 chaos shutdown -w nx-idle ||
	{ cat /tmp/i.out; chaos list; cat /run/chaos/monitor.log; die "chaos shutdown -w"; }
echo "noxs idle: shutdown -w $(( $(ms) - t0 )) ms"
wait $console
grep -q "idle: powering off" /tmp/i.out || die "idle did not get the request"
domain_gone nx-idle || die "idle still there"

kill $watcher
xenstore-ls -f > /tmp/xs-after
diff /tmp/xs-before /tmp/xs-after || die "XenStore changed"
[ "$(wc -l < /tmp/xs-watch)" = 1 ] || { cat /tmp/xs-watch; die "a XenStore watch fired"; }
echo "XenStore untouched"

t0=$(ms)
i=1
while [ $i -le 100 ]; do
	tiny_cfg /tmp/h.cfg nx$i hello marker=hi-nx$i
	chaos create -c /tmp/h.cfg > /tmp/nx$i.out || die "create nx$i"
	i=$((i + 1))
done
echo "100 noxs hellos in $(( $(ms) - t0 )) ms"
[ "$(cat /tmp/nx*.out | grep -c 'XENBOX_MARKER hi-nx')" = 100 ] || die "not 100 markers"
wait_for 30 nothing_left || die "something was left behind"
