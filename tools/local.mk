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

# tandem-client: a device's client over the REST API (listen: SSE; send; phone); blocking libcurl, like
# tandemctl.
bin_PROGRAMS += tools/tandem-client
tools_tandem_client_SOURCES = \
	tools/tandem-client.c \
	tools/client_http.c \
	tools/client_listen.c \
	tools/client_phone.c \
	tools/client_print.c \
	tools/client_send.c \
	$(NULL)
tools_tandem_client_CFLAGS = $(AM_CFLAGS) $(LIBCURL_CFLAGS) $(JANSSON_CFLAGS)
tools_tandem_client_LDADD = $(LIBCURL_LIBS) $(JANSSON_LIBS)
noinst_HEADERS += tools/client.h
dist_doc_DATA += doc/tandem-client.md
EXTRA_DIST += tests/client.sh tests/client.ok tests/client_sse.py
