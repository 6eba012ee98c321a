# cfg-keys: xl.cfg keys chaos applies as libxl does, seen where Xen or the
# guest shows them: cpus_soft (vcpu-list, chaos's and xl's), the grant
# table limits (Xen's grant table dump, debug key g) and rtc_timeoffset
# (the Linux guest's wallclock); refusals name file, line and key.
. /xenbox/lib.sh

aff() { awk -v d="$1" -v v="$2" '$2 == d && $3 == v { sub(/.*[0-9]  /, ""); print; exit }'; }

tiny_cfg /tmp/k.cfg vk idle
cat >> /tmp/k.cfg <<CFG
cpus_soft = "0"
max_grant_frames = 8
max_maptrack_frames = 0
max_event_channels = 255
msr_relaxed = 1
nomigrate = 1
CFG
chaos create /tmp/k.cfg || die "create vk"
d=$(chaos domid vk)
[ "$(chaos vcpu-list vk | aff "$d" 0)" = "all / 0" ] || { chaos vcpu-list vk; die "cpus_soft is not applied"; }
[ "$(xl vcpu-list "$d" | aff "$d" 0)" = "all / 0" ] || { xl vcpu-list "$d"; die "xl does not see the soft affinity"; }
chaos dmesg -c > /dev/null
xl debug-keys g
limits() {
	chaos dmesg | awk -v d="d$d" '
		$0 ~ "grant-table for remote " d " " { on = 1; next }
		on { print; exit }'
}
l=$(limits)
echo "grant table of vk: $l"
echo "$l" | grep -q "frames (8 max), 0 maptrack frames (0 max)" || die "the grant limits are not applied"
chaos destroy vk || die "destroy vk"

# the guest's wallclock runs a day ahead
linux_cfg /tmp/c.cfg vc marker=vc-up clock
echo 'rtc_timeoffset = 86400' >> /tmp/c.cfg
chaos create /tmp/c.cfg || die "create vc"
wait_marker vc vc-up 120 || die "vc: no marker"
now=$(date +%s)
wait_for 10 grep -q XENBOX_CLOCK "$(console_log vc)" || die "vc: no clock line"
g=$(awk '/XENBOX_CLOCK/ { print $2; exit }' "$(console_log vc)" | tr -d '\r')
echo "guest clock $g, dom0 $now"
ahead=$((g - now))
[ "$ahead" -gt 86000 ] && [ "$ahead" -lt 86800 ] || die "rtc_timeoffset: the guest is $ahead s ahead, not a day"
chaos destroy vc || die "destroy vc"

# refusals: one line naming file, line and key
printf 'name = "vr"\nkernel = "/guests/idle"\npool = "other"\n' > /tmp/r.cfg
expect_fail 2 "r.cfg:3: pool = 'other' is not supported by chaos" chaos create /tmp/r.cfg || die "pool refused"
wait_for 30 nothing_left || die "something is left"
