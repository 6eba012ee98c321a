# Save and restore of a noxs guest, with no XenStore access at all: idle
# is saved (it says it suspends), restored (it says it resumed in a new
# domain with the nonce it printed at boot: its memory survived), the
# monitor restarts it on a reboot (its record carries its config), then
# chaos shutdown stops it through its sysctl device.  Bad files each fail
# with one line and leave nothing: empty, truncated at several points, a
# changed header byte, an xl save file, a stream spliced from a guest of
# another size, a config of another size.  A guest that does not take
# suspend requests is refused at once (noxs) or times out (xenstore mode)
# and keeps running.
. /xenbox/lib.sh

# the first "idle: nonce N" line of a console file
nonce() { awk '/^idle: nonce/ { print $3; exit }' "$1"; }
# the 4-byte little-endian number at offset $2 of file $1
u32_at() { od -An -tu4 -j "$2" -N 4 "$1" | tr -d ' '; }

xenstore-ls -f > /tmp/xs-before
xenstore-watch / > /tmp/xs-watch 2>&1 &
watcher=$!
wait_for 10 sh -c '[ -s /tmp/xs-watch ]' # the watch fires once when set

tiny_cfg /tmp/n.cfg nsr idle marker=nsr-up
chaos create -c /tmp/n.cfg > /tmp/nsr1.out 2>&1 &
con=$!
wait_for 30 grep -q "XENBOX_MARKER nsr-up" /tmp/nsr1.out || die "no marker"
n1=$(nonce /tmp/nsr1.out)
[ -n "$n1" ] || { cat /tmp/nsr1.out; die "idle printed no nonce"; }
d1=$(chaos domid nsr)

t0=$(ms)
chaos save nsr /tmp/nsr.img || die "chaos save of a noxs guest"
say "chaos save of noxs idle: $(( $(ms) - t0 )) ms"
wait $con
grep -q "idle: suspending" /tmp/nsr1.out || { cat /tmp/nsr1.out; die "idle was not asked to suspend"; }
domain_gone nsr || die "nsr still there after save"

t0=$(ms)
chaos restore /tmp/nsr.img || die "chaos restore of a noxs guest"
say "chaos restore of noxs idle: $(( $(ms) - t0 )) ms"
d2=$(chaos domid nsr) || die "nsr is not listed after restore"
[ "$d2" != "$d1" ] || die "restored under the same id without -D"
[ "$(chaos list | awk '$1 == "nsr"' | wc -l)" = 1 ] || die "nsr is not listed once"
# xl finds names in XenStore, where a noxs guest has none: by its id
[ "$(xl list | awk -v d="$d2" '$2 == d { print $3, $4 }')" = "4 1" ] ||
	{ xl list; die "xl list does not show domain $d2 with 4 MiB and 1 vCPU"; }
chaos console nsr > /tmp/nsr2.out 2>&1 &
con=$!
wait_for 30 grep -q "idle: resumed in domain $d2 (nonce $n1, resumes 1)" /tmp/nsr2.out ||
	{ cat /tmp/nsr2.out; die "idle did not say it resumed in domain $d2 with nonce $n1"; }
# a save that fails after the suspend (its file system fills up) resumes
# the guest, which sees its suspend cancelled; no file is left
mkdir -p /tmp/small
mount -t tmpfs -o size=1m tmpfs /tmp/small || die "mount a small tmpfs"
expect_fail 1 "No space left" chaos save nsr /tmp/small/nsr.img || die "save into a full file system"
wait_for 30 grep -q "idle: suspend cancelled (nonce $n1, resumes 2)" /tmp/nsr2.out ||
	{ cat /tmp/nsr2.out; die "the guest did not resume after the failed save"; }
[ -z "$(ls -A /tmp/small)" ] || { ls -l /tmp/small; die "the failed save left a file"; }
umount /tmp/small
[ "$(chaos domid nsr)" = "$d2" ] || die "not the same domain after the failed save"

# save -D: restored under the same domain id
chaos save -D nsr /tmp/nsr-d.img || die "save -D"
wait $con # the console ends with its domain
chaos restore /tmp/nsr-d.img || die "restore of a save -D"
[ "$(chaos domid nsr)" = "$d2" ] || die "save -D: restored as domain $(chaos domid nsr), not $d2"
rm /tmp/nsr-d.img
chaos console nsr > /tmp/nsr2.out 2>&1 &
con=$!
wait_for 30 grep -q "idle: resumed in domain $d2 (nonce $n1, resumes 3)" /tmp/nsr2.out ||
	{ cat /tmp/nsr2.out; die "idle did not resume after save -D"; }

