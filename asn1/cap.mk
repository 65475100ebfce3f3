# SPDX-License-Identifier: AGPL-3.0-or-later
# CAP v2/v3/v4 and INAP CS-1 ASN.1 modules (ASN1_CAP_MODULES += asn1/X.asn).
