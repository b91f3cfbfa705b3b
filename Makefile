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
#   make user          libwarpdrive, tools and test programs
#   make soak          the fuzzers and zdiff for hours (SOAK_SECONDS, SEED)
#   make install       libraries, headers, pkg-config, tools, man pages,
#                      udev rule [DESTDIR=] [PREFIX=/usr/local] [libdir=
#                      includedir= bindir= mandir= udevrulesdir=];
#                      make uninstall undoes it
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

.PHONY: all deps deps-kernel deps-vm deps-qemu10 kernel-debug kernel-base \
	modules modules-debug modules-base user check demo stock clean help \
	soak install uninstall

all: modules user

help:
	@sed -n '3,20p' Makefile

# make install: udev rules live under /usr/lib for a system prefix
PREFIX		?= /usr/local
mandir		?= $(PREFIX)/share/man
MAN1		:= wdzip.1 wdbench.1 wdcdi.1
MAN3		:= libwarpdrive.3
udevrulesdir	?= $(if $(filter /usr,$(PREFIX)),/usr/lib/udev/rules.d,/etc/udev/rules.d)

install: deps
	@$(MAKE) --no-print-directory -C lib O=$(USER_O) install
	@$(MAKE) --no-print-directory -C samples O=$(USER_O) install
	install -d $(DESTDIR)$(udevrulesdir) $(DESTDIR)$(mandir)/man1 \
		$(DESTDIR)$(mandir)/man3
	install -m 644 udev/60-warpdrive.rules $(DESTDIR)$(udevrulesdir)/
	install -m 644 $(MAN1:%=Documentation/man/%) $(DESTDIR)$(mandir)/man1/
	install -m 644 $(MAN3:%=Documentation/man/%) $(DESTDIR)$(mandir)/man3/

uninstall:
	@$(MAKE) --no-print-directory -C lib O=$(USER_O) uninstall
	@$(MAKE) --no-print-directory -C samples O=$(USER_O) uninstall
	rm -f $(DESTDIR)$(udevrulesdir)/60-warpdrive.rules \
		$(MAN1:%=$(DESTDIR)$(mandir)/man1/%) \
		$(MAN3:%=$(DESTDIR)$(mandir)/man3/%)

deps:
	@$(VM)/deps.sh build

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
	@for d in lib samples test; do \
		if [ -f $$d/Makefile ]; then \
			$(MAKE) --no-print-directory -C $$d O=$(USER_O) || exit 1; \
		fi; \
	done

check: deps-vm deps-qemu10 kernel-debug modules-debug user
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
	@for d in lib samples test; do \
		if [ -f $$d/Makefile ]; then $(MAKE) --no-print-directory -C $$d O=$(USER_O) clean; fi; \
	done
	rm -rf $(BUILD)/modules $(BUILD)/test-results $(BUILD)/test-results-stock $(BUILD)/user $(BUILD)/bench

# Also drops the cached kernels: the next check rebuilds them (~16 minutes).
distclean:
	rm -rf $(BUILD)
