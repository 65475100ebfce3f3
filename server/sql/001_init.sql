-- SPDX-License-Identifier: AGPL-3.0-or-later
-- tandem-server schema, version 1: subscribers, devices, couplings, profiles, audiences, block lists, media,
-- audit log and API keys.
--
-- Migrations are applied by tandem-server at start-up, each inside the one transaction that holds
-- pg_advisory_xact_lock for migrations, and recorded in schema_version. Do not put BEGIN/COMMIT here.
-- Calls, legs, sessions, deliveries and the events outbox come in a later migration.

-- A PSTN subscriber, known by the telephone dialling number (TDN) in E.164 with a leading '+'.
CREATE TABLE subscribers (
	id bigserial PRIMARY KEY,
	tdn text NOT NULL UNIQUE CHECK (tdn ~ '^\+[1-9][0-9]{1,14}$'),
	label text NOT NULL DEFAULT '' CHECK (length(label) <= 200),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
-- prefix filters (tdn LIKE '+4930%') use this index
CREATE INDEX subscribers_tdn_pattern ON subscribers (tdn text_pattern_ops);

-- A PC, browser, phone app or TV of a subscriber. A device presents a token (only its salted hash is
-- stored); an IP-coupled device must also connect from its coupled address or prefix.
CREATE TABLE devices (
	id bigserial PRIMARY KEY,
	subscriber_id bigint NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	kind text NOT NULL CHECK (kind IN ('pc', 'browser', 'phone', 'tv')),
	app_id text NOT NULL DEFAULT '' CHECK (length(app_id) <= 200),
	ip cidr,
	label text NOT NULL DEFAULT '' CHECK (length(label) <= 200),
	token_id text UNIQUE,
	token_salt bytea,
	token_hash bytea,
	capabilities text[] NOT NULL DEFAULT '{}',
	created_at timestamptz NOT NULL DEFAULT now(),
	last_seen timestamptz,
	CHECK ((token_id IS NULL) = (token_hash IS NULL) AND (token_hash IS NULL) = (token_salt IS NULL))
);
CREATE INDEX devices_subscriber ON devices (subscriber_id);
CREATE INDEX devices_ip ON devices USING gist (ip inet_ops);

-- Which devices get a TDN's calls: provisioned by an engineer, or self-service (then verified by a call
-- from the line, see DESIGN.md "ownership verification").
CREATE TABLE couplings (
	id bigserial PRIMARY KEY,
	subscriber_id bigint NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	device_id bigint NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
	source text NOT NULL DEFAULT 'provisioned' CHECK (source IN ('provisioned', 'self')),
	verified_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (subscriber_id, device_id)
);
CREATE INDEX couplings_device ON couplings (device_id);

-- Images of profiles (photos). Small enough (a configured limit, 1 MiB by default) to live in bytea.
CREATE TABLE media (
	id bigserial PRIMARY KEY,
	subscriber_id bigint NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
	size integer NOT NULL CHECK (size > 0),
	sha256 bytea NOT NULL,
	bytes bytea NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX media_subscriber ON media (subscriber_id);

-- Pre-configured user data: one row per field. Every change takes a new version from one sequence, so a
-- field deleted and set again never goes back to a version a peer already has.
CREATE SEQUENCE profile_version_seq;
CREATE TABLE profile_fields (
	subscriber_id bigint NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	name text NOT NULL CHECK (name ~ '^[a-z][a-z0-9_]{0,31}$'),
	value text CHECK (length(value) <= 4096),
	media_id bigint REFERENCES media (id) ON DELETE SET NULL,
	version bigint NOT NULL DEFAULT nextval('profile_version_seq'),
	updated_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (subscriber_id, name)
);

-- Named audiences of a subscriber (family, work, ...), with their members' TDNs.
CREATE TABLE groups (
	id bigserial PRIMARY KEY,
	subscriber_id bigint NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
	created_at timestamptz NOT NULL DEFAULT now(),
	UNIQUE (subscriber_id, name)
);

CREATE TABLE group_members (
	group_id bigint NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
	tdn text NOT NULL CHECK (tdn ~ '^\+[1-9][0-9]{1,14}$'),
	PRIMARY KEY (group_id, tdn)
);
CREATE INDEX group_members_tdn ON group_members (tdn);

-- Which fields a group sees; default_visibility is the audience of everyone not in a group.
CREATE TABLE group_visibility (
	group_id bigint NOT NULL REFERENCES groups (id) ON DELETE CASCADE,
	field_name text NOT NULL CHECK (field_name ~ '^[a-z][a-z0-9_]{0,31}$'),
	PRIMARY KEY (group_id, field_name)
);

CREATE TABLE default_visibility (
	subscriber_id bigint NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	field_name text NOT NULL CHECK (field_name ~ '^[a-z][a-z0-9_]{0,31}$'),
	PRIMARY KEY (subscriber_id, field_name)
);

-- Peers whose calls get no data exchange with this subscriber (the receiver's list wins).
CREATE TABLE blocks (
	subscriber_id bigint NOT NULL REFERENCES subscribers (id) ON DELETE CASCADE,
	tdn text NOT NULL CHECK (tdn ~ '^\+[1-9][0-9]{1,14}$'),
	created_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (subscriber_id, tdn)
);

-- Keys for the provisioning API (engineer, admin) and for tandem-scp's call events (scp). The key is
-- shown once; only a random salt and HMAC-SHA256(salt, secret) are kept.
CREATE TABLE api_keys (
	id bigserial PRIMARY KEY,
	key_id text NOT NULL UNIQUE,
	salt bytea NOT NULL,
	hash bytea NOT NULL,
	role text NOT NULL CHECK (role IN ('engineer', 'admin', 'scp')),
	label text NOT NULL DEFAULT '' CHECK (length(label) <= 200),
	created_at timestamptz NOT NULL DEFAULT now(),
	revoked_at timestamptz,
	last_used_at timestamptz
);

-- Who changed what and when, with the object before and after (NULL for create / delete).
CREATE TABLE audit_log (
	id bigserial PRIMARY KEY,
	at timestamptz NOT NULL DEFAULT now(),
	actor text NOT NULL,
	action text NOT NULL,
	object text NOT NULL,
	before jsonb,
	after jsonb
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_object ON audit_log (object);
