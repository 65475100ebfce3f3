# SPDX-License-Identifier: AGPL-3.0-or-later
# tandem-scp daemon: SCCP user, service logic, VTY/CTRL. The logic is a
# convenience library so the daemon and its tests link the same code.
noinst_LIBRARIES += scp/libscp.a
scp_libscp_a_SOURCES = \
	scp/scp.c \
	scp/sccp.c \
	scp/vty.c \
	scp/ctrl.c \
	scp/call_events.c \
	scp/call_common.c \
	scp/cap_service.c \
	scp/ain_service.c \
	$(NULL)
scp_libscp_a_CFLAGS = $(AM_CFLAGS) $(LIBOSMOVTY_CFLAGS) $(LIBOSMOCTRL_CFLAGS) $(LIBOSMOSIGTRAN_CFLAGS)
noinst_HEADERS += \
	scp/scp.h \
	scp/call_events.h \
	scp/call_common.h \
	scp/ain_service.h \
	$(NULL)

SCP_LIBS = \
	$(top_builddir)/scp/libscp.a \
	$(TCAP_LIBS) \
	$(LIBOSMOSIGTRAN_LIBS) \
	$(LIBOSMOCTRL_LIBS) \
	$(LIBOSMOVTY_LIBS) \
	$(LIBOSMOCORE_LIBS) \
	$(TALLOC_LIBS) \
	$(NULL)

bin_PROGRAMS += scp/tandem-scp
scp_tandem_scp_SOURCES = scp/main.c
scp_tandem_scp_CFLAGS = $(scp_libscp_a_CFLAGS)
scp_tandem_scp_LDADD = $(SCP_LIBS)

# tandem-ssp: the SSP/MSC side for tests and engineers, on the same stack.
bin_PROGRAMS += tools/tandem-ssp
tools_tandem_ssp_SOURCES = \
	tools/tandem-ssp.c \
	tools/ssp_stack.c \
	tools/ssp_call.c \
	tools/ssp_encode.c \
	tools/ssp_cap.c \
	tools/ssp_ain.c \
	$(NULL)
tools_tandem_ssp_CFLAGS = $(scp_libscp_a_CFLAGS) $(JANSSON_CFLAGS)
tools_tandem_ssp_LDADD = $(DECODE_LIBS) $(SCP_LIBS)
noinst_HEADERS += tools/ssp.h
# its load generator and the echo responder of the benchmark (bench/scp, doc/tandem-ssp.md)
tools_tandem_ssp_SOURCES += tools/ssp_load.c tools/ssp_load_main.c tools/ssp_echo.c tools/ssp_hist.c
dist_doc_DATA += doc/tandem-ssp.md
noinst_HEADERS += tools/ssp_load.h tools/ssp_hist.h

# ain_ssp: the AIN switch side of the tandem-scp integration tests (tests/scp_ain.sh).
check_PROGRAMS += tests/ain_ssp
tests_ain_ssp_SOURCES = tests/ain_ssp.c
tests_ain_ssp_CFLAGS = $(scp_libscp_a_CFLAGS)
tests_ain_ssp_LDADD = $(SCP_LIBS)

# The notifier: call events to tandem-server through an on-disk spool (libcurl multi on the select loop).
scp_libscp_a_SOURCES += scp/spool.c scp/notifier.c scp/notifier_vty.c
scp_libscp_a_CFLAGS += $(LIBCURL_CFLAGS) $(JANSSON_CFLAGS)
noinst_HEADERS += scp/spool.h scp/notifier.h
SCP_LIBS += $(LIBCURL_LIBS) $(JANSSON_LIBS)
dist_doc_DATA += doc/notifier.md
EXTRA_DIST += tests/scp_ain.sh

# tandem-scp and tandem-ssp documentation, example switch config.
dist_doc_DATA += doc/tandem-scp.md
EXTRA_DIST += doc/examples/ssp.cfg doc/examples/tandem-scp.cfg doc/examples/osmo-stp-ipa.cfg doc/examples/osmo-stp-m3ua.cfg
