# SPDX-License-Identifier: AGPL-3.0-or-later
# ANSI TCAP message codec and AIN argument codecs.
tcap_libtandem_tcap_a_SOURCES += tcap/msg_ansi.c tcap/ain.c
noinst_HEADERS += tcap/msg_internal.h include/tandem/ain.h
