-- SPDX-License-Identifier: AGPL-3.0-or-later
-- tandem-server schema, version 7: the leg matcher runs once per statement over every leg the statement stored or
-- moved on, and makes the sessions of the common case together, in a few set-based statements.
--
-- Before, a row trigger ran tandem_match_leg once per leg: for a new session about twenty statements, each with
-- its executor start-up, where one ingest statement carries up to a hundred calls (doc/notifier.md: batch). Now
-- statement triggers hand the statement's legs to tandem_match_legs, which works in rounds: a round takes every
-- leg that is the earliest left of each TDN it names, so legs sharing a party are still matched in the order
-- they were stored, and legs of one round touch no common party. In a round, the legs of the common case (a
-- network leg of a call no other leg agrees with, a party coupled: a new call and its session) are matched
-- together; every other leg goes through tandem_match_leg as before. What is written (calls, sessions, members,
-- outbox events in each device's order within a session, cards, deliveries) is what tandem_match_leg writes.
--
-- Plans: the matcher's functions keep one plan per connection (force_generic_plan) and plan it with sequential
-- scans, hash and merge joins off and without JIT: every statement is a set of lookups by key. On a fresh
-- database (its tables never analyzed, or analyzed while empty) the planner otherwise chose scans of whole tables
-- that looked tiny, and the kept plans went on scanning them as they grew (bench/matcher/README.md).

-- Indexes no statement uses any more (006 bounded every lookup by called TDN with legs_called_start; nothing
-- looks legs up by calling TDN or by age): each cost two entries per call (the leg's insert and the update that
-- gives it its call).
DROP INDEX legs_calling, legs_called, legs_unmatched, legs_called_only;

-- As in 004, but STABLE: jsonb_build_object is STABLE, so PostgreSQL never inlined the IMMUTABLE declaration and
-- ran the function through the SQL function executor for every party of every event.
CREATE OR REPLACE FUNCTION tandem_party(tdn text, withheld boolean, own boolean) RETURNS jsonb
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN withheld AND NOT own THEN jsonb_build_object('withheld', true)
		ELSE jsonb_build_object('tdn', tdn, 'withheld', withheld) END
$$;

-- An insert that takes its seq itself (after taking the outbox locks of its devices in device order, as the
-- trigger would, see 003) skips the trigger and its per-row function call.
DROP TRIGGER outbox_take_seq ON outbox;
CREATE TRIGGER outbox_take_seq BEFORE INSERT ON outbox FOR EACH ROW WHEN (NEW.seq IS NULL)
	EXECUTE FUNCTION outbox_take_seq();

-- Cards of the sessions sids (the rules of tandem_cards in 004 and 005, for many sessions in one statement): to
-- the member devices in devs about every other party, and to every member about the parties in subjects; both
-- NULL: every member about every other party. The sessions of one matcher round have no party in common, so no
-- device is sent one subject's fields twice here. The events take their seq themselves, after the outbox locks
-- of the sessions' member devices (003; held already when the matcher took them up front).
CREATE FUNCTION tandem_cards_of(sids bigint[], devs bigint[], subjects bigint[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET enable_seqscan = off
	SET enable_hashjoin = off SET enable_mergejoin = off SET jit = off
AS $$
BEGIN
	PERFORM pg_advisory_xact_lock(1952739170, (d % 2147483647)::integer) FROM (
		SELECT DISTINCT device_id AS d FROM session_members WHERE session_id = ANY (sids) ORDER BY 1) AS z;
	WITH c AS (
		SELECT s.id AS session_id, s.call_id, m.device_id, o.subscriber_id AS subject_id, f.name AS field,
			f.version,
			CASE WHEN f.media_id IS NOT NULL THEN jsonb_build_object('url', '/v1/media/' || f.media_id,
				'content_type', md.content_type, 'size', md.size, 'version', f.version)
			ELSE jsonb_build_object('value', f.value, 'version', f.version) END AS value,
			o.role, tandem_party(o.tdn, false, false) AS subject,
			CASE m.role WHEN 'callee' THEN 'popup' ELSE 'panel' END AS display
		FROM sessions s
		JOIN session_members m ON m.session_id = s.id
		JOIN LATERAL (SELECT DISTINCT ON (x.subscriber_id) x.subscriber_id, x.tdn, x.role
			FROM session_members x WHERE x.session_id = s.id AND x.subscriber_id <> m.subscriber_id
			ORDER BY x.subscriber_id, x.joined_at) o ON true
		JOIN profile_fields f ON f.subscriber_id = o.subscriber_id
		LEFT JOIN media md ON md.id = f.media_id
		WHERE s.id = ANY (sids)
		  AND ((devs IS NULL AND subjects IS NULL) OR m.device_id = ANY (devs)
			OR o.subscriber_id = ANY (subjects))
		  AND NOT (s.calling_withheld AND o.tdn IS NOT DISTINCT FROM s.calling_tdn)
		  -- (OFFSET 0 keeps the test a lookup per row: as a join, a plan made while blocks looked empty read
		  -- the whole table for every statement)
		  AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.subscriber_id = m.subscriber_id AND b.tdn = o.tdn)
			OR (b.subscriber_id = o.subscriber_id AND b.tdn = m.tdn) OFFSET 0)
		  AND (f.value IS NOT NULL OR f.media_id IS NOT NULL)
		  AND f.name IN (
			SELECT gv.field_name FROM groups g JOIN group_members gm ON gm.group_id = g.id
			JOIN group_visibility gv ON gv.group_id = g.id
			WHERE g.subscriber_id = o.subscriber_id AND gm.tdn = m.tdn
			UNION ALL
			SELECT dv.field_name FROM default_visibility dv WHERE dv.subscriber_id = o.subscriber_id
			  AND NOT EXISTS (SELECT 1 FROM groups g JOIN group_members gm ON gm.group_id = g.id
				WHERE g.subscriber_id = o.subscriber_id AND gm.tdn = m.tdn))),
	-- the version each device holds, looked up per field (as a join, a plan made while deliveries looked empty
	-- read the whole table for every statement)
	h AS MATERIALIZED (
		SELECT c.*, (SELECT d.version FROM deliveries d WHERE d.device_id = c.device_id
			     AND d.subject_id = c.subject_id AND d.field = c.field) AS held
		FROM c),
	ob AS (
		INSERT INTO outbox (seq, device_id, type, payload)
		SELECT nextval('outbox_seq'), q.* FROM (
			SELECT h.device_id, 'card', jsonb_build_object('session', h.session_id, 'call', h.call_id,
				'subject', h.subject, 'role', h.role, 'display', h.display,
				'fields', coalesce(jsonb_object_agg(h.field, h.value)
					FILTER (WHERE h.held IS DISTINCT FROM h.version), '{}'::jsonb),
				'unchanged', coalesce(jsonb_agg(h.field ORDER BY h.field)
					FILTER (WHERE h.held = h.version), '[]'::jsonb))
			FROM h
			GROUP BY h.device_id, h.session_id, h.call_id, h.subject_id, h.subject, h.role, h.display
			ORDER BY h.device_id, h.session_id, h.subject_id) AS q
		RETURNING 1)
	INSERT INTO deliveries AS d (device_id, subject_id, field, version)
	SELECT DISTINCT ON (device_id, subject_id, field) device_id, subject_id, field, version FROM c
	ORDER BY device_id, subject_id, field, version DESC
	ON CONFLICT (device_id, subject_id, field) DO UPDATE SET version = excluded.version, delivered_at = now()
		WHERE d.version IS DISTINCT FROM excluded.version;
END
$$;

-- One session's cards (005, 006): the statement above, so the rules live in one place.
CREATE OR REPLACE FUNCTION tandem_cards(s sessions, devs bigint[], subjects bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM tandem_cards_of(ARRAY[s.id], devs, subjects);
END
$$;

-- Legs ids were stored or changed state (in that order of ids): match them (see the top of this file). The rules
-- are tandem_match_leg's (005, 006); the common case is done for a round's legs at once.
CREATE FUNCTION tandem_match_legs(ids bigint[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan SET enable_seqscan = off
	SET enable_hashjoin = off SET enable_mergejoin = off SET jit = off
AS $$
DECLARE
	todo bigint[];
	round bigint[];
	fast bigint[];
	sids bigint[];
	w interval := tandem_match_window();
	wr interval;
	x legs;
	session bigint;
	i bigint;
BEGIN
	SELECT array_agg(DISTINCT v ORDER BY v) INTO todo FROM unnest(ids) AS v;
	IF todo IS NULL THEN
		RETURN;
	END IF;
	-- The locks the batch needs, up front and in one order: the called TDNs of the legs without a call (a call
	-- is made once per party, as in tandem_match_leg, which takes the same lock again at no cost), then the
	-- outbox locks (003) of every device coupled to a party, in device order. Another transaction taking its
	-- locks in the same order (a phone app's report: its TDN, then its devices; a relayed message: its
	-- devices) waits for this one instead of deadlocking with it.
	PERFORM pg_advisory_xact_lock(1952740723, k) FROM (
		SELECT DISTINCT hashtext(called_tdn) AS k FROM legs
		WHERE id = ANY (todo) AND call_id IS NULL AND called_tdn IS NOT NULL ORDER BY 1) AS z;
	PERFORM pg_advisory_xact_lock(1952739170, (d % 2147483647)::integer) FROM (
		SELECT DISTINCT c.device_id AS d FROM legs l
		JOIN subscribers sb ON sb.tdn IN (l.calling_tdn, l.called_tdn)
		JOIN couplings c ON c.subscriber_id = sb.id
		WHERE l.id = ANY (todo) ORDER BY 1) AS z;
	-- the range on the start time as in tandem_match_leg (006): every leg tandem_legs_agree accepts
	wr := make_interval(secs => extract(epoch FROM w) + 1);
	WHILE cardinality(todo) > 0 LOOP
		-- the earliest leg left of every TDN named (as calling or called party) by a leg left
		WITH t AS (
			SELECT DISTINCT l.id, p.tdn FROM legs l
			CROSS JOIN LATERAL (VALUES (l.calling_tdn), (l.called_tdn)) AS p(tdn)
			WHERE l.id = ANY (todo) AND p.tdn IS NOT NULL),
		r AS (SELECT id, row_number() OVER (PARTITION BY tdn ORDER BY id) AS rk FROM t)
		SELECT array_agg(v ORDER BY v) INTO round FROM (
			SELECT unnest(todo) EXCEPT SELECT id FROM r WHERE rk > 1) AS z(v);
		IF round IS NULL THEN
			round := todo[1:1];	-- cannot happen (the first leg left is always in a round)
		END IF;
		SELECT array_agg(v ORDER BY v) INTO todo FROM (
			SELECT unnest(todo) EXCEPT SELECT unnest(round)) AS z(v);
		todo := coalesce(todo, '{}');

		-- the common case: a network leg without a call, of a coupled party, that no other leg stored within the
		-- match window agrees with (so it joins no call and brings no unmatched leg along): a new call
		SELECT array_agg(l.id ORDER BY l.id) INTO fast FROM legs l
		WHERE l.id = ANY (round) AND l.source = 'network' AND l.call_id IS NULL
		  AND l.conference_session IS NULL AND l.called_tdn IS NOT NULL
		  AND (l.calling_tdn IS NOT NULL OR l.calling_withheld)
		  AND NOT (l.state = 'ended' AND coalesce(l.started_at, l.created_at) < now() - w)
		  AND EXISTS (SELECT 1 FROM subscribers sb JOIN couplings c ON c.subscriber_id = sb.id
			      WHERE sb.tdn IN (l.calling_tdn, l.called_tdn))
		  AND NOT EXISTS (SELECT 1 FROM legs o WHERE o.id <> l.id AND o.called_tdn = l.called_tdn
				  AND o.conference_session IS NULL
				  AND coalesce(o.started_at, o.created_at)
					BETWEEN coalesce(l.started_at, l.created_at) - wr
					AND coalesce(l.started_at, l.created_at) + wr
				  AND tandem_legs_agree(o, l));

		IF fast IS NOT NULL THEN
			-- a call and a session per leg, ids taken in leg order
			WITH n AS MATERIALIZED (
				SELECT q.*, nextval('calls_id_seq') AS cid, nextval('sessions_id_seq') AS sid
				FROM (SELECT id, calling_tdn, calling_withheld, called_tdn FROM legs
				      WHERE id = ANY (fast) ORDER BY id) AS q),
			c AS (INSERT INTO calls (id) SELECT cid FROM n),
			u AS (UPDATE legs SET call_id = n.cid FROM n WHERE legs.id = n.id),
			s AS (INSERT INTO sessions (id, call_id, calling_tdn, calling_withheld, called_tdn)
			      SELECT sid, cid, calling_tdn, calling_withheld, called_tdn FROM n)
			SELECT array_agg(sid ORDER BY sid) INTO sids FROM n;

			-- the members' devices are coupled to the parties, so their outbox locks are held (above): the
			-- events below take their seq themselves (003), without the per-row trigger

			-- the members and their call and session events (tandem_match_leg's statement, per session)
			WITH m AS (
				INSERT INTO session_members (session_id, device_id, subscriber_id, tdn, role)
				SELECT s.id, c.device_id, sb.id, sb.tdn,
					CASE WHEN sb.tdn = s.calling_tdn THEN 'caller' ELSE 'callee' END
				FROM sessions s
				JOIN subscribers sb ON sb.tdn IN (s.calling_tdn, s.called_tdn)
				JOIN couplings c ON c.subscriber_id = sb.id
				WHERE s.id = ANY (sids)
				ON CONFLICT DO NOTHING
				RETURNING session_id, device_id, role)
			INSERT INTO outbox (seq, device_id, type, payload)
			SELECT nextval('outbox_seq'), q.* FROM (
				SELECT m.device_id, e.type,
					e.payload || jsonb_build_object('session', s.id, 'call', s.call_id)
				FROM m JOIN sessions s ON s.id = m.session_id
				JOIN legs l ON l.call_id = s.call_id
				CROSS JOIN LATERAL (VALUES
					(1, CASE m.role WHEN 'callee' THEN 'call.incoming' ELSE 'call.outgoing' END,
					 jsonb_build_object(
						'caller', tandem_party(s.calling_tdn, s.calling_withheld, m.role = 'caller'),
						'callee', tandem_party(s.called_tdn, false, true), 'role', m.role,
						'time', coalesce(l.started_at, l.created_at))),
					(2, 'session.established', jsonb_build_object('state', s.state, 'role', m.role)))
					AS e(ord, type, payload)
				ORDER BY m.device_id, s.id, e.ord) AS q;

			PERFORM tandem_cards_of(sids, NULL, NULL);

			-- a leg first seen answered or ended: carry it (as tandem_match_leg does)
			FOR x IN SELECT * FROM legs WHERE id = ANY (fast) AND state IN ('answered', 'ended') ORDER BY id
			LOOP
				SELECT id INTO session FROM sessions WHERE call_id = x.call_id;
				PERFORM tandem_carry(session, x);
			END LOOP;
		END IF;

		-- the rest, one by one
		FOR i IN SELECT v FROM unnest(round) AS v EXCEPT SELECT unnest(fast) ORDER BY 1 LOOP
			PERFORM tandem_match_leg(i);
		END LOOP;
	END LOOP;
END
$$;

-- The per-leg functions as well: their plans (kept for the connection) use the index lookups whatever the
-- statistics say when they are made (a fresh database's tables look empty until autovacuum analyzes them).
-- JIT stays off: a plan with a disabled node costs enough to be compiled, which takes longer than running it.
ALTER FUNCTION tandem_match_leg(bigint) SET enable_seqscan = off SET enable_hashjoin = off
	SET enable_mergejoin = off SET jit = off;
ALTER FUNCTION tandem_carry(bigint, legs) SET enable_seqscan = off SET enable_hashjoin = off
	SET enable_mergejoin = off SET jit = off;
ALTER FUNCTION tandem_session_add(bigint, text, text, text, boolean, text, timestamptz) SET enable_seqscan = off
	SET enable_hashjoin = off SET enable_mergejoin = off SET jit = off;

CREATE FUNCTION tandem_legs_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM tandem_match_legs(ARRAY(SELECT id FROM new_legs));
	RETURN NULL;
END
$$;

-- Only a change of state is news to the matcher (the matcher's own updates set call_id).
CREATE FUNCTION tandem_legs_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM tandem_match_legs(ARRAY(SELECT n.id FROM new_legs n JOIN old_legs o ON o.id = n.id
					WHERE o.state IS DISTINCT FROM n.state));
	RETURN NULL;
END
$$;

DROP TRIGGER legs_match_insert ON legs;
DROP TRIGGER legs_match_update ON legs;
DROP FUNCTION tandem_legs_changed();
CREATE TRIGGER legs_match_insert AFTER INSERT ON legs REFERENCING NEW TABLE AS new_legs
	FOR EACH STATEMENT EXECUTE FUNCTION tandem_legs_inserted();
CREATE TRIGGER legs_match_update AFTER UPDATE ON legs REFERENCING OLD TABLE AS old_legs NEW TABLE AS new_legs
	FOR EACH STATEMENT EXECUTE FUNCTION tandem_legs_updated();
