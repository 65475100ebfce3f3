# SPDX-License-Identifier: AGPL-3.0-or-later
# Number codecs.
tcap_libtandem_tcap_a_SOURCES += tcap/numbers.c
