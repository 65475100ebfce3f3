# SPDX-License-Identifier: AGPL-3.0-or-later
# tools/: tandem-decode (and later tandem-ssp, tandem-client, tandemctl).

include tools/sigtran.mk

# tandem-decode: the JSON rendering is a small library so tandem-ssp prints the same.
noinst_LIBRARIES += tools/libtandem-decode.a
tools_libtandem_decode_a_SOURCES = \
	tools/decode_json.c \
	tools/decode_json_ain.c \
	$(NULL)
tools_libtandem_decode_a_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
noinst_HEADERS += tools/decode_json.h tools/decode_json_ain.h
DECODE_LIBS = $(top_builddir)/tools/libtandem-decode.a $(JANSSON_LIBS)

bin_PROGRAMS += tools/tandem-decode
tools_tandem_decode_SOURCES = tools/tandem-decode.c
tools_tandem_decode_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tools_tandem_decode_LDADD = $(DECODE_LIBS) $(SIGTRAN_LIBS) $(TCAP_LIBS)
dist_doc_DATA += doc/tandem-decode.md

# tandem-client: its program and tools/tandem-client.c are declared in server/local.mk, which automake reads
# after this file, so its other parts are added here as a second source list (nodist_ only because the plain
# list is defined there; EXTRA_DIST distributes them). Move both lists together when the program moves here.
nodist_tools_tandem_client_SOURCES = \
	tools/client_http.c \
	tools/client_listen.c \
	tools/client_phone.c \
	tools/client_print.c \
	tools/client_send.c \
	$(NULL)
noinst_HEADERS += tools/client.h
EXTRA_DIST += $(nodist_tools_tandem_client_SOURCES) tests/client.sh tests/client.ok tests/client_sse.py
