# xl-differential: every real-world xl.cfg of tests/compat/corpus (see its
# SOURCES) through `xl -N create` and `chaos -n create`, which both parse
# and print without touching anything (xl -N does not look at the kernel
# or the disks either, so none of the files a config names need exist).
# Each config falls in one class:
#   both accept     the fields both express must be equal (compare.awk),
#                   or differ for a reason listed in known-differences
#   both refuse     fine
#   chaos refuses   every error must name a key that docs/chaos.cfg.5
#                   lists as refused ("no kernel given" only beside a
#                   refused boot method: HVM)
#   xl refuses      chaos accepting what xl refuses is a failure
# Fails on anything undocumented; $RESULTS keeps every output.
. /xenbox/lib.sh

C=/xenbox/compat
[ -d "$C/corpus" ] || die "no $C/corpus (tests/xenbox/run copies tests/compat)"
command -v jsonflat > /dev/null || die "no jsonflat (make builds build/bin/jsonflat)"
out=$RESULTS/out
mkdir -p "$out"

# the keys docs/chaos.cfg.5 refuses, one a line ("type pvh" for types)
awk '/^Refused with an error/ { on = 1 }
	on && /^\.PP/ { exit }
	on { t = t " " $0 }
	END {
		sub(/^.*\): */, "", t); sub(/\.[ ]*$/, "", t)
		n = split(t, k, ",")
		for (i = 1; i <= n; i++) {
			s = k[i]; gsub(/^ +| +$/, "", s); sub(/^and /, "", s)
			if (s !~ /^type /) { print s; continue }
			sub(/^type /, "", s)
			m = split(s, ty, / or /)
			for (j = 1; j <= m; j++) print "type " ty[j]
		}
	}' "$C/chaos.cfg.5" > "$RESULTS/refused"
grep -qx pci "$RESULTS/refused" ||
	die "no refused keys found in chaos.cfg.5"

# refusal ERRFILE: the refused keys chaos's errors name, one line; exit 1
# with the errors that name none
refusal() {
	awk 'NR == FNR { refused[$0] = 1; next }
	/: warning: / { next }
	/: no kernel given/ { nokernel = 1; next }
	{
		key = ""
		# "KEY is not supported by chaos", or for a value chaos
		# cannot give: "KEY = VALUE is not supported by chaos (...)"
		if (match($0, /: [a-z_0-9]+ is not supported by chaos$/) ||
		    match($0, /: [a-z_0-9]+ = .* is not supported by chaos \(/)) {
			key = substr($0, RSTART + 2)
			sub(/ .*/, "", key)
		} else if (match($0, ": type \047[a-z]+\047 is not supported")) {
			key = substr($0, RSTART + 8)
			sub(/\047.*/, "", key)
			key = "type " key
		} else if ($0 ~ ": builder \047hvm\047 is not supported") {
			key = "type hvm"
		}
		if (key != "" && (key in refused)) {
			if (!(key in seen))
				keys = keys ", " key
			seen[key] = 1
		} else {
			bad = bad "\t" $0 "\n"
		}
	}
	END {
		if (nokernel && !("type hvm" in seen))
			bad = bad "\tno kernel given, without a refused boot method\n"
		if (bad != "" || keys == "") {
			printf "%s", bad
			exit 1
		}
		print substr(keys, 3)
	}' "$RESULTS/refused" "$1"
}

# every config has its source recorded
for f in "$C"/corpus/*; do
	name=${f##*/}
	[ "$name" = SOURCES ] || awk -F '\t' -v n="$name" '$1 == n { f = 1 }
		END { exit !f }' "$C/corpus/SOURCES" ||
		die "$name is not in corpus/SOURCES"
done

