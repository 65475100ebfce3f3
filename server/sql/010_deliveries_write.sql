-- SPDX-License-Identifier: AGPL-3.0-or-later
-- tandem-server schema, version 10: the cards statement of 007 records what each device now holds without
-- INSERT ... ON CONFLICT. It already looks up, per field, the version the device holds (held); a field it does
-- not hold is now inserted, a changed one updated, and an unchanged one left alone. ON CONFLICT made every new
-- row a speculative insertion and locked (and logged) every unchanged row it did not update: 5 % of the
-- matcher's time (bench/matcher/README.md). The lookup and the write cannot be overtaken: every writer of a
-- device's deliveries is this statement, after the outbox locks of the sessions' member devices (003), so the
-- rows it finds are all that committed for those devices. The rest of the statement is unchanged.

CREATE OR REPLACE FUNCTION tandem_cards_of(sids bigint[], devs bigint[], subjects bigint[]) RETURNS void
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
		RETURNING 1),
	-- what each device now holds: new fields inserted, changed versions updated, nothing done for the others
	-- (the device's outbox lock, taken above, keeps other writers of its deliveries out until this commits)
	dv AS (
		SELECT DISTINCT ON (device_id, subject_id, field) device_id, subject_id, field, version, held FROM h
		ORDER BY device_id, subject_id, field, version DESC),
	nd AS (
		INSERT INTO deliveries (device_id, subject_id, field, version)
		SELECT device_id, subject_id, field, version FROM dv WHERE held IS NULL)
	UPDATE deliveries d SET version = dv.version, delivered_at = now()
	FROM dv WHERE dv.held IS NOT NULL AND dv.held <> dv.version
	  AND d.device_id = dv.device_id AND d.subject_id = dv.subject_id AND d.field = dv.field;
END
$$;
