-- SPDX-License-Identifier: AGPL-3.0-or-later
-- tandem-server schema, version 6: the leg matcher of 004/005 with the same behaviour and less work per session.
--
-- - tandem_cards and tandem_session_cards are PL/pgSQL: PostgreSQL 15 plans a LANGUAGE sql function that is not
--   inlined (the cards statement writes, so it never is) again on every call, and planning the cards statement
--   cost more than running it; PL/pgSQL keeps its statements' plans for the life of the connection (with a
--   generic plan: see tandem_cards).
-- - tandem_match_leg makes a new session in fewer statements: the leg and the legs of the call seen before it
--   get their call in one UPDATE that also gives the calling party and the call's start time; the members are
--   inserted and told of the call and the session in one statement; the earlier legs are carried over only when
--   there are any; and a leg that is only "started" skips tandem_carry, which has nothing to do for it.
-- - The lookups by called TDN (the call to join, the call's unmatched legs) have an index path bounded by the match
--   window (see legs_called_start).

-- The call a leg may join is one whose legs started within the match window of it: with the start time in the
-- index the lookup reads the legs of that called TDN near that time, not all its legs ever stored.
CREATE INDEX legs_called_start ON legs (called_tdn, (coalesce(started_at, created_at)));

-- With the default plan_cache_mode PL/pgSQL kept planning the statement for every call: a plan for the session at
-- hand (devs and subjects NULL fold away) looked cheaper than the generic one, so the generic plan was never used.
-- The generic plan is the same index lookups by session and subscriber, so it is forced.
CREATE OR REPLACE FUNCTION tandem_cards(s sessions, devs bigint[], subjects bigint[]) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
BEGIN
	-- the statement of 005, unchanged (see there and tandem_session_cards in 004)
	WITH c AS (
		SELECT m.device_id, o.subscriber_id AS subject_id, f.name AS field, f.version,
			CASE WHEN f.media_id IS NOT NULL THEN jsonb_build_object('url', '/v1/media/' || f.media_id,
				'content_type', md.content_type, 'size', md.size, 'version', f.version)
			ELSE jsonb_build_object('value', f.value, 'version', f.version) END AS value,
			o.role, tandem_party(o.tdn, false, false) AS subject,
			CASE m.role WHEN 'callee' THEN 'popup' ELSE 'panel' END AS display
		FROM session_members m
		JOIN LATERAL (SELECT DISTINCT ON (x.subscriber_id) x.subscriber_id, x.tdn, x.role
			FROM session_members x WHERE x.session_id = s.id AND x.subscriber_id <> m.subscriber_id
			ORDER BY x.subscriber_id, x.joined_at) o ON true
		JOIN profile_fields f ON f.subscriber_id = o.subscriber_id
		LEFT JOIN media md ON md.id = f.media_id
		WHERE m.session_id = s.id
		  AND ((devs IS NULL AND subjects IS NULL) OR m.device_id = ANY (devs)
			OR o.subscriber_id = ANY (subjects))
		  AND NOT (s.calling_withheld AND o.tdn IS NOT DISTINCT FROM s.calling_tdn)
		  AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.subscriber_id = m.subscriber_id AND b.tdn = o.tdn)
			OR (b.subscriber_id = o.subscriber_id AND b.tdn = m.tdn))
		  AND (f.value IS NOT NULL OR f.media_id IS NOT NULL)
		  AND f.name IN (
			SELECT gv.field_name FROM groups g JOIN group_members gm ON gm.group_id = g.id
			JOIN group_visibility gv ON gv.group_id = g.id
			WHERE g.subscriber_id = o.subscriber_id AND gm.tdn = m.tdn
			UNION ALL
			SELECT dv.field_name FROM default_visibility dv WHERE dv.subscriber_id = o.subscriber_id
			  AND NOT EXISTS (SELECT 1 FROM groups g JOIN group_members gm ON gm.group_id = g.id
				WHERE g.subscriber_id = o.subscriber_id AND gm.tdn = m.tdn))),
	ob AS (
		INSERT INTO outbox (device_id, type, payload)
		SELECT c.device_id, 'card', jsonb_build_object('session', s.id, 'call', s.call_id, 'subject', c.subject,
			'role', c.role, 'display', c.display,
			'fields', coalesce(jsonb_object_agg(c.field, c.value)
				FILTER (WHERE d.version IS DISTINCT FROM c.version), '{}'::jsonb),
			'unchanged', coalesce(jsonb_agg(c.field ORDER BY c.field) FILTER (WHERE d.version = c.version),
				'[]'::jsonb))
		FROM c LEFT JOIN deliveries d ON d.device_id = c.device_id AND d.subject_id = c.subject_id
			AND d.field = c.field
		GROUP BY c.device_id, c.subject_id, c.subject, c.role, c.display
		ORDER BY c.device_id, c.subject_id
		RETURNING 1)
	INSERT INTO deliveries AS d (device_id, subject_id, field, version)
	SELECT device_id, subject_id, field, version FROM c
	ON CONFLICT (device_id, subject_id, field) DO UPDATE SET version = excluded.version, delivered_at = now()
		WHERE d.version IS DISTINCT FROM excluded.version;
