# SPDX-License-Identifier: AGPL-3.0-or-later
# CAP/INAP argument codecs (the only code besides tcap/ that includes asn1c headers).
tcap_libtandem_tcap_a_SOURCES += \
	tcap/cap.c \
	tcap/cap_bcsm.c \
	tcap/cap_gap.c \
	tcap/cap_names.c \
	tcap/cap_ber.c \
	$(NULL)
noinst_HEADERS += \
	tcap/cap_ber.h \
	tcap/cap_priv.h \
	$(NULL)
