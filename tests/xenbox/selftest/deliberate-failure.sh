# Fails on purpose: tests/e2e/check makes sure the runner reports it (name,
# exit code, log) and exits non-zero.
echo "this scenario fails on purpose (runner self-test)"
exit 3
