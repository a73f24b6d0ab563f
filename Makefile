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
CFLAGS_TEST := -std=c11 -Wall -Wextra -Wpedantic -Werror -g -Iinclude

.PHONY: demo test lint test-rust test-header test-c test-python python-dev header bench bench-report clean

# `make demo DEMO_ARGS=--county` builds the county at full size (about 500,000 households).
DEMO_ARGS ?=

demo:
	$(CARGO) run --release --quiet -p wangge-core --example demo -- $(DEMO_ARGS) $(OUT)/demo.db

test: lint test-rust test-c test-python
	@echo "make test: all Rust, C and Python tests passed"

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -p wangge-core -p wangge-ffi -- -D warnings

# Includes the check that include/wangge.h is what the pinned cbindgen generates.
test-rust:
	$(CARGO) test -p wangge-core -p wangge-ffi

# Regenerates include/wangge.h with the pinned cbindgen.
header:
	WANGGE_BLESS_HEADER=1 $(CARGO) test -p wangge-ffi --test header -- committed_header_matches_the_generated_one

# The C test: one program, one file per area of the library plus the harness that runs them
# (threads.c starts threads: -pthread). header_c99.c is not part of it: see test-header-c.
C_TESTS := $(filter-out tests/c/header_c99.c,$(wildcard tests/c/*.c))

$(BUILD)/test_wangge: $(C_TESTS) tests/c/harness.h include/wangge.h FORCE_LIB
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS_TEST) -pthread $(C_TESTS) -L$(DEBUG) -lwangge_ffi -Wl,-rpath,$(abspath $(DEBUG)) -o $@

# The header compiles as strict C99 and as C++11, warnings as errors.
.PHONY: test-header-c
test-header-c:
	$(CC) -std=c99 -pedantic -Wall -Wextra -Werror -fsyntax-only -Iinclude tests/c/header_c99.c
	$(CXX) -std=c++11 -pedantic -Wall -Wextra -Werror -fsyntax-only -Iinclude tests/c/header_cpp.cpp

.PHONY: FORCE_LIB
FORCE_LIB:
	$(CARGO) build -p wangge-ffi

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

test-python: python-dev
	cd python && $(VENV_ABS)/bin/python -m pytest -q

bench:
	$(CARGO) run --release -p wangge-core --example bench_tree
	$(CARGO) run --release -p wangge-core --example bench_registry
	$(CARGO) run --release -p wangge-core --example bench_visits
	$(CARGO) run --release -p wangge-core --example bench_ledger
	$(CARGO) run --release -p wangge-core --example bench_keys

# The monthly report at 100,000 grids and 5,000,000 entries against DuckDB (installed
# into the venv by the script); builds its store once under build/bench-report.
bench-report: $(VENV)/.installed
	$(VENV)/bin/python examples/bench_report.py

clean:
	rm -rf $(BUILD) $(OUT)
