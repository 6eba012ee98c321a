# tests/stress/campaign.sh: the hardening campaign (issue 14), run in the
# xenbox's dom0 (busybox sh) as /xenbox/stress.sh.  A caller sets the
# counts and sources it: tests/stress/run (make stress) with the full ones,
# tests/e2e/zx-stress-short.sh with small ones.  Five parts, each starting
# from a clean host, each reporting counts; a failing part never stops the
# next one.  See tests/stress/README.md for what is counted and why.
#
#   A  HELLO_N create/destroy cycles of the noxs guests (3 in 4: idle +
#      chaos destroy; 1 in 4: hello, which powers off, destroyed by the
#      monitor)
#   B  VIF_N create/destroy cycles of the Linux guest with a vif on xenbr0
#      (xendevd, no scripts); every 10th waits until netback is connected
#   C  KILL_N creates killed by SIGKILL after a random delay within the
#      create's usual duration (hello, idle, Linux with a vif in turn)
#   D  RACE_ROUNDS rounds of RACE_N concurrent creates of one name, every
#      other round over a stale name whose holder was killed
#   E  xenstored killed while the monitor runs, then started again
#
# Results: $RESULTS/stress.txt (the table), stress.csv, and logs.  Exit 1
# when any check failed.
. /xenbox/lib.sh

: "${HELLO_N:=1000}" "${VIF_N:=100}" "${KILL_N:=50}"
: "${RACE_ROUNDS:=20}" "${RACE_N:=8}"
# seconds a killed create gets to be cleaned up after the monitor was woken
: "${KILL_WAIT:=6}"
# RssAnon may grow this much (KiB) over a part: see tests/stress/README.md
: "${RSS_SLACK_KB:=256}"

W=/tmp/stress
rm -rf "$W"
mkdir -p "$W"
ROWS=$W/rows
: > "$ROWS"

# row PART WHAT EXPECTED GOT RESULT [NOTE]: one line of the report
row() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "${6:-}" >> "$ROWS"
	[ "$5" != FAIL ] || echo "FAIL: $1: $2: expected $3, got $4 ${6:-}"
}
# check PART WHAT EXPECTED GOT [NOTE]: ok when equal
check() {
	if [ "$3" = "$4" ]; then row "$1" "$2" "$3" "$4" ok "${5:-}"; else row "$1" "$2" "$3" "$4" FAIL "${5:-}"; fi
}
info() { row "$1" "$2" "-" "$3" info "${4:-}"; }

# --- the host's daemons ----------------------------------------------------

XDD_PID=
cleanup() {
	for _j in $(jobs -p); do kill "$_j" 2> /dev/null; done
	[ -z "$XDD_PID" ] || kill "$XDD_PID" 2> /dev/null
	[ ! -d /etc/xen/scripts.away ] || mv /etc/xen/scripts.away /etc/xen/scripts
}
trap cleanup EXIT

start_xendevd() {
	xendevd -f 2>> "$W/xendevd.log" &
	XDD_PID=$!
	wait_for 10 test -S /run/xendevd.sock
}
mon_pid() {
	_p=$(cat /run/chaos/monitor.lock 2> /dev/null)
	[ -n "$_p" ] && kill -0 "$_p" 2> /dev/null && echo "$_p"
}
has_monitor() { [ -n "$(mon_pid)" ]; }
monitors() { ps | grep -c '[c]haos monitor'; }

# --- counting --------------------------------------------------------------

