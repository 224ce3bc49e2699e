# Makefile - builds libpanelhost, the API Keys plugin, the sample host, test fixtures and tests into $(B)/.
#   make            everything          make test     the test suite (unit + fixtures + command line)
#   make check      sanitizers, valgrind make bench    the benchmark (issue: performance)
#   make install PREFIX=/usr/local DESTDIR=         make clean
#   make run        the web panel on ./data (prints URL and login)   make test-browser  the Chromium test only
# Layout conventions (add a file, not a rule): host-api/*.c -> libpanelhost; plugin/*.c -> apikeys.so;
# sample-host/{,cli/,web/,api/}*.c -> sample-host; tests/fixtures/NAME.c -> NAME.so; tests/unit/host_*.c link libpanelhost,
# tests/unit/plugin_*.c link the plugin's objects; tests/cli/*.sh run against the built sample host.

B        ?= build
PREFIX   ?= /usr/local
DESTDIR  ?=
CC       ?= cc
DEPS     := sqlite3 libsodium inih cmocka libmicrohttpd libpq jansson
SONAME_MAJOR := 2
SOVERSION    := 2.0.0

# The dependencies are checked by the phony target deps, an order-only prerequisite of every object, so only a
# make that compiles checks them (and installs what is missing when we are root, else stops with the exact
# command); reading the Makefile runs nothing, so `make clean` never installs. pkg-config runs after that check:
# each variable below is recursively expanded and replaces itself by its $(shell ...)'s output on first use.
pkg_config = $(eval $1 := $$(shell pkg-config $2))$($1)

PKG_CFLAGS  = $(call pkg_config,PKG_CFLAGS,--cflags $(DEPS))
OPTFLAGS   ?= -O2 -g
WARNFLAGS  := -std=c11 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes -Wvla
CPPFLAGS   += -D_GNU_SOURCE -Iinclude $(PKG_CFLAGS)
CFLAGS     += $(OPTFLAGS) $(WARNFLAGS) $(SANFLAGS) -fPIC -pthread -MMD -MP
LDFLAGS    += $(SANFLAGS) -pthread
LIBS_HOST   = $(call pkg_config,PKG_LIBS_HOST,--libs inih) -ldl
LIBS_PLUGIN = $(call pkg_config,LIBS_PLUGIN,--libs sqlite3 libsodium libpq)
LIBS_CMOCKA = $(call pkg_config,LIBS_CMOCKA,--libs cmocka)
LIBS_SAMPLE = $(call pkg_config,LIBS_SAMPLE,--libs libsodium libmicrohttpd sqlite3 jansson)

