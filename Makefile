# The two commands of the README: `make run` and `make test`. Each installs what is
# missing on a fresh Debian machine first, then builds.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)

.PHONY: deps build run test clean

deps:
	./scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE)
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	MCP_TRANSPORT=http ./$(BUILD_DIR)/justifi-mcp --transport http --host 127.0.0.1 --port 8080

test: build
	./scripts/install-node-tools.sh $(BUILD_DIR)/node-tools
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j $(JOBS)

clean:
	rm -rf $(BUILD_DIR)
