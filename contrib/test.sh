#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# The whole test suite from a fresh checkout: install the Debian packages,
# build with ASan+UBSan and -Werror in build-test/, run `make check`
# (autotest: unit, golden, tshark and integration tests), then the fuzzers.
# Exit status is non-zero on any failure.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

"$top/contrib/deps.sh"

jobs=$(nproc 2>/dev/null || echo 2)
autoreconf -fi
mkdir -p build-test
cd build-test
if [ ! -f config.status ]; then
	../configure --enable-sanitize --enable-werror
fi
make -j"$jobs"
# ASan: fail on leaks too; UBSan: any report fails the run.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	make check TESTSUITEFLAGS="-j$jobs ${TESTSUITEFLAGS:-}"

# valgrind cannot run under ASan: the daemons' valgrind runs (tandem-server's
# group, tandem-scp's VTY group with VALGRIND=1) use a plain build of their own.
cd "$top"
mkdir -p build-valgrind
cd build-valgrind
if [ ! -f config.status ]; then
	../configure --enable-werror
fi
make -j"$jobs"
VALGRIND=1 make check TESTSUITEFLAGS="-j$jobs -k server-valgrind -k vty"

# libFuzzer targets: a separate clang build, each target for a bounded time.
cd "$top"
mkdir -p build-fuzz
cd build-fuzz
if [ ! -f config.status ]; then
	CC=clang ../configure --enable-fuzz --enable-sanitize --enable-werror
fi
make -j"$jobs"
make -j"$jobs" tests/itu_build
"$top/tests/fuzz/run.sh" "$top/build-fuzz" "${FUZZ_SECONDS:-60}" "${FUZZ_SEED:-1}"
echo "fuzz: all targets clean"
