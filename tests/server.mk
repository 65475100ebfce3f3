# SPDX-License-Identifier: AGPL-3.0-or-later
# Test programs and scripts for the server area. The integration scripts start a throwaway PostgreSQL
# cluster (tests/pg-harness.sh) and the real daemon; they need server/tandem-server built.
EXTRA_DIST += \
	tests/pg-harness.sh \
	tests/server_lib.sh \
	tests/server_api.sh \
	tests/server_api.ok \
	tests/server_migrate.sh \
	tests/server_migrate.ok \
	tests/server_dbrestart.sh \
	tests/server_dbrestart.ok \
	tests/server_valgrind.sh \
	tests/server_valgrind.ok \
	tests/server_limits.sh \
	tests/server_limits.ok \
	tests/server_import.sh \
	tests/server_import.ok \
	tests/server_ctl.sh \
	tests/server_ctl.ok \
	tests/server_groups.sh \
	tests/server_groups.ok \
	tests/server_vty.sh \
	tests/server_vty.py \
	tests/server_vty.ok \
	tests/server_tls.sh \
	tests/server_tls.ok \
	tests/server_endpoints.sh \
	tests/server_endpoints.ok \
	$(NULL)
# call events from tandem-scp (POST /v1/call-events)
EXTRA_DIST += tests/events_ingest.sh tests/events_ingest.ok tests/events_e2e.sh tests/events_e2e.ok
