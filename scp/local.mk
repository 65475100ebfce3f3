# SPDX-License-Identifier: AGPL-3.0-or-later
# tandem-scp daemon: SCCP user, service logic, VTY/CTRL.
