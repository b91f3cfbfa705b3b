# SPDX-License-Identifier: GPL-2.0
#
# WarpDrive top-level Makefile.
#
#   make demo          base test kernel + modules + tools, then the demo in a VM
#   make check         every test: host checks, KUnit and guest tests in the
#                      debug VM, the stock Debian kernel lane; ends with
#                      "N passed, N failed"
#   make check T=GLOB  only the tests whose name matches GLOB
#   make stock [T=GLOB] the stock Debian kernel lane alone
#   make modules [KDIR=/lib/modules/$(uname -r)/build]
#   make user          libwarpdrive, the OpenSSL provider warpdrive.so,
#                      tools and test programs
#   make soak          the fuzzers and zdiff for hours (SOAK_SECONDS, SEED)
#   make install       libraries, headers, pkg-config, OpenSSL provider,
#                      tools, man pages, udev rule [DESTDIR=]
#                      [PREFIX=/usr/local] [libdir= includedir= bindir=
#                      mandir= udevrulesdir= ossl_modulesdir=];
#                      make uninstall undoes it
#   make deb           the Debian packages (dpkg-buildpackage -b) in
#                      build/deb/ (Documentation/packaging.rst)
#   make install-dkms  the modules' source in /usr/src/warpdrive-<version>
#                      and `dkms install` for the running kernel
#
# Everything generated goes to build/ (kernels, module objects per kernel,
# user-space binaries, test results, benchmark results).

TOP	:= $(CURDIR)
BUILD	:= $(TOP)/build
VM	:= $(TOP)/test/vm

# The project's own test kernels; KDIR defaults to the debug one.
KERNEL_DEBUG	:= $(BUILD)/kernel/debug
KERNEL_BASE	:= $(BUILD)/kernel/base
KDIR		?= $(KERNEL_DEBUG)

# Kernel sources of ours that kbuild needs, copied per kernel (kbuild in
# 6.1 writes objects next to the sources, and each kernel needs its own).
KSRC_DIRS	:= Kbuild uacce drivers include test/kunit

USER_O	:= $(BUILD)/user

.PHONY: all deps deps-kernel deps-vm deps-qemu10 deps-pkg kernel-debug \
	kernel-base modules modules-debug modules-base user check demo stock \
	clean help soak install uninstall dkms-source install-dkms deb

all: modules user

help:
	@sed -n '3,26p' Makefile

# make install: udev rules live under /usr/lib for a system prefix
PREFIX		?= /usr/local
mandir		?= $(PREFIX)/share/man
MAN1		:= wdzip.1 wdbench.1 wdcdi.1
MAN3		:= libwarpdrive.3
udevrulesdir	?= $(if $(filter /usr,$(PREFIX)),/usr/lib/udev/rules.d,/etc/udev/rules.d)

install: deps
	@$(MAKE) --no-print-directory -C lib O=$(USER_O) install
	@$(MAKE) --no-print-directory -C provider O=$(USER_O) install
	@$(MAKE) --no-print-directory -C samples O=$(USER_O) install
	install -d $(DESTDIR)$(udevrulesdir) $(DESTDIR)$(mandir)/man1 \
		$(DESTDIR)$(mandir)/man3
	install -m 644 udev/60-warpdrive.rules $(DESTDIR)$(udevrulesdir)/
	install -m 644 $(MAN1:%=Documentation/man/%) $(DESTDIR)$(mandir)/man1/
	install -m 644 $(MAN3:%=Documentation/man/%) $(DESTDIR)$(mandir)/man3/

uninstall:
	@$(MAKE) --no-print-directory -C lib O=$(USER_O) uninstall
	@$(MAKE) --no-print-directory -C provider O=$(USER_O) uninstall
	@$(MAKE) --no-print-directory -C samples O=$(USER_O) uninstall
	rm -f $(DESTDIR)$(udevrulesdir)/60-warpdrive.rules \
		$(MAN1:%=$(DESTDIR)$(mandir)/man1/%) \
		$(MAN3:%=$(DESTDIR)$(mandir)/man3/%)

# NO_DEPS=1: the caller has installed what is needed and deps.sh must not
# call apt (debian/rules: the builder installs Build-Depends, and a clean
# build chroot has no apt to call as root)
deps:
	@[ -n "$(NO_DEPS)" ] || $(VM)/deps.sh build

deps-pkg: deps
	@$(VM)/deps.sh pkg

deps-kernel: deps
	@$(VM)/deps.sh kernel

deps-vm: deps-kernel
	@$(VM)/deps.sh vm

# QEMU 10 from bookworm-backports, unpacked under build/qemu10 beside the
# system's 7.2 (test/vm/qemu10.sh), for the stock and nested lanes' guests.
deps-qemu10: deps-vm
	@$(VM)/deps.sh qemu10

kernel-debug: deps-kernel
	@$(VM)/build-kernel.sh debug

kernel-base: deps-kernel
	@$(VM)/build-kernel.sh base

# Build our modules against $(KDIR). The project's own kernels are built on
# demand; another KDIR must be a prepared build tree.
ifeq ($(KDIR),$(KERNEL_DEBUG))
modules: kernel-debug
else ifeq ($(KDIR),$(KERNEL_BASE))
modules: kernel-base
else
modules: deps
endif
modules:
	@$(VM)/build-modules.sh $(KDIR)

modules-debug:
	@$(MAKE) --no-print-directory modules KDIR=$(KERNEL_DEBUG)

modules-base:
	@$(MAKE) --no-print-directory modules KDIR=$(KERNEL_BASE)

