# Thin wrapper over CMake. `make demo` installs what is missing, builds and runs the demonstration;
# `make test` installs, builds and runs every test: the suite in a release build, again under
# AddressSanitizer + UndefinedBehaviorSanitizer (clang, with a short run of every fuzz target),
# and again under ThreadSanitizer (clang). doc/reliability.md says what each part checks.
# `make test-fast` is the loop while working: the release build without the tests labelled slow
# or fuzz.
BUILD_DIR ?= build
ASAN_DIR ?= build-asan
TSAN_DIR ?= build-tsan
JOBS ?= $(shell nproc)
# Tests run twice as many at a time as there are cores: many of them wait (on deadlines, child
# processes, fsync), and each pass's tests then take about a fifth less time (release 30-35 s
# against 49 s, TSan 73-76 s against 90 s on two cores). The fuzz targets run apart from the
# rest and all at once, each for its share of the cores (fuzz/CMakeLists.txt).
TEST_JOBS ?= $(shell echo $$(( $(JOBS) * 2 )))
CMAKE_FLAGS ?=
FUZZ_SECONDS ?= 600

# Sanitized builds keep only line tables (-g1): enough for the sanitizers' stack traces. Their
# node, CLI and test binaries compile at -O0 (VELLUM_QUICK_OPT in CMakeLists.txt), a third of the
# time of -O1. The core library compiles at -O1 under ASan, and at -O2 under TSan: there it takes
# about as long to compile (21 against 20 s) and the TSan tests, which spend most of their time in
# it, about a fifth less time (70 and 70 s against 87 and 97 s, alternating, two cores). Under
# ASan -O2 made no difference the noise did not cover (75 and 77 s against 81 and 74 s).
SANITIZED = -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVELLUM_BUILD_BENCH=OFF
sanitized_opt = -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$(1) -g1 -DNDEBUG"
# Sanitizer reports fail the test that caused them; no recovering. TSan alone has suppressions,
# for Debian's uninstrumented libcurl and OpenSSL (scripts/tsan.supp says which and why).
export ASAN_OPTIONS ?= detect_leaks=1:abort_on_error=1:strict_string_checks=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1
# Ninja (scripts/setup.sh installs it) for new build folders: it compiles a library's users while
# the library is still compiling, which keeps both cores busy. A folder made before keeps its
# generator.
generator = $(if $(wildcard $(1)/CMakeCache.txt),,-G Ninja)
export TSAN_OPTIONS ?= halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/scripts/tsan.supp

.PHONY: all setup configure build test test-fast test-release asan-configure test-asan \
        tsan-configure test-tsan \
        fuzz fuzz-merge bench demo python clean

all: build

setup:
	@bash scripts/setup.sh

configure: setup
	@cmake -S . -B $(BUILD_DIR) $(call generator,$(BUILD_DIR)) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The three build folders are configured at once, first: CMake's compiler checks keep one core
# busy each. Then the three passes run one after another.
test:
	@$(MAKE) --no-print-directory -j3 configure asan-configure tsan-configure
	@$(MAKE) --no-print-directory test-release test-asan test-tsan

test-release: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(TEST_JOBS)

# The quick loop while working: the release build without the tests labelled slow or fuzz.
test-fast: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(TEST_JOBS) -LE 'slow|fuzz'

asan-configure: setup
	@CC=clang-16 CXX=clang++-16 cmake -S . -B $(ASAN_DIR) $(call generator,$(ASAN_DIR)) $(SANITIZED) \
	  $(call sanitized_opt,-O1) -DVELLUM_SANITIZE=address,undefined -DVELLUM_FUZZ=ON \
	  $(CMAKE_FLAGS) >/dev/null

# The fuzz targets run after the rest, all at once (-j 64; there are seven), each timed for its
# share of the cores.
test-asan: asan-configure
	@cmake --build $(ASAN_DIR) -j $(JOBS)
	@cd $(ASAN_DIR) && ctest --output-on-failure -j $(TEST_JOBS) -LE fuzz
	@cd $(ASAN_DIR) && ctest --output-on-failure -j 64 -L fuzz

# TSan maps memory at fixed addresses; without ASLR its layout fits on every kernel. Built by
# clang as the ASan pass is: it compiles this suite in a fifth less time than g++ (182 against 231
# CPU-seconds) and its runtime is the one g++ copies. A folder made before by g++ keeps g++.
tsan-configure: setup
	@CC=clang-16 CXX=clang++-16 cmake -S . -B $(TSAN_DIR) $(call generator,$(TSAN_DIR)) $(SANITIZED) \
	  $(call sanitized_opt,-O2) -DVELLUM_SANITIZE=thread $(CMAKE_FLAGS) >/dev/null

test-tsan: tsan-configure
	@cmake --build $(TSAN_DIR) -j $(JOBS)
	@cd $(TSAN_DIR) && setarch $$(uname -m) -R ctest --output-on-failure -j $(TEST_JOBS)

# Long fuzzing runs: every target for FUZZ_SECONDS, JOBS at a time (scripts/fuzz.sh).
fuzz: asan-configure
	@cmake --build $(ASAN_DIR) -j $(JOBS) --target fuzzers
	@bash scripts/fuzz.sh $(ASAN_DIR) $(FUZZ_SECONDS) $(JOBS)

# After `make fuzz`: keeps in fuzz/coverage/ the fewest inputs that reach what the runs reached
# beyond the seeds and regression inputs (scripts/fuzz_merge.sh). Commit them: the release build
# replays them, and `make test` fuzzes on from them.
fuzz-merge: asan-configure
	@cmake --build $(ASAN_DIR) -j $(JOBS) --target fuzzers
	@bash scripts/fuzz_merge.sh $(ASAN_DIR)

demo: build
	@$(BUILD_DIR)/vellum demo

# The Python package, built for Debian's python3 and copied into its site-packages folder
# (/usr/local/lib/python3.X/dist-packages), so that `python3 -c "import vellum"` works anywhere.
PYTHON ?= /usr/bin/python3
python: build
	@dest=$$($(PYTHON) -c 'import site; print(site.getsitepackages()[0])') && mkdir -p "$$dest" && \
	  rm -rf "$$dest/vellum" && cp -r $(BUILD_DIR)/python/vellum "$$dest/" && \
	  echo "installed the vellum package for $(PYTHON) in $$dest/vellum"

bench: build
	@$(BUILD_DIR)/bench/vellum_append
	@$(BUILD_DIR)/bench/vellum_bench
	@$(BUILD_DIR)/bench/vellum_load
	@$(BUILD_DIR)/bench/vellum_peers
	@$(BUILD_DIR)/bench/vellum_witness

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(TSAN_DIR)
