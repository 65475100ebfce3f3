#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Install every Debian package tandem needs to build, test and run its demo.
# Idempotent: packages already present are left alone. Needs root.
set -eu

PKGS="
autoconf automake libtool pkg-config make gcc clang libclang-rt-14-dev
asn1c
libtalloc-dev libosmocore-dev libosmo-sigtran-dev osmo-stp
libmicrohttpd-dev libjansson-dev libpq-dev libcurl4-openssl-dev
postgresql postgresql-client
tshark
valgrind xxd
qemu-system-x86 busybox-static
libpcap-dev
curl ca-certificates python3 openssl jq iproute2
chromium
"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done

if [ -z "$missing" ]; then
	echo "deps: all packages present"
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing:$missing; run as root to install them" >&2
	exit 1
fi

echo "deps: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
