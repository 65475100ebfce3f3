# SPDX-License-Identifier: AGPL-3.0-or-later
# Test programs for the ITU TCAP message codec.
noinst_LIBRARIES += tests/libtestlib.a
tests_libtestlib_a_SOURCES = tests/testlib.c tests/testlib.h

check_PROGRAMS += tests/itu_test
tests_itu_test_SOURCES = tests/itu_test.c
tests_itu_test_LDADD = tests/libtestlib.a $(TCAP_LIBS)
EXTRA_DIST += tests/itu_test.ok

# Every kind of ITU message our encoders build, for tshark (tests/itu.at).
check_PROGRAMS += tests/itu_build
tests_itu_build_SOURCES = tests/itu_build.c
tests_itu_build_LDADD = $(TCAP_LIBS)
