# SPDX-License-Identifier: AGPL-3.0-or-later
# The VM area: M3UA over real SCTP tested inside a qemu VM (tests/vm/README.md). No programs of its own;
# the kernel fetched into the build tree (tests/vm-cache) goes with distclean.
EXTRA_DIST += \
	tests/sctp_vm.sh \
	tests/sctp_vm.ok \
	tests/vm/README.md \
	tests/vm/calls \
	tests/vm/calls.sh \
	tests/vm/init \
	tests/vm/kernel.sh \
	tests/vm/mkinitramfs.sh \
	tests/vm/osmo-stp.cfg \
	tests/vm/ssp.cfg \
	tests/vm/tandem-scp.cfg \
	$(NULL)

distclean-local: distclean-vm
distclean-vm:
	rm -rf tests/vm-cache
.PHONY: distclean-vm
