# Leaves a paused guest behind on purpose: tests/e2e/check makes sure the
# runner fails it (exit 4) and destroys the guest, so that the scenario
# after it (deliberate-failure) finds nothing left.
. /xenbox/lib.sh
tiny_cfg /tmp/left.cfg left-behind idle
chaos create -p /tmp/left.cfg || { echo "could not make the guest to leave"; exit 1; }
echo "leaving left-behind paused"
