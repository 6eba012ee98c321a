# guests/idle suspends and resumes for a save under Debian's xl (xenstore
# mode): xl save, then xl restore into a new domain, then xl save -c (the
# suspend is cancelled and the guest runs on), then xl shutdown; and the
# checkpoint restored once more.  The nonce idle printed at boot comes
# back after each resume: its memory came through.
. /xenbox/lib.sh

n=susp
log=$(console_log $n)
has_line() { grep -q "$1" "$log" 2>/dev/null; }
# wait_line PATTERN [SECONDS]
wait_line() {
	wait_for "${2:-60}" has_line "$1" && return 0
	echo "no '$1' on the console; it has:"
	tail -n 20 "$log"
	return 1
}

tiny_cfg /tmp/$n.cfg $n idle marker=$n
xl create -q /tmp/$n.cfg || die "xl create idle"
wait_marker $n $n 60 || die "idle did not boot"
wait_line "^idle: nonce [0-9]" || die "idle printed no nonce"
nonce=$(sed -n 's/^idle: nonce \([0-9]*\).*/\1/p' "$log" | head -n 1)
dom1=$(xl domid $n)
[ "$(xenstore-read "/local/domain/$dom1/control/feature-suspend")" = 1 ] ||
	die "idle did not write control/feature-suspend"
echo "idle booted in domain $dom1 with nonce $nonce"

t0=$(ms)
xl save $n /tmp/$n.save || die "xl save"
t1=$(ms)
domain_gone $n || die "the domain is still there after xl save"
has_line "^idle: suspending" || die "idle did not say it was suspending"
echo "xl save: $((t1 - t0)) ms, $(wc -c < /tmp/$n.save) bytes"

xl restore /tmp/$n.save || die "xl restore"
t2=$(ms)
dom2=$(xl domid $n) || die "no domain $n after xl restore"
[ "$dom2" != "$dom1" ] || die "restored into the same domain id $dom1"
wait_line "^idle: resumed in domain $dom2 (nonce $nonce, resumes 1)" ||
	die "the restored idle did not resume with its memory"
echo "xl restore: $((t2 - t1)) ms, in domain $dom2"

# a checkpoint: the save is cancelled and the guest runs on in its domain
xl save -c $n /tmp/$n-2.save || die "xl save -c"
wait_line "^idle: suspend cancelled (nonce $nonce, resumes 2)" ||
	die "idle did not come back from a cancelled suspend"
[ "$(xl domid $n)" = "$dom2" ] || die "the checkpointed domain changed"
[ "$(grep -c "^idle: suspending" "$log")" = 2 ] ||
	die "expected two 'idle: suspending' lines"

out=$(timeout 60 xl shutdown -w $n 2>&1) || die "xl shutdown -w: $out"
echo "$out"
echo "$out" | grep -q "reason code 0" || die "idle did not power off"
has_line "^idle: powering off" || die "idle did not obey the power request"
# xl's per-domain monitor exits once its domain suspends, even for a
# checkpoint (xl_vmcontrol.c: handle_domain_death, SUSPEND -> "Done.
# Exiting now"), so nobody carries out on_poweroff after xl save -c
if ! wait_for 5 domain_gone $n; then
	xl list $n | awk 'NR > 1 { print "left shut down by xl:", $0 }'
	xl destroy $n || die "xl destroy of the powered-off guest"
fi

# the checkpoint, taken from a restored domain, restores too
xl restore /tmp/$n-2.save || die "xl restore of the checkpoint"
dom3=$(xl domid $n) || die "no domain $n after the second restore"
wait_line "^idle: resumed in domain $dom3 (nonce $nonce, resumes 2)" ||
	die "the checkpoint did not resume with its memory"
timeout 60 xl shutdown -w $n || die "xl shutdown -w of the checkpoint"
wait_for 30 domain_gone $n || die "the restored checkpoint is still there"
[ "$(grep -c "^idle: powering off" "$log")" = 2 ] ||
	die "the restored checkpoint did not obey the power request"
rm -f /tmp/$n.save /tmp/$n-2.save
echo "the console of $n:"
cat "$log"
echo "xl's monitor log of $n:"
tail -n 8 /var/log/xen/xl-$n.log 2>/dev/null
wait_for 10 nothing_left || die "something was left behind"
