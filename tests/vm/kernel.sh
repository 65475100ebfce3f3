#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Fetch Debian's kernel for the SCTP test VM into a cache directory of the build tree (never into /boot).
#   usage: kernel.sh CACHEDIR MODULE...
# Prints the directory that holds vmlinuz, the given modules and all they depend on (flat, *.ko) and
# modules.order (one module name a line, dependencies first): CACHEDIR/linux-VERSION. A directory made
# before is used as it is; else the kernel package linux-image-amd64 depends on is fetched with
# `apt-get download` (as root, after an `apt-get update` when the lists name a package the archive does
# not have), unpacked with `dpkg-deb -x` into a scratch directory and only vmlinuz and the modules are
# kept. Exit 77 when the kernel cannot be had (no apt, no network, no such package).
set -u
CACHE=$1
shift
MODULES=$*

say()
{
	echo "vm/kernel.sh: $*" >&2
}

# true if directory $1, made before, holds vmlinuz and every module asked for
cached()
{
	[ -f "$1/modules.order" ] && [ -f "$1/vmlinuz" ] || return 1
	for _m in $MODULES; do
		grep -q -x "$_m" "$1/modules.order" || return 1
	done
}

mkdir -p "$CACHE" && CACHE=$(cd "$CACHE" && pwd) || exit 1
# the versioned package linux-image-amd64 stands for (linux-image-6.1.0-NN-amd64 on bookworm)
kernel_package()
{
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '$1 == "Depends:" && $2 ~ /^linux-image-/ { print $2; exit }'
}

SCRATCH=
trap 'rm -rf "$SCRATCH"' EXIT
# Two tries: with the package lists as they are, then (as root) after `apt-get update`: lists older than
# the archive name a kernel package the archive no longer has.
for try in 1 2; do
	PKG=$(kernel_package)
	if [ -z "$PKG" ] && [ "$try" = 1 ]; then
		# no package lists: take a kernel fetched before, if any
		for KDIR in "$CACHE"/linux-*; do
			if cached "$KDIR"; then
				echo "$KDIR"
				exit 0
			fi
		done
	fi
	if [ -n "$PKG" ]; then
		KVER=${PKG#linux-image-}
		KDIR=$CACHE/linux-$KVER
		if cached "$KDIR"; then
			echo "$KDIR"
			exit 0
		fi
		rm -rf "$SCRATCH"
		SCRATCH=$(mktemp -d "$CACHE/fetch.XXXXXX") || exit 1
		# apt-get download as root warns that _apt cannot write here; that is harmless
		if (cd "$SCRATCH" && timeout 120 apt-get download -q "$PKG" >"$SCRATCH/apt.log" 2>&1); then
			break
		fi
		say "apt-get download $PKG failed:"
		cat "$SCRATCH/apt.log" >&2
	else
		say "apt-cache does not know linux-image-amd64"
	fi
	if [ "$try" = 2 ] || [ "$(id -u)" != 0 ]; then
		exit 77
	fi
	say "apt-get update, then again"
	timeout 120 apt-get update -q >&2 || exit 77
done
for DEB in "$SCRATCH"/*.deb; do
	break
done
if [ ! -f "$DEB" ] || ! dpkg-deb -x "$DEB" "$SCRATCH/root"; then
	say "cannot unpack $PKG"
	exit 77
fi
MODROOT=$SCRATCH/root/lib/modules/$KVER
if [ ! -f "$SCRATCH/root/boot/vmlinuz-$KVER" ] || [ ! -d "$MODROOT" ]; then
	say "$PKG has no boot/vmlinuz-$KVER or lib/modules/$KVER"
	exit 77
fi

rm -rf "$KDIR.tmp"
mkdir -p "$KDIR.tmp" || exit 1
cp "$SCRATCH/root/boot/vmlinuz-$KVER" "$KDIR.tmp/vmlinuz" || exit 1

# The modules' own "depends=" (in their .modinfo section) give the load order: each module after what it
# needs. Bookworm's modules are not compressed; a compressed one (.ko.xz, later kernels) is unpacked here
# so that busybox insmod can load it.
modfile()
{
	find "$MODROOT" -name "$1.ko" -o -name "$1.ko.xz" -o -name "$1.ko.zst" | head -n 1
}
ORDER=
add_module()
{
	case " $ORDER " in
	*" $1 "*) return 0 ;;
	esac
	_f=$(modfile "$1")
	if [ -z "$_f" ]; then
		_f=$(modfile "$(echo "$1" | tr _ -)")
	fi
	if [ -z "$_f" ]; then
		say "module $1 is not in $PKG"
		return 1
	fi
	case "$_f" in
	*.xz) xz -dc "$_f" >"$KDIR.tmp/$1.ko" || return 1 ;;
	*.zst) zstd -qdc "$_f" >"$KDIR.tmp/$1.ko" || return 1 ;;
	*) cp "$_f" "$KDIR.tmp/$1.ko" || return 1 ;;
	esac
	_deps=$(tr '\0' '\n' <"$KDIR.tmp/$1.ko" | sed -n 's/^depends=//p' | head -n 1 | tr , ' ')
	for _d in $_deps; do
		add_module "$_d" || return 1
	done
	ORDER="$ORDER $1"
}
for m in "$@"; do
	if ! add_module "$m"; then
		rm -rf "$KDIR.tmp"
		exit 77
	fi
done
for m in $ORDER; do
	echo "$m"
done >"$KDIR.tmp/modules.order"
rm -rf "$KDIR"
mv "$KDIR.tmp" "$KDIR" || exit 1
say "kernel $KVER and$ORDER in $KDIR"
echo "$KDIR"
