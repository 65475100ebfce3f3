-- SPDX-License-Identifier: AGPL-3.0-or-later
-- tandem-server schema, version 5: phone-app legs (POST /v1/calls) in the matcher, conferences, messages relayed
-- between session members (POST /v1/sessions/{id}/messages) with their files, and the functions the API calls
-- for both, each as one statement (so each is one transaction with every event it causes).
--
-- Matching after this migration (tandem_match_leg, run by the trigger on legs for network and app legs alike):
--  - legs are of one call when they have the same called TDN and the same calling TDN, or one of them lacks
--    the calling TDN and either is marked withheld (a phone app told of a withheld caller knows only its own
--    number); they started within tandem.match_window of each other; the call has no leg of this kind (source
--    and direction) yet; and its session is still pending or active;
--  - a network leg matching no call makes the call and its session when its calling or called TDN is coupled
--    to a device; an app leg only when an unmatched leg of the other side of the same call is there (two app
--    legs make a phone-to-phone session; an app leg alone makes none); unmatched legs of the other kinds of
--    the same call join it;
--  - a leg joining a session adds any device coupled to a party that is not a member yet (the reporting phone
--    among them), which gets the call and session events and the cards; the members already there get the
--    card of a party new to the session.

ALTER TABLE legs
	ADD COLUMN device_id bigint REFERENCES devices (id) ON DELETE CASCADE,
	ADD COLUMN app_ref text CHECK (app_ref ~ '^[A-Za-z0-9._-]{1,64}$'),
	-- an app leg reported with {"conference": S}: its peer joined session S; it is not matched to a call
	ADD COLUMN conference_session bigint REFERENCES sessions (id) ON DELETE SET NULL,
	ADD CONSTRAINT legs_app_ref UNIQUE (device_id, app_ref),
	ADD CONSTRAINT legs_app_reporter CHECK ((source = 'app') = (device_id IS NOT NULL AND app_ref IS NOT NULL));
CREATE INDEX legs_called_only ON legs (called_tdn, created_at);
-- the matcher looks up the legs of a call (has it a leg of this kind? the legs to carry over): without this
-- index each lookup scans every leg stored, so the cost of a session grew with the calls before it
CREATE INDEX legs_call ON legs (call_id) WHERE call_id IS NOT NULL;

-- When the server saw the session's call end (ended_at is the reported time, which may be skewed or replayed):
-- the session is closed session-linger after this.
ALTER TABLE sessions ADD COLUMN call_ended_at timestamptz;

-- Files relayed in a session live beside the profile photos, tied to their session: only its members get them.
ALTER TABLE media DROP CONSTRAINT media_content_type_check;
ALTER TABLE media
	ADD COLUMN session_id bigint REFERENCES sessions (id) ON DELETE CASCADE,
	ADD COLUMN name text CHECK (length(name) BETWEEN 1 AND 255),
	ADD CONSTRAINT media_content_type_check
		CHECK (content_type ~ '^[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}$'),
	ADD CONSTRAINT media_photo_type CHECK (session_id IS NOT NULL OR content_type IN ('image/jpeg', 'image/png'));
CREATE INDEX media_session ON media (session_id) WHERE session_id IS NOT NULL;

