# SPDX-License-Identifier: AGPL-3.0-or-later
# SIGTRAN/SCCP framing and pcap reading used by tandem-decode --pcap and the tshark tests.
