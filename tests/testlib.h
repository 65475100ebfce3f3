/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* Helpers shared by the unit test programs: hex, and the conformance vectors. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*! \brief Parse hex text (whitespace ignored). \returns byte count or -1. */
int tl_unhex(uint8_t *out, size_t size, const char *hex);
/*! \brief Print bytes as lowercase hex to stdout, no separator. */
void tl_hexprint(const uint8_t *buf, size_t len);
/*! \brief Load the "hex    :" line of vector NAME ("V1", "A1", ...) from
 *  tests/vectors/shared-vectors.txt under $abs_top_srcdir (or the current dir).
 *  \returns byte count, or -1 (and a message on stderr). */
int tl_vector(uint8_t *out, size_t size, const char *name);
/*! \brief Copy buf into an exactly sized heap block so ASan catches overreads;
 *  free with free(). */
uint8_t *tl_exact(const uint8_t *buf, size_t len);