-- What members sent each other in a session (kept with the session).
CREATE TABLE messages (
	id bigserial PRIMARY KEY,
	session_id bigint NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	device_id bigint REFERENCES devices (id) ON DELETE SET NULL,
	kind text NOT NULL CHECK (kind IN ('text', 'url', 'location', 'file')),
	body jsonb NOT NULL CHECK (jsonb_typeof(body) = 'object'),
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX messages_session ON messages (session_id, id);

-- Cards of session s (see tandem_session_cards in 004) to the member devices in devs about every other party,
-- and to every member about the parties in subjects; both NULL: every member about every other party. The other
-- parties of a device are the members of other subscribers (three or more in a conference); a withheld caller's
-- TDN gives no card.
CREATE FUNCTION tandem_cards(s sessions, devs bigint[], subjects bigint[]) RETURNS void LANGUAGE sql AS $$
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
		WHERE d.version IS DISTINCT FROM excluded.version
$$;

CREATE OR REPLACE FUNCTION tandem_session_cards(s sessions) RETURNS void LANGUAGE sql AS $$
	SELECT tandem_cards(s, NULL, NULL)
$$;

-- The devices coupled to tdn that are not members of session sid yet join it in role; each is told of the call
-- (calling -> called, as the leg that brought them saw it) and of the session, gets the card of every other
-- party, and the members already there get this party's card. Returns how many devices joined.
CREATE FUNCTION tandem_session_add(sid bigint, p_tdn text, p_role text, calling text, calling_withheld boolean,
				   called text, t timestamptz) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
	s sessions;
	devs bigint[];
	sub bigint;
BEGIN
	IF p_tdn IS NULL THEN
		RETURN 0;
	END IF;
	WITH ins AS (
		INSERT INTO session_members (session_id, device_id, subscriber_id, tdn, role)
		SELECT sid, c.device_id, sb.id, sb.tdn, p_role
		FROM subscribers sb JOIN couplings c ON c.subscriber_id = sb.id
		WHERE sb.tdn = p_tdn ORDER BY c.device_id
		ON CONFLICT DO NOTHING RETURNING device_id, subscriber_id)
	SELECT array_agg(device_id ORDER BY device_id), min(subscriber_id) INTO devs, sub FROM ins;
	IF devs IS NULL THEN
		RETURN 0;
	END IF;
	SELECT * INTO s FROM sessions WHERE id = sid;
	INSERT INTO outbox (device_id, type, payload)
	SELECT m.device_id, e.type, e.payload || jsonb_build_object('session', s.id, 'call', s.call_id)
	FROM session_members m CROSS JOIN LATERAL (VALUES
		(1, CASE m.role WHEN 'callee' THEN 'call.incoming' ELSE 'call.outgoing' END,
		 jsonb_build_object('caller', tandem_party(calling, calling_withheld, m.role = 'caller'),
			'callee', tandem_party(called, false, true), 'role', m.role, 'time', t)),
		(2, 'session.established', jsonb_build_object('state', s.state, 'role', m.role)))
		AS e(ord, type, payload)
	WHERE m.session_id = s.id AND m.device_id = ANY (devs)
	ORDER BY m.device_id, e.ord;
	PERFORM tandem_cards(s, devs, ARRAY[sub]);
	RETURN array_length(devs, 1);
END
$$;

-- Whether legs a and b may be two sides of one call: the same parties (the called TDN, and the calling TDN
-- unless one leg lacks it and either knows it was withheld), of different kinds, started close enough.
CREATE FUNCTION tandem_legs_agree(a legs, b legs) RETURNS boolean LANGUAGE sql STABLE AS $$
	SELECT a.called_tdn = b.called_tdn
	   AND (a.calling_tdn = b.calling_tdn
		OR ((a.calling_tdn IS NULL OR b.calling_tdn IS NULL) AND (a.calling_withheld OR b.calling_withheld)))
	   AND NOT (a.source = b.source AND a.direction = b.direction)
	   AND abs(extract(epoch FROM coalesce(a.started_at, a.created_at) - coalesce(b.started_at, b.created_at)))
		<= extract(epoch FROM tandem_match_window())
$$;

-- Carry leg l's answer and end to its session (once each, whichever leg reports it first).
CREATE FUNCTION tandem_carry(sid bigint, l legs) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	s sessions;
BEGIN
	SELECT * INTO s FROM sessions WHERE id = sid FOR UPDATE;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	IF l.state IN ('answered', 'ended') AND s.answered_at IS NULL AND l.answered_at IS NOT NULL
	   AND s.state <> 'closed' THEN
		UPDATE sessions SET answered_at = l.answered_at, state = CASE WHEN state = 'pending' THEN 'active'
			ELSE state END WHERE id = s.id;
		INSERT INTO outbox (device_id, type, payload)
		SELECT device_id, 'call.answered', jsonb_build_object('session', s.id, 'call', s.call_id,
			'time', l.answered_at)
		FROM session_members WHERE session_id = s.id ORDER BY device_id;
	END IF;
	IF l.state = 'ended' AND s.ended_at IS NULL AND s.state <> 'closed' THEN
		UPDATE sessions SET ended_at = coalesce(l.ended_at, now()), end_reason = l.end_reason,
			state = CASE WHEN state IN ('pending', 'active') THEN 'call-ended' ELSE state END,
			call_ended_at = now()
		WHERE id = s.id;
		INSERT INTO outbox (device_id, type, payload)
		SELECT device_id, 'call.ended', jsonb_build_object('session', s.id, 'call', s.call_id,
			'time', coalesce(l.ended_at, now()), 'reason', l.end_reason,
			'answered', s.answered_at IS NOT NULL OR l.answered_at IS NOT NULL)
		FROM session_members WHERE session_id = s.id ORDER BY device_id;
	END IF;
END
$$;

-- A network or app leg was stored or changed: join it to a call of the same parties, or make the call and its
-- session (see the top of this file); then carry the leg's answer and end to the session. Idempotent: run again
-- on the same leg it changes nothing and writes no event.
CREATE OR REPLACE FUNCTION tandem_match_leg(leg_id bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	l legs;
	x legs;
	s sessions;
	cid bigint;
	calling text;
	withheld boolean;
BEGIN
	SELECT * INTO l FROM legs WHERE id = leg_id;
	IF NOT FOUND OR l.called_tdn IS NULL OR (l.calling_tdn IS NULL AND NOT l.calling_withheld)
	   OR l.conference_session IS NOT NULL THEN
		RETURN;
	END IF;
	IF l.call_id IS NULL THEN
		IF l.state = 'ended' AND coalesce(l.started_at, l.created_at) < now() - tandem_match_window() THEN
			RETURN;	-- an old call replayed: nobody should be rung now
		END IF;
		-- legs of one call must not make two sessions: the called TDN is known to every leg
		PERFORM pg_advisory_xact_lock(1952740723, hashtext(l.called_tdn));
		SELECT x2.call_id INTO cid FROM legs x2 JOIN sessions ss ON ss.call_id = x2.call_id
		WHERE x2.id <> l.id AND x2.called_tdn = l.called_tdn AND x2.conference_session IS NULL
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
		-- A network leg is the network's word: alone it makes the session when a party is coupled. An app
		-- leg is only the word of a device about its own calls: it makes a session only together with an
		-- unmatched leg of the other side (the network's, or the other party's app), or any device could
		-- ring a coupled subscriber's PC and collect the card by reporting calls that never were.
		ELSIF (l.source = 'network'
		       AND EXISTS (SELECT 1 FROM subscribers sb JOIN couplings c ON c.subscriber_id = sb.id
				   WHERE sb.tdn IN (l.calling_tdn, l.called_tdn)))
		   OR (l.source = 'app'
		       AND EXISTS (SELECT 1 FROM legs u WHERE u.call_id IS NULL AND u.id <> l.id
				   AND u.conference_session IS NULL AND u.called_tdn = l.called_tdn
				   AND tandem_legs_agree(u, l))) THEN
			INSERT INTO calls DEFAULT VALUES RETURNING id INTO cid;
			UPDATE legs SET call_id = cid WHERE id = l.id;
			-- legs of this call seen before it had a session (an app leg whose peer is not coupled)
			UPDATE legs SET call_id = cid WHERE id IN (
				SELECT DISTINCT ON (u.source, u.direction) u.id FROM legs u
				WHERE u.call_id IS NULL AND u.id <> l.id AND u.conference_session IS NULL
				  AND u.called_tdn = l.called_tdn AND tandem_legs_agree(u, l)
				ORDER BY u.source, u.direction, u.id DESC);
			SELECT (array_agg(calling_tdn ORDER BY id) FILTER (WHERE calling_tdn IS NOT NULL))[1],
				bool_or(calling_withheld) INTO calling, withheld
			FROM legs WHERE call_id = cid;
			INSERT INTO sessions (call_id, calling_tdn, calling_withheld, called_tdn)
			VALUES (cid, calling, withheld, l.called_tdn) RETURNING * INTO s;
			INSERT INTO session_members (session_id, device_id, subscriber_id, tdn, role)
			SELECT s.id, c.device_id, sb.id, sb.tdn,
				CASE WHEN sb.tdn = s.calling_tdn THEN 'caller' ELSE 'callee' END
			FROM subscribers sb JOIN couplings c ON c.subscriber_id = sb.id
			WHERE sb.tdn IN (s.calling_tdn, s.called_tdn)
			ON CONFLICT DO NOTHING;
			INSERT INTO outbox (device_id, type, payload)
			SELECT m.device_id, e.type, e.payload || jsonb_build_object('session', s.id, 'call', cid)
			FROM session_members m CROSS JOIN LATERAL (VALUES
				(1, CASE m.role WHEN 'callee' THEN 'call.incoming' ELSE 'call.outgoing' END,
				 jsonb_build_object(
					'caller', tandem_party(s.calling_tdn, s.calling_withheld, m.role = 'caller'),
					'callee', tandem_party(s.called_tdn, false, true), 'role', m.role,
					-- when the call started: its earliest leg (an app leg may have waited for this one)
					'time', (SELECT min(coalesce(y.started_at, y.created_at)) FROM legs y
						 WHERE y.call_id = cid))),
				(2, 'session.established', jsonb_build_object('state', s.state, 'role', m.role)))
				AS e(ord, type, payload)
			WHERE m.session_id = s.id
			ORDER BY m.device_id, e.ord;
			PERFORM tandem_session_cards(s);
			-- what the legs seen before had already reported
			FOR x IN SELECT * FROM legs WHERE call_id = cid AND id <> l.id ORDER BY id LOOP
				PERFORM tandem_carry(s.id, x);
			END LOOP;
		ELSE
			RETURN;	-- nobody to tell: the leg stays unmatched
		END IF;
	END IF;

	SELECT id INTO cid FROM sessions WHERE call_id = coalesce(l.call_id, cid);
	IF FOUND THEN
		PERFORM tandem_carry(cid, l);
	END IF;
END
$$;

CREATE OR REPLACE TRIGGER legs_match_insert AFTER INSERT ON legs FOR EACH ROW
	EXECUTE FUNCTION tandem_legs_changed();
CREATE OR REPLACE TRIGGER legs_match_update AFTER UPDATE OF state ON legs FOR EACH ROW
	WHEN (OLD.state IS DISTINCT FROM NEW.state)
	EXECUTE FUNCTION tandem_legs_changed();

-- POST /v1/calls: a phone app (device dev) reports its call ref on its own TDN own with peer (NULL: withheld).
-- The first report of a ref makes the app leg; later ones move its state forward only. With conf (first report
-- only) the peer's devices join that session instead. Answers {"status", "body"} or {"status", "code", "field",
-- "message"}.
CREATE FUNCTION tandem_app_call(dev bigint, own text, peer text, dir text, st text, ref text, t timestamptz,
				reason text, conf bigint) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	l legs;
	s sessions;
	created boolean := false;
	calling text := CASE dir WHEN 'orig' THEN own ELSE peer END;
	called text := CASE dir WHEN 'orig' THEN peer ELSE own END;
	states text[] := ARRAY['started', 'answered', 'ended'];
BEGIN
	IF NOT EXISTS (SELECT 1 FROM couplings c JOIN subscribers sb ON sb.id = c.subscriber_id
		       WHERE c.device_id = dev AND sb.tdn = own) THEN
		RETURN jsonb_build_object('status', 403, 'code', 'not_coupled', 'field', 'tdn',
			'message', 'this device is not coupled to this TDN');
	END IF;
	SELECT * INTO l FROM legs WHERE device_id = dev AND app_ref = ref FOR UPDATE;
	IF NOT FOUND THEN
		IF conf IS NOT NULL THEN
			SELECT * INTO s FROM sessions WHERE id = conf FOR UPDATE;
			IF NOT FOUND THEN
				RETURN jsonb_build_object('status', 404, 'code', 'not_found', 'field', 'conference',
					'message', 'no such session');
			END IF;
			IF NOT EXISTS (SELECT 1 FROM session_members WHERE session_id = conf AND device_id = dev) THEN
				RETURN jsonb_build_object('status', 403, 'code', 'not_member', 'field', 'conference',
					'message', 'this device is not a member of the session');
			END IF;
			IF s.state NOT IN ('pending', 'active') THEN
				RETURN jsonb_build_object('status', 409, 'code', 'session_state', 'field', 'conference',
					'message', 'the session is ' || s.state);
			END IF;
		END IF;
		INSERT INTO legs (source, device_id, app_ref, direction, calling_tdn, calling_withheld, called_tdn,
				  state, started_at, answered_at, ended_at, end_reason, conference_session)
		VALUES ('app', dev, ref, dir, calling, calling IS NULL, called, st, coalesce(t, now()),
			CASE WHEN st = 'answered' THEN coalesce(t, now()) END,
			CASE WHEN st = 'ended' THEN coalesce(t, now()) END,
			CASE WHEN st = 'ended' THEN reason END, conf)
		ON CONFLICT (device_id, app_ref) DO NOTHING RETURNING * INTO l;
		IF FOUND THEN
			created := true;
			IF conf IS NOT NULL THEN
				PERFORM tandem_session_add(conf, peer,
					CASE dir WHEN 'orig' THEN 'callee' ELSE 'caller' END,
					calling, calling IS NULL, called, l.started_at);
			END IF;
		ELSE
			-- the same first report, twice at once: the other one made the leg
			SELECT * INTO l FROM legs WHERE device_id = dev AND app_ref = ref FOR UPDATE;
		END IF;
	END IF;
	IF NOT created THEN
		IF l.direction <> dir OR l.calling_tdn IS DISTINCT FROM calling
		   OR l.called_tdn IS DISTINCT FROM called THEN
			RETURN jsonb_build_object('status', 409, 'code', 'ref_conflict', 'field', 'ref',
				'message', 'this ref was reported with other parties or direction');
		END IF;
		IF array_position(states, st) > array_position(states, l.state) THEN
			UPDATE legs SET state = st,
				answered_at = CASE WHEN st = 'answered' THEN coalesce(answered_at, t, now())
					ELSE answered_at END,
				ended_at = CASE WHEN st = 'ended' THEN coalesce(ended_at, t, now()) ELSE ended_at END,
				end_reason = CASE WHEN st = 'ended' THEN coalesce(end_reason, reason)
					ELSE end_reason END,
				updated_at = now()
			WHERE id = l.id;
		END IF;
	END IF;
	SELECT * INTO l FROM legs WHERE id = l.id;
	SELECT * INTO s FROM sessions WHERE call_id = l.call_id OR id = l.conference_session;
	RETURN jsonb_build_object('status', CASE WHEN created THEN 201 ELSE 200 END, 'body',
		jsonb_build_object('leg', l.id, 'call', coalesce(l.call_id, s.call_id), 'session', s.id,
			'state', l.state, 'session_state', s.state));
END
$$;

-- POST /v1/sessions/{sid}/messages by device dev: a message of kind with body (for a file: the base64 data,
-- name and type, stored as media of the session and sent as its URL) to every other member device.
CREATE FUNCTION tandem_relay(dev bigint, sid bigint, kind text, body jsonb, data text, fname text, ftype text)
	RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
	s sessions;
	me session_members;
	bytes bytea;
	mid bigint;
	n integer;
BEGIN
	SELECT * INTO s FROM sessions WHERE id = sid FOR SHARE;
	IF NOT FOUND THEN
		RETURN jsonb_build_object('status', 404, 'code', 'not_found', 'message', 'no such session');
	END IF;
	SELECT * INTO me FROM session_members WHERE session_id = sid AND device_id = dev;
	IF NOT FOUND THEN
		RETURN jsonb_build_object('status', 403, 'code', 'not_member',
			'message', 'this device is not a member of the session');
	END IF;
	IF s.state = 'closed' THEN
		RETURN jsonb_build_object('status', 409, 'code', 'session_closed', 'message', 'the session is closed');
	END IF;
	IF kind = 'file' THEN
		bytes := decode(data, 'base64');
		INSERT INTO media (subscriber_id, content_type, size, sha256, bytes, session_id, name)
		VALUES (me.subscriber_id, ftype, length(bytes), sha256(bytes), bytes, sid, fname) RETURNING id INTO mid;
		body := jsonb_build_object('file', jsonb_build_object('name', fname, 'content_type', ftype,
			'size', length(bytes), 'url', '/v1/media/' || mid));
	END IF;
	INSERT INTO messages (session_id, device_id, kind, body) VALUES (sid, dev, kind, body) RETURNING id INTO mid;
	WITH ob AS (
		INSERT INTO outbox (device_id, type, payload)
		SELECT m.device_id, 'message', jsonb_build_object('session', s.id, 'call', s.call_id, 'message', mid,
			'from', tandem_party(me.tdn, s.calling_withheld AND me.tdn IS NOT DISTINCT FROM s.calling_tdn,
					     m.subscriber_id = me.subscriber_id) || jsonb_build_object('role', me.role),
			'kind', kind) || body
		FROM session_members m WHERE m.session_id = sid AND m.device_id <> dev ORDER BY m.device_id
		RETURNING 1)
	SELECT count(*) INTO n FROM ob;
	RETURN jsonb_build_object('status', 201, 'body',
		jsonb_build_object('message', mid, 'session', s.id, 'delivered_to', n));
END
$$;
