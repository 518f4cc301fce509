# acidbase lab. `make` builds ./acidbase; `make test` builds a sanitized copy and runs
# every unit, scenario and error test; `make run` opens the lab; `make bench` runs the
# benchmark suite (BENCHMARKS.md); `make soak` runs the kill -9 crash harness at length.
#
# Dependencies come from pkg-config (ncursesw, sqlite3, libcjson). When one is missing the
# build installs the Debian package if it runs as root, otherwise it stops and prints the
# exact apt-get line.

PREFIX  ?= /usr/local
DESTDIR ?=
CC      ?= cc
PKGS    := ncursesw sqlite3 libcjson
DEBS    := libncurses-dev libsqlite3-dev libcjson-dev pkg-config

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
WARN    := -Wall -Wextra -Wshadow -Wpointer-arith -Wstrict-prototypes -Wno-unused-parameter
BASECF  := -pthread -std=c11 -D_GNU_SOURCE -DACIDBASE_VERSION='"$(VERSION)"' $(WARN) -g
RELCF   := $(BASECF) -O2
# The sanitized build (make test): ASan, and UBSan halting on the first report. undefined
# includes signed-integer-overflow (named anyway, since the lab promises that integer
# arithmetic never wraps: engines/common/arith.h); tests/unit/test_sanitizer.c fails if a
# signed overflow or INT64_MIN % -1 ever passes silently in this build. It also checks the
# engines' invariants as it runs (ACIDBASE_CHECKS: engine_check() after every engine step,
# lock_check() on what each lock operation touched); the release build and the benchmarks
# do not.
SANCF   := $(BASECF) -O1 -fno-omit-frame-pointer -fsanitize=address,undefined,signed-integer-overflow,float-cast-overflow -fno-sanitize-recover=undefined,signed-integer-overflow,float-cast-overflow -DACIDBASE_CHECKS
SANLD   := -fsanitize=address,undefined,signed-integer-overflow,float-cast-overflow

# engines/ are libraries: plain C, built with no include path but engines/ and no
# pkg-config flags, archived into libengines.a. Engine unit tests link against that archive
# alone (no ncurses, SQLite or cJSON), so the build itself checks the rule (DESIGN.md 4).
ENGINE_SRC := $(wildcard engines/*/*.c)
LAB_SRC    := $(filter-out lab/cli/main.c,$(wildcard lab/*/*.c lab/*/*/*.c))
UNIT_SRC   := $(wildcard tests/unit/test_*.c)
# Unit tests of the lab (they link the lab's objects and its libraries too).
UNIT_LAB   := test_lesson test_progress test_scenario test_trace

REL_ENG := $(patsubst %.c,build/rel/%.o,$(ENGINE_SRC))
SAN_ENG := $(patsubst %.c,build/san/%.o,$(ENGINE_SRC))
REL_OBJ := $(patsubst %.c,build/rel/%.o,$(LAB_SRC))
SAN_OBJ := $(patsubst %.c,build/san/%.o,$(LAB_SRC))
UNIT_BIN := $(patsubst tests/unit/%.c,build/san/tests/%,$(UNIT_SRC))

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)

.PHONY: all run test unit scenarios errors install uninstall clean deps soak bench fuzz fuzz-seeds valgrind
all: acidbase

# --- dependencies -------------------------------------------------------------------
build/.deps:
	@mkdir -p build
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists $(PKGS); then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing build dependencies: $(DEBS)"; \
	    (apt-get install -y -q $(DEBS) || (apt-get update -q && apt-get install -y -q $(DEBS))) >build/apt.log 2>&1 \
	      || { cat build/apt.log; echo "could not install $(DEBS)"; exit 1; }; \
	  else \
	    echo "missing build dependencies; install them with:"; \
	    echo "  sudo apt-get install $(DEBS)"; exit 1; \
	  fi; \
	fi
	@touch $@
deps: build/.deps

# --- objects --------------------------------------------------------------------------
ENGINC := -Iengines
LABINC := -Iengines -Ilab

build/rel/engines/%.o: engines/%.c
	@mkdir -p $(dir $@)
	$(CC) $(RELCF) $(ENGINC) -MMD -MP -c $< -o $@
build/san/engines/%.o: engines/%.c
	@mkdir -p $(dir $@)
	$(CC) $(SANCF) $(ENGINC) -MMD -MP -c $< -o $@
build/rel/lab/%.o: lab/%.c build/.deps VERSION
	@mkdir -p $(dir $@)
	$(CC) $(RELCF) $(LABINC) $(PKG_CFLAGS) -MMD -MP -c $< -o $@
build/san/lab/%.o: lab/%.c build/.deps VERSION
	@mkdir -p $(dir $@)
	$(CC) $(SANCF) $(LABINC) $(PKG_CFLAGS) -MMD -MP -c $< -o $@

build/rel/libengines.a: $(REL_ENG)
	@rm -f $@
	ar rcs $@ $^
build/san/libengines.a: $(SAN_ENG)
	@rm -f $@
	ar rcs $@ $^

acidbase: $(REL_OBJ) build/rel/lab/cli/main.o build/rel/libengines.a
	$(CC) -o $@ $(REL_OBJ) build/rel/lab/cli/main.o build/rel/libengines.a $(PKG_LIBS) -lm -pthread
build/san/acidbase: $(SAN_OBJ) build/san/lab/cli/main.o build/san/libengines.a
	$(CC) $(SANLD) -o $@ $(SAN_OBJ) build/san/lab/cli/main.o build/san/libengines.a $(PKG_LIBS) -lm -pthread
