-- SPDX-License-Identifier: AGPL-3.0-or-later
-- tandem-server schema, version 3: the events outbox, the source of every push (GET /v1/events).
--
-- Whatever makes an event for a device inserts a row here in the same transaction as the change that caused
-- it (server/outbox.h: SRV_OUTBOX_INSERT). Clients read their device's rows in seq order and resume after
-- the last seq they saw (Last-Event-ID). That only works if, for one device, a row with a higher seq never
-- becomes visible before a row with a lower one: with a plain bigserial default, transaction A could take
-- seq 10, B seq 11, B commit first, a client read 11 and then miss 10 for good. So seq is taken from
-- outbox_seq (what a bigserial would use) by a trigger, after the trigger took a transaction-scoped lock on
-- the device: per device, seq order is commit order. The lock is held until the writer commits; writers of
-- several devices in one statement should insert them in device order, else two of them can deadlock
-- (PostgreSQL then aborts one, 40P01, and the caller retries).

CREATE SEQUENCE outbox_seq;

CREATE TABLE outbox (
	seq bigint PRIMARY KEY,
	device_id bigint NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	type text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_.-]{0,63}$'),
	payload jsonb NOT NULL CHECK (jsonb_typeof(payload) = 'object'),
	created_at timestamptz NOT NULL DEFAULT now()
);
ALTER SEQUENCE outbox_seq OWNED BY outbox.seq;
-- a device's stream: rows after its last seen seq, in order
CREATE INDEX outbox_device_seq ON outbox (device_id, seq);
-- the retention job's age limit
CREATE INDEX outbox_created ON outbox (created_at);

-- Advisory lock key space 0x74646f62 ("tdob") with the device id folded into 31 bits: two devices that share
-- a key only wait for each other, which is harmless.
CREATE FUNCTION outbox_take_seq() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(1952739170, (NEW.device_id % 2147483647)::integer);
	NEW.seq := nextval('outbox_seq');
	RETURN NEW;
END
$$;
CREATE TRIGGER outbox_take_seq BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_take_seq();

-- Per device, the highest seq the retention job deleted: a client resuming from below it missed events it
-- can no longer get, and is told to resync.
CREATE TABLE outbox_pruned (
	device_id bigint PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
	seq bigint NOT NULL
);
