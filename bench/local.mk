# SPDX-License-Identifier: AGPL-3.0-or-later
# bench/: benchmarks. They print figures and ratios; they never fail a build on a timing.
