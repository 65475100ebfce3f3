#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Run every libFuzzer target for a bounded time, seeded with the conformance
# vectors. Usage: tests/fuzz/run.sh BUILDDIR SECONDS
# Fails (non-zero) on any crash, leak, timeout or sanitizer report.
set -eu
builddir=$1
secs=$2
seed=${3:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Seeds: every "hex :" line of the vector file, as binary files.
mkdir -p "$work/seeds"
n=0
grep -E '^hex +:' "$top/tests/vectors/shared-vectors.txt" | sed 's/^hex *: *//' | while read -r hex; do
	n=$((n + 1))
	printf '%s' "$hex" | xxd -r -p >"$work/seeds/v$n"
done

# Inputs that once found a defect (tests/fuzz/regress.txt).
grep -E '^[0-9a-fA-F]+$' "$top/tests/fuzz/regress.txt" | while read -r hex; do
	printf '%s' "$hex" | xxd -r -p >"$work/seeds/r$(printf '%s' "$hex" | cksum | cut -d' ' -f1)"
done

# More seeds: every ITU message our encoders build (CAP v2/v3/v4 and INAP arguments inside).
if [ -x "$builddir/tests/itu_build" ]; then
	"$builddir/tests/itu_build" | sed 's/^[^:]*: //' | while read -r hex; do
		printf '%s' "$hex" | xxd -r -p >"$work/seeds/b$(printf '%s' "$hex" | cksum | cut -d' ' -f1)"
	done
fi

status=0
for t in "$builddir"/tests/fuzz/fuzz_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	mkdir -p "$work/corpus-$name"
	echo "fuzz: $name for ${secs}s"
	if ! "$t" ${seed:+-seed="$seed"} -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$work/" "$work/corpus-$name" "$work/seeds" >"$work/$name.log" 2>&1; then
		echo "fuzz: $name FAILED"
		tail -n 60 "$work/$name.log"
		mkdir -p "$builddir/fuzz-artifacts"
		cp "$work"/crash-* "$work"/leak-* "$work"/timeout-* "$builddir/fuzz-artifacts/" 2>/dev/null || true
		status=1
	else
		grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$work/$name.log" | tr '\n' ' '
		echo
	fi
done
exit $status
