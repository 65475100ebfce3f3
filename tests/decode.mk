# SPDX-License-Identifier: AGPL-3.0-or-later
# Test programs for tandem-decode (the CLI itself is built in tools/local.mk).
EXTRA_DIST += tests/decode_vectors.ok
