/* SPDX-License-Identifier: AGPL-3.0-or-later */
/* tandem-server: the events outbox (append inside the caller's transaction, wake-ups, NOTIFY, retention). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct srv_instance;
struct srv_outbox;

/*! The NOTIFY channel: its payload is only the highest seq written (decimal), never the data. */
#define SRV_OUTBOX_CHANNEL	"tandem_outbox"

/*! Head of the statement that appends events to device outboxes, for use inside the caller's own statement
 *  (a data-modifying CTE is part of the statement's transaction, so the events commit or vanish with the
 *  change that caused them). The caller goes on with one row per event, in device order, and returns the
 *  highest seq, e.g.:
 *
 *  WITH s AS (UPDATE sessions ... RETURNING ...),
 *   ob AS (SRV_OUTBOX_INSERT SELECT m.device_id, 'session.established', jsonb_build_object(...)
 *          FROM members m JOIN s ... ORDER BY m.device_id RETURNING seq)
 *  SELECT ..., (SELECT max(seq) FROM ob)
 *
 *  and, once the statement completed, passes that seq to srv_outbox_written(). seq is assigned by the table's
 *  trigger (never by the caller); type is [a-z][a-z0-9_.-]{0,63}; payload a JSON object. */
#define SRV_OUTBOX_INSERT	"INSERT INTO outbox (device_id, type, payload)"

struct srv_outbox *srv_outbox_alloc(struct srv_instance *srv);
void srv_outbox_written(struct srv_instance *srv, int64_t seq);
int srv_outbox_seq_parse(int64_t *out, const char *s);
bool srv_outbox_type_valid(const char *s);
