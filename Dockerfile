# justifi-mcp: the MCP server for the JustiFi API, as it runs on ECS Fargate behind an ALB.
# Multi-stage: Debian bookworm builds it from Debian's Boost and OpenSSL packages; the runtime
# stage has only OpenSSL's shared libraries (Boost and libstdc++ are linked in), the CA
# certificates and the stripped binary.

ARG DEBIAN_IMAGE=debian:bookworm-slim

FROM ${DEBIAN_IMAGE} AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      g++ cmake ninja-build make pkg-config ca-certificates \
      libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-program-options1.81-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Only what the product's build reads: the tests, benchmarks and docs stay out of the image.
COPY CMakeLists.txt ./
COPY cmake cmake
COPY core core
COPY net net
COPY auth auth
COPY client client
COPY tools tools
COPY mcp mcp
COPY server server
COPY mock mock
# The commit --version reports (deploy.sh passes it; the build has no .git).
ARG GIT_COMMIT=unknown
RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DJUSTIFI_GIT_COMMIT=${GIT_COMMIT} \
 && cmake --build build --target justifi-mcp \
 && strip build/justifi-mcp \
 && build/justifi-mcp --version

FROM ${DEBIAN_IMAGE}
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libssl3 \
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/* /var/log/apt /var/log/dpkg.log \
 && useradd --system --uid 10001 --user-group --no-create-home --shell /usr/sbin/nologin justifi
COPY --from=build /src/build/justifi-mcp /usr/local/bin/justifi-mcp

# HTTP on every interface of the task; the ALB terminates TLS. The drain deadline (20 s) is
# shorter than the ECS stop timeout (30 s in terraform/), so in-flight calls finish first.
ENV MCP_TRANSPORT=http \
    MCP_HOST=0.0.0.0 \
    MCP_PORT=8080 \
    MCP_DRAIN_TIMEOUT=20s
EXPOSE 8080
USER 10001:10001
STOPSIGNAL SIGTERM
# `justifi-mcp health` GETs /health on MCP_PORT with a 3 s deadline (no curl in the image).
HEALTHCHECK --interval=10s --timeout=5s --start-period=5s --retries=3 CMD ["/usr/local/bin/justifi-mcp", "health"]
ENTRYPOINT ["/usr/local/bin/justifi-mcp"]