# xen_dump: Xen's event channel ('e') and grant table ('g') dumps, from
# its console ring (read and cleared; only what follows the last 'e')
xen_dump() {
	xl debug-keys eg
	xl dmesg -c | awk "/'e' pressed/ { n = 0 } { l[n++] = \$0 } END { for (i = 0; i < n; i++) print l[i] }"
}
# ports of dom0 that are not free, as Xen sees them ('e')
dom0_ports() {
	awk '/Event channel information for domain/ { d = $NF }
		/gnttab_usage_print_all/ { d = "" }
		d == "0:" && /^\(XEN\) +[0-9]+ \[/ { n++ } END { print n + 0 }' "$1"
}
# active grant entries of every domain ('g'): mappings in use
grant_active() { grep -c '^(XEN) \[0x' "$1"; }
proc_fds() { ls "/proc/$1/fd" 2> /dev/null | wc -l; }
# anonymous memory only: the pages of a static binary's text are file
# pages the kernel drops and faults back at will (4 KiB one moment, 1.3 MiB
# the next), which says nothing of a leak
proc_rss() { awk '/^RssAnon:/ { print $2 }' "/proc/$1/status" 2> /dev/null; }
guests() { xl list | awk 'NR > 2' | wc -l; }
# the same from chaos list, cheaper than xl under emulation
chaos_guests() { chaos list 2> /dev/null | awk 'NR > 1 && $(NF - 4) != 0' | wc -l; }
vifs() { ls /sys/class/net | grep -c '^vif'; }

# snap FILE: every count, one "key value" a line
snap() {
	_m=$(mon_pid)
	xl list > "$W/xl-list"
	xen_dump > "$W/xen-dump"
	xenstore-ls -f > "$1.xs"
	{
		echo "domains $(awk 'NR > 2' "$W/xl-list" | wc -l)"
		echo "dying-domains $(awk 'NR > 2 && $(NF - 1) ~ /d/' "$W/xl-list" | wc -l)"
		echo "xenstore-nodes $(wc -l < "$1.xs")"
		echo "registry-names $(ls -A /run/chaos/names 2> /dev/null | wc -l)"
		echo "registry-doms $(ls -A /run/chaos/doms 2> /dev/null | wc -l)"
		echo "vif-links $(vifs)"
		echo "xenbr0-ports $(ls /sys/class/net/xenbr0/brif | wc -l)"
		echo "dom0-evtchn-ports(xen) $(dom0_ports "$W/xen-dump")"
		echo "dom0-evtchn-irqs $(grep -c ' xen-' /proc/interrupts)"
		echo "user-evtchn-bindings $(grep -c 'evtchn:' /proc/interrupts)"
		echo "grant-entries-active(xen) $(grant_active "$W/xen-dump")"
		echo "gntdev-gntalloc-maps $(cat /proc/[0-9]*/maps 2> /dev/null | grep -cE '/dev/xen/(gntdev|gntalloc)')"
		echo "monitor-pid ${_m:--}"
		echo "monitor-fds $([ -z "$_m" ] && echo - || proc_fds "$_m")"
		echo "monitor-rss-kb $([ -z "$_m" ] && echo - || proc_rss "$_m")"
		echo "xendevd-pid ${XDD_PID:--}"
		echo "xendevd-fds $(proc_fds "$XDD_PID")"
		echo "xendevd-rss-kb $(proc_rss "$XDD_PID")"
	} > "$1"
}

# compare PART BEFORE AFTER: a row per count; all equal but RSS, which
# may grow by RSS_SLACK_KB
compare() {
	while read -r _k _b; do
		_a=$(awk -v k="$_k" '$1 == k { print $2 }' "$3")
		case $_k in
		*-rss-kb)
			if [ "$_b" != - ] && [ -n "$_a" ] && [ "$_a" != - ] &&
				[ "$_a" -le $((_b + RSS_SLACK_KB)) ]; then
				row "$1" "$_k" "<= $_b+$RSS_SLACK_KB" "$_a" ok "$((_a - _b)) KiB"
			else
				row "$1" "$_k" "<= $_b+$RSS_SLACK_KB" "${_a:--}" FAIL
			fi
			;;
		xenstore-nodes)
			check "$1" "$_k" "$_b" "${_a:--}" "$(diff "$2.xs" "$3.xs" |
				sed -n 's/^\([-+]\)\([^ ]*\) .*/\1\2/p' | head -n 3 | tr '\n' ' ')"
			[ "$_b" = "$_a" ] || { echo "$1: XenStore before/after:"; diff "$2.xs" "$3.xs"; }
			;;
		*) check "$1" "$_k" "$_b" "${_a:--}" ;;
		esac
	done < "$2"
}

