# SPDX-License-Identifier: AGPL-3.0-or-later
# libtandem-tcap: TCAP message codec (ITU and ANSI), number codecs, and the
# CAP/INAP/AIN argument codecs. The only code that includes asn1c headers.
noinst_LIBRARIES += tcap/libtandem-tcap.a
tcap_libtandem_tcap_a_SOURCES = \
	tcap/msg.c \
	tcap/oid.c \
	tcap/ber.c \
	tcap/der.c \
	tcap/msg_itu.c \
	$(NULL)
tcap_libtandem_tcap_a_CPPFLAGS = $(AM_CPPFLAGS) $(ASN1_CPPFLAGS)
noinst_HEADERS += \
	include/tandem/tcap_msg.h \
	include/tandem/tcap_numbers.h \
	include/tandem/cap.h \
	tcap/ber.h \
	tcap/msg_itu.h \
	$(NULL)

# Link line for anything that uses the codecs.
TCAP_LIBS = $(top_builddir)/tcap/libtandem-tcap.a $(ASN1_LIB) $(LIBOSMOCORE_LIBS) $(TALLOC_LIBS)

include tcap/numbers.mk
include tcap/cap.mk
include tcap/ansi.mk
include tcap/tsl.mk

# The codecs include asn1c's generated headers: build them first, even when a
# single target is asked for (BUILT_SOURCES only covers `make all/check`).
$(tcap_libtandem_tcap_a_OBJECTS): asn1/gen.stamp
