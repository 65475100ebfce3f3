# SPDX-License-Identifier: AGPL-3.0-or-later
# tandem-server daemon, its SQL migrations and tandemctl.
