# SPDX-License-Identifier: AGPL-3.0-or-later
# ANSI TCAP and AIN ASN.1 modules (ASN1_ANSI_MODULES += asn1/X.asn).
ASN1_ANSI_MODULES += asn1/ANSI-TCAP.asn
ASN1_ANSI_MODULES += asn1/AIN-Datatypes.asn
ASN1_ANSI_MODULES += asn1/AIN-Arguments.asn
