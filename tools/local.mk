# SPDX-License-Identifier: AGPL-3.0-or-later
# tools/: tandem-decode (and later tandem-ssp, tandem-client, tandemctl).

include tools/sigtran.mk