# --- leftovers ---------------------------------------------------------------

# what_left: one line naming what is left (empty when nothing)
what_left() {
	_w=
	_n=$(guests)
	[ "$_n" = 0 ] || _w="$_w domains=$_n"
	_n=$(xenstore-list /local/domain 2> /dev/null | grep -vxc 0)
	[ "$_n" = 0 ] || _w="$_w xs-domains=$_n"
	for _p in /vm /libxl /local/domain/0/backend/console /local/domain/0/backend/vif; do
		_n=$(xenstore-list "$_p" 2> /dev/null | wc -l)
		[ "$_n" = 0 ] || _w="$_w xs:$_p=$_n"
	done
	for _d in names doms creating tmp; do
		_n=$(ls -A /run/chaos/$_d 2> /dev/null | wc -l)
		[ "$_n" = 0 ] || _w="$_w $_d=$_n($(ls -A /run/chaos/$_d | head -n 3 | tr '\n' ' ' | sed 's/ $//'))"
	done
	_n=$(vifs)
	[ "$_n" = 0 ] || _w="$_w vifs=$_n"
	echo "${_w# }"
}
# clean: what_left is empty (quicker: it runs in loops)
clean() {
	[ "$(chaos_guests)" = 0 ] || return 1
	[ -z "$(find /run/chaos/names /run/chaos/doms /run/chaos/creating \
		/run/chaos/tmp -mindepth 1 2> /dev/null)" ] || return 1
	[ -z "$(xenstore-list /local/domain 2> /dev/null | grep -vx 0)" ] || return 1
	for _p in /vm /libxl /local/domain/0/backend/console /local/domain/0/backend/vif; do
		[ -z "$(xenstore-list "$_p" 2> /dev/null)" ] || return 1
	done
	[ "$(vifs)" = 0 ]
}

