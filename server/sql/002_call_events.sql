-- SPDX-License-Identifier: AGPL-3.0-or-later
-- tandem-server schema, version 2: the call events tandem-scp reports (POST /v1/call-events) and the network
-- legs they make. The leg matcher, sessions, members and the events outbox come in a later migration: a leg's
-- call_id stays NULL until the matcher joins it to a call.

-- A call as the matcher will see it: the legs that agree on its parties.
CREATE TABLE calls (
	id bigserial PRIMARY KEY,
	created_at timestamptz NOT NULL DEFAULT now()
);

-- One side of a call as one reporter saw it: the network (an SCP trigger and its answer and end events) or,
-- later, a phone app. A withheld calling number is kept (the matcher needs it) with calling_withheld set: it
-- must never be shown to the other party.
CREATE TABLE legs (
	id bigserial PRIMARY KEY,
	source text NOT NULL CHECK (source IN ('network', 'app')),
	scp_instance text,
	scp_call text,
	direction text NOT NULL CHECK (direction IN ('orig', 'term')),
	protocol text,
	calling_tdn text CHECK (calling_tdn ~ '^\+[1-9][0-9]{1,14}$'),
	calling_withheld boolean NOT NULL DEFAULT false,
	called_tdn text CHECK (called_tdn ~ '^\+[1-9][0-9]{1,14}$'),
	state text NOT NULL CHECK (state IN ('started', 'answered', 'ended')),
	started_at timestamptz,
	answered_at timestamptz,
	ended_at timestamptz,
	end_reason text,
	call_id bigint REFERENCES calls (id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (scp_instance, scp_call),
	CHECK ((source = 'network') = (scp_instance IS NOT NULL AND scp_call IS NOT NULL))
);
CREATE INDEX legs_calling ON legs (calling_tdn, started_at);
CREATE INDEX legs_called ON legs (called_tdn, started_at);
CREATE INDEX legs_unmatched ON legs (created_at) WHERE call_id IS NULL;

-- Every call event as an SCP sent it (only the members the server knows, validated), keyed by its id: the
-- SCP's instance and its sequence number. A redelivered event is not stored again and changes nothing.
CREATE TABLE call_events (
	instance text NOT NULL CHECK (instance ~ '^[A-Za-z0-9._-]{1,32}$'),
	seq bigint NOT NULL CHECK (seq > 0),
	type text NOT NULL CHECK (type IN ('trigger', 'answer', 'end')),
	call text NOT NULL,
	occurred_at timestamptz NOT NULL,
	received_at timestamptz NOT NULL DEFAULT now(),
	received_by text NOT NULL,
	body jsonb NOT NULL,
	PRIMARY KEY (instance, seq)
);
CREATE INDEX call_events_call ON call_events (instance, call);
CREATE INDEX call_events_received ON call_events (received_at);
