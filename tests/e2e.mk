# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/e2e.at: the whole chain (tests/faults_e2e.sh, and the demo contrib/demo.sh).
EXTRA_DIST += tests/faults_e2e.sh tests/faults_e2e.ok
