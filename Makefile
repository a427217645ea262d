# Thin wrapper over CMake. `make demo` installs what is missing, builds and runs the demonstration;
# `make test` installs, builds and runs every test.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all setup configure build test bench demo clean

all: build

setup:
	@bash scripts/setup.sh

configure: setup
	@cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

demo: build
	@$(BUILD_DIR)/vellum demo

bench: build
	@$(BUILD_DIR)/bench/vellum_bench
	@$(BUILD_DIR)/bench/vellum_load
	@$(BUILD_DIR)/bench/vellum_peers

clean:
	rm -rf $(BUILD_DIR)
