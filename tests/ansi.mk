# SPDX-License-Identifier: AGPL-3.0-or-later
# Test programs for the ANSI TCAP message codec and the AIN argument codecs.
check_PROGRAMS += tests/ansi_test
tests_ansi_test_SOURCES = tests/ansi_test.c
tests_ansi_test_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tcap
tests_ansi_test_LDADD = tests/libtestlib.a $(TCAP_LIBS)
EXTRA_DIST += tests/ansi_test.ok

check_PROGRAMS += tests/ain_test
tests_ain_test_SOURCES = tests/ain_test.c
tests_ain_test_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tcap
tests_ain_test_LDADD = tests/libtestlib.a $(TCAP_LIBS)
EXTRA_DIST += tests/ain_test.ok
