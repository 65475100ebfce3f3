-- SPDX-License-Identifier: AGPL-3.0-or-later
-- tandem-server schema, version 8: less work per row in the two tables every session writes most, the outbox
-- (six events per two-party session) and the card deliveries (a row per field shown).
--
-- Their foreign keys to devices and subscribers cost a lookup and a row lock of the referenced row for every
-- row written: a fifth of the matcher's time (bench/matcher/README.md). Both tables only ever hold rows for a
-- device (and subject) that existed when the row was written, and nothing reads them without the device: the
-- outbox is read by the device's own event stream, a delivery by the card rules and the media check for that
-- device. So the keys go, and what ON DELETE CASCADE did is done by triggers: a device's outbox rows and
-- deliveries are deleted with it, a subscriber's deliveries as a subject with it.
--
-- A row written for a device while that device is being deleted: writers of both tables hold the device's
-- outbox lock (003) from before they look the device up until they commit, and the deletion takes the same
-- lock before it deletes the device, then deletes its rows after. Either the writer commits first and its rows
-- are deleted, or the deletion commits first and the writer's next statement no longer finds the device. Only a
-- statement that found the device before it waited for the lock (a single insert through the outbox trigger,
-- e.g. a relayed message to a member being deleted) can leave an outbox row behind; it is never read (ids are
-- not reused, so no stream asks for it) and the retention job deletes it with the other old rows. The same
-- holds for a card written while its subject's subscriber is deleted: the delivery row is never read.
--
-- The age index of both logs becomes a BRIN index: rows arrive in time order, the retention job only asks for
-- the oldest, and a B-tree entry per row was the costliest part of writing them.

ALTER TABLE outbox DROP CONSTRAINT outbox_device_id_fkey;
ALTER TABLE deliveries DROP CONSTRAINT deliveries_device_id_fkey, DROP CONSTRAINT deliveries_subject_id_fkey;

DROP INDEX outbox_created;
CREATE INDEX outbox_created ON outbox USING brin (created_at) WITH (autosummarize = on);
DROP INDEX call_events_received;
CREATE INDEX call_events_received ON call_events USING brin (received_at) WITH (autosummarize = on);

-- Before a device row goes: its outbox lock (003), so a writer of its rows finishes first or sees it gone.
CREATE FUNCTION tandem_device_deleting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(1952739170, (OLD.id % 2147483647)::integer);
	RETURN OLD;
END
$$;
CREATE TRIGGER devices_deleting BEFORE DELETE ON devices FOR EACH ROW EXECUTE FUNCTION tandem_device_deleting();

-- After: their outbox rows and deliveries (each statement of the function sees what committed before the lock).
CREATE FUNCTION tandem_devices_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM outbox WHERE device_id IN (SELECT id FROM old_devices);
	DELETE FROM deliveries WHERE device_id IN (SELECT id FROM old_devices);
	RETURN NULL;
END
$$;
CREATE TRIGGER devices_deleted AFTER DELETE ON devices REFERENCING OLD TABLE AS old_devices
	FOR EACH STATEMENT EXECUTE FUNCTION tandem_devices_deleted();

CREATE FUNCTION tandem_subscribers_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM deliveries WHERE subject_id IN (SELECT id FROM old_subscribers);
	RETURN NULL;
END
$$;
CREATE TRIGGER subscribers_deleted AFTER DELETE ON subscribers REFERENCING OLD TABLE AS old_subscribers
	FOR EACH STATEMENT EXECUTE FUNCTION tandem_subscribers_deleted();
