-- SPDX-License-Identifier: AGPL-3.0-or-later
-- tandem-server schema, version 9: the same CHECK constraints on the rows every call writes, without regular
-- expressions. A CHECK runs on every row version, and the legs of a new call are written twice (stored, then
-- given their call): the regular expressions of the TDNs, the outbox event type and the SCP instance were 8 %
-- of the matcher's time (bench/matcher/README.md). Each expression accepts exactly the strings its regular
-- expression did (NULL too: every part of it is then NULL).

-- ^\+[1-9][0-9]{1,14}$: a '+', a first digit that is not 0, 2 to 15 digits in all
ALTER TABLE legs DROP CONSTRAINT legs_calling_tdn_check,
	ADD CONSTRAINT legs_calling_tdn_check CHECK (length(calling_tdn) BETWEEN 3 AND 16
		AND left(calling_tdn, 1) = '+' AND substr(calling_tdn, 2, 1) <> '0'
		AND ltrim(substr(calling_tdn, 2), '0123456789') = ''),
	DROP CONSTRAINT legs_called_tdn_check,
	ADD CONSTRAINT legs_called_tdn_check CHECK (length(called_tdn) BETWEEN 3 AND 16
		AND left(called_tdn, 1) = '+' AND substr(called_tdn, 2, 1) <> '0'
		AND ltrim(substr(called_tdn, 2), '0123456789') = '');
ALTER TABLE session_members DROP CONSTRAINT session_members_tdn_check,
	ADD CONSTRAINT session_members_tdn_check CHECK (length(tdn) BETWEEN 3 AND 16
		AND left(tdn, 1) = '+' AND substr(tdn, 2, 1) <> '0' AND ltrim(substr(tdn, 2), '0123456789') = '');

-- ^[a-z][a-z0-9_.-]{0,63}$ (ascii() of a first character beyond ASCII is above 122)
ALTER TABLE outbox DROP CONSTRAINT outbox_type_check,
	ADD CONSTRAINT outbox_type_check CHECK (length(type) BETWEEN 1 AND 64 AND ascii(type) BETWEEN 97 AND 122
		AND ltrim(type, 'abcdefghijklmnopqrstuvwxyz0123456789_.-') = '');

-- ^[A-Za-z0-9._-]{1,32}$
ALTER TABLE call_events DROP CONSTRAINT call_events_instance_check,
	ADD CONSTRAINT call_events_instance_check CHECK (length(instance) BETWEEN 1 AND 32
		AND ltrim(instance, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-') = '');
