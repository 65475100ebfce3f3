# SPDX-License-Identifier: AGPL-3.0-or-later
# ANSI TCAP message codec and AIN argument codecs.
