# compare.awk: one config's `xl -N create` against its `chaos -n create`,
# both flattened by jsonflat (PATH=VALUE lines), for
# tests/e2e/xl-differential.sh.  Runs under busybox awk.
#
#   awk -v cfg=NAME -f compare.awk known-differences XL.flat CHAOS.flat
#
# For each field both express it prints one line:
#   SAME  cfg field value
#   KNOWN cfg field id: xl=... chaos=...   (a difference by design)
#   DIFF  cfg field xl=... chaos=...       (undocumented: a failure)
# A difference is known when the rule below that recognises it names an
# id listed in known-differences with its reason; a rule whose id is not
# listed there reports DIFF, so that file is the list of what may differ.

BEGIN {
	ABSENT = "(absent)"
	nfile = 0
}

FNR == 1 { nfile++ }

nfile == 1 {
	if ($0 ~ /^[ \t]*(#|$)/)
		next
	id = $1
	sub(/^[^ \t]+[ \t]+/, "")
	reason[id] = $0
	next
}

{
	eq = index($0, "=")
	p = substr($0, 1, eq - 1)
	v = substr($0, eq + 1)
	if (nfile == 2)
		X[p] = v
	else
		C[p] = v
}

# A flattened value as text: strings lose their quotes, null is ABSENT.
function val(raw) {
	if (raw == "null")
		return ABSENT
	if (raw ~ /^".*"$/)
		return substr(raw, 2, length(raw) - 2)
	return raw
}

function xget(p) { return (p in X) ? val(X[p]) : ABSENT }
function cget(p) { return (p in C) ? val(C[p]) : ABSENT }

function same(field, v) { print "SAME", cfg, field, v }

function diff(field, xv, cv, why) {
	print "DIFF", cfg, field, "xl=" xv, "chaos=" cv (why != "" ? " (" why ")" : "")
}

function known(id, field, xv, cv) {
	if (!(id in reason)) {
		diff(field, xv, cv, "rule " id " is not in known-differences")
		return
	}
	print "KNOWN", cfg, field, id ": xl=" xv, "chaos=" cv
}

function cmp(field, xv, cv) {
	if (xv == cv)
		same(field, xv)
	else
		diff(field, xv, cv, "")
}

function trimr(s) {
	sub(/[ \t]+$/, "", s)
	return s
}

# KiB from xl as MiB, or "" when it is not a whole MiB
function mib(kib) {
	if (kib == ABSENT || kib % 1024 != 0)
		return kib
	return sprintf("%d", kib / 1024)
}

# xl's CPU bitmap (indices under prefix) as chaos's "0-3,6" form
function cpulist(prefix,    n, i, a, b, out, c) {
	n = xget(prefix ".#") + 0
	out = ""
	i = 0
	while (i < n) {
		a = xget(prefix "." i) + 0
		b = a
		while (i + 1 < n && xget(prefix "." (i + 1)) + 0 == b + 1) {
			i++
			b++
		}
		c = (b > a) ? a "-" b : a
		out = out (out == "" ? "" : ",") c
		i++
	}
	return out
}

# libxl's action names use '_', xl.cfg's '-'; destroy is libxl's default
function action(a) {
	if (a == ABSENT)
		return "destroy"
	gsub(/_/, "-", a)
	return a
}

function identity(    xv, cv, n, i) {
	cmp("name", xget("c_info.name"), cget("name"))
	xv = xget("c_info.uuid")
	cv = cget("uuid")
	if (cv == ABSENT && xv != ABSENT)
		known("uuid-generated", "uuid", xv, cv)
	else
		cmp("uuid", xv, cv)
	cmp("type", xget("c_info.type"), cget("type"))
	cmp("kernel", xget("b_info.kernel"), cget("kernel"))
	cmp("ramdisk", xget("b_info.ramdisk"), cget("ramdisk"))
	cmp("cmdline", xget("b_info.cmdline"), cget("cmdline"))
	cmp("bootloader", xget("b_info.bootloader"), cget("bootloader"))
	n = count("bootloader_args", "b_info.bootloader_args.#",
		  "bootloader_args.#")
	for (i = 0; i < n; i++)
		cmp("bootloader_args." i, xget("b_info.bootloader_args." i),
		    cget("bootloader_args." i))
}

function memory(    xm, xx, cm, cx) {
	xm = mib(xget("b_info.target_memkb"))
	xx = mib(xget("b_info.max_memkb"))
	cm = cget("memory")
	cx = cget("maxmem")
	# no memory in the file: libxl's default is maxmem, else 32 MiB
	if (xm == ABSENT && cm == (xx == ABSENT ? 32 : xx))
		known("memory-default", "memory", xm, cm)
	else
		cmp("memory", xm, cm)
	if (xx == ABSENT && cx == cm)
		known("memory-default", "maxmem", xx, cx)
	else
		cmp("maxmem", xx, cx)
}

function vcpus(    n, i, ok, xv, cv) {
	n = xget("b_info.avail_vcpus.#")
	cv = cget("vcpus")
	if (n == ABSENT) {
		if (cv == 1)
			known("vcpus-default", "vcpus", n, cv)
		else
			diff("vcpus", n, cv, "")
	} else {
		ok = 1
		n += 0
		for (i = 0; i < n; i++)
			if (xget("b_info.avail_vcpus." i) != i)
				ok = 0
		if (ok)
			cmp("vcpus", n, cv)
		else
			diff("vcpus", "bitmap not 0.." n - 1, cv, "")
	}
	xv = xget("b_info.max_vcpus")
	cv = cget("maxvcpus")
	if (xv == ABSENT && cv == 1 && cget("vcpus") == 1)
		known("vcpus-default", "maxvcpus", xv, cv)
	else
		cmp("maxvcpus", xv, cv)
}

# cpus: chaos has one list for all vCPUs or a list per vCPU; xl has a
# bitmap per vCPU (max_vcpus of them for a single list)
function cpus(    n, i, cv, xv, per) {
	n = xget("b_info.vcpu_hard_affinity.#")
	per = ("cpus.#" in C)
	cv = cget("cpus")
	if (n == ABSENT) {
		cmp("cpus", ABSENT, per ? "[" C["cpus.#"] "]" : cv)
		return
	}
	if (!per && cv == ABSENT) {
		diff("cpus", "set for " n " vCPUs", cv, "")
		return
	}
	n += 0
	for (i = 0; i < n; i++) {
		xv = cpulist("b_info.vcpu_hard_affinity." i)
		cmp("cpus." i, xv, per ? cget("cpus." i) : cv)
	}
	if (per && C["cpus.#"] + 0 > n)
		diff("cpus.#", n, C["cpus.#"], "")
}

function vif(i,    x, c, xv, cv, f, xl, n, bps, us) {
	x = "nics." i "."
	c = "vifs." i "."
	cmp("vif" i ".devid", xget(x "devid"), cget(c "devid"))
	xv = tolower(xget(x "mac"))
	cmp("vif" i ".mac", xv, tolower(cget(c "mac")))
	xv = xget(x "bridge")
	cv = cget(c "bridge")
	if (xv == ABSENT && cv == "xenbr0")
		known("vif-bridge-default", "vif" i ".bridge", xv, cv)
	else
		vifstr("vif" i ".bridge", xv, cv)
	n = split("ip:ip ifname:vifname model:model script:script " \
		  "backend_domname:backend gatewaydev:gatewaydev", f, " ")
	for (; n > 0; n--) {
		split(f[n], xl, ":")
		vifstr("vif" i "." xl[2], xget(x xl[1]), cget(c xl[2]))
	}
	cmp("vif" i ".mtu", xget(x "mtu"), cget(c "mtu"))
	bps = cget(c "rate.bytes_per_second")
	us = cget(c "rate.interval_us")
	cmp("vif" i ".rate_interval_usecs", xget(x "rate_interval_usecs"), us)
	cmp("vif" i ".rate_bytes_per_interval",
	    xget(x "rate_bytes_per_interval"),
	    bps == ABSENT ? ABSENT : sprintf("%d", bps * us / 1000000))
}

# xl keeps the blanks before a ',' in a vif spec; chaos trims them
function vifstr(field, xv, cv) {
	if (xv != cv && xv != ABSENT && trimr(xv) == cv)
		known("vif-value-blanks", field, "\"" xv "\"", "\"" cv "\"")
	else
		cmp(field, xv, cv)
}

function disk(i,    x, c, xv, cv) {
	x = "disks." i "."
	c = "disks." i "."
	cmp("disk" i ".vdev", xget(x "vdev"), cget(c "vdev"))
	cmp("disk" i ".target", xget(x "pdev_path"), cget(c "target"))
	cmp("disk" i ".format", xget(x "format"), cget(c "format"))
	cmp("disk" i ".access", xget(x "readwrite") == 1 ? "rw" : "ro",
	    cget(c "access"))
	cmp("disk" i ".devtype", xget(x "is_cdrom") == 1 ? "cdrom" : "disk",
	    cget(c "devtype"))
	xv = xget(x "backend")
	cmp("disk" i ".backendtype", xv == ABSENT ? "auto" : xv,
	    cget(c "backendtype"))
	cmp("disk" i ".script", xget(x "script"), cget(c "script"))
	cmp("disk" i ".backend", xget(x "backend_domname"), cget(c "backend"))
	xv = xget(x "discard_enable")
	cv = cget(c "discard")
	cmp("disk" i ".discard", xv == ABSENT ? xv : tolower(xv), cv)
}

# the lengths of a device list; returns how many both have
function count(field, xp, cp,    xn, cn) {
	xn = xget(xp)
	xn = xn == ABSENT ? 0 : xn + 0
	cn = cget(cp) + 0
	cmp(field, xn, cn)
	return xn < cn ? xn : cn
}

function devices(    n, i) {
	n = count("vifs", "nics.#", "vifs.#")
	for (i = 0; i < n; i++)
		vif(i)
	n = count("disks", "disks.#", "disks.#")
	for (i = 0; i < n; i++)
		disk(i)
}

END {
	identity()
	memory()
	vcpus()
	cpus()
	cmp("on_poweroff", action(xget("on_poweroff")), cget("on_poweroff"))
	cmp("on_reboot", action(xget("on_reboot")), cget("on_reboot"))
	cmp("on_crash", action(xget("on_crash")), cget("on_crash"))
	xv = xget("b_info.tsc_mode")
	cmp("tsc_mode", xv == ABSENT ? "default" : xv, cget("tsc_mode"))
	devices()
}
