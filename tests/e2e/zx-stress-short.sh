# The hardening campaign (tests/stress/, `make stress`) with small counts:
# 20 noxs create/destroy cycles, 2 of the Linux guest with a vif, 3
# creates killed with SIGKILL, 2 rounds of 8 concurrent creates of one
# name (one over a stale name), xenstored killed under the monitor.  Fails
# when any count differs before and after, or a check fails; the table is
# in $RESULTS/stress.txt.  Named to run late: it kills xenstored, and a
# restarted xenstored no longer carries dom0 kernel's backend watches, so
# no vif can be made after it; the vif part runs before anything else has
# restarted xenstored.
HELLO_N=20 VIF_N=2 KILL_N=3 RACE_ROUNDS=2
. /xenbox/stress.sh
