/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-ssp load and echo: many calls at a fixed rate, and the trivial responder of the benchmark. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "decode_json.h"

struct ssp;
struct tcap_tsl;
struct tcap_dlg;
struct tcap_ind;

enum ssp_scenario {
	SSP_SC_TRIGGER,
	SSP_SC_MONITOR,
};

/* A range of numbers for --calling-range / --called-range: call i takes lo + i mod (hi - lo + 1),
 * written with as many digits as lo. */
struct ssp_numrange {
	bool plus;
	unsigned int width;
	uint64_t lo, hi;
};

struct ssp_load_opts {
	enum td_proto proto;
	bool term;
	enum ssp_scenario scenario;
	double rate, duration, answer_after, hold, timeout, drain;
	uint32_t service_key;
	int tct;
	struct ssp_numrange calling, called;
	const char *json;
	bool progress;
};

/* tools/ssp_load.c */
/*! \brief The indication callback of the TCAP layer in load mode. */
void ssp_load_ind(struct tcap_tsl *tsl, struct tcap_dlg *dlg, const struct tcap_ind *ind);
/*! \brief Run the calls on a started stack (ssp_stack_start() with ssp_load_ind), print the
 *  summary, write the JSON; *stop (set by a signal) ends the arrivals and the drain early.
 *  \returns the exit status (SSP_EXIT_*). */
int ssp_load_run(struct ssp *ssp, const struct ssp_load_opts *o, volatile bool *stop);

/* tools/ssp_load_main.c */

/*! \brief Whether the command line asks for `load` or `echo` (the first argument that is
 *  neither an option nor an option's value). */
bool ssp_load_wanted(int argc, char **argv);

/*! \brief Run `tandem-ssp ... load ...` or `tandem-ssp ... echo ...`: its own options, the
 *  config file with the `load-limit` commands, the run and its summary.
 *  \returns the exit status (SSP_EXIT_*). */
int ssp_load_main(int argc, char **argv);

/*! \brief Print the load and echo part of --help. */
void ssp_load_usage(FILE *f);

/* tools/ssp_echo.c */
/*! \brief The echo responder: answer every Begin (ANSI Query) with one fixed End (Response),
 *  built once for the protocol, without decoding what came in, until *stop or duration
 *  seconds. \returns the exit status (SSP_EXIT_*). */
int ssp_echo_run(struct ssp *ssp, double duration, volatile bool *stop);
