# SPDX-License-Identifier: AGPL-3.0-or-later
# tests/: autotest suite (tests/testsuite.at includes one .at file per area).
# Unit test programs are check_PROGRAMS linked against the same libraries as the
# daemons; their output is compared with checked-in .ok files.

TESTSUITE_AT = \
	tests/testsuite.at \
	tests/numbers.at \
	tests/itu.at \
	tests/cap.at \
	tests/ansi.at \
	tests/tshark.at \
	tests/server.at \
	tests/scp.at \
	tests/decode.at \
	tests/client.at \
	tests/e2e.at \
	tests/vm.at \
	tests/web.at \
	$(NULL)

include tests/numbers.mk
include tests/itu.mk
include tests/cap.mk
include tests/ansi.mk
include tests/tshark.mk
include tests/server.mk
include tests/scp.mk
include tests/decode.mk
include tests/fuzz.mk
include tests/e2e.mk
include tests/vm.mk
EXTRA_DIST += $(TESTSUITE_AT) tests/atlocal.in

# Generated in the build tree, so that several build trees of one checkout do
# not rewrite each other's testsuite while it runs.
TESTSUITE = $(abs_top_builddir)/tests/testsuite
AUTOM4TE = $(SHELL) $(top_srcdir)/build-aux/missing --run autom4te
AUTOTEST = $(AUTOM4TE) -l autotest

tests/package.m4: $(top_srcdir)/configure.ac
	$(AM_V_GEN){ \
	  echo '# Signature of the current package.'; \
	  echo 'm4_define([AT_PACKAGE_NAME], [$(PACKAGE_NAME)])'; \
	  echo 'm4_define([AT_PACKAGE_TARNAME], [$(PACKAGE_TARNAME)])'; \
	  echo 'm4_define([AT_PACKAGE_VERSION], [$(PACKAGE_VERSION)])'; \
	  echo 'm4_define([AT_PACKAGE_STRING], [$(PACKAGE_STRING)])'; \
	  echo 'm4_define([AT_PACKAGE_BUGREPORT], [$(PACKAGE_BUGREPORT)])'; \
	} >tests/package.m4

$(TESTSUITE): $(TESTSUITE_AT) tests/package.m4 $(wildcard $(srcdir)/tests/*.at)
	$(AM_V_GEN)$(AUTOTEST) -I tests -I '$(srcdir)/tests' -o $@.tmp $(srcdir)/tests/testsuite.at && mv $@.tmp $@

check-local: tests/atconfig tests/atlocal $(TESTSUITE)
	cd tests && $(SHELL) '$(TESTSUITE)' \
		AUTOTEST_PATH='$(abs_top_builddir)/tests:$(abs_top_builddir)/tools' $(TESTSUITEFLAGS)

installcheck-local: tests/atconfig tests/atlocal $(TESTSUITE)
	cd tests && $(SHELL) '$(TESTSUITE)' AUTOTEST_PATH='$(bindir)' $(TESTSUITEFLAGS)

clean-local: clean-testsuite
clean-testsuite:
	test ! -f '$(TESTSUITE)' || (cd tests && $(SHELL) '$(TESTSUITE)' --clean)

DISTCLEANFILES = tests/atconfig tests/package.m4 tests/testsuite
