# SPDX-License-Identifier: AGPL-3.0-or-later
# libFuzzer targets (./configure --enable-fuzz --enable-sanitize CC=clang);
# tests/fuzz/run.sh runs each for a bounded time.
EXTRA_DIST += tests/fuzz/run.sh
if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_tcap
tests_fuzz_fuzz_tcap_SOURCES = tests/fuzz/fuzz_tcap.c
tests_fuzz_fuzz_tcap_LDADD = $(TCAP_LIBS)
tests_fuzz_fuzz_tcap_LDFLAGS = $(FUZZ_LDFLAGS)
endif
