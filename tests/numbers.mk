# SPDX-License-Identifier: AGPL-3.0-or-later
# Test programs for the numbers area.
check_PROGRAMS += tests/numbers_test
tests_numbers_test_SOURCES = tests/numbers_test.c
tests_numbers_test_LDADD = $(TCAP_LIBS)
EXTRA_DIST += tests/numbers_test.ok
