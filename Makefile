# SPDX-License-Identifier: BSD-3-Clause
# The two commands of the quick start, over meson/ninja:
#   make bench   set up, build, run the latency benchmark on the emulated device
#   make test    set up, build, run every test suite (and the sanitizer/fuzz build)

BUILD     ?= build
SAN_BUILD ?= build-san
MESON_TEST = meson test --print-errorlogs --num-processes 2

.PHONY: all build bench test test-main test-san clean

all: build

build:
	@devtools/build.sh $(BUILD) gcc

bench: build
	@devtools/bench.sh $(BUILD)

# Every suite of the gcc build, then unit/pmd/fault/fuzz under ASan+UBSan with clang;
# the last line is the summary of both.
test:
	@rc=0; \
	devtools/build.sh $(BUILD) gcc && $(MESON_TEST) -C $(BUILD) || rc=1; \
	devtools/build.sh $(SAN_BUILD) sanitize && \
		$(MESON_TEST) -C $(SAN_BUILD) --suite unit --suite fuzz --suite pmd --suite fault || rc=1; \
	devtools/test-summary.py $(BUILD)/meson-logs/testlog.json $(SAN_BUILD)/meson-logs/testlog.json || rc=1; \
	exit $$rc

clean:
	rm -rf $(BUILD) $(SAN_BUILD)
