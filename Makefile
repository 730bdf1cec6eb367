# aishell: make build | test | demo | bench
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
export CCACHE_DIR ?= $(HOME)/.cache/aishell-ccache
export CCACHE_BASEDIR ?= $(CURDIR)
# Share cached objects between checkouts in different directories (fresh CI clones, worktrees):
# with -g, ccache would otherwise hash the build directory into every key.
export CCACHE_NOHASHDIR ?= 1

.PHONY: build test demo bench fuzz deps-build deps-test unit sql-tests py-tests format clean

deps-build:
	@scripts/install-deps.sh build

deps-test:
	@scripts/install-deps.sh test

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: deps-build $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

# Every test: unit tests, sqllogictest files, CLI and differential tests.
test: deps-test build
	scripts/with-services.sh scripts/run-tests.sh

demo: deps-build build
	scripts/demo.sh

# Every benchmark (engine core, PostgreSQL, Redis, Parquet, Iceberg, TPC-H), with the servers they use.
bench: deps-test build
	scripts/with-services.sh scripts/run-bench.sh --build-dir $(BUILD_DIR) $(BENCH_ARGS)

# Every fuzz target (test/fuzz/README.md) for FUZZ_SECONDS seconds each (default 60); the corpus
# grows in build-fuzz/corpus/ from run to run. FUZZ_TARGETS=sql csv ... runs only those.
fuzz: deps-build build
	FUZZ_SECONDS=$${FUZZ_SECONDS:-60} scripts/run-fuzz.sh $(FUZZ_TARGETS)

format:
	clang-format -i $$(git ls-files 'src/*.cpp' 'src/*.h' 'test/*.cpp')

clean:
	rm -rf $(BUILD_DIR)
