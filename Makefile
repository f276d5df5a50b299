# The two commands of the README: `make run` and `make test`. Each installs what is
# missing on a fresh Debian machine first, then builds what it needs.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
HOST ?= 127.0.0.1
PORT ?= 8080

.PHONY: deps configure build run test clean

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

clean:
	rm -rf $(BUILD_DIR)
