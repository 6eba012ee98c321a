# bench/lib.sh: what the benchmark scripts share.  bench/run puts it in
# front of the curve's script (after BENCH_N=...); its functions call
# those of /xenbox/lib.sh, which the script sources.

# shelld_start SHELLS: chaos-shelld with one class, tiny (memory=4,
# vcpus=1: guests/hello and guests/idle fit it), keeping SHELLS ready, its
# log in $RESULTS/shelld.log; returns once the class is full
shelld_start() {
	shelld_want=$1
	mkdir -p /tmp/bench
	cat > /tmp/bench/shelld.cfg <<CFG
# the benchmark's pool: one class that fits guests/hello and guests/idle
reserve = 64
class = [ "name=tiny,memory=4,vcpus=1,shells=$shelld_want" ]
CFG
	chaos-shelld -f -c /tmp/bench/shelld.cfg > "$RESULTS/shelld.log" 2>&1 &
	shelld_pid=$!
	wait_for 10 test -S /run/chaos-shelld.sock || die "chaos-shelld did not start"
	wait_for 120 pool_full || { chaos shells; die "the pool did not fill to $shelld_want"; }
}

# pool_full: the class has all its shells ready
pool_full() {
	[ "$(chaos shells 2> /dev/null | awk '$1 == "tiny" { print $5 }')" = "$shelld_want" ]
}

# shelld_stop: SIGTERM, which destroys the ready shells
shelld_stop() {
	kill -TERM $shelld_pid
	wait $shelld_pid
}

# phases_csv PREFIX FILE: the phases of `chaos create --timings=json`'s
# output in FILE as CSV lines "PREFIX,phase,ms" (the phase's commas
# dropped), and "PREFIX,total,ms"
phases_csv() {
	awk -v p="$1" '/"phase":/ { gsub(/[",]/, "", $2); ph = $2 }
		/"ms":/ { gsub(/,/, "", $2); print p "," ph "," $2 }
		/"total_ms":/ { print p ",total," $2 }' FS=': *' "$2"
}
