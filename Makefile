# Glowtalk: one GNU Makefile for the whole tree (STYLE.md H1).
#
#   make            build ./glowtalk
#   make deps       install the Debian packages the build, tests and run need
#   make run        deps + build + init a data dir if new + run with the UI
#   make test       deps + build + every test suite (TAP, summarised by prove)
#   make asan       the same tests on an ASan+UBSan build (in build-asan/)
#   make valgrind   unit tests under valgrind, leaks are errors
#   make bench      the benchmarks (see docs/PERFORMANCE.md)
#   make install PREFIX=/usr/local DESTDIR=
#
# V=1 shows the full commands.

BUILD    ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
DATA     ?= $(if $(GLOWTALK_DATA),$(GLOWTALK_DATA),$(or $(XDG_DATA_HOME),$(HOME)/.local/share)/glowtalk)
UI       ?= 127.0.0.1:8008

CC       ?= cc
STD       = -std=c11 -D_GNU_SOURCE
WARN      = -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes \
            -Wmissing-prototypes -Wformat=2 -Wundef -Wvla
OPT      ?= -O2
DEBUG    ?= -g
SAN_FLAGS ?=
WERROR   ?= $(if $(CI),-Werror,)
FINAL_CFLAGS = $(STD) $(WARN) $(WERROR) $(OPT) $(DEBUG) $(SAN_FLAGS) $(CFLAGS) \
               -I. -I$(BUILD)/gen -MMD -MP
FINAL_LDFLAGS = $(SAN_FLAGS) $(LDFLAGS)

# Outside libraries. Each is wrapped by one module (STYLE.md A3); its cflags
# are applied to that module's objects only (H7), its libs to the link.
PC_MODULES = sqlite3 libcurl libxml-2.0 libsodium libprotobuf-c espeak-ng \
             opus libopusenc libcjson icu-uc icu-i18n libuv
pc_cflags  = $(shell pkg-config --cflags $(1) 2>/dev/null)
LIBS       = $(shell pkg-config --libs $(PC_MODULES) 2>/dev/null) -lcivetweb \
             -lpthread -lm

# Per-object extra flags: CFLAGS_<path-without-.c>.
CFLAGS_node/xml     = $(call pc_cflags,libxml-2.0)
CFLAGS_node/audio   = $(call pc_cflags,opus libopusenc)
CFLAGS_node/tts     = $(call pc_cflags,espeak-ng)
PC_MODULES += libcmark
CFLAGS_node/markdown = $(call pc_cflags,libcmark)

ifeq ($(V),1)
Q =
else
Q = @
endif

include node/sources.mk crypto/sources.mk proto/sources.mk tests/sources.mk

GEN_SRCS  = $(BUILD)/gen/migrations.c $(BUILD)/gen/ui_files.c \
            $(PROTO_SRCS:proto/%.proto=$(BUILD)/gen/proto/%.pb-c.c)
LIB_SRCS  = $(filter-out node/main.c,$(NODE_SRCS)) $(CRYPTO_SRCS)
LIB_OBJS  = $(LIB_SRCS:%.c=$(BUILD)/%.o) $(GEN_SRCS:%.c=%.o)
MAIN_OBJ  = $(BUILD)/node/main.o
TEST_OBJS = $(UNIT_TEST_SRCS:%.c=$(BUILD)/%.o)
PROTO_HDRS = $(PROTO_SRCS:proto/%.proto=$(BUILD)/gen/proto/%.pb-c.h)

.PHONY: all deps run test test-unit test-integration asan valgrind bench \
        test-deps test-only \
        clean install check-style fuzz
.DEFAULT_GOAL := all
.SECONDARY:

# ./glowtalk is the default build's binary; other builds (asan) stay in
# their own folder.
all: $(BUILD)/glowtalk $(if $(filter build,$(BUILD)),glowtalk)

glowtalk: $(BUILD)/glowtalk
	$(Q)cp $< $@

$(BUILD)/glowtalk: $(MAIN_OBJ) $(BUILD)/libglowtalk.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/libglowtalk.a: $(LIB_OBJS)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

# Changing flags forces a full rebuild (H6).
$(BUILD)/.flags: FORCE
	@mkdir -p $(@D)
	@echo '$(FINAL_CFLAGS) $(LIBS)' | cmp -s - $@ || echo '$(FINAL_CFLAGS) $(LIBS)' > $@