HOST_SRC    := $(wildcard host-api/*.c)
PLUGIN_SRC  := $(wildcard plugin/*.c)
SAMPLE_SRC  := $(wildcard sample-host/*.c sample-host/*/*.c)
FIXTURE_SRC := $(wildcard tests/fixtures/*.c)
UNIT_HOST_SRC   := $(wildcard tests/unit/host_*.c)
UNIT_PLUGIN_SRC := $(wildcard tests/unit/plugin_*.c)
UNIT_HELPER_SRC := $(wildcard tests/unit/support_*.c)

HOST_OBJ    := $(HOST_SRC:%.c=$(B)/obj/%.o)
PLUGIN_OBJ  := $(PLUGIN_SRC:%.c=$(B)/obj/%.o)
SAMPLE_OBJ  := $(SAMPLE_SRC:%.c=$(B)/obj/%.o)
HELPER_OBJ  := $(UNIT_HELPER_SRC:%.c=$(B)/obj/%.o)

LIB_A    := $(B)/lib/libpanelhost.a
LIB_SO   := $(B)/lib/libpanelhost.so.$(SOVERSION)
CORE_A   := $(B)/lib/libapikeys_core.a
PLUGIN   := $(B)/plugins/apikeys.so
SAMPLE   := $(B)/sample-host
FIXTURES := $(FIXTURE_SRC:tests/fixtures/%.c=$(B)/tests/fixtures/%.so)
UNITS    := $(UNIT_HOST_SRC:tests/unit/%.c=$(B)/tests/%) $(UNIT_PLUGIN_SRC:tests/unit/%.c=$(B)/tests/%)
# tests/unit/store_pg_*.c: plugin unit tests that need a PostgreSQL server (linked like plugin_*); not run by
# run-tests.sh's unit loop but by tests/cli/pg_named_store.sh, which starts a private server for them.
UNIT_PG_SRC := $(wildcard tests/unit/store_pg_*.c)
UNITS_PG    := $(UNIT_PG_SRC:tests/unit/%.c=$(B)/tests/%)
# The README's minimal host, built against the static library.
EXAMPLE  := $(B)/examples/minimal_host
# tests/reliability/NAME.c -> $(B)/tests/reliability/NAME (linked -rdynamic with libpanelhost and the
# tests/reliability/rel_support*.c helpers); run by the wrappers tests/cli/reliability_*.sh.
REL_HELPER_SRC := $(wildcard tests/reliability/rel_support*.c)
REL_SRC  := $(filter-out $(REL_HELPER_SRC),$(wildcard tests/reliability/*.c))
REL_BINS := $(REL_SRC:tests/reliability/%.c=$(B)/tests/reliability/%)

.PHONY: all deps test check bench clean install run test-browser
# Keep intermediate objects (pattern chains would otherwise delete them after each build).
.SECONDARY:
# Everything `make` builds, in one list.
all: $(LIB_A) $(LIB_SO) $(PLUGIN) $(SAMPLE) $(FIXTURES) $(UNITS) $(UNITS_PG) $(EXAMPLE) $(REL_BINS)

# Stop early with the exact command when a dependency is missing (or install it when we are root).
deps:
	@scripts/ensure-deps.sh $(DEPS)

$(B)/obj/%.o: %.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c $< -o $@

# The sample host's folders (cli/, web/, api/ and the shared files at its top) include each other's headers by name.
SAMPLE_INCLUDES := -Isample-host -Isample-host/cli -Isample-host/web -Isample-host/api
$(B)/obj/sample-host/%.o: CPPFLAGS += $(SAMPLE_INCLUDES)

# Plugins hide everything but their one entry symbol.
$(B)/obj/plugin/%.o $(B)/obj/tests/fixtures/%.o: CFLAGS += -fvisibility=hidden

$(LIB_A): $(HOST_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(LIB_SO): $(HOST_OBJ) host-api/libpanelhost.map
	@mkdir -p $(dir $@)
	$(CC) -shared $(LDFLAGS) -Wl,-soname,libpanelhost.so.$(SONAME_MAJOR) \
	  -Wl,--version-script=host-api/libpanelhost.map -o $@ $(HOST_OBJ) $(LIBS_HOST)
	ln -sf libpanelhost.so.$(SOVERSION) $(B)/lib/libpanelhost.so.$(SONAME_MAJOR)
	ln -sf libpanelhost.so.$(SOVERSION) $(B)/lib/libpanelhost.so

$(CORE_A): $(PLUGIN_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(PLUGIN): $(PLUGIN_OBJ)
	@mkdir -p $(dir $@)
	$(CC) -shared $(LDFLAGS) -Wl,-z,defs -o $@ $^ $(LIBS_PLUGIN)

$(SAMPLE): $(SAMPLE_OBJ) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(SAMPLE_OBJ) $(LIB_A) $(LIBS_HOST) $(LIBS_SAMPLE)

$(B)/tests/fixtures/%.so: $(B)/obj/tests/fixtures/%.o
	@mkdir -p $(dir $@)
	$(CC) -shared $(LDFLAGS) -o $@ $<

$(B)/tests/host_%: $(B)/obj/tests/unit/host_%.o $(HELPER_OBJ) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(HELPER_OBJ) $(LIB_A) $(LIBS_HOST) $(LIBS_CMOCKA)

$(B)/tests/plugin_%: $(B)/obj/tests/unit/plugin_%.o $(HELPER_OBJ) $(CORE_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(HELPER_OBJ) $(CORE_A) $(LIBS_PLUGIN) $(LIBS_CMOCKA)

# tests/unit/store_pg_*.c (UNITS_PG): linked like plugin_*, without the unit helpers.
$(B)/tests/store_pg_%: $(B)/obj/tests/unit/store_pg_%.o $(CORE_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(CORE_A) $(LIBS_PLUGIN) $(LIBS_CMOCKA)

# Programs the tests drive (installed when missing, like the build's libraries): the browser test's Chromium and
# Node.js, sqlite3 and curl for inspecting stores and servers, python3 for JSON, setpriv/prlimit for faults,
# PostgreSQL 15 (each many-nodes test starts a private server), socat (the proxy that cuts a node off) and
# libfaketime (pg_clock.sh runs one node with its wall clock set back).
TEST_TOOLS := chromium:chromium node:nodejs npm:npm sqlite3:sqlite3 curl:curl python3:python3 \
              setpriv:util-linux prlimit:util-linux dpkg=postgresql:postgresql socat:socat faketime:faketime \
              php:php-cli dpkg=php-fpm:php-fpm nginx:nginx gcore:gdb
# The PHP binding's package checks (tests/cli/php_binding.sh): composer validate, PHPUnit 9.6, phpcs (PSR-12).
TEST_TOOLS += composer:composer phpunit:phpunit phpcs:php-codesniffer
# The Laravel package's application test (tests/cli/laravel_app.sh): Debian's Laravel 8.
TEST_TOOLS += dpkg=php-laravel-framework:php-laravel-framework
CHECK_TOOLS := valgrind:valgrind clang:clang dpkg=libclang-rt-14-dev:libclang-rt-14-dev

# The whole suite: unit tests, then the command-line tests; prints "N passed, N failed".
test: all
	scripts/ensure-tools.sh $(TEST_TOOLS)
	B=$(B) tests/run-tests.sh

# The web panel with ./data on [host] listen (default http://127.0.0.1:8080/); prints the URL and the login.
run: $(SAMPLE) $(PLUGIN)
	B=$(B) LISTEN=$(LISTEN) scripts/run-panel.sh

# Only the headless-Chromium test of the admin panel (also part of `make test`).
test-browser: $(SAMPLE) $(PLUGIN)
	B=$(B) tests/cli/web_browser.sh

clean:
	rm -rf $(B)

install: $(LIB_A) $(LIB_SO) $(PLUGIN) $(SAMPLE)
	install -d $(DESTDIR)$(PREFIX)/include/panel $(DESTDIR)$(PREFIX)/lib/pkgconfig \
	  $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/panel/plugins
	install -m 0644 include/panel/plugin.h include/panel/host.h $(DESTDIR)$(PREFIX)/include/panel/
	install -m 0644 $(LIB_A) $(DESTDIR)$(PREFIX)/lib/
	install -m 0755 $(LIB_SO) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libpanelhost.so.$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/libpanelhost.so.$(SONAME_MAJOR)
	ln -sf libpanelhost.so.$(SOVERSION) $(DESTDIR)$(PREFIX)/lib/libpanelhost.so
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(SOVERSION)|g' host-api/panelhost.pc.in \
	  > $(DESTDIR)$(PREFIX)/lib/pkgconfig/panelhost.pc
	install -m 0755 $(SAMPLE) $(DESTDIR)$(PREFIX)/bin/panel-sample-host
	install -m 0755 $(PLUGIN) $(DESTDIR)$(PREFIX)/lib/panel/plugins/

-include $(shell find $(B)/obj -name '*.d' 2>/dev/null)

# ----- examples: the README's minimal host, built against the static library ---------------------------------
$(EXAMPLE): $(B)/obj/examples/minimal_host.o $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $< $(LIB_A) $(LIBS_HOST)

# ----- reliability tests (issue 5; REL_BINS) ---------------------------------------------------------------------
$(B)/tests/reliability/%: $(B)/obj/tests/reliability/%.o $(REL_HELPER_SRC:%.c=$(B)/obj/%.o) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -rdynamic -o $@ $< $(REL_HELPER_SRC:%.c=$(B)/obj/%.o) $(LIB_A) $(LIBS_HOST) $(LIBS_PLUGIN)

# ---------------------------------------------------------------------------------------------------------
# Benchmark (issue 6; bench/*.c, owner: the benchmark). `make bench` builds $(B)/bench with -O2 against the
# plugin's objects and runs it: a table of every figure (median, min, max). `$(B)/bench --json`: one JSON
# object. The bench keeps its databases in $(B)/bench-data (the real disk); its HTTP figure drives
# $(B)/sample-host with the bench's own load client and needs two cores.
BENCH_SRC := $(wildcard bench/*.c)
BENCH_OBJ := $(BENCH_SRC:%.c=$(B)/obj/%.o)
BENCH     := $(B)/bench

$(B)/obj/bench/%.o: override OPTFLAGS := -O2 -g
$(B)/obj/bench/%.o: CPPFLAGS += -Iplugin
# bench/bench_pg_server.sh (the PostgreSQL figures' server, issue 14) is run from the source tree.
$(B)/obj/bench/bench_pg_server.o: CPPFLAGS += -DBENCH_SOURCE_DIR='"$(CURDIR)/bench"'

$(BENCH): $(BENCH_OBJ) $(CORE_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -o $@ $(BENCH_OBJ) $(CORE_A) $(LIBS_PLUGIN) -ldl -lm

bench: $(BENCH) $(PLUGIN) $(SAMPLE)
	$(BENCH)

# ----- make check, make fuzz (owner: reliability checks; tests/check.sh, tests/fuzz/) ---------------------------
# make check: the suite under ASan+UBSan ($(ASAN_B)), under valgrind ($(B)), the unit tests and the web server
# under TSan ($(TSAN_B)), and each fuzz target for 10 s ($(FUZZ_B), clang). make fuzz FUZZ_SECONDS=60: fuzzing only.
# tests/fuzz/fuzz_*.c are libFuzzer targets linking the plugin's objects and libpanelhost (build them with
# CC=clang SANFLAGS=-fsanitize=fuzzer-no-link,...; tests/check.sh does).
ASAN_B       ?= build/asan
TSAN_B       ?= build/tsan
FUZZ_B       ?= build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_SRC     := $(wildcard tests/fuzz/fuzz_*.c)
FUZZERS      := $(FUZZ_SRC:tests/fuzz/%.c=$(B)/fuzz/%)
.PHONY: fuzz fuzzers

check:
	scripts/ensure-tools.sh $(TEST_TOOLS) $(CHECK_TOOLS)
	MAKE="$(MAKE)" CC="$(CC)" B=$(B) ASAN_B=$(ASAN_B) TSAN_B=$(TSAN_B) FUZZ_B=$(FUZZ_B) tests/check.sh

fuzz:
	MAKE="$(MAKE)" FUZZ_B=$(FUZZ_B) CHECK_PASSES=fuzz CHECK_FUZZ_SECONDS=$(FUZZ_SECONDS) tests/check.sh

fuzzers: $(FUZZERS)

$(B)/fuzz/fuzz_%: $(B)/obj/tests/fuzz/fuzz_%.o $(CORE_A) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS) -fsanitize=fuzzer -o $@ $< $(CORE_A) $(LIB_A) $(LIBS_HOST) $(LIBS_PLUGIN) $(LIBS_SAMPLE)

# ----- the PHP binding (bindings/php; owner: the PHP host, issue 15) ---------------------------------------------
# make install puts it under $(PREFIX)/share/panel/php/, its panel.h naming the installed library (FFI_LIB), so
# ffi.preload=$(PREFIX)/share/panel/php/panel.h and opcache.preload=.../preload.php need no LD_LIBRARY_PATH.
PHP_SHARE := $(PREFIX)/share/panel/php
.PHONY: install-php
install: install-php
install-php:
	install -d $(DESTDIR)$(PHP_SHARE)/src
	install -m 0644 bindings/php/composer.json bindings/php/preload.php bindings/php/autoload.php $(DESTDIR)$(PHP_SHARE)/
	install -m 0644 bindings/php/src/*.php $(DESTDIR)$(PHP_SHARE)/src/
	sed -e 's|^#define FFI_LIB .*|#define FFI_LIB "$(PREFIX)/lib/libpanelhost.so.$(SONAME_MAJOR)"|' bindings/php/panel.h \
	  > $(DESTDIR)$(PHP_SHARE)/panel.h
	chmod 0644 $(DESTDIR)$(PHP_SHARE)/panel.h