# force_clean: take the host back to no guest whatever chaos left, so
# that the next part does not pay for this one
force_clean() {
	for _d in $(chaos list 2> /dev/null | awk 'NR > 1 && $(NF - 4) != 0 { print $(NF - 4) }'); do
		timeout 30 chaos destroy "$_d" > /dev/null 2>&1
	done
	if [ "$(chaos_guests)" != 0 ]; then
		for _d in $(xl list | awk 'NR > 2 { print $(NF - 4) }'); do
			timeout 30 xl destroy "$_d" > /dev/null 2>&1
		done
		wait_for 20 sh -c '[ "$(xl list | wc -l)" = 2 ]'
	fi
	rm -f /run/chaos/names/* /run/chaos/doms/* /run/chaos/creating/* \
		/run/chaos/tmp/* /run/chaos/tmp/.[!.]*
	for _d in $(xenstore-list /local/domain | grep -vx 0); do
		xenstore-rm "/local/domain/$_d"
	done
	for _p in /vm /libxl /local/domain/0/backend/console /local/domain/0/backend/vif; do
		for _c in $(xenstore-list "$_p" 2> /dev/null); do xenstore-rm "$_p/$_c"; done
	done
	for _v in $(ls /sys/class/net | grep '^vif'); do ip link del "$_v"; done
}

# settle PART: before a part, the host must be clean; say so when not
settle() {
	wait_for 10 clean && return 0
	info "$1" "left before the part (cleaned)" "$(what_left)"
	force_clean
}

# errlog FILE WHAT: keep the first three messages of a kind in the log
errlog() {
	_c=$(cat "$W/count.$2" 2> /dev/null || echo 0)
	_c=$((_c + 1))
	echo "$_c" > "$W/count.$2"
	[ "$_c" -gt 3 ] || { echo "$2 #$_c:"; sed 's/^/  /' "$1"; }
}

# --- guests -------------------------------------------------------------------

tiny_cfg "$W/idle.cfg" st-idle idle
tiny_cfg "$W/hello.cfg" st-hello hello
linux_cfg "$W/vif.cfg" st-vif ip=198.18.0.2/24
echo "vif = [ 'bridge=xenbr0,mac=00:16:3e:00:00:52' ]" >> "$W/vif.cfg"
linux_cfg "$W/linux.cfg" st-linux
in_bridge() { [ -e "/sys/class/net/xenbr0/brif/$1" ]; }
no_link() { [ ! -e "/sys/class/net/$1" ]; }
connected() { [ "$(xenstore-read "/local/domain/0/backend/vif/$1/state" 2> /dev/null)" = 4 ]; }

mv /etc/xen/scripts /etc/xen/scripts.away # no hotplug script can run
start_xendevd || die "xendevd did not start"
T_START=$(ms)

# warm up: the monitor starts with the first create; the counts before
# part A are taken with it running and one cycle of each kind done
chaos create "$W/idle.cfg" && chaos destroy st-idle || echo "warm-up create failed"
chaos create "$W/hello.cfg" && wait_for 20 chaos_gone st-hello || echo "warm-up hello failed"
if [ "$VIF_N" -gt 0 ] || [ "$KILL_N" -gt 0 ]; then
	chaos create "$W/vif.cfg" && chaos destroy st-vif || echo "warm-up vif failed"
fi
wait_for 10 has_monitor || echo "no monitor after the warm-up"
say "warmed up at $(ms) ms"

# --- A: noxs create/destroy cycles ---------------------------------------------

part_a() {
	P="A noxs x$HELLO_N"
	say "$P at $(ms) ms"
	settle "$P"
	_t=$(ms)
	snap "$W/A.before"
	echo "a snapshot takes $(( $(ms) - _t )) ms"
	t0=$(ms)
	cf=0 df=0 gf=0 i=1
	while [ $i -le "$HELLO_N" ]; do
		if [ $((i % 4)) = 0 ]; then
			if chaos create "$W/hello.cfg" 2> "$W/err"; then
				wait_for 20 chaos_gone st-hello ||
					{ gf=$((gf + 1)); echo "hello $i not destroyed by the monitor" > "$W/err"
					  errlog "$W/err" hello-not-gone; chaos destroy st-hello; }
			else
				cf=$((cf + 1)); errlog "$W/err" create
			fi
		elif chaos create "$W/idle.cfg" 2> "$W/err"; then
			chaos destroy st-idle 2> "$W/err" || { df=$((df + 1)); errlog "$W/err" destroy; }
		else
			cf=$((cf + 1)); errlog "$W/err" create
		fi
		[ $((i % 100)) != 0 ] || echo "$i cycles at +$(( $(ms) - t0 )) ms"
		i=$((i + 1))
	done
	info "$P" "wall time" "$(( ($(ms) - t0) / 1000 )) s"
	check "$P" "failed creates" 0 "$cf"
	check "$P" "failed destroys" 0 "$df"
	check "$P" "hellos the monitor did not destroy (20 s)" 0 "$gf"
	wait_for 10 clean
	snap "$W/A.after"
	compare "$P" "$W/A.before" "$W/A.after"
}

# --- B: Linux guest with a vif -----------------------------------------------------

part_b() {
	P="B vif x$VIF_N"
	say "$P at $(ms) ms"
	settle "$P"
	snap "$W/B.before"
	t0=$(ms)
	cf=0 df=0 nw=0 nc=0 lf=0 cc=0 i=1
	while [ $i -le "$VIF_N" ]; do
		if ! chaos create "$W/vif.cfg" 2> "$W/err"; then
			cf=$((cf + 1)); errlog "$W/err" vif-create
			i=$((i + 1)); continue
		fi
		d=$(chaos domid st-vif)
		in_bridge "vif$d.0" || nw=$((nw + 1))
		if [ $((i % 10)) = 1 ]; then # the guest's netfront connects
			if wait_for 60 connected "$d/0"; then cc=$((cc + 1)); else nc=$((nc + 1)); fi
		fi
		chaos destroy st-vif 2> "$W/err" || { df=$((df + 1)); errlog "$W/err" vif-destroy; }
		wait_for 10 no_link "vif$d.0" || lf=$((lf + 1))
		[ $((i % 10)) != 0 ] || echo "$i cycles at +$(( $(ms) - t0 )) ms"
		i=$((i + 1))
	done
	info "$P" "wall time" "$(( ($(ms) - t0) / 1000 )) s" "$cc guests waited for until netback connected"
	check "$P" "failed creates" 0 "$cf"
	check "$P" "vif not in xenbr0 when create returned" 0 "$nw"
	check "$P" "netback never connected (60 s)" 0 "$nc"
	check "$P" "failed destroys" 0 "$df"
	check "$P" "vif link still there 10 s after destroy" 0 "$lf"
	wait_for 10 clean
	snap "$W/B.after"
	compare "$P" "$W/B.before" "$W/B.after"
}

# --- C: creates killed with SIGKILL ----------------------------------------------

# create_ms CFG NAME: how long a create of this kind takes, then destroy
create_ms() {
	_t=$(ms)
	chaos create "$1" "name=\"$2\"" > /dev/null 2>&1 || { echo 1000; return; }
	echo $(( $(ms) - _t ))
	chaos destroy "$2" > /dev/null 2>&1
	wait_for 20 clean
}
# wake: the monitor looks now (SIGUSR1, and one more create as a user
# would make, which also gives a create-time cleanup its chance)
wake() {
	_m=$(mon_pid) && kill -USR1 "$_m"
	chaos create "$W/idle.cfg" 'name="st-waker"' > /dev/null 2> "$W/err" ||
		{ errlog "$W/err" waker-create; return; }
	chaos destroy st-waker > /dev/null 2>&1
}
# the killed create made its guest completely: it runs under its name
complete() {
	_d=$(chaos domid "$1" 2> /dev/null) &&
		chaos list | awk 'NR > 1 && $(NF - 4) != 0 { print $(NF - 4) }' > "$W/ids" && grep -qx "$_d" "$W/ids" &&
		[ "$(wc -l < "$W/ids")" = 1 ]
}
settled() { clean || complete "$1"; }

part_c() {
	P="C kill -9 x$KILL_N"
	say "$P at $(ms) ms"
	settle "$P"
	snap "$W/C.before"
	dh=$(create_ms "$W/hello.cfg" st-khello)
	di=$(create_ms "$W/idle.cfg" st-kidle)
	dv=$(create_ms "$W/vif.cfg" st-kvif)
	info "$P" "usual create (hello idle vif)" "$dh $di $dv ms" "the kill delays are drawn from 0 to these"
	t0=$(ms)
	killed=0 done_first=0 failed=0 nothing=0 whole=0 left=0 i=1
	: > "$W/C.left"
	while [ $i -le "$KILL_N" ]; do
		case $((i % 3)) in
		1) cfg=$W/hello.cfg dur=$dh kind=hello ;;
		2) cfg=$W/idle.cfg dur=$di kind=idle ;;
		*) cfg=$W/vif.cfg dur=$dv kind=vif ;;
		esac
		n=st-kill$i
		delay=$((RANDOM % (dur + 1)))
		chaos create "$cfg" "name=\"$n\"" > "$W/err" 2>&1 &
		cp=$!
		sleep "$(awk -v d="$delay" 'BEGIN { printf "%.3f", d / 1000 }')"
		kill -KILL "$cp" 2> /dev/null
		wait "$cp"
		rc=$?
		case $rc in
		137) killed=$((killed + 1)) ;;
		0) done_first=$((done_first + 1)) ;;
		*) failed=$((failed + 1)); errlog "$W/err" kill-create-failed ;;
		esac
		wake
		if wait_for "$KILL_WAIT" settled "$n" && ! clean; then
			whole=$((whole + 1)) # a guest made whole: destroy it as a user would
			chaos destroy "$n" > /dev/null 2>&1
			wait_for 10 clean
		fi
		echo "#$i $kind killed after $delay ms, create exit $rc, settled at +$(( $(ms) - t0 )) ms"
		if clean; then
			[ "$rc" != 137 ] || nothing=$((nothing + 1))
		else
			left=$((left + 1))
			echo "#$i $kind killed after $delay ms (create exit $rc): $(what_left)" | tee -a "$W/C.left"
			force_clean
			echo "   cleaned at +$(( $(ms) - t0 )) ms"
		fi
		i=$((i + 1))
	done
	info "$P" "wall time" "$(( ($(ms) - t0) / 1000 )) s"
	info "$P" "creates killed (exit 137)" "$killed" "$done_first had finished first, $failed failed on their own"
	info "$P" "killed creates that left nothing" "$nothing"
	info "$P" "creates that made the whole guest" "$whole" "destroyed by name afterwards"
	check "$P" "creates that left something (${KILL_WAIT} s after a wake)" 0 "$left" \
		"$(awk '{ sub(/.*: /, ""); print }' "$W/C.left" | tr ' ' '\n' | sed 's/=.*//' | sort | uniq -c | awk '{ printf "%s%s x%s", s, $2, $1; s = ", " }')"
	wait_for 10 clean
	snap "$W/C.after"
	compare "$P" "$W/C.before" "$W/C.after"
}

