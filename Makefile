# The two commands of the README: `make demo` and `make test`. Everything they need
# (virtualenv, maturin, pytest) is installed here, under the repository's ignored folders.

VENV     := .venv
PYTHON   ?= python3
CARGO    ?= cargo
CC       ?= gcc
BUILD    := build
OUT      := out
DEBUG    := target/debug
VENV_ABS := $(abspath $(VENV))
CFLAGS_TEST := -std=c11 -Wall -Wextra -Wpedantic -Werror -g -Iinclude \
	-DWG_TEST_DATA='"$(CURDIR)/tests/data"'

# Which SQLite the C library runs on. `bundled` (the default): its own copy, compiled in
# and private to it (no sqlite3_* symbol leaves the library), so it cannot clash with a
# program's own SQLite; it must then never open a file that other SQLite code in the same
# process has open. `system`: the platform's libsqlite3 (which must have the preupdate
# hook; the library checks at open), shared with the program and safe on the same files.
SQLITE ?= bundled
ifeq ($(SQLITE),bundled)
FFI_FEATURES :=
else ifeq ($(SQLITE),system)
FFI_FEATURES := --no-default-features
else
$(error SQLITE is bundled (the default) or system, not "$(SQLITE)")
endif

.PHONY: demo test lint test-rust test-header test-c test-python python-dev wheel header bench bench-frames \
	bench-report bench-first-report bench-handheld bench-tree-python clean browser

# `make demo DEMO_ARGS=--county` builds the county at full size (about 500,000 households)
# into its own file, $(OUT)/county.db, with its report files under $(OUT)/county/.
DEMO_ARGS ?=
DEMO_DB = $(if $(filter --county,$(DEMO_ARGS)),$(OUT)/county.db,$(OUT)/demo.db)

demo:
	$(CARGO) run --release --quiet -p wangge-core --example demo -- $(DEMO_ARGS) $(DEMO_DB)

test: lint test-rust test-c test-install test-install-system test-java test-python
	@echo "make test: all Rust, C and Python tests passed"

lint:
	$(CARGO) fmt --all -- --check
	@# The C library turns on core's `parquet` (and so `arrow`): this line covers both.
	$(CARGO) clippy --all-targets -p wangge-core -p wangge-ffi -- -D warnings

# Includes the check that include/wangge.h is what the pinned cbindgen generates.
test-rust:
	$(CARGO) test -p wangge-core -p wangge-ffi
	@# The frames (feature `arrow`, which only the Python module turns on).
	$(CARGO) test -p wangge-core --features arrow --lib --test frames -- frame labels
	@# The Parquet export (feature `parquet`, which the C library and the Python module turn on).
	$(CARGO) test -p wangge-core --features parquet --test parquet

# Regenerates include/wangge.h with the pinned cbindgen.
header:
	WANGGE_BLESS_HEADER=1 $(CARGO) test -p wangge-ffi --test header -- committed_header_matches_the_generated_one

