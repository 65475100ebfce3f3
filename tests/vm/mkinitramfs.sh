#!/bin/sh
# SPDX-License-Identifier: AGPL-3.0-or-later
# Build the SCTP test VM's initramfs (an uncompressed newc cpio archive: the kernel unpacks it without
# decompressing, the fastest under software emulation) from the host's own binaries.
#   usage: mkinitramfs.sh KDIR VMDIR OUT PROGRAM...
# KDIR: what tests/vm/kernel.sh printed (its *.ko and modules.order go to /lib/modules); VMDIR: a directory
# whose files become /vm (run.sh, env, configs); each PROGRAM is copied to /usr/bin with every shared
# library ldd names for it, at the same path. busybox (busybox-static, or busybox with its libraries) is
# /bin/busybox and tests/vm/init is /init. Needs: busybox, ldd.
set -u
KDIR=$1
VMDIR=$2
OUT=$3
shift 3
HERE=$(dirname "$0")

case "$OUT" in
/*) ;;
*) OUT=$(pwd)/$OUT ;;
esac
BUSYBOX=$(command -v busybox) || { echo "mkinitramfs: busybox is not installed" >&2; exit 77; }
ROOT=$(mktemp -d "${TMPDIR:-/tmp}/tandem-initramfs.XXXXXX") || exit 1
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT/bin" "$ROOT/usr/bin" "$ROOT/lib/modules" "$ROOT/etc" "$ROOT/vm" "$ROOT/out" || exit 1

# copy FILE to DEST in the image, following symlinks (a library's soname is usually one)
put()
{
	mkdir -p "$ROOT$(dirname "$2")" && cp -L "$1" "$ROOT$2"
}

# the shared libraries of program $1, each at the path ldd found it (the dynamic loader too)
put_libs()
{
	ldd "$1" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | while read -r lib; do
		[ -f "$ROOT$lib" ] || put "$lib" "$lib" || exit 1
	done
}

put "$BUSYBOX" /bin/busybox || exit 1
put_libs "$BUSYBOX" || exit 1
put "$HERE/init" /init || exit 1
chmod 755 "$ROOT/init" "$ROOT/bin/busybox"
for p in "$@"; do
	if [ ! -x "$p" ]; then
		echo "mkinitramfs: $p is not an executable" >&2
		exit 1
	fi
	put "$p" "/usr/bin/$(basename "$p")" || exit 1
	put_libs "$p" || exit 1
done
cp "$KDIR"/*.ko "$KDIR/modules.order" "$ROOT/lib/modules/" || exit 1
cp -R "$VMDIR"/. "$ROOT/vm/" || exit 1
echo "root:x:0:0:root:/:/bin/sh" >"$ROOT/etc/passwd"
echo "root:x:0:" >"$ROOT/etc/group"
(cd "$ROOT" && find . | sort | "$BUSYBOX" cpio -o -H newc -R 0:0) >"$OUT" 2>"$ROOT.cpio.log" || {
	cat "$ROOT.cpio.log" >&2
	rm -f "$ROOT.cpio.log"
	exit 1
}
rm -f "$ROOT.cpio.log"
