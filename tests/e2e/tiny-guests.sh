# chaos's own PV guests (guests/hello, guests/idle: under 64 KiB, 4 MiB of
# memory) boot under Debian's xl and under chaos in xenstore mode: hello
# prints its marker and powers off; idle waits for a power request.
. /xenbox/lib.sh

size=$(wc -c < /guests/hello)
[ "$size" -lt 65536 ] || die "hello is $size bytes, not under 64 KiB"

# chaos is told to use XenStore here (auto would pick noxs: tests/e2e/noxs.sh)
for t in xl chaos; do
	opt=
	[ $t = chaos ] && opt=--device-method=xenstore
	tiny_cfg /tmp/h.cfg hello-$t hello marker=hi-$t
	t0=$(ms)
	$t create $opt -q /tmp/h.cfg || die "$t create hello"
	wait_marker hello-$t hi-$t 60 || die "hello under $t: no marker"
	wait_for 30 domain_gone hello-$t || die "hello under $t did not power off"
	echo "hello under $t: marker and gone after $(( $(ms) - t0 )) ms"
	grep -q "hello from domain [0-9]* (xenstore), devices: console" \
		"$(console_log hello-$t)" || die "hello did not introduce itself"

	tiny_cfg /tmp/i.cfg idle-$t idle marker=wait-$t
	$t create $opt -q /tmp/i.cfg || die "$t create idle"
	wait_marker idle-$t wait-$t 60 || die "idle under $t: no marker"
	domain_exists idle-$t || die "idle did not stay up"
	timeout 60 $t shutdown -w idle-$t || die "$t shutdown -w idle"
	domain_gone idle-$t || die "idle still there"
	grep -q "idle: powering off" "$(console_log idle-$t)" ||
		die "idle did not obey the power request"
	echo "idle under $t: stayed up, obeyed shutdown"
done
wait_for 10 nothing_left || die "something was left behind"
