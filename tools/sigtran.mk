# SPDX-License-Identifier: AGPL-3.0-or-later
# SIGTRAN/SCCP framing and pcap reading used by tandem-decode --pcap and the tshark tests.
# libpcap (Debian libpcap-dev) reads both classic pcap and pcapng.
noinst_LIBRARIES += tools/libtandem-sigtran.a
tools_libtandem_sigtran_a_SOURCES = \
	tools/sigtran.c \
	tools/pcapread.c \
	$(NULL)
noinst_HEADERS += tools/sigtran.h
EXTRA_DIST += doc/sigtran-framing.md

# Link line for anything that uses the framing code or the pcap reader.
SIGTRAN_LIBS = $(top_builddir)/tools/libtandem-sigtran.a $(PCAP_LIBS)
