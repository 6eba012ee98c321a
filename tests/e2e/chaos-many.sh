# 20 guests created and destroyed in a row leave no domain, no XenStore
# node and no registry entry behind.
. /xenbox/lib.sh

i=1
while [ $i -le 20 ]; do
	linux_cfg /tmp/m.cfg many$i
	chaos create /tmp/m.cfg || die "create many$i"
	chaos destroy many$i || { dmesg | tail -n 5; die "destroy many$i"; }
	i=$((i + 1))
done
wait_for 10 nothing_left || die "something was left behind"
echo "20 creates and destroys, nothing left"
