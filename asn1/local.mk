# SPDX-License-Identifier: AGPL-3.0-or-later
# asn1/: our ASN.1 modules, compiled at build time by Debian's asn1c 0.9.28 into
# asn1/gen/ (build tree). The generated C is never edited; it is built with relaxed
# warnings by asn1/gen.mk into asn1/gen/libtandem-asn1.a together with the runtime
# skeletons asn1c copies. Only tcap/ and the protocol codecs include its headers.

# Each protocol family lists its modules in its own fragment.
ASN1_MODULES = \
	asn1/TCAP-Messages.asn \
	asn1/TCAP-Dialogue.asn \
	$(ASN1_CAP_MODULES) \
	$(ASN1_ANSI_MODULES) \
	$(NULL)
ASN1_CAP_MODULES =
ASN1_ANSI_MODULES =
include asn1/cap.mk
include asn1/ansi.mk
EXTRA_DIST += $(ASN1_MODULES) asn1/gen.mk

ASN1_LIB = $(top_builddir)/asn1/gen/libtandem-asn1.a
ASN1_CPPFLAGS = -I$(top_builddir)/asn1/gen -I$(ASN1C_SKELETONS)

# config.status, local.mk: other CFLAGS (a reconfigure, sanitizers) rebuild the generated code
asn1/gen.stamp: $(addprefix $(top_srcdir)/,$(ASN1_MODULES)) $(top_builddir)/config.status $(top_srcdir)/asn1/local.mk
	$(AM_V_GEN)rm -rf asn1/gen && $(MKDIR_P) asn1/gen && \
	(cd asn1/gen && $(ASN1C) -S $(ASN1C_SKELETONS) -fcompound-names -fincludes-quoted \
		$(addprefix $(abs_top_srcdir)/,$(ASN1_MODULES)) >asn1c.log 2>&1) || \
		{ cat asn1/gen/asn1c.log >&2; rm -rf asn1/gen; exit 1; }
	@rm -f asn1/gen/converter-sample.c asn1/gen/Makefile.am.sample
	@touch $@

# ASN_DEBUG: asn1c's disabled debug hook is an inline function whose arguments are still
# evaluated, reading fields that are unset after a truncated element (valgrind reports it);
# a macro that drops them keeps the generated code valgrind-clean without editing it.
$(ASN1_LIB): asn1/gen.stamp $(top_srcdir)/asn1/gen.mk
	$(AM_V_GEN)$(MAKE) -s -C asn1/gen -f $(abs_top_srcdir)/asn1/gen.mk \
		CC="$(CC)" AR="$(AR)" \
		CFLAGS="$(CFLAGS) $(ASN1_EXTRA_CFLAGS) '-DASN_DEBUG(...)=((void)0)' -std=gnu11 -w -fPIC"

BUILT_SOURCES += asn1/gen.stamp
all-local: $(ASN1_LIB)

clean-local: clean-asn1
clean-asn1:
	-rm -rf asn1/gen asn1/gen.stamp
