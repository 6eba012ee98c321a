# Bad input gives a one-line error naming the cause, exit 1, and leaves
# nothing behind: missing kernel, non-ELF kernel, memory larger than free
# memory, a duplicate name, an unknown domain.
. /xenbox/lib.sh

printf 'name = "bad1"\nkernel = "/no/such/kernel"\n' > /tmp/b1.cfg
expect_fail 1 "kernel: /no/such/kernel: No such file" chaos create /tmp/b1.cfg || die "missing kernel"
printf 'name = "bad2"\nkernel = "/bin/busybox"\n' > /tmp/b2.cfg
expect_fail 1 "build: kernel /bin/busybox: .*no loader found" chaos create /tmp/b2.cfg || die "non-ELF kernel"
linux_cfg /tmp/b3.cfg bad3
expect_fail 1 "memory: 100000 MiB asked" chaos create /tmp/b3.cfg memory=100000 maxmem=100000 || die "too much memory"
expect_fail 2 "b4.cfg:1:8: expected a value" sh -c 'printf "name = oops\n" > /tmp/b4.cfg; chaos create /tmp/b4.cfg' || die "syntax error"
expect_fail 1 "nosuchguest: no such domain" chaos destroy nosuchguest || die "unknown domain"
wait_for 10 nothing_left || die "a failed create left something behind"

linux_cfg /tmp/dup.cfg dup marker=up-dup
chaos create /tmp/dup.cfg || die "first create"
expect_fail 1 "name: 'dup' is already in use" chaos create /tmp/dup.cfg || die "duplicate name"
[ "$(xl list | grep -c '^dup ')" = 1 ] || die "the duplicate made a second domain"
chaos destroy dup || die "destroy"
wait_for 10 nothing_left || die "something was left behind"