# An engine test sees engines/ only and links libengines.a only; a lab test also the lab.
build/san/tests/%: tests/unit/%.c build/san/libengines.a $(SAN_OBJ) tests/unit/t.h
	@mkdir -p $(dir $@)
	@if echo " $(UNIT_LAB) " | grep -q " $* "; then \
	  echo "$(CC) [lab test] $@"; \
	  $(CC) $(SANCF) $(LABINC) $(PKG_CFLAGS) -o $@ $< $(SAN_OBJ) build/san/libengines.a $(SANLD) $(PKG_LIBS) -lm -pthread; \
	else \
	  echo "$(CC) [engine test] $@"; \
	  $(CC) $(SANCF) $(ENGINC) -o $@ $< build/san/libengines.a $(SANLD) -lm -pthread; \
	fi

# --- fuzzing (tests/fuzz/README.md) ---------------------------------------------------
# Each target is a libFuzzer binary (clang) for `make fuzz`, and a replay binary (the same
# target over files, gcc with ASan+UBSan) that `make test` runs over the seed corpora and
# the reproducers of past findings.
FUZZ_TARGETS := sql scenario lesson trace wal wire
FUZZ_REPLAY  := $(patsubst %,build/san/fuzz/replay-%,$(FUZZ_TARGETS))
FUZZ_BIN     := $(patsubst %,build/fuzz/fuzz-%,$(FUZZ_TARGETS))
FUZZ_CC      ?= clang
FUZZCF  := $(BASECF) -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_OBJ := $(patsubst %.c,build/fuzz/%.o,$(ENGINE_SRC) $(LAB_SRC))
FUZZ_TIME ?= 60

build/fuzz/%.o: %.c build/.deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZCF) $(LABINC) $(PKG_CFLAGS) -MMD -MP -c $< -o $@
build/fuzz/fuzz-%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZCF) -fsanitize=fuzzer $(LABINC) $(PKG_CFLAGS) -o $@ $< $(FUZZ_OBJ) $(PKG_LIBS) -lm -pthread
build/san/fuzz/replay-%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c tests/fuzz/fuzz.h $(SAN_OBJ) build/san/libengines.a
	@mkdir -p $(dir $@)
	$(CC) $(SANCF) $(LABINC) $(PKG_CFLAGS) -o $@ $< tests/fuzz/replay.c $(SAN_OBJ) build/san/libengines.a $(SANLD) $(PKG_LIBS) -lm -pthread
build/san/fuzz/seedgen: tests/fuzz/seedgen.c $(SAN_OBJ) build/san/libengines.a
	@mkdir -p $(dir $@)
	$(CC) $(SANCF) $(LABINC) $(PKG_CFLAGS) -o $@ $< $(SAN_OBJ) build/san/libengines.a $(SANLD) -Wl,--wrap=wire_decode_in $(PKG_LIBS) -lm -pthread

# Every fuzzer for FUZZ_TIME seconds each (default 60; the figures in RELIABILITY.md come
# from FUZZ_TIME=600). Findings land in build/fuzz/findings/.
fuzz: $(FUZZ_BIN)
	@sh tests/fuzz/run.sh $(FUZZ_TIME) $(FUZZ_TARGETS)

# Regenerates the binary seeds (log records and network messages) from the scenario suite.
fuzz-seeds: build/san/fuzz/seedgen
	rm -rf build/seedgen && mkdir -p build/seedgen
	build/san/fuzz/seedgen build/seedgen tests/scenarios/*.scn assets/examples/*.scn
	rm -rf tests/fuzz/seeds/wal tests/fuzz/seeds/wire
	mv build/seedgen/wal build/seedgen/wire tests/fuzz/seeds/

-include $(shell find build -name '*.d' 2>/dev/null)

# --- tests ----------------------------------------------------------------------------
# Everything runs under AddressSanitizer and UndefinedBehaviorSanitizer.
export ASAN_OPTIONS := detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1

test: build/san/acidbase $(UNIT_BIN) $(FUZZ_REPLAY)
	@sh tests/run-all.sh build/san/acidbase $(UNIT_BIN)

unit: $(UNIT_BIN)
	@for t in $(UNIT_BIN); do $$t || exit 1; done

# The benchmark suite on the release build: a readable table with every target
# (BENCHMARKS.md explains each figure). A few minutes on 2 cores.
bench: acidbase
	./acidbase bench

# The kill -9 crash harness, long: a thousand SIGKILLs over different seeds on the release
# build (tests/crash/run.sh; `make test` runs its short mode); the in-process crash sweep
# over longer workloads and more seeds (test_crashpoints; `make test` sweeps a short one);
# the ACID checker's random histories (40,000; `make test` runs 4,000) and the replica
# set's random workloads (60,000; `make test` runs 3,000), each against its reference.
soak: acidbase build/san/tests/test_property build/san/tests/test_base_property build/san/tests/test_crashpoints
	sh tests/crash/run.sh ./acidbase --soak
	ACIDBASE_CRASH_SOAK=1 build/san/tests/test_crashpoints
	ACIDBASE_PROPERTY_SOAK=1 build/san/tests/test_property
	sh tests/limits/run.sh ./acidbase --big
	build/san/tests/test_base_property --soak

# The scenario suite under valgrind memcheck on the release build: no error, no leak.
valgrind: acidbase
	sh tests/valgrind/run.sh ./acidbase

# Opens the lab at its menu (in a terminal; from a script, use ./acidbase run FILE).
run: acidbase
	./acidbase

install: acidbase
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/acidbase
	install -m 0755 acidbase $(DESTDIR)$(PREFIX)/bin/acidbase
	cp -R assets lessons $(DESTDIR)$(PREFIX)/share/acidbase/

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/acidbase
	rm -rf $(DESTDIR)$(PREFIX)/share/acidbase

clean:
	rm -rf build acidbase