END
$$;

CREATE OR REPLACE FUNCTION tandem_session_cards(s sessions) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	PERFORM tandem_cards(s, NULL, NULL);
END
$$;

-- As in 005 (see there for the rules); the comments say where the work differs. Generic plans, as for
-- tandem_cards: with the leg's source known, a custom plan of the test whether a leg makes a session drops one
-- of its two EXISTS and looks cheaper, so that test was planned again for every leg; every statement here is
-- an index lookup by the leg's or the session's keys, which the generic plan does as well.
CREATE OR REPLACE FUNCTION tandem_match_leg(leg_id bigint) RETURNS void
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
DECLARE
	l legs;
	x legs;
	s sessions;
	cid bigint;
	calling text;
	withheld boolean;
	t0 timestamptz;
	nlegs bigint;
	w interval;
	wr interval;
BEGIN
	-- read again, not taken from the trigger's NEW: the matcher of an earlier row of the same statement may
	-- have given this leg its call
	SELECT * INTO l FROM legs WHERE id = leg_id;
	IF NOT FOUND OR l.called_tdn IS NULL OR (l.calling_tdn IS NULL AND NOT l.calling_withheld)
	   OR l.conference_session IS NOT NULL THEN
		RETURN;
	END IF;
	IF l.call_id IS NULL THEN
		w := tandem_match_window();
		IF l.state = 'ended' AND coalesce(l.started_at, l.created_at) < now() - w THEN
			RETURN;	-- an old call replayed: nobody should be rung now
		END IF;
		-- legs of one call must not make two sessions: the called TDN is known to every leg
		PERFORM pg_advisory_xact_lock(1952740723, hashtext(l.called_tdn));
		-- the range on the start time (here and in the lookups of unmatched legs below) holds for every leg
		-- tandem_legs_agree accepts (wr is a second wider than the window, for rounding), in a form
		-- legs_called_start can use: unmatched legs (of parties nobody coupled) pile up in service
		wr := make_interval(secs => extract(epoch FROM w) + 1);
		SELECT x2.call_id INTO cid FROM legs x2 JOIN sessions ss ON ss.call_id = x2.call_id
		WHERE x2.id <> l.id AND x2.called_tdn = l.called_tdn AND x2.conference_session IS NULL
		  AND coalesce(x2.started_at, x2.created_at)
			BETWEEN coalesce(l.started_at, l.created_at) - wr AND coalesce(l.started_at, l.created_at) + wr
		  AND ss.state IN ('pending', 'active') AND tandem_legs_agree(x2, l)
		  -- the other side of this call, not another call of the same line
		  AND NOT EXISTS (SELECT 1 FROM legs y WHERE y.call_id = x2.call_id AND y.source = l.source
				  AND y.direction = l.direction)
		ORDER BY x2.id DESC LIMIT 1;
		IF cid IS NOT NULL THEN
			UPDATE legs SET call_id = cid WHERE id = l.id;
			SELECT * INTO s FROM sessions WHERE call_id = cid FOR UPDATE;
			IF s.calling_tdn IS NULL AND l.calling_tdn IS NOT NULL THEN
				UPDATE sessions SET calling_tdn = l.calling_tdn,
					calling_withheld = calling_withheld OR l.calling_withheld
				WHERE id = s.id RETURNING * INTO s;
			END IF;
			-- devices coupled since the session was made, or to a party this leg brought
			PERFORM tandem_session_add(s.id, s.calling_tdn, 'caller', s.calling_tdn, s.calling_withheld,
						   s.called_tdn, coalesce(l.started_at, l.created_at));
			PERFORM tandem_session_add(s.id, s.called_tdn, 'callee', s.calling_tdn, s.calling_withheld,
						   s.called_tdn, coalesce(l.started_at, l.created_at));
		-- A network leg alone makes the session when a party is coupled; an app leg only together with an
		-- unmatched leg of the other side (see 005).
		ELSIF (l.source = 'network'
		       AND EXISTS (SELECT 1 FROM subscribers sb JOIN couplings c ON c.subscriber_id = sb.id
				   WHERE sb.tdn IN (l.calling_tdn, l.called_tdn)))
		   OR (l.source = 'app'
		       AND EXISTS (SELECT 1 FROM legs u WHERE u.call_id IS NULL AND u.id <> l.id
				   AND u.conference_session IS NULL AND u.called_tdn = l.called_tdn
				   AND coalesce(u.started_at, u.created_at)
					BETWEEN coalesce(l.started_at, l.created_at) - wr
					AND coalesce(l.started_at, l.created_at) + wr
				   AND tandem_legs_agree(u, l))) THEN
			INSERT INTO calls DEFAULT VALUES RETURNING id INTO cid;
			-- this leg and the legs of this call seen before it had a session (an app leg whose peer is not
			-- coupled) get the call in one statement, which also tells the call's calling party and start
			WITH u AS (
				UPDATE legs SET call_id = cid WHERE id IN (
					SELECT l.id
					UNION ALL
					(SELECT DISTINCT ON (p.source, p.direction) p.id FROM legs p
					 WHERE p.call_id IS NULL AND p.id <> l.id AND p.conference_session IS NULL
					   AND p.called_tdn = l.called_tdn
					   AND coalesce(p.started_at, p.created_at)
						BETWEEN coalesce(l.started_at, l.created_at) - wr
						AND coalesce(l.started_at, l.created_at) + wr
					   AND tandem_legs_agree(p, l)
					 ORDER BY p.source, p.direction, p.id DESC))
				RETURNING id, calling_tdn, calling_withheld, coalesce(started_at, created_at) AS t)
			SELECT (array_agg(u.calling_tdn ORDER BY u.id) FILTER (WHERE u.calling_tdn IS NOT NULL))[1],
				bool_or(u.calling_withheld), min(u.t), count(*)
			INTO calling, withheld, t0, nlegs FROM u;
			INSERT INTO sessions (call_id, calling_tdn, calling_withheld, called_tdn)
			VALUES (cid, calling, withheld, l.called_tdn) RETURNING * INTO s;
			-- the members and their call and session events in one statement (the session is new: its
			-- members are the rows this one inserts)
			WITH m AS (
				INSERT INTO session_members (session_id, device_id, subscriber_id, tdn, role)
				SELECT s.id, c.device_id, sb.id, sb.tdn,
					CASE WHEN sb.tdn = s.calling_tdn THEN 'caller' ELSE 'callee' END
				FROM subscribers sb JOIN couplings c ON c.subscriber_id = sb.id
				WHERE sb.tdn IN (s.calling_tdn, s.called_tdn)
				ON CONFLICT DO NOTHING
				RETURNING device_id, role)
			INSERT INTO outbox (device_id, type, payload)
			SELECT m.device_id, e.type, e.payload || jsonb_build_object('session', s.id, 'call', cid)
			FROM m CROSS JOIN LATERAL (VALUES
				(1, CASE m.role WHEN 'callee' THEN 'call.incoming' ELSE 'call.outgoing' END,
				 jsonb_build_object(
					'caller', tandem_party(s.calling_tdn, s.calling_withheld, m.role = 'caller'),
					'callee', tandem_party(s.called_tdn, false, true), 'role', m.role,
					-- when the call started: its earliest leg
					'time', t0)),
				(2, 'session.established', jsonb_build_object('state', s.state, 'role', m.role)))
				AS e(ord, type, payload)
			ORDER BY m.device_id, e.ord;
			PERFORM tandem_cards(s, NULL, NULL);
			-- what the legs seen before had already reported
			IF nlegs > 1 THEN
				FOR x IN SELECT * FROM legs WHERE call_id = cid AND id <> l.id ORDER BY id LOOP
					PERFORM tandem_carry(s.id, x);
				END LOOP;
			END IF;
		ELSE
			RETURN;	-- nobody to tell: the leg stays unmatched
		END IF;
	END IF;

	-- tandem_carry carries an answer or an end only
	IF l.state IN ('answered', 'ended') THEN
		SELECT id INTO cid FROM sessions WHERE call_id = coalesce(l.call_id, cid);
		IF FOUND THEN
			PERFORM tandem_carry(cid, l);
		END IF;
	END IF;
END
$$;
