-- SPDX-License-Identifier: AGPL-3.0-or-later
-- tandem-server schema, version 4: sessions, their member devices, card deliveries, and the leg matcher that
-- makes them from the network legs of POST /v1/call-events.
--
-- The matcher runs as a trigger on legs, so a session, its members, the delivery records and every outbox event
-- they cause commit in the very transaction (the ingest statement) that stored the call event: after any error or
-- crash there is either all of it or none of it, and the SCP's redelivery of an unacknowledged batch redoes it.
--
-- Settings (ALTER DATABASE ... SET, or per role; read at each call):
--   tandem.match_window  legs of the same parties started this close are one call (an orig and a term leg, or a
--                        network and an app leg; never two legs of one kind); a leg first seen already
--                        ended opens a session only if it started this recently (default 30 s)

-- A data session beside one call. pending: made, the phones ring, cards are delivered; active: answered;
-- call-ended: the call is over (data may still flow); closed: over. State only moves forward.
CREATE TABLE sessions (
	id bigserial PRIMARY KEY,
	call_id bigint NOT NULL UNIQUE REFERENCES calls (id) ON DELETE CASCADE,
	state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'active', 'call-ended', 'closed')),
	calling_tdn text,
	calling_withheld boolean NOT NULL DEFAULT false,
	called_tdn text,
	created_at timestamptz NOT NULL DEFAULT now(),
	answered_at timestamptz,
	ended_at timestamptz,
	closed_at timestamptz,
	end_reason text
);
CREATE INDEX sessions_open ON sessions (created_at) WHERE state <> 'closed';

-- The devices in a session, each for the party (subscriber, TDN) it is coupled to, as caller or callee.
CREATE TABLE session_members (
	session_id bigint NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	device_id bigint NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	subscriber_id bigint NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	tdn text NOT NULL CHECK (tdn ~ '^\+[1-9][0-9]{1,14}$'),
	role text NOT NULL CHECK (role IN ('caller', 'callee')),
	joined_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (session_id, device_id)
);
CREATE INDEX session_members_device ON session_members (device_id);
CREATE INDEX session_members_subscriber ON session_members (subscriber_id);

-- Which version of which profile field of which subject a device has been sent: a card carries only what the
-- device does not hold at the current version.
CREATE TABLE deliveries (
	device_id bigint NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	subject_id bigint NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	field text NOT NULL,
	version bigint NOT NULL,
	delivered_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (device_id, subject_id, field)
);
CREATE INDEX deliveries_subject ON deliveries (subject_id);

CREATE FUNCTION tandem_match_window() RETURNS interval LANGUAGE sql STABLE AS $$
	SELECT coalesce(nullif(current_setting('tandem.match_window', true), ''), '30 s')::interval
$$;

-- How a party is shown to a device of the other party: a withheld number never with its digits.
CREATE FUNCTION tandem_party(tdn text, withheld boolean, own boolean) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN withheld AND NOT own THEN jsonb_build_object('withheld', true)
		ELSE jsonb_build_object('tdn', tdn, 'withheld', withheld) END
$$;

