#!/usr/bin/env bash
# A soak: SOAK_SECONDS (default 300) of mixed load on justifi-mcp against the simulator, all on
# loopback (logging at info, as in production, to a filter that keeps only what it needs):
# tools/call list_payments, tools/list and /health with wrk on keep-alive connections,
# plus a new connection with initialize and a call every 100 ms. Samples the server's RSS and
# open file descriptors every 30 s; passes when both at the end are within 10% of their value
# after the first 30 s. Writes bench/results/soak.md and soak.tsv.
# Usage: bench/soak.sh [BUILD_DIR]
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
seconds=${SOAK_SECONDS:-300}
results="$here/results"
mkdir -p "$results"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }

work=$(mktemp -d)
pids=()
# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

port_of() {
  for _ in $(seq 1 200); do
    p=$(sed -n 's/.*"message":"listening".*"port":\([0-9]*\).*/\1/p' "$1" | head -n1)
    [[ -n "$p" ]] && { echo "$p"; return 0; }
    sleep 0.05
  done
  echo "soak.sh: no listening line in $1" >&2
  return 1
}

"$build/mock/justifi-mock" --port 0 2>"$work/mock.log" &
pids+=($!)
mock_port=$(port_of "$work/mock.log")
JUSTIFI_BASE_URL="http://127.0.0.1:$mock_port" JUSTIFI_CLIENT_ID=test_client_id JUSTIFI_CLIENT_SECRET=test_client_secret \
  MCP_AUTH=none JUSTIFI_OAUTH_VALIDATION=none MCP_RATE_LIMIT=0 LOG_LEVEL=info \
  "$build/justifi-mcp" --transport http --port 0 2> >(grep --line-buffered -E '"listening"|"level":"(warning|error)"' >"$work/mcp.log") &
server=$!
pids+=("$server")
port=$(port_of "$work/mcp.log")
url="http://127.0.0.1:$port/mcp"

accept='Accept: application/json, text/event-stream'
json='Content-Type: application/json'
init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"soak","version":"1"}}}'
session=$(curl -fsS -D - -o /dev/null "$url" -H "$accept" -H "$json" -d "$init" | tr -d '\r' |
  sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: //p')
[[ -n "$session" ]] || { echo "soak.sh: no session" >&2; exit 1; }
headers="Mcp-Session-Id: $session|MCP-Protocol-Version: 2025-11-25|$accept|$json"
call='{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"list_payments","arguments":{"limit":25}}}'
list='{"jsonrpc":"2.0","id":3,"method":"tools/list"}'

load() {  # name connections body path
  BENCH_HEADERS="$headers" BENCH_BODY="$3" BENCH_PATH="$4" BENCH_METHOD="${5:-POST}" BENCH_EXPECT="${6:-}" \
    wrk -t1 -c"$2" -d"${seconds}s" --timeout 10s -s "$here/mcp.lua" "http://127.0.0.1:$port" >"$work/$1.out" 2>&1 &
  pids+=($!)
}
load calls 8 "$call" /mcp POST '"result"'
load lists 4 "$list" /mcp POST '"tools"'
load health 2 "" /health GET OK

# Connection churn: a new connection, an initialize and a call, every 100 ms.
(
  end=$((SECONDS + seconds))
  while ((SECONDS < end)); do
    curl -fsS -o /dev/null "$url" -H "$accept" -H "$json" -d "$init" || echo churn-failed >>"$work/churn.err"
    sleep 0.1
  done
) &
pids+=($!)

sample() { # prints "elapsed rss_kb fds"
  local rss fds
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$server/status")
  fds=$(find "/proc/$server/fd" -mindepth 1 -maxdepth 1 | wc -l)
  echo "$1 $rss $fds"
}
printf 'seconds\trss_kb\tfds\n' >"$results/soak.tsv"
start=$SECONDS
baseline=
for ((t = 30; t <= seconds; t += 30)); do
  sleep $((start + t - SECONDS > 0 ? start + t - SECONDS : 0))
  kill -0 "$server" 2>/dev/null || { echo "soak.sh: the server died" >&2; cat "$work/mcp.log" >&2; exit 1; }
  read -r when rss fds < <(sample "$t")
  printf '%s\t%s\t%s\n' "$when" "$rss" "$fds" >>"$results/soak.tsv"
  [[ -n "$baseline" ]] || baseline="$rss $fds"
done
read -r rss30 fds30 <<<"$baseline"
read -r _ rss_end fds_end < <(tail -n1 "$results/soak.tsv" | tr '\t' ' ')
wait "${pids[@]:2:3}" 2>/dev/null || true

verdict() { # value reference
  awk -v v="$1" -v r="$2" 'BEGIN { d = (v - r) / r; printf "%+.1f%% %s", d * 100, (d <= 0.10 ? "PASS" : "MISS") }'
}
{
  echo "# Soak: ${seconds} s of mixed load"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| load | connections | requests/s | p99 (us) | requests | bad | socket errors |"
  echo "|---|---|---|---|---|---|---|"
  for name in calls lists health; do
    line=$(grep '^BENCH' "$work/$name.out" || echo "BENCH	-	-	-	-	-	-	-	-")
    IFS=$'\t' read -r _ rps _ p99 _ total _ bad errors _ <<<"$line"
    case $name in calls) c=8 ;; lists) c=4 ;; health) c=2 ;; esac
    echo "| $name | $c | $rps | $p99 | $total | $bad | $errors |"
  done
  echo "| new connection + initialize, every 100 ms | 1 | | | | $(if [[ -f $work/churn.err ]]; then wc -l <"$work/churn.err"; else echo 0; fi) failed | |"
  echo
  echo "| | after 30 s | at the end | change |"
  echo "|---|---|---|---|"
  echo "| RSS (kB) | $rss30 | $rss_end | $(verdict "$rss_end" "$rss30") |"
  echo "| open file descriptors | $fds30 | $fds_end | $(verdict "$fds_end" "$fds30") |"
} >"$results/soak.md"
cat "$results/soak.md"
grep -q MISS "$results/soak.md" && exit 1
exit 0
