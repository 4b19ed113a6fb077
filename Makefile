# SPDX-License-Identifier: BSD-3-Clause
# The two commands of the quick start, over meson/ninja:
#   make bench   set up, build, run the latency benchmark on the emulated device
#   make test    set up, build, run every test suite (and the sanitizer/fuzz build)
#   make fuzz    every libFuzzer target for FUZZ_SECONDS each (default 10 minutes), from its seeds
#   make mutate  put known bugs in one at a time (a copy of the tree) and report the survivors
# Optional:
#   make install [DESTDIR=<staging dir>] [PREFIX=<prefix>]   meson install of the build
#   make uninstall                                         remove what the last install put there
#   make deb     Debian packages in build-deb/, lintian-checked (devtools/deb.sh)

BUILD     ?= build
SAN_BUILD ?= build-san
TSAN_BUILD ?= build-tsan
MESON_TEST = meson test --print-errorlogs --num-processes 2
FUZZ_SECONDS ?= 600

.PHONY: all build bench test fuzz clean install uninstall deb mutate

all: build

build:
	@devtools/build.sh $(BUILD) gcc

bench: build
	@devtools/bench.sh $(BUILD)

# Every suite of the gcc build, then unit/pmd/fault/fuzz under ASan+UBSan with clang,
# then the in-process PF+VF suite (pmd: PF, VF, data path; not the long torn-read
# stress of the fault suite) under ThreadSanitizer, where
# any report fails the test (tests/tsan/tsan.supp says what is suppressed and why);
# the last line is the summary of all three.
test:
	@rc=0; \
	devtools/build.sh $(BUILD) gcc && $(MESON_TEST) -C $(BUILD) || rc=1; \
	devtools/build.sh $(SAN_BUILD) sanitize && \
		$(MESON_TEST) -C $(SAN_BUILD) --suite unit --suite fuzz --suite pmd --suite fault --suite doorbell || rc=1; \
	devtools/build.sh $(TSAN_BUILD) tsan && \
		TSAN_OPTIONS="suppressions=$(CURDIR)/tests/tsan/tsan.supp exitcode=66" \
		$(MESON_TEST) -C $(TSAN_BUILD) --suite unit --suite pmd --no-suite fault || rc=1; \
	devtools/test-summary.py $(BUILD)/meson-logs/testlog.json $(SAN_BUILD)/meson-logs/testlog.json \
		$(TSAN_BUILD)/meson-logs/testlog.json || rc=1; \
	exit $$rc

# Long fuzzing (not part of make test): executions and coverage per target, crashes kept
# in $(SAN_BUILD)/tests/fuzz/fuzz-artifacts/.
fuzz:
	@devtools/build.sh $(SAN_BUILD) sanitize && \
	rc=0; for t in $(SAN_BUILD)/tests/fuzz/fuzz_*; do \
		[ -x "$$t" ] || continue; n=$${t##*/fuzz_}; \
		python3 tests/fuzz/run_fuzz.py $$t tests/fuzz/corpus/$$n $(FUZZ_SECONDS) \
			$(SAN_BUILD)/tests/fuzz/fuzz-artifacts || rc=1; \
	done; exit $$rc

# The plugin goes to the PMD directory EAL searches (outside PREFIX unless it is
# DPDK's own), the rest below PREFIX (default /usr/local). PREFIX reconfigures
# the build folder. ldconfig makes a new library directory's links known.
install: build
	@$(if $(PREFIX),meson configure $(BUILD) -Dprefix=$(PREFIX) && ninja -C $(BUILD) >/dev/null &&) \
	meson install -C $(BUILD) --no-rebuild $(if $(DESTDIR),--destdir "$(DESTDIR)") && \
	$(if $(DESTDIR),true,{ [ "$$(id -u)" != 0 ] || ldconfig; })

# Meson's log of the last install (build/meson-logs/install-log.txt) lists the
# files and the folders it created; uninstall removes them (folders if empty).
uninstall:
	@ninja -C $(BUILD) uninstall

deb:
	@devtools/deb.sh build-deb

# Not part of test: each devtools/mutations/*.patch in a copy of the tree, the suites it names,
# and which mutations no test caught (devtools/mutate.sh).
mutate:
	@devtools/mutate.sh

clean:
	rm -rf $(BUILD) $(SAN_BUILD) $(TSAN_BUILD) build-deb
