# SPDX-License-Identifier: AGPL-3.0-or-later
# Test programs for the SCP area.
