# SPDX-License-Identifier: AGPL-3.0-or-later
# libFuzzer targets (./configure --enable-fuzz --enable-sanitize CC=clang);
# tests/fuzz/run.sh runs each for a bounded time.
EXTRA_DIST += tests/fuzz/run.sh tests/fuzz/regress.txt
if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_tcap
tests_fuzz_fuzz_tcap_SOURCES = tests/fuzz/fuzz_tcap.c
tests_fuzz_fuzz_tcap_LDADD = $(TCAP_LIBS)
tests_fuzz_fuzz_tcap_LDFLAGS = $(FUZZ_LDFLAGS)
endif
if ENABLE_FUZZ
noinst_PROGRAMS += tests/fuzz/fuzz_cap tests/fuzz/fuzz_inap tests/fuzz/fuzz_ain
tests_fuzz_fuzz_cap_SOURCES = tests/fuzz/fuzz_cap.c tests/fuzz/fuzz_cap_common.h
tests_fuzz_fuzz_cap_LDADD = $(TCAP_LIBS)
tests_fuzz_fuzz_cap_LDFLAGS = $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_inap_SOURCES = tests/fuzz/fuzz_inap.c tests/fuzz/fuzz_cap_common.h
tests_fuzz_fuzz_inap_LDADD = $(TCAP_LIBS)
tests_fuzz_fuzz_inap_LDFLAGS = $(FUZZ_LDFLAGS)
tests_fuzz_fuzz_ain_SOURCES = tests/fuzz/fuzz_ain.c
tests_fuzz_fuzz_ain_LDADD = $(TCAP_LIBS)
tests_fuzz_fuzz_ain_LDFLAGS = $(FUZZ_LDFLAGS)
endif