# its record carries its config: the monitor restarts it on a reboot
restarted() { _d=$(chaos domid nsr 2> /dev/null) && [ "$_d" != "$d2" ]; }
chaos reboot nsr || die "chaos reboot of the restored guest"
wait $con
grep -q "idle: rebooting" /tmp/nsr2.out || die "the restored idle did not get the reboot"
wait_for 30 restarted || { cat /run/chaos/monitor.log; die "the monitor did not restart the restored guest"; }
chaos console nsr > /tmp/nsr3.out 2>&1 &
con=$!
wait_for 30 grep -q "XENBOX_MARKER nsr-up" /tmp/nsr3.out || die "the restarted guest printed no marker"
timeout 60 chaos shutdown -w nsr || die "chaos shutdown -w of the restarted guest"
wait $con
grep -q "idle: powering off" /tmp/nsr3.out || die "the restarted idle did not get the poweroff"
domain_gone nsr || die "nsr still there after shutdown"

kill $watcher
xenstore-ls -f > /tmp/xs-after
diff /tmp/xs-before /tmp/xs-after || die "XenStore changed"
[ "$(wc -l < /tmp/xs-watch)" = 1 ] || { cat /tmp/xs-watch; die "a XenStore watch fired"; }
say "XenStore untouched by save and restore"

say "bad files"
: > /tmp/empty.img
expect_fail 1 "empty file" chaos restore /tmp/empty.img || die "empty file"
size=$(wc -c < /tmp/nsr.img)
var=$(u32_at /tmp/nsr.img 96)
for cut in 7 50 104 $((104 + var - 1)) $((104 + var + 30)) $((size / 2)) $((size - 8)); do
	head -c $cut /tmp/nsr.img > /tmp/cut.img
	expect_fail 1 "truncated" chaos restore /tmp/cut.img || die "cut at $cut"
done
cp /tmp/nsr.img /tmp/flip.img
printf X | dd of=/tmp/flip.img bs=1 seek=33 conv=notrunc 2> /dev/null
expect_fail 1 "checksum" chaos restore /tmp/flip.img || die "a changed header byte"
printf X | dd of=/tmp/flip.img bs=1 seek=0 conv=notrunc 2> /dev/null
expect_fail 1 "not a chaos save file" chaos restore /tmp/flip.img || die "a changed magic"

# an 8 MiB idle's stream behind the 4 MiB one's header (the same name
# and config length: the header's size is the same)
sed 's/^memory = 4$/memory = 8/' /tmp/n.cfg > /tmp/n8.cfg
chaos create /tmp/n8.cfg || die "create the 8 MiB idle"
chaos save nsr /tmp/nsr8.img || die "save the 8 MiB idle"
head -c $((104 + var)) /tmp/nsr.img > /tmp/splice.img
tail -c +$((104 + var + 1)) /tmp/nsr8.img >> /tmp/splice.img
expect_fail 1 "holds 8 MiB" chaos restore /tmp/splice.img || die "a spliced file"
expect_fail 1 "image is of a guest of 8 MiB" chaos restore /tmp/n.cfg /tmp/nsr8.img || die "a config of another size"

# xl's own save file of the same image (xenstore mode)
tiny_cfg /tmp/x.cfg xsr idle marker=xsr-up
xl create -q /tmp/x.cfg || die "xl create"
wait_marker xsr xsr-up 30 || die "xl: no marker"
xl save xsr /tmp/xl.img > /dev/null || die "xl save"
expect_fail 1 "an xl save file" chaos restore /tmp/xl.img || die "an xl save file"
wait_for 30 nothing_left || die "a bad file left something"
rm -f /tmp/*.img

say "a paused guest is refused at once"
tiny_cfg /tmp/pz.cfg pz idle
chaos create -p /tmp/pz.cfg || die "create -p"
expect_fail 1 "paused" chaos save pz /tmp/pz.img || die "save of a paused guest"
chaos destroy pz || die "destroy pz"

say "guests that do not suspend"
tiny_cfg /tmp/ns.cfg nosus idle marker=nosus-up nosuspend
chaos create -c /tmp/ns.cfg > /tmp/ns.out 2>&1 &
con=$!
wait_for 30 grep -q "XENBOX_MARKER nosus-up" /tmp/ns.out || die "nosus: no marker"
expect_fail 1 "does not take suspend requests" chaos save nosus /tmp/nosus.img ||
	die "save of a noxs guest that does not take suspend"
[ ! -e /tmp/nosus.img ] || die "a failed save left its file"
chaos list nosus | grep -q "nosus.*-b-\|nosus.*r--" || { chaos list; die "nosus is not running"; }
timeout 60 chaos shutdown -w nosus || die "nosus did not shut down after the failed save"
wait $con
echo 'device_method = "xenstore"' >> /tmp/ns.cfg
chaos create /tmp/ns.cfg || die "create nosus in xenstore mode"
wait_marker nosus nosus-up 30 || die "nosus: no marker"
t0=$(ms)
expect_fail 1 "did not suspend within 3 s" chaos save --timeout=3 nosus /tmp/nosus.img ||
	die "save of a xenstore guest that does not suspend"
say "gave up after $(( $(ms) - t0 )) ms"
[ "$(xenstore-read /local/domain/$(chaos domid nosus)/control/shutdown)" = "" ] ||
	die "the suspend request was not withdrawn"
timeout 60 chaos shutdown -w nosus || die "nosus did not shut down after the timeout"
wait_for 30 nothing_left || die "something is left"
