/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-ssp load and echo: many calls at a fixed rate, and the trivial responder of the benchmark. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

struct ssp;

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