n=0 accept=0 refuse=0 refused=0 xlonly=0 bad=0
: > "$RESULTS/compare.txt"
: > "$RESULTS/undocumented.txt"
: > "$RESULTS/refusals.txt"
undocumented() {
	bad=$((bad + 1))
	printf '%s: %s\n' "$1" "$2" >> "$RESULTS/undocumented.txt"
}
for f in "$C"/corpus/*; do
	name=${f##*/}
	[ "$name" = SOURCES ] && continue
	n=$((n + 1))
	o=$out/$name
	(cd "$C/corpus" && xl -N create "$name") > "$o.xl.json" 2> "$o.xl.err"
	xrc=$?
	(cd "$C/corpus" && chaos -n create "$name") > "$o.chaos.json" \
		2> "$o.chaos.err"
	crc=$?
	if [ $crc != 0 ] && [ $crc != 2 ]; then
		class="chaos failed (exit $crc)"
		undocumented "$name" "$class: $(tail -n 1 "$o.chaos.err")"
	elif [ $xrc = 0 ] && [ $crc = 0 ]; then
		accept=$((accept + 1))
		if jsonflat "$o.xl.json" > "$o.xl.flat" &&
			jsonflat "$o.chaos.json" > "$o.chaos.flat"; then
			awk -v cfg="$name" -f "$C/compare.awk" \
				"$C/known-differences" "$o.xl.flat" \
				"$o.chaos.flat" > "$o.compare"
			cat "$o.compare" >> "$RESULTS/compare.txt"
			class="both accept: $(grep -c '^SAME' "$o.compare") same,"
			class="$class $(grep -c '^KNOWN' "$o.compare") known"
			d=$(grep -c '^DIFF' "$o.compare")
			[ "$d" = 0 ] || { class="$class, $d DIFFERENT"
				undocumented "$name" "$d fields differ"; }
		else
			class="both accept: output is not JSON"
			undocumented "$name" "$class"
		fi
	elif [ $xrc != 0 ] && [ $crc != 0 ]; then
		refuse=$((refuse + 1))
		class="both refuse"
	elif [ $xrc = 0 ]; then
		if why=$(refusal "$o.chaos.err"); then
			refused=$((refused + 1))
			class="chaos refuses (documented): $why"
			echo "$why" >> "$RESULTS/refusals.txt"
		else
			class="chaos refuses, undocumented:
$why"
			undocumented "$name" "chaos refuses: $(echo $why)"
		fi
	else
		xlonly=$((xlonly + 1))
		class="xl refuses, chaos accepts: $(grep -v '^Parsing config' \
			"$o.xl.err" | tail -n 1)"
		undocumented "$name" "$class"
	fi
	printf '%-62s %s\n' "$name" "$class"
done

fields=$(grep -c . "$RESULTS/compare.txt")
same=$(grep -c '^SAME' "$RESULTS/compare.txt")
knownn=$(grep -c '^KNOWN' "$RESULTS/compare.txt")
diffs=$(grep -c '^DIFF' "$RESULTS/compare.txt")
say "summary: $n configs"
echo "  both accept:                        $accept"
echo "  both refuse:                        $refuse"
echo "  chaos refuses, documented:          $refused"
echo "  xl refuses, chaos accepts:          $xlonly"
echo "  configs with undocumented results:  $bad"
echo "  fields compared: $fields ($same same, $knownn documented differences, $diffs undocumented)"
if [ -s "$RESULTS/refusals.txt" ]; then
	echo "  refusals by key:"
	tr ',' '\n' < "$RESULTS/refusals.txt" | sed 's/^ *//' | sort | uniq -c |
		sort -rn | sed 's/^/    /'
fi
if [ "$knownn" != 0 ]; then
	echo "  documented differences hit:"
	awk '$1 == "KNOWN" { n[$4]++ }
		END { for (id in n) print n[id], id }' "$RESULTS/compare.txt" |
		sed 's/://' | sort -k2 | while read -r c id; do
		printf '    %4d %s: %s\n' "$c" "$id" \
			"$(awk -v id="$id" '$1 == id { sub(/^[^\t ]+[\t ]+/, ""); print }' \
			"$C/known-differences")"
	done
fi
if [ "$bad" != 0 ]; then
	say "undocumented:"
	cat "$RESULTS/undocumented.txt"
	grep '^DIFF' "$RESULTS/compare.txt"
	die "$bad configs read differently by chaos and xl without a documented reason"
fi
say "chaos and xl agree on $n real-world configs, or differ as documented"
