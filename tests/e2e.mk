# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/e2e.at: the whole chain (tests/faults_e2e.sh, the demo contrib/demo.sh) and operations (CTRL).
EXTRA_DIST += contrib/demo.sh tests/faults_e2e.sh tests/faults_e2e.ok tests/server_ctrl.sh tests/server_ctrl.ok
