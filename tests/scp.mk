# SPDX-License-Identifier: AGPL-3.0-or-later
# Test programs for the SCP area.
check_PROGRAMS += tests/tsl_test
tests_tsl_test_SOURCES = tests/tsl_test.c
tests_tsl_test_LDADD = tests/libtestlib.a $(TCAP_LIBS) $(LIBOSMOCORE_LIBS) $(TALLOC_LIBS)
EXTRA_DIST += tests/tsl_test.ok tests/stp-harness.sh tests/osmo_vty.py tests/scp_lib.sh tests/scp_vty.sh
# CAP/INAP call scenarios against osmo-stp + tandem-scp + tandem-ssp (tests/scp.at)
EXTRA_DIST += tests/scp_calls.sh tests/scp_calls_cap.ok tests/scp_calls_inap.ok tests/scp_calls_withheld.ok \
	tests/scp_calls_errors.ok tests/scp_calls_cleanup.ok tests/scp_calls_ain.ok

# tandem-scp's on-disk spool of call events (scp/spool.c).
check_PROGRAMS += tests/spool_test
tests_spool_test_SOURCES = tests/spool_test.c
tests_spool_test_LDADD = $(top_builddir)/scp/libscp.a $(LIBOSMOCORE_LIBS) $(TALLOC_LIBS)
EXTRA_DIST += tests/spool_test.ok

# tandem-ssp load: the latency histogram (tools/ssp_hist.c); load and echo runs (tests/ssp_load.sh).
check_PROGRAMS += tests/ssp_hist_test
tests_ssp_hist_test_SOURCES = tests/ssp_hist_test.c tools/ssp_hist.c
EXTRA_DIST += tests/ssp_hist_test.ok tests/ssp_load.sh tests/ssp_load_limits.ok tests/ssp_load_scp.ok \
	tests/ssp_load_echo.ok

# The packed call record of a monitored call (scp_call_rec_pack/unpack in scp/call_events.c).
check_PROGRAMS += tests/call_rec_test
tests_call_rec_test_SOURCES = tests/call_rec_test.c
tests_call_rec_test_LDADD = $(SCP_LIBS)
EXTRA_DIST += tests/call_rec_test.ok
