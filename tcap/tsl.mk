# SPDX-License-Identifier: AGPL-3.0-or-later
# TCAP transaction and component sublayers (ITU Q.774, ANSI T1.114).
tcap_libtandem_tcap_a_SOURCES += \
	tcap/transaction.c \
	tcap/component.c \
	$(NULL)
noinst_HEADERS += \
	include/tandem/tcap_tsl.h \
	tcap/tsl_internal.h \
	$(NULL)