# --- D: concurrent creates of one name ------------------------------------------

# stale_name: a create of st-race killed once it holds the name; its
# half-made domain is taken away (part C counts those), the name stays.
# The monitor would undo the killed create within a second: it is held
# still (SIGSTOP) until the racers have run, so that they find the name
# stale and must take it over themselves.
stale_name() {
	held=$(cat /run/chaos/monitor.lock 2> /dev/null)
	[ -z "$held" ] || kill -STOP "$held"
	chaos create "$W/linux.cfg" 'name="st-race"' > /dev/null 2>&1 &
	_c=$!
	wait_for 10 test -e /run/chaos/names/st-race
	kill -KILL "$_c" 2> /dev/null
	wait "$_c"
	_rc=$?
	for _d in $(xl list | awk 'NR > 2 { print $(NF - 4) }'); do
		xl destroy "$_d" > /dev/null 2>&1
	done
	wait_for 10 sh -c '[ "$(xl list | wc -l)" = 2 ]'
	[ "$_rc" = 137 ] && [ -e /run/chaos/names/st-race ]
}

part_d() {
	P="D race ${RACE_N}x${RACE_ROUNDS}"
	say "$P at $(ms) ms"
	settle "$P"
	snap "$W/D.before"
	t0=$(ms)
	one=0 one_stale=0 stale=0 nostale=0 badloss=0 left=0 r=1
	: > "$W/D.winners"
	while [ $r -le "$RACE_ROUNDS" ]; do
		s=0
		if [ $((r % 2)) = 0 ]; then
			if stale_name; then s=1 stale=$((stale + 1)); else nostale=$((nostale + 1)); fi
		fi
		j=1 pids=
		while [ $j -le "$RACE_N" ]; do
			{ chaos create "$W/idle.cfg" 'name="st-race"' > /dev/null 2> "$W/race.$j.err"
			  echo $? > "$W/race.$j.rc"; } &
			pids="$pids $!"
			j=$((j + 1))
		done
		wait $pids # not xendevd, also a job of this shell
		[ -z "${held:-}" ] || kill -CONT "$held"
		held=
		won=0 j=1
		while [ $j -le "$RACE_N" ]; do
			rc=$(cat "$W/race.$j.rc")
			if [ "$rc" = 0 ]; then
				won=$((won + 1))
			elif [ "$rc" != 1 ] || [ "$(wc -l < "$W/race.$j.err")" != 1 ] ||
				! grep -q "st-race.*in use" "$W/race.$j.err"; then
				badloss=$((badloss + 1))
				echo "exit $rc:" > "$W/err"; cat "$W/race.$j.err" >> "$W/err"
				errlog "$W/err" race-loser
			fi
			j=$((j + 1))
		done
		echo "round $r stale=$s winners=$won domains=$(guests)" | tee -a "$W/D.winners"
		if [ "$won" = 1 ]; then
			if [ $s = 1 ]; then one_stale=$((one_stale + 1)); else one=$((one + 1)); fi
		fi
		# the winner, and any other that believes it won
		for d in $(chaos list | awk '$1 == "st-race" { print $(NF - 4) }'); do
			chaos destroy "$d" > /dev/null 2>&1
		done
		if ! wait_for 10 clean; then
			left=$((left + 1))
			echo "round $r: $(what_left)" | tee -a "$W/D.left"
			force_clean
		fi
		r=$((r + 1))
	done
	fresh=$((RACE_ROUNDS - stale - nostale))
	info "$P" "wall time" "$(( ($(ms) - t0) / 1000 )) s"
	info "$P" "winners per round" "$(awk '{ sub(/winners=/, "", $4); printf "%s%s", s, $4; s = " " }' "$W/D.winners")"
	check "$P" "rounds with exactly one winner (fresh name)" "$fresh" "$one"
	check "$P" "rounds with exactly one winner (stale name)" "$stale" "$one_stale"
	check "$P" "stale names that could not be made" 0 "$nostale" "the holder is killed once /run/chaos/names/st-race exists"
	check "$P" "losers without one clear 'in use' line (exit 1)" 0 "$badloss"
	check "$P" "rounds that left something after destroying the winners" 0 "$left"
	wait_for 10 clean
	snap "$W/D.after"
	compare "$P" "$W/D.before" "$W/D.after"
}

