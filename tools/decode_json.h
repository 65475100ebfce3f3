/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* TCAP message -> JSON in the tandem-decode format (doc/tandem-decode.md). */
#pragma once

#include <jansson.h>

#include <tandem/tcap_msg.h>
#include <tandem/tcap_numbers.h>

/*! Which protocol the components are decoded as. */
enum td_proto {
	TD_PROTO_UNKNOWN,
	TD_PROTO_CAP2,
	TD_PROTO_CAP3,
	TD_PROTO_CAP4,
	TD_PROTO_INAP,
	TD_PROTO_AIN,
};

struct td_opts {
	struct tcap_dialplan plan;	/*!< for the "e164" member of numbers */
	enum td_proto force;		/*!< TD_PROTO_UNKNOWN: from the AC (ITU) or opcodes (ANSI) */
};

/*! \returns "cap2", ..., "unknown". */
const char *td_proto_name(enum td_proto p);
/*! \returns 0 and *out, or -EINVAL for an unknown name. */
int td_proto_from_name(enum td_proto *out, const char *name);

/*! \brief Protocol of a message: forced, else from its application context
 *  (ITU) or its operation codes (ANSI private 0x6xxx is AIN), else hint. */
enum td_proto td_guess_proto(const struct tcap_msg *m, const struct td_opts *o, enum td_proto hint);

/*! \brief The JSON object for one message (decoded as protocol p). Components
 *  whose argument does not decode get an "error" member and their raw "param". */
json_t *td_msg_to_json(const struct tcap_msg *m, enum td_proto p, const struct td_opts *o);

/*! \brief JSON object for a number: digits, nature, plan, presentation, screening, e164. */
json_t *td_number_json(const struct tcap_number *n, const struct tcap_dialplan *plan);
