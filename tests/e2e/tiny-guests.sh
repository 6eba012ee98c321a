# chaos's own PV guests (guests/hello, guests/idle: under 64 KiB, 4 MiB of
# memory) boot under Debian's xl and under chaos in xenstore mode: hello
# prints its marker and powers off; idle waits for a power request.
. /xenbox/lib.sh

size=$(wc -c < /guests/hello)
[ "$size" -lt 65536 ] || die "hello is $size bytes, not under 64 KiB"

for tool in xl chaos; do
	tiny_cfg /tmp/h.cfg hello-$tool hello marker=hi-$tool
	t0=$(ms)
	$tool create -q /tmp/h.cfg || die "$tool create hello"
	wait_marker hello-$tool hi-$tool 60 || die "hello under $tool: no marker"
	wait_for 30 domain_gone hello-$tool || die "hello under $tool did not power off"
	echo "hello under $tool: marker and gone after $(( $(ms) - t0 )) ms"
	grep -q "hello from domain [0-9]* (xenstore), devices: console" \
		"$(console_log hello-$tool)" || die "hello did not introduce itself"

	tiny_cfg /tmp/i.cfg idle-$tool idle marker=wait-$tool
	$tool create -q /tmp/i.cfg || die "$tool create idle"
	wait_marker idle-$tool wait-$tool 60 || die "idle under $tool: no marker"
	domain_exists idle-$tool || die "idle did not stay up"
	timeout 60 $tool shutdown -w idle-$tool || die "$tool shutdown -w idle"
	domain_gone idle-$tool || die "idle still there"
	grep -q "idle: powering off" "$(console_log idle-$tool)" ||
		die "idle did not obey the power request"
	echo "idle under $tool: stayed up, obeyed shutdown"
done
wait_for 10 nothing_left || die "something was left behind"