# --- E: xenstored killed while the monitor runs ----------------------------------

xs_alive() { kill -0 "$(cat /var/run/xenstored.pid)" 2> /dev/null; }
xs_answers() { xenstore-read /local/domain/0/name > /dev/null 2>&1; }
# log_since N: monitor.log after its first N lines
log_since() { tail -n +$(($1 + 1)) /run/chaos/monitor.log 2> /dev/null; }
said_xs_gone() { log_since "$1" | grep -qi 'xenstore'; }

part_e() {
	P="E xenstored killed"
	say "$P at $(ms) ms"
	settle "$P"
	wait_for 10 has_monitor || { chaos create "$W/idle.cfg" && chaos destroy st-idle; }
	m0=$(mon_pid)
	l0=$(wc -l < /run/chaos/monitor.log)
	xs=$(cat /var/run/xenstored.pid)
	kill -KILL "$xs"
	wait_for 10 sh -c "! kill -0 $xs 2> /dev/null" || row "$P" "xenstored killed" yes no FAIL
	t0=$(ms)
	if wait_for 10 said_xs_gone "$l0"; then
		info "$P" "monitor said so while xenstored was down" "after $(( $(ms) - t0 )) ms"
	else
		info "$P" "monitor said so while xenstored was down" "not within 10 s" "monitor pid $m0 $(kill -0 "$m0" 2> /dev/null && echo still runs || echo exited)"
	fi
	# back: xenstored, dom0's entries, xenconsoled (which needs xenstored)
	cp=$(cat /var/run/xenconsoled.pid)
	kill "$cp" 2> /dev/null
	wait_for 10 sh -c "! kill -0 $cp 2> /dev/null" || kill -KILL "$cp" 2> /dev/null
	xenstored --pid-file=/var/run/xenstored.pid
	wait_for 10 xs_alive || row "$P" "xenstored started again" yes no FAIL
	wait_for 20 sh -c 'xen-init-dom0 > /dev/null 2>&1' || row "$P" "xen-init-dom0 after the restart" ok failed FAIL
	xenconsoled --log=guest --log-dir=/var/log/xen/console --pid-file=/var/run/xenconsoled.pid
	wait_for 10 xs_answers || row "$P" "xenstored answers after the restart" yes no FAIL
	# one more create, then shutdowns must be acted on again: hello powers
	# off in noxs mode (the monitor looks every 250 ms) and in xenstore
	# mode (only @releaseDomain tells the monitor)
	tiny_cfg "$W/xh.cfg" st-xs-hello hello
	tiny_cfg "$W/xl.cfg" st-xs-xshello hello
	echo 'device_method = "xenstore"' >> "$W/xl.cfg"
	t0=$(ms)
	chaos create "$W/xh.cfg" 2> "$W/err" || { errlog "$W/err" xs-create; }
	if wait_for 30 chaos_gone st-xs-hello; then r=yes; else r=no; fi
	check "$P" "after one create: a noxs hello's poweroff acted on (30 s)" yes $r
	chaos create "$W/xl.cfg" 2> "$W/err" || { errlog "$W/err" xs-create; }
	if wait_for 30 chaos_gone st-xs-xshello; then r=yes; else r=no; fi
	check "$P" "a xenstore-mode hello's poweroff acted on (30 s)" yes $r
	info "$P" "wall time" "$(( ($(ms) - t0) / 1000 )) s" "from the first create after the restart"
	if log_since "$l0" | grep -qi 'xenstore'; then r=yes; else r=no; fi
	check "$P" "monitor.log says xenstored went away" yes $r \
		"$(log_since "$l0" | grep -i 'xenstore' | head -n 2 | sed 's/^[^]]*] //' | tr '\n' ';')"
	check "$P" "monitors running" 1 "$(monitors)"
	info "$P" "monitor pid before, after" "$m0 $(mon_pid || echo -)"
	info "$P" "xendevd still runs" "$(kill -0 "$XDD_PID" 2> /dev/null && echo yes || echo no)"
	if ! wait_for 10 clean; then
		info "$P" "left after the part (cleaned)" "$(what_left)"
		force_clean
	fi
	# a monitor that did not recover would fail whatever runs next on
	# this host: stop it, the next create starts a fresh one
	_m=$(mon_pid) && kill "$_m" && wait_for 10 sh -c "! kill -0 $_m 2> /dev/null"
}