# The C test: one program, one file per area of the library plus the harness that runs them
# (threads.c starts threads: -pthread; busy.c holds a store's lock from a child process
# through the system's SQLite, and store.c makes a UTF-16 file with it: -lsqlite3).
# header_c99.c is not part of it: see test-header-c.
C_TESTS := $(filter-out tests/c/header_c99.c,$(wildcard tests/c/*.c))

$(BUILD)/test_wangge: $(C_TESTS) tests/c/harness.h include/wangge.h FORCE_LIB
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS_TEST) -pthread $(C_TESTS) -L$(DEBUG) -lwangge_ffi -lsqlite3 \
		-Wl,-rpath,$(abspath $(DEBUG)) -o $@

# The header compiles as strict C99 and as C++11, warnings as errors.
.PHONY: test-header-c
test-header-c:
	$(CC) -std=c99 -pedantic -Wall -Wextra -Werror -fsyntax-only -Iinclude tests/c/header_c99.c
	$(CXX) -std=c++11 -pedantic -Wall -Wextra -Werror -fsyntax-only -Iinclude tests/c/header_cpp.cpp

.PHONY: FORCE_LIB
FORCE_LIB:
	$(CARGO) build -p wangge-ffi $(FFI_FEATURES)

test-c: test-header-c $(BUILD)/test_wangge
	@# The bundled SQLite must stay private to the library.
	@if nm -D --defined-only $(DEBUG)/libwangge_ffi.so | grep -q ' sqlite3_'; then \
		echo "libwangge_ffi.so exports sqlite3_* symbols"; exit 1; fi
	cd $(BUILD) && ./test_wangge
	cd $(BUILD) && valgrind --quiet --leak-check=full --show-leak-kinds=all \
		--suppressions=$(CURDIR)/tests/c/valgrind.supp \
		--errors-for-leak-kinds=all --error-exitcode=1 ./test_wangge

$(VENV)/.installed: python/requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r python/requirements-dev.txt
	touch $@

python-dev: $(VENV)/.installed
	cd python && VIRTUAL_ENV=$(VENV_ABS) PATH=$(VENV_ABS)/bin:$$PATH maturin develop --quiet

test-python: python-dev browser
	cd python && $(VENV_ABS)/bin/python -m pytest -q

# The release wheel, in build/wheels: abi3 (one wheel for CPython 3.9 and later, tagged
# cp39-abi3), its module stripped, not repaired for manylinux (see python/pyproject.toml).
# Not part of `make test`: the release build takes minutes.
wheel: $(VENV)/.installed
	$(VENV)/bin/maturin build --release -m python/Cargo.toml -o $(BUILD)/wheels

# The browser python/tests/test_html_render.py draws the HTML reports in: Debian's chromium
# and a font with Chinese glyphs (fontconfig's fc-list finds it). Installed with apt-get
# when one is missing and this runs as root; nothing to do when both are there. Elsewhere
# the test is skipped and says why.
BROWSER_PACKAGES := chromium fonts-noto-cjk fontconfig
APT_GET := DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -y -q

browser:
	@if { command -v chromium || command -v chromium-browser; } >/dev/null 2>&1 && \
		fc-list :lang=zh 2>/dev/null | grep -q .; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "browser: installing $(BROWSER_PACKAGES)"; \
		$(APT_GET) install --no-install-recommends $(BROWSER_PACKAGES) || \
		{ $(APT_GET) update && $(APT_GET) install --no-install-recommends $(BROWSER_PACKAGES); }; \
	else echo "browser: chromium or a Chinese font is missing and cannot be installed" \
		"(not root, or no apt-get): test_html_render.py will be skipped"; fi

# 1,000,000 due items and 1,000,000 entries into DataFrames from Python, each as a ratio
# to the Rust call alone (python/bench/bench_frames.py), with the module built in release.
bench-frames: $(VENV)/.installed
	cd python && VIRTUAL_ENV=$(VENV_ABS) PATH=$(VENV_ABS)/bin:$$PATH maturin develop --release --quiet
	$(VENV)/bin/python python/bench/bench_frames.py

# The national tree loaded from Python, with tuples and with dicts, each as a ratio to the
# Rust load of the same units in the same run, and to the Rust load on the platform's
# SQLite, the one the module runs on (python/bench/bench_tree.py; module built in release).
bench-tree-python: $(VENV)/.installed
	cd python && VIRTUAL_ENV=$(VENV_ABS) PATH=$(VENV_ABS)/bin:$$PATH maturin develop --release --quiet
	CARGO=$(CARGO) $(VENV)/bin/python python/bench/bench_tree.py

bench:
	$(CARGO) run --release -p wangge-core --example bench_tree
	$(MAKE) --no-print-directory bench-tree-python
	$(CARGO) run --release -p wangge-core --example bench_registry
	$(CARGO) run --release -p wangge-core --example bench_visits
	$(CARGO) run --release -p wangge-core --example bench_ledger
	$(CARGO) run --release -p wangge-core --example bench_keys
	$(CARGO) run --release -p wangge-core --example bench_embed
	$(CARGO) run --release -p wangge-core --example bench_paging
	$(MAKE) --no-print-directory bench-first-report

# The first report on a freshly opened county store (the `--county` demo, built once
# under build/bench-first-report by the demo): with and without the derived data the
# store keeps in its file, and warm.
bench-first-report:
	$(CARGO) run --release -p wangge-core --example bench_first_report

# Merging handheld terminals home: one device with a grid's month of work and 70 such
# devices, as ratios to recording the same facts online in batches (release build; the
# files live under build/bench-handheld and are removed after).
bench-handheld:
	$(CARGO) run --release -p wangge-core --example bench_handheld

# The monthly report at 100,000 grids and 5,000,000 entries against DuckDB (installed
# into the venv by the script); builds its store once under build/bench-report.
bench-report: $(VENV)/.installed
	$(VENV)/bin/python examples/bench_report.py

# A province's figures at scale: 20 county stores of 250,000 entries each (built once under
# build/bench-province/, cached per size), exported as Parquet, their 20 reports summed,
# and report.sql in DuckDB over all the files, in one run: times, ratios and whether the
# figures agree. BENCH_PROVINCE="--counties N --entries M" sets another size.
BENCH_PROVINCE ?= --counties 20 --entries 250000

.PHONY: bench-province
bench-province: $(VENV)/.installed
	$(CARGO) run --release -q -p wangge-core --features parquet --example bench_province -- \
		$(BENCH_PROVINCE) > $(BUILD)/bench-province.path
	$(VENV)/bin/python examples/province/bench_province.py $$(cat $(BUILD)/bench-province.path)

# examples/province/report.sql's body in Spark (local mode, the machine's JDK 17) over two
# county stores' Parquet files, checked against Store.report figure by figure. pyspark
# is installed from PyPI into its own virtualenv under build/. Not part of `make test`:
# the first install downloads Spark, and each report takes Spark tens of seconds.
SPARK_VENV := $(BUILD)/spark-venv
PYSPARK    := pyspark==4.3.0

$(SPARK_VENV)/.installed:
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/pip install --quiet --disable-pip-version-check $(PYSPARK)
	touch $@

.PHONY: province-spark
province-spark: python-dev $(SPARK_VENV)/.installed
	$(VENV)/bin/python examples/province/province_cases.py $(BUILD)/province-spark
	$(SPARK_VENV)/bin/python -u examples/province/report_spark.py --cases $(BUILD)/province-spark/cases.json

clean:
	rm -rf $(BUILD) $(OUT)

# ---- Install (C) ------------------------------------------------------------------------
# `make install PREFIX=/usr/local` builds the release library once and installs it as
# libwangge (header, shared and static library, pkg-config and CMake files, valgrind
# suppressions); `DESTDIR` stages it for a package. `make test-install` installs the debug
# build under build/prefix and builds and runs examples/c against it.

PREFIX     ?= /usr/local
LIB_FROM   ?= target/release
INSTALL_AT  = $(DESTDIR)$(PREFIX)
VERSION    := $(shell sed -n 's/^version = "\([^"]*\)"$$/\1/p' Cargo.toml | head -n 1)
MAJOR      := $(word 1,$(subst ., ,$(VERSION)))
MINOR      := $(word 2,$(subst ., ,$(VERSION)))
PATCH      := $(word 3,$(subst ., ,$(VERSION)))
ABI        := $(shell sed -n 's/^.define WANGGE_ABI_VERSION //p' include/wangge.h)
SOFILE      = libwangge.so.$(ABI).$(MINOR).$(PATCH)
STAGE       = $(BUILD)/install-stage
PC_REQUIRES = $(if $(filter system,$(SQLITE)),sqlite3,)
TEMPLATE    = sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(VERSION)|g' \
                  -e 's|@SQLITE@|$(SQLITE)|g' -e 's|@PC_REQUIRES@|$(PC_REQUIRES)|g' \
                  -e 's|@MAJOR@|$(MAJOR)|g' -e 's|@ABI@|$(ABI)|g' -e 's|@SOFILE@|$(SOFILE)|g'
TEST_PREFIX = $(abspath $(BUILD)/prefix$(if $(filter system,$(SQLITE)),-system))

.PHONY: install release-lib install-lib test-install debug-soname-link

release-lib:
	$(CARGO) build --release -p wangge-ffi $(FFI_FEATURES)

install: release-lib
	$(MAKE) --no-print-directory install-lib LIB_FROM=target/release

# Installs what $(LIB_FROM) holds, already built. The shared library is stripped, its
# debug information kept next to it (found by gdb through its .gnu_debuglink); the static
# one is one relocatable object in which only the wg_* functions stay global (its Rust
# runtime and SQLite cannot clash with the program's), without debug information, and
# without the code no wg_* function reaches (as the shared library is linked): with
# SQLITE=system its only sqlite3_* references are then the calls the library makes, all
# present in the oldest SQLite it runs on (rusqlite also wraps newer functions).
install-lib:
	@test -f $(LIB_FROM)/libwangge_ffi.so -a -f $(LIB_FROM)/libwangge_ffi.a || \
		{ echo "no library in $(LIB_FROM): run cargo build -p wangge-ffi first"; exit 1; }
	@if readelf -d $(LIB_FROM)/libwangge_ffi.so | grep -q 'NEEDED.*\[libsqlite3\.'; then \
		built=system; else built=bundled; fi; test $$built = $(SQLITE) || \
		{ echo "$(LIB_FROM) holds a library built with SQLITE=$$built, not $(SQLITE)"; exit 1; }
	install -d $(INSTALL_AT)/include $(INSTALL_AT)/lib/pkgconfig \
		$(INSTALL_AT)/lib/cmake/wangge $(INSTALL_AT)/share/wangge $(STAGE)
	install -m 644 include/wangge.h $(INSTALL_AT)/include/wangge.h
	rm -f $(INSTALL_AT)/lib/$(SOFILE) $(INSTALL_AT)/lib/$(SOFILE).debug
	objcopy --only-keep-debug $(LIB_FROM)/libwangge_ffi.so $(INSTALL_AT)/lib/$(SOFILE).debug
	chmod 644 $(INSTALL_AT)/lib/$(SOFILE).debug
	objcopy --strip-unneeded --add-gnu-debuglink=$(INSTALL_AT)/lib/$(SOFILE).debug \
		$(LIB_FROM)/libwangge_ffi.so $(INSTALL_AT)/lib/$(SOFILE)
	chmod 755 $(INSTALL_AT)/lib/$(SOFILE)
	ln -sfn $(SOFILE) $(INSTALL_AT)/lib/libwangge.so.$(ABI)
	ln -sfn libwangge.so.$(ABI) $(INSTALL_AT)/lib/libwangge.so
	ld -r --whole-archive $(LIB_FROM)/libwangge_ffi.a -o $(STAGE)/wangge-all.o
	objcopy --wildcard --keep-global-symbol='wg_*' --strip-debug \
		--remove-section=.llvmbc --remove-section=.llvmcmd \
		$(STAGE)/wangge-all.o $(STAGE)/wangge-local.o
	ld -r --gc-sections $$(readelf -sW $(STAGE)/wangge-local.o | \
		awk '$$5=="GLOBAL" && $$7!="UND" && $$8 ~ /^wg_/ {print "-u " $$8}') \
		$(STAGE)/wangge-local.o -o $(STAGE)/wangge-kept.o
	readelf -sW $(STAGE)/wangge-kept.o | awk '$$5=="LOCAL" && $$7=="UND" && $$8!="" {print $$8}' \
		> $(STAGE)/dropped-symbols
	objcopy --strip-symbols=$(STAGE)/dropped-symbols $(STAGE)/wangge-kept.o $(STAGE)/wangge.o
	rm -f $(STAGE)/wangge-all.o $(STAGE)/wangge-local.o $(STAGE)/wangge-kept.o \
		$(STAGE)/dropped-symbols $(INSTALL_AT)/lib/libwangge.a
	ar rcs $(INSTALL_AT)/lib/libwangge.a $(STAGE)/wangge.o
	chmod 644 $(INSTALL_AT)/lib/libwangge.a
	rm -f $(STAGE)/wangge.o
	$(TEMPLATE) packaging/wangge.pc.in > $(INSTALL_AT)/lib/pkgconfig/wangge.pc
	$(TEMPLATE) packaging/wanggeConfig.cmake.in > $(INSTALL_AT)/lib/cmake/wangge/wanggeConfig.cmake
	$(TEMPLATE) packaging/wanggeConfigVersion.cmake.in \
		> $(INSTALL_AT)/lib/cmake/wangge/wanggeConfigVersion.cmake
	install -m 644 tests/c/valgrind.supp $(INSTALL_AT)/share/wangge/valgrind.supp
	@echo "installed wangge $(VERSION) (ABI $(ABI)) from $(LIB_FROM) into $(INSTALL_AT)"

# The debug library carries the SONAME libwangge.so.0 too: the in-tree C test finds it
# under that name.
test-c: debug-soname-link
debug-soname-link: FORCE_LIB
	ln -sfn libwangge_ffi.so $(DEBUG)/libwangge.so.$(ABI)

# test-install with the C library built on the platform's SQLite (installed under
# build/prefix-system).
.PHONY: test-install-system
test-install-system:
	$(MAKE) --no-print-directory test-install SQLITE=system

# A program using wangge and the platform's SQLite (libsqlite3, with its header) side by
# side, each on its own file, linked three ways: static libwangge.a with the shared and with
# the static libsqlite3, and shared libwangge.so with the shared one. The links must find no
# duplicate symbol and the program's sqlite3_* calls must reach its own SQLite; with
# SQLITE=system wangge must run on that same SQLite.
WITH_SQLITE = $(CC) -std=c11 -Wall -Wextra -Werror examples/c/with_sqlite.c
.PHONY: test-with-sqlite
test-with-sqlite:
	PKG_CONFIG_PATH=$(TEST_PREFIX)/lib/pkgconfig; export PKG_CONFIG_PATH; \
	static="$$(pkg-config --cflags wangge) \
		$$(pkg-config --static --libs wangge | sed 's/-lwangge\b/-l:libwangge.a/')" && \
	$(WITH_SQLITE) $$static $$(pkg-config --libs sqlite3) -o $(BUILD)/with-sqlite-static && \
	$(WITH_SQLITE) $$static \
		$$(pkg-config --static --libs sqlite3 | sed 's/-lsqlite3\b/-l:libsqlite3.a/') \
		-o $(BUILD)/with-sqlite-static-own && \
	$(WITH_SQLITE) $$(pkg-config --cflags --libs wangge sqlite3) \
		-Wl,-rpath,$(TEST_PREFIX)/lib -o $(BUILD)/with-sqlite
	$(if $(filter bundled,$(SQLITE)),! readelf -d $(BUILD)/with-sqlite-static-own | grep -q libsqlite3)
	readelf -d $(BUILD)/with-sqlite | grep -q 'NEEDED.*\[libwangge.so.$(ABI)\]'
	for program in with-sqlite-static with-sqlite-static-own with-sqlite; do \
		$(BUILD)/$$program $(BUILD)/$$program-store.db $(BUILD)/$$program-own.db \
			$(if $(filter system,$(SQLITE)),same) || exit 1; done

# Installs the debug build (the release build takes minutes more; `make install` makes
# it) into build/prefix and builds examples/c against it: with pkg-config, shared and
# static, and with CMake (the venv's, from python/requirements-dev.txt, else one on PATH;
# skipped when there is none; a CMake warning for authors fails it). Both programs must run.
CMAKE = $(if $(wildcard $(VENV)/bin/cmake),$(VENV)/bin/cmake,cmake)
test-install: FORCE_LIB $(VENV)/.installed
	rm -rf $(TEST_PREFIX) $(BUILD)/hello $(BUILD)/hello-static $(BUILD)/hello-cmake \
		$(BUILD)/with-sqlite $(BUILD)/with-sqlite-static $(BUILD)/with-sqlite-static-own
	$(MAKE) --no-print-directory install-lib LIB_FROM=$(DEBUG) PREFIX=$(TEST_PREFIX)
	@readelf -d $(TEST_PREFIX)/lib/$(SOFILE) | grep -q 'SONAME.*\[libwangge.so.$(ABI)\]' || \
		{ echo "$(SOFILE) lacks the SONAME libwangge.so.$(ABI)"; exit 1; }
	@if readelf -sW $(TEST_PREFIX)/lib/libwangge.a | awk '$$5=="GLOBAL" && $$7!="UND"' | \
		grep -v ' wg_' | grep -q .; then echo "libwangge.a has globals other than wg_*"; exit 1; fi
	@readelf -SW $(TEST_PREFIX)/lib/$(SOFILE) | grep -q '\.gnu_debuglink' || \
		{ echo "$(SOFILE) has no debug link"; exit 1; }
	PKG_CONFIG_PATH=$(TEST_PREFIX)/lib/pkgconfig; export PKG_CONFIG_PATH; \
	$(CC) -std=c11 -Wall -Wextra -Werror examples/c/hello.c \
		$$(pkg-config --cflags --libs wangge) -Wl,-rpath,$(TEST_PREFIX)/lib -o $(BUILD)/hello && \
	$(CC) -std=c11 -Wall -Wextra -Werror examples/c/hello.c $$(pkg-config --cflags wangge) \
		$$(pkg-config --static --libs wangge | sed 's/-lwangge\b/-l:libwangge.a/') \
		-o $(BUILD)/hello-static
	readelf -d $(BUILD)/hello | grep -q 'NEEDED.*\[libwangge.so.$(ABI)\]'
	! readelf -d $(BUILD)/hello-static | grep -q 'libwangge'
	$(BUILD)/hello
	$(BUILD)/hello-static
	$(MAKE) --no-print-directory test-with-sqlite
	@if command -v $(CMAKE) >/dev/null 2>&1; then \
		$(CMAKE) -Werror=dev -S examples/c -B $(BUILD)/hello-cmake -DCMAKE_PREFIX_PATH=$(TEST_PREFIX) \
			-DCMAKE_BUILD_RPATH=$(TEST_PREFIX)/lib && \
		$(CMAKE) --build $(BUILD)/hello-cmake && \
		$(BUILD)/hello-cmake/hello && $(BUILD)/hello-cmake/hello_static && \
		for program in with_sqlite with_sqlite_static; do \
			$(BUILD)/hello-cmake/$$program $(BUILD)/hello-cmake/$$program-store.db \
				$(BUILD)/hello-cmake/$$program-own.db \
				$(if $(filter system,$(SQLITE)),same) || exit 1; done; \
	else echo "test-install: SKIP the CMake build (cmake is not installed)"; fi

# ---- Java (JNI) -------------------------------------------------------------------------
# `make test-java` builds examples/java against the library test-install put in
# build/prefix: the JNI shim (examples/java/c) with pkg-config, the classes with
# `javac --release 17` (every public item documented), then runs the binding's test and
# the example under -Xcheck:jni (a JNI misuse warning fails it) and checks what the
# example printed. Skipped where javac is not installed. JAVA_HOME, for jni.h, defaults
# to the JDK of the javac on PATH.

JAVA_HOME  ?= $(patsubst %/bin/javac,%,$(realpath $(shell command -v javac 2>/dev/null)))
JAVA_BUILD  = $(BUILD)/java
JAVAC_FLAGS = --release 17 -encoding UTF-8 -Xlint:all -Werror
JAVA_RUN    = java -Xcheck:jni -Djava.library.path=$(JAVA_BUILD) \
              -cp $(JAVA_BUILD)/classes:$(JAVA_BUILD)/test-classes

.PHONY: test-java java-check

test-java: test-install
	@if command -v javac >/dev/null 2>&1; then $(MAKE) --no-print-directory java-check; \
	else echo "test-java: SKIP (javac is not installed)"; fi

java-check:
	@test -f "$(JAVA_HOME)/include/jni.h" || \
		{ echo "no jni.h under JAVA_HOME=$(JAVA_HOME): set JAVA_HOME to a JDK"; exit 1; }
	rm -rf $(JAVA_BUILD)
	mkdir -p $(JAVA_BUILD)
	PKG_CONFIG_PATH=$(TEST_PREFIX)/lib/pkgconfig; export PKG_CONFIG_PATH; \
	$(CC) -std=c11 -Wall -Wextra -Wpedantic -Werror -fPIC -shared examples/java/c/wangge_jni.c \
		-I"$(JAVA_HOME)/include" -I"$(JAVA_HOME)/include/linux" \
		$$(pkg-config --cflags --libs wangge) -Wl,-rpath,$(TEST_PREFIX)/lib \
		-o $(JAVA_BUILD)/libwangge_jni.so
	readelf -d $(JAVA_BUILD)/libwangge_jni.so | grep -q 'NEEDED.*\[libwangge.so.$(ABI)\]'
	javac $(JAVAC_FLAGS) -Xdoclint:all/protected -d $(JAVA_BUILD)/classes \
		$$(find examples/java/src -name '*.java')
	javac $(JAVAC_FLAGS) -cp $(JAVA_BUILD)/classes -d $(JAVA_BUILD)/test-classes \
		$$(find examples/java/test -name '*.java')
	$(JAVA_RUN) cn.wangge.StoreTest $(TEST_PREFIX)/include/wangge.h > $(JAVA_BUILD)/test.out 2>&1; \
		rc=$$?; cat $(JAVA_BUILD)/test.out; test $$rc -eq 0
	$(JAVA_RUN) cn.wangge.example.Example > $(JAVA_BUILD)/example.out 2>&1; \
		rc=$$?; cat $(JAVA_BUILD)/example.out; test $$rc -eq 0
	@! grep -n 'WARNING' $(JAVA_BUILD)/test.out $(JAVA_BUILD)/example.out
	@for line in '^走访记录: H1 2024-03-10 home' '^签收: #1 signed_for' \
		'^报表合计 (北坝社区 2024-03): 受理 1, 待解决 1, 入户走访 1, 户数 1$$' \
		'^错误: InvalidInputException kind=INVALID_INPUT status=2: .*51202' \
		'^错误: NotFoundException kind=NOT_FOUND status=1: .*512099' \
		'^已关闭: IllegalStateException'; do \
		grep -q "$$line" $(JAVA_BUILD)/example.out || \
			{ echo "the Java example did not print: $$line"; exit 1; }; done
