# netguests: guests/pong and guests/daytime as ordinary guests without a
# vif (their vif needs xendevd's noxs backend): noxs PV and PVH under
# chaos and xenstore mode under xl, each says it has no vif and obeys
# poweroff and reboot from the sysctl device (or xl's control/shutdown).
. /xenbox/lib.sh
for img in pong daytime; do
	for t in pv pvh; do
		n=nv-$img-$t
		tiny_cfg /tmp/$n.cfg $n $img marker=m-$n
		[ $t = pvh ] && echo 'type = "pvh"' >> /tmp/$n.cfg
		chaos create -c /tmp/$n.cfg > /tmp/$n.out 2>&1 &
		c=$!
		wait_for 60 grep -q "XENBOX_MARKER m-$n" /tmp/$n.out ||
			{ cat /tmp/$n.out; die "$n: no marker"; }
		wait_for 30 grep -q "$img: no vif" /tmp/$n.out ||
			{ cat /tmp/$n.out; die "$n: no 'no vif'"; }
		timeout 60 chaos shutdown -w $n || { cat /tmp/$n.out; die "$n: shutdown"; }
		wait $c
		cat /tmp/$n.out
		grep -q "$img: powering off" /tmp/$n.out || die "$n: did not power off"
		wait_for 30 domain_gone $n || die "$n still there"
	done
done
# reboot request, then destroy
tiny_cfg /tmp/rb.cfg nv-rb pong marker=m-rb
chaos create -c /tmp/rb.cfg > /tmp/rb.out 2>&1 &
c=$!
wait_for 60 grep -q "pong: no vif" /tmp/rb.out || { cat /tmp/rb.out; die "rb: no vif"; }
timeout 60 chaos reboot nv-rb || die "reboot"
wait_for 30 grep -q "pong: rebooting" /tmp/rb.out || { cat /tmp/rb.out; die "no reboot"; }
kill $c 2> /dev/null
sleep 2
chaos destroy nv-rb 2> /dev/null
# xl: xenstore mode
tiny_cfg /tmp/xl.cfg xl-pong pong marker=m-xl
xl create -c /tmp/xl.cfg > /tmp/xl.out 2>&1 &
c=$!
wait_for 60 grep -q "pong: no vif (xenstore mode)" /tmp/xl.out || { cat /tmp/xl.out; die "xl: no vif line"; }
timeout 60 xl shutdown -w xl-pong || die "xl shutdown"
wait $c
cat /tmp/xl.out
grep -q "pong: powering off" /tmp/xl.out || die "xl: no poweroff"
wait_for 60 nothing_left || die "left something"
echo "ALL OK"