user: deps
	@$(VM)/deps.sh bench
	@for d in lib provider samples test; do \
		if [ -f $$d/Makefile ]; then \
			$(MAKE) --no-print-directory -C $$d O=$(USER_O) || exit 1; \
		fi; \
	done

# On a fresh machine the debug kernel's build (the CPU, about 13 minutes
# here) and what the lanes need from apt (mostly the network: about 6
# minutes, one group after another) run side by side; deps.sh's apt calls
# wait for each other on dpkg's lock.
check: deps-kernel
	@mkdir -p $(BUILD); \
	$(VM)/deps.sh vm qemu10 pkg stock > $(BUILD)/deps-check.log 2>&1 & \
	deps=$$!; \
	$(MAKE) --no-print-directory kernel-debug; rc=$$?; \
	if ! wait $$deps; then \
		echo "check: installing what the lanes need failed ($(BUILD)/deps-check.log):"; \
		tail -n 20 $(BUILD)/deps-check.log; exit 1; \
	fi; \
	exit $$rc
	@$(MAKE) --no-print-directory modules-debug user
	@$(VM)/check.sh "$(T)"

demo: deps-vm deps-qemu10 kernel-base modules-base user
	@$(VM)/demo.sh

# The randomised tests for hours (test/vm/soak.sh): zdiff_test on the
# host, the fuzzers in the debug guest; SOAK_SECONDS per program, a new
# seed each run (SEED=n replays one); summary at the end, logs in
# build/test-results-soak/.
SOAK_SECONDS	?= 3600
soak: deps-vm kernel-debug modules-debug user
	@$(VM)/soak.sh $(SOAK_SECONDS) $(SEED)

# The second lane alone: Debian's stock kernel (also part of `make check`),
# results and report in build/test-results-stock/.
STOCK_RESULTS	:= $(BUILD)/test-results-stock
stock: deps-vm deps-qemu10 user
	@rm -rf $(STOCK_RESULTS) && mkdir -p $(STOCK_RESULTS)/stock
	@$(VM)/stock.sh $(STOCK_RESULTS)/stock "$(T)" stock+nested 2>&1 | tee $(STOCK_RESULTS)/stock/setup.log
	@python3 $(VM)/report.py $(STOCK_RESULTS) | tee $(STOCK_RESULTS)/summary.txt; \
		exit $$(tail -n 1 $(STOCK_RESULTS)/summary.txt | grep -q ' 0 failed' && echo 0 || echo 1)

clean:
	@for d in lib provider samples test; do \
		if [ -f $$d/Makefile ]; then $(MAKE) --no-print-directory -C $$d O=$(USER_O) clean; fi; \
	done
	rm -rf $(BUILD)/modules $(BUILD)/test-results $(BUILD)/test-results-stock $(BUILD)/user $(BUILD)/bench \
		$(BUILD)/deb $(BUILD)/deb-prebuilt

# The modules' DKMS source tree, what warpdrive-dkms ships: dkms.conf, its
# PRE_BUILD script and the sources kbuild reads (Kbuild, *.c, *.h; the
# KUnit suites in test/kunit/ too: DKMS builds them for a kernel with
# CONFIG_KUNIT).  The version is the library's (lib/Makefile).
WD_VERSION	:= $(shell sed -n 's/^VERSION[[:space:]]*:=[[:space:]]*//p' lib/Makefile)
DKMS_SRC	?= /usr/src/warpdrive-$(WD_VERSION)

dkms-source:
	@rm -rf $(DESTDIR)$(DKMS_SRC)
	install -d $(DESTDIR)$(DKMS_SRC)
	find $(KSRC_DIRS) \( -name Kbuild -o -name '*.c' -o -name '*.h' \) \
		-type f ! -name '*.mod.c' -print | sort | \
		while read -r f; do install -D -m 644 "$$f" "$(DESTDIR)$(DKMS_SRC)/$$f" || exit 1; done
	sed 's/#MODULE_VERSION#/$(WD_VERSION)/' dkms/dkms.conf > $(DESTDIR)$(DKMS_SRC)/dkms.conf
	install -m 755 dkms/pre-build.sh $(DESTDIR)$(DKMS_SRC)/

# For the running kernel, on this machine (root); DKMS rebuilds them for
# each kernel installed later.  The Debian package does the same.
install-dkms: deps-pkg
	@$(MAKE) --no-print-directory dkms-source DESTDIR=
	dkms install warpdrive/$(WD_VERSION)

# dpkg-buildpackage writes beside the source tree: it builds in a copy
# (build/deb/src/, the checkout as it is, without build/), and the
# packages, .buildinfo and .changes are moved to build/deb/.
DEB_O	?= $(BUILD)/deb
deb: deps-pkg
	rm -rf $(DEB_O) && mkdir -p $(DEB_O)/src/warpdrive-$(WD_VERSION)
	tar -C $(TOP) --exclude=./build --exclude=./.git -cf - . | \
		tar -C $(DEB_O)/src/warpdrive-$(WD_VERSION) -xf -
	cd $(DEB_O)/src/warpdrive-$(WD_VERSION) && dpkg-buildpackage -b -us -uc -j2
	mv $(DEB_O)/src/*.deb $(DEB_O)/src/*.buildinfo $(DEB_O)/src/*.changes $(DEB_O)/
	rm -rf $(DEB_O)/src
	@ls -1 $(DEB_O)

# Also drops the cached kernels: the next check rebuilds them (~16 minutes).
distclean:
	rm -rf $(BUILD)