[ "$HELLO_N" -gt 0 ] && part_a
[ "$VIF_N" -gt 0 ] && part_b
[ "$KILL_N" -gt 0 ] && part_c
[ "$RACE_ROUNDS" -gt 0 ] && part_d
part_e

# --- the report ------------------------------------------------------------------

{
	echo "chaos stress campaign: HELLO_N=$HELLO_N VIF_N=$VIF_N KILL_N=$KILL_N RACE=${RACE_N}x$RACE_ROUNDS, $(( ($(ms) - T_START) / 1000 )) s in dom0"
	awk -F '\t' 'BEGIN { printf "%-18s %-58s %14s %12s %-6s %s\n", "part", "what", "expected", "got", "result", "note" }
		{ printf "%-18s %-58s %14s %12s %-6s %s\n", $1, $2, $3, $4, $5, $6 }' "$ROWS"
	echo "failed checks: $(grep -c "$(printf '\tFAIL\t')" "$ROWS")"
} > "$RESULTS/stress.txt"
{
	echo "part,what,expected,got,result,note"
	awk -F '\t' '{ for (i = 1; i <= 6; i++) { gsub(/"/, "\"\"", $i); printf "%s\"%s\"", (i > 1 ? "," : ""), $i }; print "" }' "$ROWS"
} > "$RESULTS/stress.csv"
cp /run/chaos/monitor.log "$RESULTS/monitor.log" 2> /dev/null
cp "$W/xendevd.log" "$RESULTS/xendevd.log"
cat "$W"/?.left > "$RESULTS/left.txt" 2> /dev/null
echo
cat "$RESULTS/stress.txt"
! grep -q "$(printf '\tFAIL\t')" "$ROWS"
