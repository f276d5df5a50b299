# The two commands of the README: `make run` and `make test`. Each installs what is
# missing on a fresh Debian machine first, then builds what it needs.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
HOST ?= 127.0.0.1
PORT ?= 8080

# The sanitizer builds (build-asan, build-tsan, build-fuzz; CMakePresets.json). `make test` runs
# them after the normal suites; SANITIZE=0 skips them for a quick local run.
SANITIZE ?= 1
SANITIZE_JOBS ?= $(JOBS)
FUZZ_SECONDS ?= 25

.PHONY: deps configure build run test sanitize fuzz clean

deps:
	./scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target justifi-mcp justifi-mock
	./scripts/run.sh $(BUILD_DIR) $(HOST) $(PORT)

test: build
	./scripts/install-node-tools.sh $(BUILD_DIR)/node-tools
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)
ifneq ($(SANITIZE),0)
	$(MAKE) sanitize
endif

# ASan+UBSan suites and fuzzing, then the TSan suites.
sanitize:
	JUSTIFI_SANITIZERS=1 ./scripts/install-deps.sh
	JOBS=$(SANITIZE_JOBS) FUZZ_SECONDS=$(FUZZ_SECONDS) ./scripts/sanitize-and-fuzz.sh asan tsan

# Only the fuzz targets (built at -O1 in build-fuzz), e.g. `make fuzz FUZZ_SECONDS=600`; crashes land in
# build-fuzz/fuzz/artifacts/.
fuzz:
	JUSTIFI_SANITIZERS=1 ./scripts/install-deps.sh
	JOBS=$(SANITIZE_JOBS) FUZZ_SECONDS=$(FUZZ_SECONDS) ./scripts/sanitize-and-fuzz.sh fuzz

clean:
	rm -rf $(BUILD_DIR) build-asan build-tsan build-fuzz