FORCE:

$(BUILD)/%.o: %.c $(BUILD)/.flags | $(PROTO_HDRS)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(FINAL_CFLAGS) $(CFLAGS_$(patsubst %/,%,$(dir $*))) $(CFLAGS_$*) \
	  -c -o $@ $<

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c $(BUILD)/.flags
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(FINAL_CFLAGS) -Wno-missing-prototypes -c -o $@ $<

# Generated sources: protobuf-c output and files embedded in the binary.
$(BUILD)/gen/proto/%.pb-c.c $(BUILD)/gen/proto/%.pb-c.h: proto/%.proto
	@mkdir -p $(BUILD)/gen/proto
	@echo "  PROTOC  $<"
	$(Q)protoc-c --c_out=$(BUILD)/gen/proto --proto_path=proto $<

$(BUILD)/tools/embed: tools/embed.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(STD) $(WARN) -O1 -o $@ $<

MIGRATIONS = $(sort $(wildcard migrations/*.sql))
UI_FILES   = $(sort $(shell find ui -type f ! -name '.*' 2>/dev/null))

$(BUILD)/gen/migrations.c: $(MIGRATIONS) $(BUILD)/tools/embed
	@mkdir -p $(@D)
	$(Q)$(BUILD)/tools/embed embedded_migrations $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/ui_files.c: $(UI_FILES) $(BUILD)/tools/embed
	@mkdir -p $(@D)
	$(Q)$(BUILD)/tools/embed embedded_ui $(UI_FILES) > $@.tmp && mv $@.tmp $@

# Unit tests: every TEST_IMPL(name) in tests/unit/test-*.c is registered.
$(BUILD)/gen/test-list.h: $(UNIT_TEST_SRCS)
	@mkdir -p $(@D)
	$(Q)grep -ho 'TEST_IMPL([a-z0-9_]*)' $(UNIT_TEST_FILES) | \
	  sed 's/TEST_IMPL(\(.*\))/TEST_ENTRY(\1)/' > $@.tmp && mv $@.tmp $@

$(BUILD)/tests/unit/runner.o: $(BUILD)/gen/test-list.h

$(BUILD)/run-unit-tests: $(TEST_OBJS) $(BUILD)/libglowtalk.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(LIBS)

# Test tools (never installed): the secret-handshake interop peer, and the
# npm packages of the reference implementation it is tested against
# (tests/interop/; npm ci runs only when package*.json changed).
.PHONY: test-deps fuzz-targets
$(BUILD)/shs-peer: $(BUILD)/tests/interop/shs-peer.o $(BUILD)/libglowtalk.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(LIBS)

test-deps: tests/interop/node_modules/.installed
tests/interop/node_modules/.installed: tests/interop/package.json \
    tests/interop/package-lock.json
	@echo "  NPM     tests/interop"
	$(Q)npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error
	$(Q)touch $@

test-only: test-deps $(BUILD)/shs-peer

# libFuzzer harnesses (STYLE.md G9): make fuzz builds build-fuzz/fuzz-NAME
# for every tests/fuzz/fuzz-NAME.c with clang; run one with
# build-fuzz/fuzz-NAME -max_total_time=60.
FUZZ_SAN = -fsanitize=address,undefined,fuzzer-no-link -fno-omit-frame-pointer
fuzz:
	@$(MAKE) --no-print-directory BUILD=build-fuzz CC=clang OPT=-O1 \
	  SAN_FLAGS='$(FUZZ_SAN)' fuzz-targets
FUZZ_TARGETS = $(patsubst tests/fuzz/%.c,$(BUILD)/%,$(wildcard tests/fuzz/fuzz-*.c))
fuzz-targets: $(FUZZ_TARGETS)
$(BUILD)/fuzz-%: $(BUILD)/tests/fuzz/fuzz-%.o $(BUILD)/libglowtalk.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(FINAL_LDFLAGS) -fsanitize=fuzzer -o $@ $^ $(LIBS)

# ---- running -------------------------------------------------------------

deps:
	@bash tools/deps.sh

run: deps all
	@test -e "$(DATA)/identity.key" || { ./glowtalk init --data "$(DATA)" && \
	  ./glowtalk import --data "$(DATA)" contrib/demo/keeper-of-small-lights.html; }
	./glowtalk run --data "$(DATA)" --ui $(UI)

PROVE_ARGS ?=
test: deps
	@$(MAKE) --no-print-directory test-only

# npm packages the tests need (playwright-core for browser tests), from the
# lock file; quick when already installed.
test-deps: tests/browser/node_modules/.installed
tests/browser/node_modules/.installed: tests/browser/package.json \
    tests/browser/package-lock.json
	@echo "  NPM     tests/browser"
	$(Q)npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	$(Q)touch $@

test-only: all $(BUILD)/run-unit-tests test-deps
	@GLOWTALK_BIN=$(abspath $(BUILD)/glowtalk) \
	  GLOWTALK_UNIT=$(abspath $(BUILD)/run-unit-tests) \
	  prove $(PROVE_ARGS) --exec '' tests/style.t tests/unit/unit.t \
	    tests/integration/*.t tests/browser/*.t

test-unit: all $(BUILD)/run-unit-tests
	@$(BUILD)/run-unit-tests

asan:
	@$(MAKE) --no-print-directory deps
	@$(MAKE) --no-print-directory BUILD=build-asan OPT=-O1 \
	  SAN_FLAGS='-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined' \
	  test-only

valgrind: all $(BUILD)/run-unit-tests
	valgrind -q --leak-check=full --show-leak-kinds=definite,indirect \
	  --errors-for-leak-kinds=definite,indirect --error-exitcode=1 \
	  --suppressions=tests/valgrind.supp \
	  $(BUILD)/run-unit-tests --no-fork

bench: all
	@bash tests/bench/run.sh

# Benchmark programs: each tests/bench/bench-*.c linked with the library.
BENCH_BINS = $(patsubst tests/bench/%.c,$(BUILD)/%,\
               $(wildcard tests/bench/bench-*.c))
$(BUILD)/bench-%: $(BUILD)/tests/bench/bench-%.o $(BUILD)/libglowtalk.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(LIBS)
bench: $(BENCH_BINS)

check-style:
	@bash tools/check-style.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 glowtalk $(DESTDIR)$(PREFIX)/bin/glowtalk
	install -d $(DESTDIR)$(PREFIX)/share/doc/glowtalk
	install -m 0644 README.md contrib/glowtalk.conf.example \
	  contrib/glowtalk.service $(DESTDIR)$(PREFIX)/share/doc/glowtalk/

clean:
	rm -rf build build-asan build-fuzz glowtalk

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# Glowfic import: ICU is wrapped by node/segment.c (sentence breaking).
CFLAGS_node/segment = $(call pc_cflags,icu-uc icu-i18n)
CFLAGS_node/fetch = $(call pc_cflags,libcurl)

# Import benchmark (tests/bench/run.sh): parse + segment + store of a big page.
bench: $(BUILD)/bench-import
$(BUILD)/bench-import: $(BUILD)/tests/bench/import-bench.o \
                       $(BUILD)/tests/unit/task.o $(BUILD)/libglowtalk.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(LIBS)

# Swarm connection layer benchmark (tests/bench/bench-swarm.sh).
bench: $(BUILD)/bench-swarm
$(BUILD)/bench-swarm: $(BUILD)/tests/bench/swarm-bench.o $(BUILD)/libglowtalk.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(LIBS)

# The blob bench runs on the in-process test swarm (tests/support/swarmh.c).
$(BUILD)/bench-blobx: $(BUILD)/tests/bench/bench-blobx.o \
                      $(BUILD)/tests/support/swarmh.o \
                      $(BUILD)/tests/unit/task.o $(BUILD)/libglowtalk.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(LIBS)

# Replication test fixture: admits a node in a log as a join would
# (tests/integration/repl-admit.c, used by repl.t and swarm.t).
test-only: $(BUILD)/repl-admit
$(BUILD)/repl-admit: $(BUILD)/tests/integration/repl-admit.o \
                     $(BUILD)/libglowtalk.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(LIBS)

# Attack tests: a hostile peer speaking the real protocol to a daemon
# (tests/integration/attack-peer.c, used by attack.t).
test-only: $(BUILD)/attack-peer
$(BUILD)/attack-peer: $(BUILD)/tests/integration/attack-peer.o \
                      $(BUILD)/libglowtalk.a
	@echo "  LINK    $@"
	$(Q)$(CC) $(FINAL_LDFLAGS) -o $@ $^ $(LIBS)
