/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: incremental CSV (RFC 4180) reader for streamed imports, with line numbers. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define SRV_CSV_MAX_FIELDS	16
#define SRV_CSV_MAX_RECORD	8192

/*! One complete record. fields[] are NUL-terminated and valid until the callback returns.
 *  \param[in] line physical line (1-based) where the record starts
 *  \param[in] err NULL, or why the record is malformed (then nfields/fields are not usable)
 *  \returns 0 to go on, negative to stop feeding (srv_csv_feed() returns it) */
typedef int (*srv_csv_record_cb)(void *priv, unsigned long line, unsigned int nfields, char **fields,
				 const char *err);

enum srv_csv_state {
	CSV_FIELD_START,	/*!< at the start of a field */
	CSV_UNQUOTED,		/*!< inside an unquoted field */
	CSV_QUOTED,		/*!< inside a quoted field */
	CSV_QUOTE,		/*!< a '"' inside a quoted field: end of field or the first of '""' */
	CSV_AFTER_CR,		/*!< a CR ended the record; a LF right after belongs to it */
};

/*! Parser state. Memory is fixed (one record buffer), whatever the size of the input. */
struct srv_csv {
	srv_csv_record_cb cb;
	void *priv;
	enum srv_csv_state st;
	unsigned long line;		/*!< current physical line */
	unsigned long rec_line;		/*!< line where the current record started */
	bool in_record;			/*!< some byte of the current record was seen */
	bool quoted_field;		/*!< the current field started with '"' */
	const char *err;		/*!< the current record is malformed */
	char buf[SRV_CSV_MAX_RECORD + SRV_CSV_MAX_FIELDS];
	size_t len;
	unsigned int nfields;
	size_t field_off[SRV_CSV_MAX_FIELDS];
	unsigned long records;		/*!< complete records delivered so far */
	unsigned long long bytes;	/*!< bytes fed so far */
};

void srv_csv_init(struct srv_csv *p, srv_csv_record_cb cb, void *priv);
int srv_csv_feed(struct srv_csv *p, const char *data, size_t len);
int srv_csv_finish(struct srv_csv *p);
bool srv_utf8_valid(const char *s, size_t len);
