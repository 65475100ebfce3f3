# SPDX-License-Identifier: AGPL-3.0-or-later
# Test programs for the cap area (CAP/INAP argument codecs).
check_PROGRAMS += tests/cap_test
tests_cap_test_SOURCES = tests/cap_test.c
tests_cap_test_CPPFLAGS = $(AM_CPPFLAGS)
tests_cap_test_LDADD = tests/libtestlib.a $(TCAP_LIBS)
EXTRA_DIST += tests/cap_test.ok
