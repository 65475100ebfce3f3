# SPDX-License-Identifier: AGPL-3.0-or-later
# CAP v2/v3/v4 and INAP CS-1 ASN.1 modules (ASN1_CAP_MODULES += asn1/X.asn).
# CAP imports the CS-1 data types from the INAP modules, as TS 29.078 does.
ASN1_CAP_MODULES += \
	asn1/INAP-Datatypes.asn \
	asn1/INAP-Operations.asn \
	asn1/CAP-Datatypes.asn \
	asn1/CAP-Operations.asn \
	$(NULL)
