# SPDX-License-Identifier: AGPL-3.0-or-later
# Test programs for the tshark area: the frame builder behind tests/tshark-referee.sh and
# the unit test of the SIGTRAN/SCCP parsers and the pcap reader.
check_PROGRAMS += \
	tests/mkframe \
	tests/sigtran_test \
	$(NULL)
tests_mkframe_SOURCES = tests/mkframe.c
tests_mkframe_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools
tests_mkframe_LDADD = $(SIGTRAN_LIBS)
tests_sigtran_test_SOURCES = tests/sigtran_test.c
tests_sigtran_test_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tools
tests_sigtran_test_LDADD = $(SIGTRAN_LIBS)
EXTRA_DIST += \
	tests/tshark-referee.sh \
	tests/sigtran_test.ok \
	$(NULL)