-- Cards of session s: to each member device, the other party's profile fields that party shows to the
-- receiver's TDN (the union of the fields of the subject's groups the TDN is in; the subject's default
-- audience when it is in none), only those the device does not hold at their current version (recorded in
-- deliveries). No card from a withheld caller, none between parties where either blocks the other's TDN, none
-- without a visible field. Photos go as a URL of GET /v1/media/{id}. Events in device order (see 003).
CREATE FUNCTION tandem_session_cards(s sessions) RETURNS void LANGUAGE sql AS $$
	WITH c AS (
		SELECT m.device_id, o.subscriber_id AS subject_id, f.name AS field, f.version,
			CASE WHEN f.media_id IS NOT NULL THEN jsonb_build_object('url', '/v1/media/' || f.media_id,
				'content_type', md.content_type, 'size', md.size, 'version', f.version)
			ELSE jsonb_build_object('value', f.value, 'version', f.version) END AS value,
			o.role, tandem_party(o.tdn, false, false) AS subject,
			CASE m.role WHEN 'callee' THEN 'popup' ELSE 'panel' END AS display
		FROM session_members m
		JOIN LATERAL (SELECT DISTINCT subscriber_id, tdn, role FROM session_members x
			WHERE x.session_id = s.id AND x.role <> m.role) o ON true
		JOIN profile_fields f ON f.subscriber_id = o.subscriber_id
		LEFT JOIN media md ON md.id = f.media_id
		WHERE m.session_id = s.id
		  AND NOT (o.role = 'caller' AND s.calling_withheld)
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
	-- both statements read deliveries as they were before this one: the events compare with the old versions
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

-- A network leg was stored or changed: join it to a call of the same parties, or make the call and its session
-- when a party's TDN is coupled to a device (a network leg alone is enough for POTS + PC); then carry the leg's
-- answer and end to the session. Idempotent: run again on the same leg it changes nothing and writes no event.
CREATE FUNCTION tandem_match_leg(leg_id bigint) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	l legs;
	s sessions;
	cid bigint;
BEGIN
	SELECT * INTO l FROM legs WHERE id = leg_id;
	IF NOT FOUND OR l.calling_tdn IS NULL OR l.called_tdn IS NULL THEN
		RETURN;
	END IF;
	IF l.call_id IS NULL THEN
		IF l.state = 'ended' AND coalesce(l.started_at, l.created_at) < now() - tandem_match_window() THEN
			RETURN;	-- an old call replayed: nobody should be rung now
		END IF;
		-- two legs of the same parties reported at once must not make two sessions
		PERFORM pg_advisory_xact_lock(1952740723, hashtext(l.calling_tdn || ' ' || l.called_tdn));
		SELECT x.call_id INTO cid FROM legs x JOIN sessions ss ON ss.call_id = x.call_id
		WHERE x.id <> l.id AND x.calling_tdn = l.calling_tdn AND x.called_tdn = l.called_tdn
		  AND ss.state IN ('pending', 'active')
		  -- the other side of this call (orig and term, network and app), not another call of the same line
		  AND NOT EXISTS (SELECT 1 FROM legs y WHERE y.call_id = x.call_id AND y.source = l.source
				  AND y.direction = l.direction)
		  AND abs(extract(epoch FROM coalesce(x.started_at, x.created_at)
				- coalesce(l.started_at, l.created_at)))
			<= extract(epoch FROM tandem_match_window())
		ORDER BY x.id DESC LIMIT 1;
		IF cid IS NOT NULL THEN
			UPDATE legs SET call_id = cid WHERE id = l.id;
		ELSIF EXISTS (SELECT 1 FROM subscribers sb JOIN couplings c ON c.subscriber_id = sb.id
			      WHERE sb.tdn IN (l.calling_tdn, l.called_tdn)) THEN
			INSERT INTO calls DEFAULT VALUES RETURNING id INTO cid;
			UPDATE legs SET call_id = cid WHERE id = l.id;
			INSERT INTO sessions (call_id, calling_tdn, calling_withheld, called_tdn)
			VALUES (cid, l.calling_tdn, l.calling_withheld, l.called_tdn) RETURNING * INTO s;
			INSERT INTO session_members (session_id, device_id, subscriber_id, tdn, role)
			SELECT s.id, c.device_id, sb.id, sb.tdn,
				CASE WHEN sb.tdn = l.calling_tdn THEN 'caller' ELSE 'callee' END
			FROM subscribers sb JOIN couplings c ON c.subscriber_id = sb.id
			WHERE sb.tdn IN (l.calling_tdn, l.called_tdn)
			ON CONFLICT DO NOTHING;
			INSERT INTO outbox (device_id, type, payload)
			SELECT m.device_id, e.type, e.payload || jsonb_build_object('session', s.id, 'call', cid)
			FROM session_members m CROSS JOIN LATERAL (VALUES
				(1, CASE m.role WHEN 'callee' THEN 'call.incoming' ELSE 'call.outgoing' END,
				 jsonb_build_object(
					'caller', tandem_party(s.calling_tdn, s.calling_withheld, m.role = 'caller'),
					'callee', tandem_party(s.called_tdn, false, true), 'role', m.role,
					'time', coalesce(l.started_at, l.created_at))),
				(2, 'session.established', jsonb_build_object('state', s.state, 'role', m.role)))
				AS e(ord, type, payload)
			WHERE m.session_id = s.id
			ORDER BY m.device_id, e.ord;
			PERFORM tandem_session_cards(s);
		ELSE
			RETURN;	-- nobody to tell: the leg stays unmatched
		END IF;
	END IF;

	SELECT * INTO s FROM sessions WHERE call_id = coalesce(l.call_id, cid) FOR UPDATE;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	IF l.state IN ('answered', 'ended') AND s.answered_at IS NULL AND l.answered_at IS NOT NULL THEN
		UPDATE sessions SET answered_at = l.answered_at, state = CASE WHEN state = 'pending' THEN 'active'
			ELSE state END WHERE id = s.id;
		INSERT INTO outbox (device_id, type, payload)
		SELECT device_id, 'call.answered', jsonb_build_object('session', s.id, 'call', s.call_id,
			'time', l.answered_at)
		FROM session_members WHERE session_id = s.id ORDER BY device_id;
	END IF;
	IF l.state = 'ended' AND s.ended_at IS NULL THEN
		UPDATE sessions SET ended_at = coalesce(l.ended_at, now()), end_reason = l.end_reason,
			state = CASE WHEN state IN ('pending', 'active') THEN 'call-ended' ELSE state END
		WHERE id = s.id;
		INSERT INTO outbox (device_id, type, payload)
		SELECT device_id, 'call.ended', jsonb_build_object('session', s.id, 'call', s.call_id,
			'time', coalesce(l.ended_at, now()), 'reason', l.end_reason,
			'answered', s.answered_at IS NOT NULL OR l.answered_at IS NOT NULL)
		FROM session_members WHERE session_id = s.id ORDER BY device_id;
	END IF;
END
$$;

CREATE FUNCTION tandem_legs_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM tandem_match_leg(NEW.id);
	RETURN NULL;
END
$$;

-- After the statement's own changes (an AFTER ROW trigger sees them all); setting call_id does not fire it again.
CREATE TRIGGER legs_match_insert AFTER INSERT ON legs FOR EACH ROW WHEN (NEW.source = 'network')
	EXECUTE FUNCTION tandem_legs_changed();
CREATE TRIGGER legs_match_update AFTER UPDATE OF state ON legs FOR EACH ROW
	WHEN (NEW.source = 'network' AND OLD.state IS DISTINCT FROM NEW.state)
	EXECUTE FUNCTION tandem_legs_changed();
