# SPDX-License-Identifier: AGPL-3.0-or-later
# bench/: benchmarks. They print figures and ratios; they never fail a build on a timing.

# Codec microbenchmark: decode InitialDP + encode Continue per second (bench/README.md).
noinst_PROGRAMS += bench/codec/codec_bench
bench_codec_codec_bench_SOURCES = bench/codec/codec_bench.c
bench_codec_codec_bench_LDADD = $(TCAP_LIBS)

# The benchmark scripts (they bring up the daemons themselves; see bench/README.md).
EXTRA_DIST += bench/README.md bench/scp/run.sh bench/server-import/run.sh

# End-to-end benchmark (bench/e2e/README.md): the SSE side holding one stream per device.
noinst_PROGRAMS += bench/e2e/sse_hold
bench_e2e_sse_hold_SOURCES = bench/e2e/sse_hold.c
bench_e2e_sse_hold_CFLAGS = $(AM_CFLAGS) $(LIBCURL_CFLAGS)
bench_e2e_sse_hold_LDADD = $(LIBCURL_LIBS)
EXTRA_DIST += bench/e2e/README.md bench/e2e/run.sh bench/e2e/analyze.py bench/e2e/probe.py bench/e2e/provision.py

# The leg matcher alone, in SQL, schema version against schema version (bench/matcher/README.md).
EXTRA_DIST += bench/matcher/README.md bench/matcher/run.sh
