# SPDX-License-Identifier: AGPL-3.0-or-later
# TCAP transaction and component sublayers (ITU Q.774, ANSI T1.114).
