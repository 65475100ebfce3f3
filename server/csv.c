/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: incremental CSV (RFC 4180) reader for streamed imports.
 *
 * Bytes come in arbitrary chunks (as they arrive over HTTP); complete records are handed to a callback with
 * the line they start on. Records end at LF, CRLF or a lone CR; fields are separated by ','; a field that
 * starts with '"' is quoted and may hold ',', '"' (written '""') and line breaks. Blank lines are skipped.
 * A malformed record (stray quote, NUL byte, too long, too many fields, unterminated quote at the end) is
 * still delimited by the same rules and handed over with an error, so the records after it keep their
 * line numbers. Memory is one fixed record buffer: O(1) in the size of the input. */

#include <errno.h>
#include <string.h>

#include "csv.h"

/*! \brief Set up a parser; cb gets every record. */
void srv_csv_init(struct srv_csv *p, srv_csv_record_cb cb, void *priv)
{
	memset(p, 0, sizeof(*p));
	p->cb = cb;
	p->priv = priv;
	p->line = 1;
	p->st = CSV_FIELD_START;
}

static void set_err(struct srv_csv *p, const char *err)
{
	if (!p->err)
		p->err = err;
}

static void put(struct srv_csv *p, char c)
{
	if (p->err)
		return;
	if (p->len >= SRV_CSV_MAX_RECORD) {
		set_err(p, "record longer than 8192 bytes");
		return;
	}
	p->buf[p->len++] = c;
}

/* The current field ends (its bytes start at field_off[nfields], recorded when it began). */
static void end_field(struct srv_csv *p)
{
	if (p->err)
		return;
	if (p->nfields >= SRV_CSV_MAX_FIELDS) {
		set_err(p, "too many fields");
		return;
	}
	p->buf[p->len++] = '\0';	/* room reserved: buf has SRV_CSV_MAX_FIELDS extra bytes */
	p->nfields++;
}

static void begin_field(struct srv_csv *p)
{
	if (!p->err && p->nfields < SRV_CSV_MAX_FIELDS)
		p->field_off[p->nfields] = p->len;
	p->quoted_field = false;
}

static int end_record(struct srv_csv *p)
{
	char *fields[SRV_CSV_MAX_FIELDS];
	unsigned int i;
	int rc;

	if (!p->in_record) {
		/* a blank line */
		begin_field(p);
		return 0;
	}
	end_field(p);
	for (i = 0; !p->err && i < p->nfields; i++)
		fields[i] = p->buf + p->field_off[i];
	p->records++;
	rc = p->cb(p->priv, p->rec_line, p->err ? 0 : p->nfields, fields, p->err);
	p->err = NULL;
	p->len = 0;
	p->nfields = 0;
	p->in_record = false;
	begin_field(p);
	return rc;
}

static void start_byte(struct srv_csv *p)
{
	if (!p->in_record) {
		p->in_record = true;
		p->rec_line = p->line;
	}
}

/*! \brief Parse the next chunk of input.
 *  \returns 0, or the first negative value a callback returned (the rest of the chunk is not parsed) */
int srv_csv_feed(struct srv_csv *p, const char *data, size_t len)
{
	size_t i;
	int rc;

	for (i = 0; i < len; i++) {
		char c = data[i];

		p->bytes++;
		if (c == '\0') {
			start_byte(p);
			set_err(p, "NUL byte");
			continue;
		}
		switch (p->st) {
		case CSV_AFTER_CR:
			/* CRLF is one line break; after a lone CR this byte starts the next record */
			p->st = CSV_FIELD_START;
			if (c == '\n')
				continue;
			/* fall through */
		case CSV_FIELD_START:
			if (c == '"') {
				start_byte(p);
				p->quoted_field = true;
				p->st = CSV_QUOTED;
				continue;
			}
			/* fall through */
		case CSV_UNQUOTED:
			if (c == ',') {
				start_byte(p);
				end_field(p);
				begin_field(p);
				p->st = CSV_FIELD_START;
			} else if (c == '\n' || c == '\r') {
				rc = end_record(p);
				p->line++;
				p->st = c == '\r' ? CSV_AFTER_CR : CSV_FIELD_START;
				if (rc < 0)
					return rc;
			} else {
				start_byte(p);
				if (c == '"')
					set_err(p, "quote inside an unquoted field");
				put(p, c);
				p->st = CSV_UNQUOTED;
			}
			break;
		case CSV_QUOTED:
			if (c == '"') {
				p->st = CSV_QUOTE;
			} else {
				if (c == '\n')
					p->line++;
				put(p, c);
			}
			break;
		case CSV_QUOTE:
			if (c == '"') {
				put(p, '"');
				p->st = CSV_QUOTED;
			} else if (c == ',') {
				end_field(p);
				begin_field(p);
				p->st = CSV_FIELD_START;
			} else if (c == '\n' || c == '\r') {
				rc = end_record(p);
				p->line++;
				p->st = c == '\r' ? CSV_AFTER_CR : CSV_FIELD_START;
				if (rc < 0)
					return rc;
			} else {
				set_err(p, "text after a closing quote");
				p->st = CSV_UNQUOTED;
			}
			break;
		}
	}
	return 0;
}

/*! \brief The input ended: hand over a last record that had no line break.
 *  \returns 0 or what the callback returned */
int srv_csv_finish(struct srv_csv *p)
{
	if (p->st == CSV_QUOTED)
		set_err(p, "quoted field not closed at the end of the file");
	p->st = CSV_FIELD_START;
	return end_record(p);
}

/*! \brief Whether s[0..len) is well-formed UTF-8 (shortest forms, no surrogates, at most U+10FFFF). */
bool srv_utf8_valid(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned char c = u[i];
		unsigned int n, cp, k;

		if (c < 0x80) {
			i++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (len - i <= n)
			return false;
		for (k = 1; k <= n; k++) {
			if ((u[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (u[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}
