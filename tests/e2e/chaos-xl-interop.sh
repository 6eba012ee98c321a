# A guest chaos created can be destroyed by xl, and one xl created by
# chaos; neither leaves anything behind.
. /xenbox/lib.sh

linux_cfg /tmp/c.cfg bychaos marker=up-bychaos
chaos create /tmp/c.cfg || die "chaos create"
xl list bychaos > /dev/null || die "xl does not see the chaos guest"
xl destroy bychaos || die "xl destroy of a chaos guest"
wait_for 10 domain_gone bychaos || die "still there after xl destroy"

linux_cfg /tmp/x.cfg byxl marker=up-byxl
xl create -q /tmp/x.cfg || die "xl create"
chaos list byxl > /dev/null || die "chaos does not see the xl guest"
xl_agrees byxl || die "chaos list and xl list disagree on an xl guest"
chaos destroy byxl || die "chaos destroy of an xl guest"
wait_for 10 domain_gone byxl || die "still there after chaos destroy"

# the monitor forgets the registry entry of the guest xl destroyed
wait_for 10 nothing_left || die "something was left behind"
